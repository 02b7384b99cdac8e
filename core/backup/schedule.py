"""This PC's backup plan and its log.

The plan belongs to the PC, not the clinic (drive letters and USB sticks differ from PC to PC), so it
lives in `<data dir>/backup.toml` and never syncs: the folder backups go to, how often, how many to
keep. With no folder chosen, backups go to `<data dir>/backups`, which guards against mistakes and
bad upgrades but not against the disk dying; the desk says so until a folder elsewhere is chosen.

`backups.json` in the data directory logs every attempt (when, where, how big, how long, or why
it failed), so the desk and `nadi diagnose` can tell when the last good backup was.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter

from core.backup.archive import SUFFIX, BackupError, BackupInfo, write_backup
from core.errors import InvalidInput, NadiError
from core.settings import Settings
from core.storage import keys
from core.storage.first_look import DB_FILE

PLAN_FILE = "backup.toml"
LOG_FILE = "backups.json"
LOCAL_FOLDER = "backups"
LOG_KEEP = 200
PRE_UPGRADE_KEEP = 3
EVERY_HOURS_RANGE = (0, 24 * 7)  # 0: no scheduled backups
KEEP_RANGE = (1, 365)


@dataclass(frozen=True)
class BackupPlan:
    folder: Path | None = None  # None: <data dir>/backups
    every_hours: int = 24
    keep: int = 14

    def __post_init__(self) -> None:
        problems = {}
        if not (isinstance(self.every_hours, int) and EVERY_HOURS_RANGE[0] <= self.every_hours <= EVERY_HOURS_RANGE[1]):
            problems["every_hours"] = f"backups run every 1 to {EVERY_HOURS_RANGE[1]} hours (0 switches scheduled backups off), not {self.every_hours!r}"
        if not (isinstance(self.keep, int) and KEEP_RANGE[0] <= self.keep <= KEEP_RANGE[1]):
            problems["keep"] = f"keep 1 to {KEEP_RANGE[1]} backups, not {self.keep!r}"
        if problems:
            raise InvalidInput(problems)

    def destination(self, data_dir: Path) -> Path:
        return self.folder if self.folder is not None else data_dir / LOCAL_FOLDER

    def same_disk_only(self, data_dir: Path) -> bool:
        """True while backups land on the disk the data is on (no protection if that disk dies)."""
        if self.folder is None:
            return True
        try:
            return self.folder.resolve().is_relative_to(data_dir.resolve()) or (
                self.folder.exists() and os.stat(self.folder).st_dev == os.stat(data_dir).st_dev and os.name != "nt"
            )
        except OSError:
            return False


@dataclass(frozen=True)
class LogEntry:
    at: str
    reason: str
    destination: str
    ok: bool
    path: str | None = None
    size_bytes: int | None = None
    seconds: float | None = None
    error: str | None = None
    uploaded: bool | None = None  # to the hub; None when there is no hub


def load_plan(data_dir: Path) -> BackupPlan:
    path = data_dir / PLAN_FILE
    if not path.exists():
        return BackupPlan()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput({str(path): f"not valid TOML ({exc})"}) from None
    unknown = set(raw) - {"folder", "every_hours", "keep"}
    if unknown:
        raise InvalidInput({f"{PLAN_FILE}: {sorted(unknown)[0]}": "is not a backup setting (they are folder, every_hours, keep)"})
    folder = raw.get("folder")
    return BackupPlan(Path(folder) if folder else None, raw.get("every_hours", 24), raw.get("keep", 14))


def save_plan(data_dir: Path, plan: BackupPlan) -> None:
    lines = ["# This PC's backup plan (written by Nadi; `nadi backup plan` changes it)."]
    if plan.folder is not None:
        lines.append(f"folder = {json.dumps(str(plan.folder))}")  # a JSON string is a valid TOML basic string
    lines += [f"every_hours = {plan.every_hours}", f"keep = {plan.keep}", ""]
    _write_atomic(data_dir / PLAN_FILE, "\n".join(lines).encode())


def back_up_now(settings: Settings, reason: str = "manual", folder: Path | None = None) -> BackupInfo:
    """Make a verified backup of the data directory's database, log it and prune old ones.
    Runs beside an open app (the snapshot is one read transaction on its own connection)."""
    def make() -> tuple[Path, BackupInfo, int]:
        plan = load_plan(settings.data_dir)
        dest = folder or plan.destination(settings.data_dir)
        if folder is None and plan.folder is None:
            _make_folder(dest)
        source = settings.data_dir / DB_FILE
        if not source.exists():
            raise BackupError(f"there is no clinic database in {settings.data_dir} to back up")
        return dest, write_backup(source, keys.load_key(settings), settings.data_dir, keys.database_id(settings), dest, reason), plan.keep

    return _logged(settings.data_dir, reason, folder or "(the plan's folder)", make)


def back_up_before_upgrade(source: Path, key: bytes, data_dir: Path, database_id: str, from_revision: str, to_revision: str) -> BackupInfo:
    """Always to the data directory's own folder: a USB stick may not be in when the upgrade runs.
    Kept apart from the plan's backups when pruning (the newest PRE_UPGRADE_KEEP stay)."""
    dest = data_dir / LOCAL_FOLDER

    def make() -> tuple[Path, BackupInfo, int]:
        _make_folder(dest)
        return dest, write_backup(source, key, data_dir, database_id, dest, f"before-upgrade-{from_revision}-to-{to_revision}"), PRE_UPGRADE_KEEP

    return _logged(data_dir, f"before-upgrade-{from_revision}-to-{to_revision}", dest, make)


