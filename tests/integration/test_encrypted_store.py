"""The database file on disk is useless without its key, and the key can be recovered."""

import os
import sqlite3
import shutil

import pytest

from core.errors import DatabaseKeyError
from core.services.patients import register_patient
from core.settings import load_settings
from core.storage import keys
from core.storage.database import database_path, open_database


def test_the_file_is_not_readable_as_plain_sqlite(db, team):
    register_patient(db, team.receptionist, {"full_name": "Harpreet Kaur", "gender": "F", "age_years": 34, "mobile": "9815012345"})
    path = database_path(db.settings)
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"Harpreet" not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()


def test_a_wrong_key_is_refused_with_a_clear_message(db, monkeypatch):
    settings = db.settings
    db.close()
    monkeypatch.setenv("NADI_DB_KEY", "ab" * 32)
    with pytest.raises(DatabaseKeyError, match="cannot be opened with this key"):
        open_database(load_settings(settings.data_dir))


def test_the_key_is_not_stored_in_the_data_directory(db):
    key_hex = keys.load_key(db.settings).hex()
    for file in db.settings.data_dir.rglob("*"):
        if file.is_file():
            assert key_hex.encode() not in file.read_bytes(), file
    stored = db.settings.key_dir / f"{keys.database_id(db.settings)}.key"
    assert stored.exists()
    if os.name == "posix":  # Windows guards the user's profile folder with ACLs instead of mode bits
        assert (stored.stat().st_mode & 0o077) == 0


def test_moving_to_a_new_pc_needs_the_recovery_key(tmp_path, monkeypatch, data_dir):
    settings = load_settings(data_dir)
    database, new_key = open_database(settings, create=True)
    register_patient(database, _system(), {"full_name": "Joseph Mathew", "gender": "M", "age_years": 51})
    database.close()

    # The data directory is restored onto a new PC: same files, an empty key store.
    monkeypatch.setenv("NADI_KEY_DIR", str(tmp_path / "new-pc-keys"))
    moved = tmp_path / "restored"
    shutil.copytree(data_dir, moved)
    new_pc = load_settings(moved)
    with pytest.raises(DatabaseKeyError, match="nadi key recover"):
        open_database(new_pc)
    with pytest.raises(DatabaseKeyError, match="does not open this database"):
        keys.recover_key(new_pc, "ABCDE-FGHJK-MNPQR-STVWX-YZ012")
    typed_by_hand = new_key.recovery_key.lower().replace("-", " ")
    keys.recover_key(new_pc, typed_by_hand)
    reopened, _ = open_database(new_pc)
    from core.stats import record_counts

    assert record_counts(reopened)["patients"] == 1
    reopened.close()


def test_database_runs_in_wal_mode_with_foreign_keys(db):
    with db.read() as session:
        assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_opening_a_directory_without_a_database_says_so(settings):
    from core.errors import NadiError

    with pytest.raises(NadiError, match="no Nadi database"):
        open_database(settings)


def _system():
    from core.storage.database import SYSTEM

    return SYSTEM
