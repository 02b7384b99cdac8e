"""`nadi hub …` and `nadi sync …`: argparse wiring only; each command imports what it needs when it
runs, so `nadi hub serve` on a cloud server never loads Qt."""

from __future__ import annotations

import json
import os
import sys

from core.errors import NadiError


def _hub_db(args) -> str:
    url = args.db or os.environ.get("NADI_HUB_DB")
    if not url:
        raise NadiError("say which database the hub keeps its data in: --db postgresql://user@host/nadi_hub or --db sqlite:///path/hub.db (or set NADI_HUB_DB)")
    return url


def _print(args, data: dict, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text)


def cmd_hub_serve(args) -> int:
    from sync.hub.relay import RelaySettings  # noqa: PLC0415
    from sync.hub.serve import serve  # noqa: PLC0415

    keys: dict = {}
    for source in ("abdm", "nhcx"):
        where = getattr(args, f"{source}_jwks")
        if where:
            keys[f"{source}_jwks_url" if where.startswith(("https://", "http://")) else f"{source}_jwks_file"] = where
    relay = RelaySettings(**keys) if keys else None
    serve(_hub_db(args), args.host, args.port, relay)
    return 0


def cmd_hub_add_clinic(args) -> int:
    from sync.hub.clinics import add_clinic  # noqa: PLC0415
    from sync.hub.engine import open_hub  # noqa: PLC0415

    engine = open_hub(_hub_db(args))
    made = add_clinic(engine, args.name, args.token_days)
    data = {"clinic_id": made.clinic_id, "enrolment_token": made.enrolment_token, "token_expires_at": made.token_expires_at, "relay_secret": made.relay_secret}
    _print(args, data, "\n".join([
        f"clinic:           {args.name} ({made.clinic_id})",
        f"enrolment token:  {made.enrolment_token}",
        f"                  (valid until {made.token_expires_at}; each PC joins with: nadi sync enroll --hub URL --token TOKEN)",
        f"webhook secret:   {made.relay_secret}",
        "                  (for senders of generic webhooks: they sign each body with HMAC-SHA256)",
    ]))
    return 0


def cmd_hub_new_token(args) -> int:
    from sync.hub.clinics import new_enrolment_token  # noqa: PLC0415
    from sync.hub.engine import open_hub  # noqa: PLC0415

    token, expires = new_enrolment_token(open_hub(_hub_db(args)), args.clinic_id, args.token_days)
    _print(args, {"clinic_id": args.clinic_id, "enrolment_token": token, "token_expires_at": expires}, f"enrolment token: {token}\nvalid until:     {expires}")
    return 0


def cmd_hub_devices(args) -> int:
    from sync.hub.clinics import list_devices  # noqa: PLC0415
    from sync.hub.engine import open_hub  # noqa: PLC0415

    devices = list_devices(open_hub(_hub_db(args)), args.clinic_id)
    lines = [f"{d['id']}  {d['name']:<20} clinic {d['clinic_id']}  enrolled {d['enrolled_at'][:16]}  last seen {(d['last_seen_at'] or 'never')[:16]}{'  REVOKED' if d['revoked_at'] else ''}" for d in devices]
    _print(args, {"devices": devices}, "\n".join(lines) or "no devices enrolled")
    return 0


def cmd_hub_revoke(args) -> int:
    from sync.hub.clinics import revoke_device  # noqa: PLC0415
    from sync.hub.engine import open_hub  # noqa: PLC0415

    revoke_device(open_hub(_hub_db(args)), args.device_id)
    _print(args, {"revoked": args.device_id}, f"device {args.device_id} revoked: its next call is refused")
    return 0


def _open_db(args):
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage.database import open_database  # noqa: PLC0415

    db, _ = open_database(load_settings(args.data_dir))
    return db


def cmd_sync_enroll(args) -> int:
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage.database import Actor, open_database  # noqa: PLC0415
    from sync.agent.enrol import enrol  # noqa: PLC0415
    from sync.agent.run import sync_once  # noqa: PLC0415

    # A new PC joining its clinic starts from an empty data directory: the database is made here,
    # and the clinic, its staff and their PINs come down from the hub in the first round.
    db, new_key = open_database(load_settings(args.data_dir), create=True)
    try:
        if new_key is not None:
            print(f"New database for this PC. Its recovery key (shown once; write it down, it is the only way to open "
                  f"this PC's data on another machine): {new_key.recovery_key}", file=sys.stderr)
        done = enrol(db, Actor(None, "clinic IT (nadi sync enroll)", "admin"), args.hub, args.token, args.name)
        first = sync_once(db) if new_key is not None else None
    finally:
        db.close()
    if first is not None and first.error:
        print(f"nadi: enrolled, but the first sync did not finish ({first.error}); `nadi sync run` carries on from where it stopped", file=sys.stderr)
    _print(args, {"clinic_id": done.clinic_id, "clinic_name": done.clinic_name, "device_id": done.device_id, "hub": done.hub_url},
           f"enrolled with {done.clinic_name} at {done.hub_url} as device {done.device_id}; run `nadi sync run` (or open Nadi) to sync")
    return 0


def _report_text(report) -> str:
    if not report.online:
        return f"offline: {report.error}"
    parts = [f"pushed {report.pushed}", f"pulled {report.pulled}", f"applied {report.applied.rows_inserted} new and {report.applied.rows_updated} changed rows"]
    if report.relayed:
        parts.append(f"{report.relayed} callbacks relayed")
    if report.applied.merge_candidates:
        parts.append(f"{report.applied.merge_candidates} likely duplicate patients queued")
    text = ", ".join(parts)
    return f"{text}\nproblem: {report.error}" if report.error else text


