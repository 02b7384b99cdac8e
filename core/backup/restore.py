"""Restoring a backup into a data directory: a fresh install, or a clinic's database replaced.

Every check runs before anything in the data directory is touched: the file's structure and
checksum, the key (this PC's key store, NADI_DB_KEY, or the recovery key against the key slot the
backup carries), then the snapshot is copied out and checked page by page and row by row. Only
then does it move in. A database already there is never overwritten: without `replace` the restore
is refused; with it, the current database, its key slot and settings are first moved aside into
`replaced-<time>/` in the same data directory. A database that a running Nadi has open is refused
either way.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from core.backup.archive import SETTINGS, BackupError, BackupInfo, check_key, extract_verified, info_of, open_backup
from core.errors import NadiError
from core.settings import Settings
from core.storage import keys
from core.storage.first_look import DB_FILE, key_pragma


@dataclass(frozen=True)
class Restored:
    backup: BackupInfo
    data_dir: Path
    key_from: str
    set_aside: Path | None  # where the database it replaced now is

    def as_dict(self) -> dict:
        return {"backup": self.backup.as_dict(), "data_dir": str(self.data_dir), "key_from": self.key_from, "set_aside": str(self.set_aside) if self.set_aside else None}


class RecoveryKeyNeeded(NadiError):
    """This PC does not hold the backup's key: the clinic's recovery key is needed."""


def restore_backup(path: Path, settings: Settings, recovery_key: str | None = None, replace: bool = False) -> Restored:
    opened = open_backup(path)
    key, key_from = key_for(opened, settings, recovery_key)
    check_key(opened, key, key_from)
    data_dir = settings.data_dir
    current = data_dir / DB_FILE
    if current.exists():
        if not replace:
            raise BackupError(
                f"{data_dir} already holds a clinic database; restoring would replace it. "
                "If that is what you want, restore with replace (--replace): the current database is kept in a replaced-<time> folder beside it"
            )
        _refuse_if_open(settings, current)
    data_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=data_dir, prefix=".nadi-restore-"))
    try:
        restored_db = extract_verified(opened, key, work)
        # Nothing past this point can fail on the backup's account; what is left is moving files.
        set_aside = _set_aside(data_dir) if current.exists() else None
        keys.install_slot(settings, opened.slot_bytes)
        if not settings.db_key:
            keys.store_key(settings, opened.database_id, key)
        if opened.settings_bytes is not None and not (data_dir / SETTINGS).exists():
            (data_dir / SETTINGS).write_bytes(_without_key_dir(opened.settings_bytes))
        os.replace(restored_db, current)
        current.chmod(0o600)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Restored(info_of(path, opened.manifest), data_dir, key_from, set_aside)


def key_for(opened, settings: Settings, recovery_key: str | None) -> tuple[bytes, str]:
    if recovery_key:
        slot = keys.parse_slot(opened.slot_bytes.decode("utf-8", "replace"), f"the key slot in {opened.path.name}")
        return keys.unwrap_key(slot, recovery_key, f"the backup {opened.path.name}"), "the recovery key"
    if settings.db_key:
        return keys.load_key(settings), "NADI_DB_KEY"
    stored = keys.stored_key(settings, opened.database_id)
    if stored is not None:
        return stored, "this PC's key store"
    raise RecoveryKeyNeeded(
        f"this PC does not hold the key of the database in {opened.path.name}; "
        "give the clinic's recovery key (the one shown when the clinic was set up)"
    )


def _refuse_if_open(settings: Settings, current: Path) -> None:
    """A running Nadi keeps its connections open; an exclusive lock cannot be had while it does."""
    try:
        key = keys.load_key(settings)
    except NadiError:
        return  # nothing on this PC can have it open without its key
    conn = sqlcipher.connect(str(current), isolation_level=None, timeout=1)
    try:
        conn.execute(key_pragma(key))
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlcipher.OperationalError:
        raise BackupError(f"the database in {settings.data_dir} is in use (is Nadi open, or its sync agent running?); close it and try again") from None
    except sqlcipher.DatabaseError:
        pass  # unreadable with the key it has: not open anywhere either, and about to be set aside
    finally:
        conn.close()


def _without_key_dir(settings_bytes: bytes) -> bytes:
    """The old PC's settings, less where its key store was: this PC keeps its keys in its own
    (the restore has just put the key there), and an old path would hide it."""
    lines = settings_bytes.decode("utf-8-sig", "replace").splitlines(keepends=True)
    kept = [line if not re.match(r"\s*key_dir\s*=", line) else f"# {line.rstrip()}  (the PC this backup came from; not used here)\n" for line in lines]
    return "".join(kept).encode()


def _set_aside(data_dir: Path) -> Path:
    aside = data_dir / f"replaced-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"
    aside.mkdir()
    for name in (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", keys.KEYSLOT_FILE, SETTINGS):
        if (data_dir / name).exists():
            os.replace(data_dir / name, aside / name)
    return aside