def _logged(data_dir: Path, reason: str, dest_guess: Path | str, make) -> BackupInfo:
    """Run a backup, log it either way (a failure with its message), then prune its folder."""
    started = perf_counter()
    at = _now()
    try:
        dest, info, keep = make()
    except NadiError as exc:
        append_log(data_dir, LogEntry(at, reason, str(dest_guess), False, error=str(exc)))
        raise
    append_log(data_dir, LogEntry(at, reason, str(dest), True, str(info.path), info.size_bytes, round(perf_counter() - started, 2)))
    prune(dest, info.database_id, keep, before_upgrade=reason.startswith("before-upgrade"))
    return info


def is_due(data_dir: Path, now: datetime | None = None) -> bool:
    plan = load_plan(data_dir)
    if plan.every_hours == 0:
        return False
    last = last_success(data_dir, scheduled_only=False)
    if last is None:
        return True
    return (now or datetime.now(UTC)) - datetime.fromisoformat(last.at) >= timedelta(hours=plan.every_hours)


def read_log(data_dir: Path) -> list[LogEntry]:
    path = data_dir / LOG_FILE
    if not path.exists():
        return []
    try:
        return [LogEntry(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, TypeError):
        return []  # a damaged log only means the next backup is due; it is rewritten then


def append_log(data_dir: Path, entry: LogEntry) -> None:
    entries = read_log(data_dir)[-(LOG_KEEP - 1):] + [entry]
    _write_atomic(data_dir / LOG_FILE, json.dumps([asdict(e) for e in entries], indent=1).encode())


def mark_uploaded(data_dir: Path, backup_path: Path, uploaded: bool) -> None:
    entries = read_log(data_dir)
    for i in range(len(entries) - 1, -1, -1):
        if entries[i].path == str(backup_path):
            entries[i] = LogEntry(**{**asdict(entries[i]), "uploaded": uploaded})
            break
    _write_atomic(data_dir / LOG_FILE, json.dumps([asdict(e) for e in entries], indent=1).encode())


def last_success(data_dir: Path, scheduled_only: bool = False) -> LogEntry | None:
    for entry in reversed(read_log(data_dir)):
        if entry.ok and not entry.reason.startswith("before-upgrade") and (not scheduled_only or entry.reason == "scheduled"):
            return entry
    return None


def last_attempt(data_dir: Path) -> LogEntry | None:
    entries = read_log(data_dir)
    return entries[-1] if entries else None


def backups_in(folder: Path, database_id: str | None = None) -> list[Path]:
    """Backup files in a folder, oldest first (names sort by time within a database)."""
    if not folder.is_dir():
        return []
    prefix = f"nadi-{database_id[-12:]}-" if database_id else "nadi-"
    return sorted(p for p in folder.iterdir() if p.name.startswith(prefix) and p.name.endswith(SUFFIX))


def prune(folder: Path, database_id: str, keep: int, before_upgrade: bool = False) -> list[Path]:
    """Delete the oldest of this database's backups beyond `keep`. Backups taken before an upgrade
    are counted apart from the rest, so daily backups never push them out."""
    ours = [p for p in backups_in(folder, database_id) if ("-before-upgrade-" in p.name) == before_upgrade]
    removed = ours[: max(0, len(ours) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _make_folder(path: Path) -> None:
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise BackupError(f"the backup folder {path} cannot be made: {exc.strerror or exc}") from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
