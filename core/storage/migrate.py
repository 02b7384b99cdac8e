"""Schema migrations (Alembic), applied at start-up inside one real transaction.

Foreign keys are switched off on the connection *before* the transaction opens (SQLite ignores the
pragma inside one), so a batch step that rebuilds a table (copy, drop, rename) cannot cascade
deletes into child rows. Before commit, `PRAGMA foreign_key_check` must come back empty; if a
migration left a dangling reference, everything rolls back and the database stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from core.errors import NadiError
from core.storage.first_look import HEAD

MIGRATIONS = Path(__file__).parent / "migrations"


def _stamped_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:
            return None  # a new database: no version table yet
        finally:
            conn.rollback()


def _config(migrations: Path = MIGRATIONS):
    from alembic.config import Config  # noqa: PLC0415

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    return cfg


def head_revision(migrations: Path = MIGRATIONS) -> str | None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    return ScriptDirectory.from_config(_config(migrations)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head", migrations: Path = MIGRATIONS, before_migrating: Callable[[str, str], None] | None = None) -> None:
    """Bring the database to `target`. An existing database is handed to `before_migrating(from,
    to)` first (the app takes a backup there); if that raises, nothing is migrated."""
    if target == "head" and migrations == MIGRATIONS and _stamped_revision(engine) == HEAD:
        return
    from alembic import command  # noqa: PLC0415
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415
    from alembic.util.exc import CommandError  # noqa: PLC0415

    cfg = _config(migrations)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        current = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
        head = head_revision(migrations)
        if target == "head" and current == head:
            return
        if current is not None:
            try:
                ScriptDirectory.from_config(cfg).get_revision(current)
            except CommandError:
                raise NadiError(
                    f"this database was made by a newer version of Nadi (schema {current}; this version knows up to {head}); "
                    "install that version or newer, or restore a backup made with this one"
                ) from None
            if before_migrating is not None:
                before_migrating(current, head if target == "head" else target)
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
    from alembic import command  # noqa: PLC0415

    cfg = _config()
    with engine.connect() as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
