"""`nadi backup …`, `nadi restore FILE` and `nadi diagnose`: argparse wiring and what each prints.
The work is in core.backup (and sync.agent.backups for the hub's copy); Qt is never loaded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.errors import NadiError


def _print(args, data: dict, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str) if getattr(args, "json", False) else text)


def _settings(args):
    from core.settings import load_settings  # noqa: PLC0415

    return load_settings(args.data_dir)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def upload_to_hub(settings, info) -> tuple[bool | None, str | None]:
    """The new backup's copy on the hub, when this PC has one (see sync.agent.backups.send_to_hub)."""
    from core.storage.database import open_database  # noqa: PLC0415
    from sync.agent.backups import send_to_hub  # noqa: PLC0415

    db, _ = open_database(settings)
    try:
        return send_to_hub(db, settings.data_dir, info.path)
    finally:
        db.close()


def cmd_backup_run(args) -> int:
    from core.backup.schedule import back_up_now, is_due, last_success  # noqa: PLC0415

    settings = _settings(args)
    if args.if_due and not is_due(settings.data_dir):
        last = last_success(settings.data_dir)
        _print(args, {"made": False, "reason": "not due", "last_success_at": last.at if last else None}, f"No backup due (last good backup {last.at if last else 'never'}).")
        return 0
    info = back_up_now(settings, reason="scheduled" if args.if_due else "manual", folder=Path(args.to).expanduser() if args.to else None)
    uploaded, problem = (None, None) if args.no_hub else upload_to_hub(settings, info)
    data = {"made": True, "verified": True, **info.as_dict(), "uploaded_to_hub": uploaded, "hub_problem": problem}
    text = f"Backup written and verified: {info.path} ({_mb(info.size_bytes)}, {info.counts.get('patient', 0)} patients)."
    if uploaded:
        text += "\nA copy is on the hub."
    elif uploaded is False:
        text += f"\nThe hub copy was not sent ({problem}); the next backup tries again."
    _print(args, data, text)
    return 0


def cmd_backup_plan(args) -> int:
    from core.backup.schedule import BackupPlan, load_plan, save_plan  # noqa: PLC0415

    settings = _settings(args)
    plan = load_plan(settings.data_dir)
    if args.folder or args.local or args.every_hours is not None or args.keep is not None:
        folder = plan.folder
        if args.local:
            folder = None
        elif args.folder:
            folder = Path(args.folder).expanduser().resolve()
            if not folder.is_dir():
                raise NadiError(f"the folder {folder} is not there; create it (or plug in the USB drive) first")
        plan = BackupPlan(folder, plan.every_hours if args.every_hours is None else args.every_hours, plan.keep if args.keep is None else args.keep)
        save_plan(settings.data_dir, plan)
    dest = plan.destination(settings.data_dir)
    data = {"folder": str(dest), "every_hours": plan.every_hours, "keep": plan.keep, "same_disk_only": plan.same_disk_only(settings.data_dir)}
    lines = [f"Backups go to {dest}", f"every {plan.every_hours} hours" if plan.every_hours else "scheduled backups are off", f"the newest {plan.keep} are kept"]
    if data["same_disk_only"]:
        lines.append("Warning: that is the same disk as the data; choose a USB drive or another disk with --folder so a dead disk does not take both.")
    _print(args, data, "\n".join(lines))
    return 0


def cmd_backup_list(args) -> int:
    from core.backup.schedule import backups_in, load_plan, read_log  # noqa: PLC0415

    settings = _settings(args)
    dest = load_plan(settings.data_dir).destination(settings.data_dir)
    files = [{"path": str(p), "size_bytes": p.stat().st_size} for p in backups_in(dest)]
    log = [entry.__dict__ for entry in read_log(settings.data_dir)[-20:]]
    hub = None
    if args.hub:
        from core.storage.database import open_database  # noqa: PLC0415
        from sync.agent.backups import hub_backups  # noqa: PLC0415

        db, _ = open_database(settings)
        try:
            hub = hub_backups(db)
        finally:
            db.close()
    lines = [f"In {dest}:"] + [f"  {Path(f['path']).name}  {_mb(f['size_bytes'])}" for f in files] or ["  (none)"]
    lines += ["Recent attempts:"] + [f"  {e['at']}  {e['reason']:<12} {'ok' if e['ok'] else 'FAILED: ' + (e['error'] or '')}" for e in log]
    if hub is not None:
        lines += ["On the hub:"] + [f"  {b['name']}  {_mb(b['size_bytes'])}" for b in hub]
    _print(args, {"folder": str(dest), "files": files, "log": log, "hub": hub}, "\n".join(lines))
    return 0


def cmd_backup_verify(args) -> int:
    from core.backup.archive import info_of, open_backup, verify_opened  # noqa: PLC0415
    from core.backup.restore import key_for  # noqa: PLC0415

    import tempfile  # noqa: PLC0415

    settings = _settings(args)
    path = Path(args.file).expanduser()
    opened = open_backup(path)
    with tempfile.TemporaryDirectory(prefix="nadi-verify-") as scratch:  # not beside the file: it may be read-only media
        verify_opened(opened, *key_for(opened, settings, args.recovery_key), Path(scratch))
    info = info_of(path, opened.manifest)
    _print(args, {"ok": True, **info.as_dict()}, f"{path.name} is a sound backup of {info.clinic_name or 'a clinic'} made {info.created_at} ({info.counts.get('patient', 0)} patients).")
    return 0


