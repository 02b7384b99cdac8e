"""Opening the hub's database from a URL: PostgreSQL in the cloud, SQLite on a clinic's LAN PC.

`postgresql://…` is served through psycopg 3. `sqlite:///path` gets WAL, full fsync and a busy
timeout, and BEGIN IMMEDIATE for writes, so two pushes queue for the write lock instead of one
failing half-way. The tables are created if absent.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.errors import NadiError
from sync.hub.schema import clinic, metadata


def normalise_url(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise NadiError(f"{url!r} is not a database URL (try postgresql://user@host/db or sqlite:///path/hub.db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername in ("postgresql+psycopg", "sqlite"):
        return url
    raise NadiError(f"the hub runs on PostgreSQL or SQLite, not {parsed.drivername!r} ({url})")


def open_hub(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "isolation_level": None, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url, pool_size=8, max_overflow=16, pool_pre_ping=True)
    try:
        metadata.create_all(engine)
    except Exception as exc:  # noqa: BLE001 - a connection failure is the common case
        engine.dispose()
        raise NadiError(f"the hub database {make_url(url).render_as_string(hide_password=True)} could not be opened: {exc}") from None
    return engine


def lock_clinic(conn, clinic_id: str):
    """Take the clinic row's write lock (PostgreSQL: row lock; SQLite: the database write lock taken
    at BEGIN IMMEDIATE) and return the row, or None if there is no such clinic."""
    query = select(clinic).where(clinic.c.id == clinic_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()
