"""A first look into the clinic database before the ORM is loaded: the clinic's name and who can log
in, which is all the log-in screen shows.

Importing SQLAlchemy and mapping the models costs about half a second on a clinic PC; reading two
small tables straight through SQLCipher costs a few milliseconds. So the window comes up with its
list of people at once while the full database opens on a worker (the log-in itself waits for
that, and a person takes longer than that to type a PIN). Whenever the quick look is not safe —
no database yet, one that must be migrated first, a key problem — it returns None and the app
opens the database the full way before showing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlcipher3.dbapi2 as sqlcipher

from core.errors import NadiError
from core.settings import Settings
from core.storage import keys

DB_FILE = "nadi.db"
# The newest migration shipped. A database stamped with it needs no migration, so it opens without
# importing Alembic (see migrate.upgrade) and can be looked into before the ORM loads. A test
# checks this against Alembic's own idea of the head.
HEAD = "0004"

_CHOICES = """
    SELECT s.id, s.full_name, s.role, c.kind
    FROM staff s LEFT JOIN staff_credential c ON c.staff_id = s.id
    WHERE s.active = 1
    ORDER BY s.full_name
"""


@dataclass(frozen=True)
class LoginChoice:
    """A person shown on the log-in screen."""

    staff_id: str
    name: str
    role: str
    kind: str | None  # pin | password | None when nothing is set yet


@dataclass(frozen=True)
class FirstLook:
    clinic_name: str
    choices: list[LoginChoice]


def key_pragma(key: bytes) -> str:
    """The statement that unlocks a SQLCipher connection; it must be the first one run on it."""
    return f"PRAGMA key = \"x'{key.hex()}'\""


def needs_first_secret(choices: list[LoginChoice]) -> bool:
    """A clinic set up before log-in existed has no secrets at all: its admin chooses one first."""
    return not any(c.kind for c in choices)


def first_look(settings: Settings) -> FirstLook | None:
    path = settings.data_dir / DB_FILE
    if not path.exists():
        return None
    try:
        key = keys.load_key(settings)
    except NadiError:
        return None  # the full open reports the problem properly
    conn = sqlcipher.connect(str(path), timeout=15)
    try:
        conn.execute(key_pragma(key))
        if conn.execute("SELECT version_num FROM alembic_version").fetchone() != (HEAD,):
            return None
        clinic = conn.execute("SELECT name FROM clinic ORDER BY id LIMIT 1").fetchone()
        if clinic is None:
            return None  # first run: the wizard needs the full database
        return FirstLook(clinic[0], [LoginChoice(*row) for row in conn.execute(_CHOICES)])
    except sqlcipher.DatabaseError:
        return None
    finally:
        conn.close()
