"""Schema migrations (Alembic), applied at start-up inside one real transaction.

Foreign keys are switched off on the connection *before* the transaction opens (SQLite ignores the
pragma inside one), so a batch step that rebuilds a table (copy, drop, rename) cannot cascade
deletes into child rows. Before commit, `PRAGMA foreign_key_check` must come back empty; if a
migration left a dangling reference, everything rolls back and the database stays as it was.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from core.errors import NadiError

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(migrations: Path = MIGRATIONS) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    return cfg


def head_revision(migrations: Path = MIGRATIONS) -> str | None:
    return ScriptDirectory.from_config(_config(migrations)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head", migrations: Path = MIGRATIONS) -> None:
    cfg = _config(migrations)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        if target == "head" and MigrationContext.configure(conn).get_current_revision() == head_revision(migrations):
            conn.rollback()
            return
        conn.rollback()
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.execution_options(nadi_begin="IMMEDIATE").begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    table, rowid, parent, _ = dangling[0]
                    raise NadiError(
                        f"migration to {target} would leave {len(dangling)} broken reference(s), "
                        f"first {table} row {rowid} -> {parent}; nothing was changed"
                    )
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def new_revision(engine: Engine, message: str) -> None:
    """For developers: autogenerate a migration from the models against an up-to-date database."""
    cfg = _config()
    with engine.connect() as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
