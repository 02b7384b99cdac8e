"""`nadi diagnose`: one zip file IT can send when something is wrong.

It holds `diagnose.json` (version, platform, settings with secrets left out, the data directory's
files and sizes, the database's integrity and schema, row counts, sync state, backup plan and log)
and the recent log files. It never holds the database, its key, the recovery key or the hub
credentials. Everything is read without changing anything: the database is opened read-only and
never migrated, so a PC that cannot start can still be diagnosed.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from core import __version__
from core.errors import NadiError
from core.settings import Settings

LOG_TAIL_BYTES = 2_000_000
SECRET_SETTINGS = {"db_key"}


def gather(settings: Settings) -> dict:
    checks: list[dict] = []
    report: dict = {
        "nadi_version": __version__,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "data_dir": str(settings.data_dir),
        "settings": {k: ("(set, not shown)" if v else None) if k in SECRET_SETTINGS else str(v) for k, v in settings.model_dump().items()},
        "environment": sorted(name for name in os.environ if name.startswith(("NADI_", "AI_", "OLLAMA_"))),
        "files": _files(settings.data_dir),
        "checks": checks,
    }
    key = _key(settings, checks)
    report["database"] = _database(settings, key, checks) if key else None
    report["sync"] = _sync(settings, key) if key and report["database"] else None
    report["backups"] = _backups(settings, checks)
    return report


def write_diagnosis(settings: Settings, out: Path) -> dict:
    report = gather(settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("diagnose.json", json.dumps(report, indent=2, ensure_ascii=False, default=str))
        for log in sorted((settings.data_dir / "logs").glob("nadi.log*")):
            with open(log, "rb") as fh:
                fh.seek(max(0, log.stat().st_size - LOG_TAIL_BYTES))
                zf.writestr(f"logs/{log.name}", fh.read())
    os.replace(tmp, out)
    return report


def _check(checks: list[dict], name: str, ok: bool, detail: str) -> None:
    checks.append({"name": name, "ok": ok, "detail": detail})


def _files(data_dir: Path) -> list[dict]:
    if not data_dir.is_dir():
        return []
    return [{"name": p.name, "bytes": p.stat().st_size if p.is_file() else None, "dir": p.is_dir()} for p in sorted(data_dir.iterdir())]


def _key(settings: Settings, checks: list[dict]) -> bytes | None:
    from core.storage import keys  # noqa: PLC0415
    from core.storage.first_look import DB_FILE  # noqa: PLC0415

    if not (settings.data_dir / DB_FILE).exists():
        _check(checks, "database", False, f"there is no clinic database in {settings.data_dir}")
        return None
    try:
        key = keys.load_key(settings)
    except NadiError as exc:
        _check(checks, "key", False, str(exc))
        return None
    _check(checks, "key", True, "NADI_DB_KEY" if settings.db_key else f"in this user's key store ({settings.key_dir})")
    return key


def _database(settings: Settings, key: bytes, checks: list[dict]) -> dict | None:
    from core.backup.archive import database_facts  # noqa: PLC0415
    from core.storage.first_look import DB_FILE, HEAD  # noqa: PLC0415

    try:
        facts = database_facts(settings.data_dir / DB_FILE, key, check_integrity=True)
    except NadiError as exc:
        _check(checks, "database integrity", False, str(exc).replace("backed-up ", ""))
        return None
    _check(checks, "database integrity", True, "SQLCipher page check and SQLite integrity check passed")
    revision = facts["schema_revision"]
    _check(checks, "schema", revision == HEAD, f"revision {revision}" + ("" if revision == HEAD else f"; this version expects {HEAD} (it migrates on the next start, after a backup)"))
    return facts


def _sync(settings: Settings, key: bytes) -> dict | None:
    import sqlcipher3.dbapi2 as sqlcipher  # noqa: PLC0415

    from core.storage.first_look import DB_FILE, key_pragma  # noqa: PLC0415

    conn = sqlcipher.connect(f"file:{settings.data_dir / DB_FILE}?mode=ro", uri=True)
    try:
        conn.execute(key_pragma(key))
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "sync_state" not in tables:
            return {"enrolled": False}
        columns = ("hub_url", "clinic_id", "device_id", "pushed_seq", "pull_cursor", "last_success_at", "last_error", "last_error_at")
        row = conn.execute(f"SELECT {', '.join(columns)} FROM sync_state WHERE id = 1").fetchone()
        node = conn.execute("SELECT node_id FROM local_node").fetchone()
        jobs = dict(conn.execute("SELECT state, count(*) FROM job GROUP BY state").fetchall()) if "job" in tables else {}
        if row is None:
            return {"enrolled": False, "node_id": node[0] if node else None, "jobs": jobs}
        state = dict(zip(columns, row, strict=True))
        state["waiting_changes"] = conn.execute("SELECT count(*) FROM change WHERE node_id = ? AND seq > ?", (node[0], state["pushed_seq"])).fetchone()[0] if node else None
        return {"enrolled": True, "node_id": node[0] if node else None, **state, "jobs": jobs}
    except sqlcipher.DatabaseError as exc:
        return {"error": str(exc)}
    finally:
        conn.close()


def _backups(settings: Settings, checks: list[dict]) -> dict:
    from core.backup.schedule import last_attempt, last_success, load_plan  # noqa: PLC0415

    try:
        plan = load_plan(settings.data_dir)
    except NadiError as exc:
        _check(checks, "backups", False, str(exc))
        return {}
    last = last_success(settings.data_dir)
    attempt = last_attempt(settings.data_dir)
    dest = plan.destination(settings.data_dir)
    if last is None:
        _check(checks, "backups", False, "no backup has been made on this PC")
    elif attempt is not None and not attempt.ok:
        _check(checks, "backups", False, f"the last backup failed ({attempt.at}): {attempt.error}")
    else:
        _check(checks, "backups", True, f"last good backup {last.at}")
    return {
        "folder": str(dest), "folder_present": dest.is_dir(), "every_hours": plan.every_hours, "keep": plan.keep,
        "same_disk_only": plan.same_disk_only(settings.data_dir),
        "last_success": last.__dict__ if last else None, "last_attempt": attempt.__dict__ if attempt else None,
    }
