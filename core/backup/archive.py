"""The backup file: one `.nadibackup` that puts a clinic back on a new PC.

It is a zip (stored, not compressed: the database inside is encrypted and would not shrink) holding
- `nadi.db`: a consistent snapshot of the database made with `VACUUM INTO`, still encrypted with the
  database key (SQLCipher pages carry their own authentication, so a flipped bit is caught);
- `keyslot.json`: the database key wrapped under the clinic's recovery key, so a replacement PC
  whose key store died with the old disk can open the backup with the recovery key alone;
- `manifest.json`: what the backup is (database id, clinic, schema revision, when, why, the
  snapshot's SHA-256 and its row count per table), and `manifest.mac`: an HMAC of the manifest
  under a key derived from the database key, so a wrong key is told apart from a damaged file;
- `settings.toml`, when the data directory has one (it never holds secrets).

A backup is written to a temporary name beside its destination, then read back and checked in
full (checksum, key, SQLCipher and SQLite integrity, row counts) before it takes its real name: a
file with the real name is always a verified backup.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core import __version__
from core.errors import DatabaseKeyError, NadiError
from core.storage.first_look import DB_FILE, key_pragma
from core.storage.keys import KEYSLOT_FILE

SUFFIX = ".nadibackup"
FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_MAC = "manifest.mac"
SETTINGS = "settings.toml"
# Room the destination must have beyond the snapshot: the zip is written next to a temporary copy.
_SPACE_FACTOR = 2.2


class BackupError(NadiError):
    """A backup could not be made, or a file is not a usable backup."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    database_id: str
    created_at: str
    reason: str
    clinic_name: str | None
    schema_revision: str | None
    app_version: str
    size_bytes: int
    counts: dict[str, int]

    def as_dict(self) -> dict:
        return {
            "path": str(self.path), "database_id": self.database_id, "created_at": self.created_at,
            "reason": self.reason, "clinic_name": self.clinic_name, "schema_revision": self.schema_revision,
            "app_version": self.app_version, "size_bytes": self.size_bytes, "counts": self.counts,
        }


@dataclass(frozen=True)
class OpenedBackup:
    """A backup file whose structure and checksum are sound (its key not yet tried)."""

    path: Path
    manifest: dict
    manifest_bytes: bytes
    mac: bytes
    slot_bytes: bytes
    settings_bytes: bytes | None

    @property
    def database_id(self) -> str:
        return self.manifest["database_id"]


def backup_name(database_id: str, at: datetime, reason: str) -> str:
    """Names sort by time within a clinic database; the reason says why it was taken."""
    return f"nadi-{database_id[-12:]}-{at.strftime('%Y%m%d-%H%M%S')}-{reason}{SUFFIX}"


