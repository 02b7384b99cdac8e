"""Opening the clinic database: the encrypted file, its connections and its transactions.

Every connection is keyed first (SQLCipher), then put in WAL mode with foreign keys on and full
fsync on commit (a power cut loses no committed visit). Python's sqlite driver is told to keep out
of transaction handling (isolation_level=None) and we issue BEGIN ourselves, so DDL inside a
migration is transactional and writes take the write lock at BEGIN (IMMEDIATE) instead of failing
half-way when a second connection, such as the sync agent's, holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from core.errors import DatabaseKeyError, NadiError
from core.hlc import HybridLogicalClock
from core.ids import uuid7
from core.settings import Settings
from core.storage import keys
from core.storage.first_look import DB_FILE, key_pragma
from core.storage.models import Change, LocalNode
from core.storage.outbox import SYSTEM, Actor, ReadSession, RecordSession, WriteContext  # noqa: F401  (re-exported)

# Imported for its side effect: keeps the patient search index in step with every write.
import core.search.index  # noqa: E402,F401  isort: skip

BUSY_TIMEOUT_MS = 15_000


def database_path(settings: Settings) -> Path:
    return settings.data_dir / DB_FILE


def database_exists(settings: Settings) -> bool:
    return database_path(settings).exists()


def make_engine(path: Path, key: bytes) -> Engine:
    def connect() -> sqlcipher.Connection:
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        # The key must be the first statement on a SQLCipher connection.
        conn.execute(key_pragma(key))
        return conn

    # An explicit QueuePool: with a bare "sqlite://" URL SQLAlchemy would pick a per-thread pool
    # that closes one thread's connection under another once more threads than its size appear.
    engine = create_engine("sqlite://", creator=connect, module=sqlcipher, poolclass=QueuePool, pool_size=4, max_overflow=12, pool_timeout=30)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        try:
            # Reading the schema is the first use of the key: a wrong key fails here.
            cur.execute("SELECT count(*) FROM sqlite_master")
        except sqlcipher.DatabaseError:
            dbapi_conn.close()
            raise DatabaseKeyError(f"{path} cannot be opened with this key (wrong key, or not a Nadi database)") from None
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN " + conn.get_execution_options().get("nadi_begin", "DEFERRED"))

    return engine


class Database:
    """An open clinic database. Thread-safe to share; each thread uses its own sessions."""

    def __init__(self, settings: Settings, engine: Engine, node_id: str, clock: HybridLogicalClock) -> None:
        self.settings = settings
        self.engine = engine
        self.node_id = node_id
        self.clock = clock
        self._writer = sessionmaker(bind=engine.execution_options(nadi_begin="IMMEDIATE"), class_=RecordSession, expire_on_commit=False)
        self._reader = sessionmaker(bind=engine, class_=ReadSession, expire_on_commit=False)

    @property
    def path(self) -> Path:
        return database_path(self.settings)

    @contextmanager
    def write(self, actor: Actor) -> Iterator[Session]:
        """One transaction: everything inside commits together, with its change records, or not at all."""
        with self._writer() as session:
            session.info["write"] = WriteContext(actor, uuid7(), self.node_id, self.clock)
            with session.begin():
                # Holding the write lock now: catch up with stamps another process on this PC (the
                # headless agent, a second window) committed, so ours follow them, never tie.
                latest = latest_stamp(session)
                if latest:
                    self.clock.observe(latest)
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session: it refuses to flush, and whatever happens it is rolled back."""
        with self._reader() as session:
            session.begin()
            try:
                yield session
            finally:
                session.expunge_all()  # what was read stays usable; the rollback would expire it
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, create: bool = False) -> tuple[Database, keys.NewKey | None]:
    """Open (and migrate) the database in the data directory; with create=True make it if absent.

    Returns the database and, when a new key was made, the key details (the recovery key is
    shown once to the person setting up the clinic, then never again).
    """
    from core.storage.migrate import upgrade  # noqa: PLC0415 - alembic is only needed here

    path = database_path(settings)
    new_key: keys.NewKey | None = None
    if path.exists():
        key = keys.load_key(settings)
    elif not create:
        raise NadiError(f"there is no Nadi database in {settings.data_dir}; run `nadi` to set one up or `nadi demo --data-dir {settings.data_dir}`")
    elif keys.has_keyslot(settings) or settings.db_key:
        key = keys.load_key(settings)  # a first attempt made the key, then failed before the file
    else:
        new_key = keys.create_key(settings)
        key = new_key.key
    engine = make_engine(path, key)

    def back_up_first(from_revision: str, to_revision: str) -> None:
        from core.backup.schedule import back_up_before_upgrade  # noqa: PLC0415 - only when upgrading

        try:
            back_up_before_upgrade(path, key, settings.data_dir, keys.database_id(settings), from_revision, to_revision)
        except NadiError as exc:
            raise NadiError(
                f"this version of Nadi upgrades the database (schema {from_revision} to {to_revision}) and backs it up first, "
                f"but the backup failed: {exc}. Nothing was changed; fix that and start again"
            ) from None

    try:
        upgrade(engine, before_migrating=None if new_key else back_up_first)
        if new_key is not None:
            _owner_only(path)
        node_id, last_hlc = _local_identity(engine)
    except DatabaseError as exc:
        engine.dispose()
        raise NadiError(f"{path} could not be opened: {exc.orig}") from None
    except BaseException:
        engine.dispose()
        raise
    return Database(settings, engine, node_id, HybridLogicalClock(last_hlc)), new_key


def _owner_only(path: Path) -> None:
    """The database file readable by this OS user only, as its key slot is (it is encrypted
    anyway; this keeps other accounts on a shared PC from even copying it)."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists():
            part.chmod(0o600)


def latest_stamp(session: Session) -> int:
    """The newest clock stamp in the record, made here or applied from another PC (ix_change_hlc
    makes this one index probe). Not the last row by sequence: a batch applied from other PCs
    can end on an older stamp than one it carried."""
    return session.scalar(select(func.max(Change.hlc))) or 0


def _local_identity(engine: Engine) -> tuple[str, int]:
    with Session(engine.execution_options(nadi_begin="IMMEDIATE")) as session, session.begin():
        node = session.scalar(select(LocalNode))
        if node is None:
            node = LocalNode(node_id=uuid7())
            session.add(node)
        last_hlc = latest_stamp(session)
        return node.node_id, last_hlc