def cmd_sync_run(args) -> int:
    from sync.agent.run import sync_once  # noqa: PLC0415

    db = _open_db(args)
    try:
        if args.once:
            report = sync_once(db)
            _print(args, report.as_dict(), _report_text(report))
            return 0 if report.error is None else 3
        import threading  # noqa: PLC0415

        from sync.agent.service import SyncService  # noqa: PLC0415

        service = SyncService(db, args.interval)
        def show(report, _status) -> None:
            if report is not None:
                _print(args, report.as_dict(), _report_text(report))

        service.add_listener(show)
        stop = threading.Event()
        service.start()
        print(f"nadi sync: every {args.interval:g} s (Ctrl+C stops)", file=sys.stderr)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            service.stop()
        return 0
    finally:
        db.close()


def cmd_sync_status(args) -> int:
    from sync.agent.state import sync_status  # noqa: PLC0415

    db = _open_db(args)
    try:
        s = sync_status(db)
    finally:
        db.close()
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in s.__dict__.items()}
    if not s.enrolled:
        text = f"not enrolled with a hub; {s.pending_changes} changes recorded here will go up when it is"
    else:
        text = "\n".join([
            f"hub:              {s.hub_url} (clinic {s.clinic_id})",
            f"waiting to send:  {s.pending_changes} changes",
            f"last sync:        {s.last_success_at or 'never'}",
            f"problem:          {s.last_error or 'none'}",
            f"dead letters:     {s.dead_jobs}",
            f"merge queue:      {s.open_merges} likely duplicate patients",
        ])
    _print(args, data, text)
    return 0


def cmd_sync_bench(args) -> int:
    from sync.bench import run_bench  # noqa: PLC0415

    result = run_bench(changes=args.changes, hub_db=args.hub_db, mix=args.mix)
    _print(args, result, json.dumps(result, indent=2))
    return 0


def cmd_bench_merges(args) -> int:
    from core.bench.merges import bench_detect  # noqa: PLC0415

    result = bench_detect(patients=args.patients, new=args.new)
    _print(args, result, json.dumps(result, indent=2))
    return 0


def register_bench(bench_sub) -> None:
    p = bench_sub.add_parser("merges", help="duplicate detection for patients arriving by sync, in a clinic of N patients")
    p.add_argument("--patients", type=int, default=100_000)
    p.add_argument("--new", type=int, default=1_000, help="patients arriving in one batch (default 1000; a tenth are re-registrations)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_bench_merges)


def register(sub, data_dir_arg) -> None:
    hub = sub.add_parser("hub", help="run and administer a Nadi hub (the clinic's server)")
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="COMMAND", required=True)

    def hub_command(name, handler, help_text):
        p = hub_sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", metavar="URL", help="hub database: postgresql://… or sqlite:///path (default NADI_HUB_DB)")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    p = hub_command("serve", cmd_hub_serve, "serve the hub API (sync, enrolment, callback relay)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the LAN; default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--abdm-jwks", metavar="URL_OR_FILE", help="ABDM gateway keys (JWKS) to verify callback tokens")
    p.add_argument("--nhcx-jwks", metavar="URL_OR_FILE", help="NHCX gateway keys (JWKS) to verify callback tokens")
    p = hub_command("add-clinic", cmd_hub_add_clinic, "create a clinic and print its first enrolment token")
    p.add_argument("name")
    p.add_argument("--token-days", type=int, default=7, help="how long the token is valid (default 7 days)")
    p = hub_command("new-token", cmd_hub_new_token, "another enrolment token for a clinic")
    p.add_argument("clinic_id")
    p.add_argument("--token-days", type=int, default=7)
    p = hub_command("devices", cmd_hub_devices, "list enrolled PCs")
    p.add_argument("--clinic-id", default=None)
    p = hub_command("revoke", cmd_hub_revoke, "revoke a PC: the hub refuses its calls from now on")
    p.add_argument("device_id")

    sync = sub.add_parser("sync", help="this PC's sync with the clinic's hub")
    sync_sub = sync.add_subparsers(dest="sync_command", metavar="COMMAND", required=True)

    def sync_command(name, handler, help_text):
        p = sync_sub.add_parser(name, help=help_text, description=help_text)
        data_dir_arg(p)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    p = sync_command("enroll", cmd_sync_enroll, "join this PC to a clinic on a hub")
    p.add_argument("--hub", required=True, metavar="URL", help="the hub's address, e.g. https://hub.example.in or http://192.168.1.10:8765")
    p.add_argument("--token", required=True, help="the enrolment token from `nadi hub add-clinic` / `new-token`")
    p.add_argument("--name", default=None, help="a name for this PC on the hub (default: its host name)")
    p = sync_command("run", cmd_sync_run, "sync with the hub: once, or every few seconds until stopped")
    p.add_argument("--once", action="store_true", help="one round, then exit (status 3 if the round hit a problem)")
    p.add_argument("--interval", type=float, default=15, help="seconds between rounds (default 15)")
    sync_command("status", cmd_sync_status, "what is waiting to be sent, the last sync, problems")
    p = sync_command("bench", cmd_sync_bench, "changes per second pushed and pulled end to end over loopback, next to bare SQLite writes")
    p.add_argument("--changes", type=int, default=20_000)
    p.add_argument("--hub-db", default=None, metavar="URL", help="hub database for the run (default: a temporary SQLite file)")
    p.add_argument("--mix", choices=("clinic", "patients"), default="clinic",
                   help="clinic: demo patients with their visits, prescriptions, labs and bills (default); patients: registrations only, the costliest to apply")