def write_backup(source: Path, key: bytes, data_dir: Path, database_id: str, dest_dir: Path, reason: str) -> BackupInfo:
    """Snapshot the database at `source` into a verified backup file in `dest_dir`."""
    _check_destination(dest_dir, source)
    at = datetime.now(UTC)
    final = dest_dir / backup_name(database_id, at, reason)
    n = 1
    while final.exists():  # two backups in one second (a manual one just after a scheduled one)
        n += 1
        final = dest_dir / backup_name(database_id, at, f"{reason}-{n}")
    work = Path(tempfile.mkdtemp(dir=dest_dir, prefix=".nadi-backup-"))
    try:
        snapshot = work / DB_FILE
        _snapshot(source, key, snapshot)
        facts = database_facts(snapshot, key)
        manifest = {
            "format": FORMAT,
            "database_id": database_id,
            "created_at": at.isoformat(timespec="seconds"),
            "reason": reason,
            "app_version": __version__,
            "clinic_name": facts["clinic_name"],
            "schema_revision": facts["schema_revision"],
            "db_sha256": _sha256_file(snapshot),
            "db_bytes": snapshot.stat().st_size,
            "counts": facts["counts"],
        }
        manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
        partial = work / (final.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(MANIFEST, manifest_bytes)
            zf.writestr(MANIFEST_MAC, manifest_mac(key, manifest_bytes).hex())
            zf.write(data_dir / KEYSLOT_FILE, KEYSLOT_FILE)
            if (data_dir / SETTINGS).exists():
                zf.write(data_dir / SETTINGS, SETTINGS)
            zf.write(snapshot, DB_FILE)
        partial.chmod(0o600)  # encrypted anyway; still nobody else's to copy
        _fsync(partial)
        snapshot.unlink()
        # Read back what reached the disk, not what we meant to write.
        verify_backup(partial, key, work)
        os.replace(partial, final)
        _fsync_dir(dest_dir)
    except OSError as exc:
        raise BackupError(f"the backup could not be written to {dest_dir}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return info_of(final, manifest)


def info_of(path: Path, manifest: dict) -> BackupInfo:
    return BackupInfo(
        path=path, database_id=manifest["database_id"], created_at=manifest["created_at"], reason=manifest["reason"],
        clinic_name=manifest.get("clinic_name"), schema_revision=manifest.get("schema_revision"),
        app_version=manifest.get("app_version", "?"), size_bytes=path.stat().st_size, counts=manifest["counts"],
    )


def open_backup(path: Path) -> OpenedBackup:
    """Read a backup's parts and check its snapshot against the manifest's checksum."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            missing = {MANIFEST, MANIFEST_MAC, KEYSLOT_FILE, DB_FILE} - names
            if missing:
                raise BackupError(f"{path.name} is not a Nadi backup (it lacks {', '.join(sorted(missing))})")
            manifest_bytes = zf.read(MANIFEST)
            manifest = json.loads(manifest_bytes)
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path.name} is a backup format this version of Nadi does not know ({manifest.get('format')}); use a newer Nadi")
            digest = hashlib.sha256()
            with zf.open(DB_FILE) as member:  # zipfile also checks the member's CRC as it reads
                for block in iter(lambda: member.read(1 << 20), b""):
                    digest.update(block)
            if digest.hexdigest() != manifest["db_sha256"]:
                raise BackupError(f"{path.name} is damaged: its database does not match the checksum it was written with")
            settings_bytes = zf.read(SETTINGS) if SETTINGS in names else None
            return OpenedBackup(path, manifest, manifest_bytes, bytes.fromhex(zf.read(MANIFEST_MAC).decode()), zf.read(KEYSLOT_FILE), settings_bytes)
    except BackupError:
        raise
    except zipfile.BadZipFile as exc:
        detail = "damaged" if "CRC" in str(exc) else "not a Nadi backup, or damaged"
        raise BackupError(f"{path.name} is {detail} ({exc})") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BackupError(f"{path.name} is damaged: its manifest cannot be read") from None
    except OSError as exc:
        raise BackupError(f"{path} could not be read: {exc.strerror or exc}") from None


def check_key(opened: OpenedBackup, key: bytes, source: str) -> None:
    """A wrong key is told apart from damage: the manifest's HMAC is made under the key."""
    if not hmac.compare_digest(manifest_mac(key, opened.manifest_bytes), opened.mac):
        raise DatabaseKeyError(f"{source} does not open {opened.path.name}: the backup was made with a different database key, or its manifest was altered")


def extract_verified(opened: OpenedBackup, key: bytes, into: Path) -> Path:
    """The backup's database, copied to `into` and checked page by page and row by row."""
    target = into / DB_FILE
    with zipfile.ZipFile(opened.path) as zf, zf.open(DB_FILE) as member, open(target, "wb") as out:
        shutil.copyfileobj(member, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    if _sha256_file(target) != opened.manifest["db_sha256"]:
        raise BackupError(f"{opened.path.name} changed while it was being read; try again")
    facts = database_facts(target, key, check_integrity=True)
    if facts["counts"] != opened.manifest["counts"]:
        differing = sorted(k for k in set(facts["counts"]) | set(opened.manifest["counts"]) if facts["counts"].get(k) != opened.manifest["counts"].get(k))
        raise BackupError(f"{opened.path.name} does not hold what it says it holds (row counts differ in {', '.join(differing[:5])})")
    return target


def verify_backup(path: Path, key: bytes, work: Path | None = None) -> OpenedBackup:
    """Everything a restore would check, without restoring."""
    opened = open_backup(path)
    verify_opened(opened, key, "this PC's database key", work)
    return opened


def verify_opened(opened: OpenedBackup, key: bytes, key_from: str, work: Path | None = None) -> None:
    """The key, then the snapshot page by page and row by row, in a scratch copy removed after."""
    check_key(opened, key, key_from)
    scratch = Path(tempfile.mkdtemp(dir=work or opened.path.parent, prefix=".nadi-verify-"))
    try:
        extract_verified(opened, key, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def database_facts(path: Path, key: bytes, check_integrity: bool = False) -> dict:
    """Row counts per table, schema revision and clinic name of a database file (read only)."""
    conn = sqlcipher.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute(key_pragma(key))
        try:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        except sqlcipher.DatabaseError:
            raise DatabaseKeyError(f"{path.name} cannot be opened with this key") from None
        if check_integrity:
            problems = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            if problems:
                raise BackupError(f"the backed-up database is damaged ({len(problems)} page(s) fail their check, first: {problems[0][0]})")
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupError(f"the backed-up database is damaged ({result[0][0]})")
        counts = {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables else None
        clinic = conn.execute("SELECT name FROM clinic ORDER BY id LIMIT 1").fetchone() if "clinic" in tables else None
        return {"counts": counts, "schema_revision": revision[0] if revision else None, "clinic_name": clinic[0] if clinic else None}
    except sqlcipher.DatabaseError as exc:
        raise BackupError(f"the backed-up database is damaged ({exc})") from None
    finally:
        conn.close()


def manifest_mac(key: bytes, manifest_bytes: bytes) -> bytes:
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"nadi backup manifest").derive(key)
    return hmac.new(mac_key, manifest_bytes, hashlib.sha256).digest()


def _snapshot(source: Path, key: bytes, target: Path) -> None:
    """A consistent copy, compacted, encrypted with the same key. VACUUM INTO reads inside one
    transaction, so a sync or a save going on meanwhile is either all in it or not at all."""
    conn = sqlcipher.connect(str(source), timeout=30)
    try:
        conn.execute(key_pragma(key))
        conn.execute("VACUUM INTO ?", (str(target),))
    except sqlcipher.DatabaseError as exc:
        raise BackupError(f"the database could not be copied: {exc}") from None
    finally:
        conn.close()


def _check_destination(dest_dir: Path, source: Path) -> None:
    if not dest_dir.is_dir():
        raise BackupError(f"the backup folder {dest_dir} is not there; if it is on a USB drive, plug the drive in (or choose another folder)")
    if not os.access(dest_dir, os.W_OK):
        raise BackupError(f"this user cannot write to the backup folder {dest_dir}")
    need = int(source.stat().st_size * _SPACE_FACTOR) + (1 << 20)
    free = shutil.disk_usage(dest_dir).free
    if free < need:
        raise BackupError(f"the backup folder {dest_dir} has {free / 1e6:.0f} MB free; a backup needs about {need / 1e6:.0f} MB")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":
        return  # directories cannot be opened for fsync on Windows; NTFS journals the rename
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