def cmd_backup_fetch(args) -> int:
    from core.storage.database import open_database  # noqa: PLC0415
    from sync.agent.backups import fetch_hub_backup  # noqa: PLC0415

    settings = _settings(args)
    dest = Path(args.to).expanduser()
    if not dest.is_dir():
        raise NadiError(f"the folder {dest} is not there")
    db, _ = open_database(settings)
    try:
        path = fetch_hub_backup(db, args.name, dest)
    finally:
        db.close()
    _print(args, {"path": str(path)}, f"Fetched {path} from the hub; restore it with: nadi restore {path}")
    return 0


def cmd_restore(args) -> int:
    from core.backup.restore import RecoveryKeyNeeded, restore_backup  # noqa: PLC0415
    from core.stats import record_counts  # noqa: PLC0415
    from core.storage.database import open_database  # noqa: PLC0415

    settings = _settings(args)
    path = Path(args.file).expanduser()
    recovery = args.recovery_key
    try:
        restored = restore_backup(path, settings, recovery, replace=args.replace)
    except RecoveryKeyNeeded:
        if recovery is not None or not sys.stdin.isatty():
            raise
        import getpass  # noqa: PLC0415

        restored = restore_backup(path, settings, getpass.getpass("Recovery key: "), replace=args.replace)
    # The restored copy must open here (an older backup is migrated now, after its own backup).
    db, _ = open_database(settings)
    try:
        counts = record_counts(db)
    finally:
        db.close()
    info = restored.backup
    data = {**restored.as_dict(), "counts_now": counts}
    lines = [f"Restored {info.clinic_name or 'the clinic'} from the backup made {info.created_at} into {settings.data_dir}.",
             f"It opens and holds {counts['patients']} patients, {counts['encounters']} visits, {counts['prescriptions']} prescriptions, {counts['bills']} bills."]
    if restored.set_aside:
        lines.append(f"The database it replaced is kept in {restored.set_aside}.")
    _print(args, data, "\n".join(lines))
    return 0


def cmd_diagnose(args) -> int:
    from desktop.diagnose import write_diagnosis  # noqa: PLC0415

    settings = _settings(args)
    out = Path(args.out).expanduser()
    report = write_diagnosis(settings, out)
    problems = [c for c in report["checks"] if not c["ok"]]
    text = f"Wrote {out} ({_mb(out.stat().st_size)}): send it to whoever supports this clinic."
    text += "\n" + ("Nothing wrong found." if not problems else "Found: " + "; ".join(f"{c['name']}: {c['detail']}" for c in problems))
    _print(args, {"out": str(out), **report}, text)
    return 0


def register(sub, data_dir_arg) -> None:
    def command(parent, name: str, handler, help_text: str):
        p = parent.add_parser(name, help=help_text, description=help_text)
        data_dir_arg(p)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    backup = sub.add_parser("backup", help="encrypted, verified backups: make one, set the plan, list, check, fetch from the hub")
    backup_sub = backup.add_subparsers(dest="backup_command", metavar="COMMAND", required=True)
    p = command(backup_sub, "run", cmd_backup_run, "make a backup now (verified after writing; sent to the hub too when there is one)")
    p.add_argument("--to", metavar="DIR", help="write it here instead of the plan's folder (e.g. a USB drive)")
    p.add_argument("--if-due", action="store_true", help="only if the plan says one is due (for the OS scheduler)")
    p.add_argument("--no-hub", action="store_true", help="do not send a copy to the hub")
    p = command(backup_sub, "plan", cmd_backup_plan, "show or change where backups go, how often and how many are kept")
    p.add_argument("--folder", metavar="DIR", help="the folder (a USB drive or another disk)")
    p.add_argument("--local", action="store_true", help="back to the data directory's own backups folder")
    p.add_argument("--every-hours", type=int, help="hours between scheduled backups (0: off)")
    p.add_argument("--keep", type=int, help="how many backups to keep in the folder")
    p = command(backup_sub, "list", cmd_backup_list, "backups in the plan's folder and recent attempts")
    p.add_argument("--hub", action="store_true", help="also list the clinic's backups on the hub")
    p = command(backup_sub, "verify", cmd_backup_verify, "check a backup file in full without restoring it")
    p.add_argument("file")
    p.add_argument("--recovery-key", help="needed when this PC does not hold the backup's key")
    p = command(backup_sub, "fetch", cmd_backup_fetch, "download one of the clinic's backups from the hub")
    p.add_argument("name")
    p.add_argument("--to", metavar="DIR", required=True)

    p = command(sub, "restore", cmd_restore, "put a backup into the data directory (a new PC, or replacing a damaged database)")
    p.add_argument("file")
    p.add_argument("--recovery-key", help="the clinic's recovery key (asked for when needed and not given)")
    p.add_argument("--replace", action="store_true", help="replace a database already there (it is moved aside, not deleted)")

    p = command(sub, "diagnose", cmd_diagnose, "gather what IT needs when something is wrong into one file (no database, no keys or secrets)")
    p.add_argument("--out", metavar="FILE", required=True)
