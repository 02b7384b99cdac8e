"""The `nadi` command. Each subcommand imports only what it needs, so `nadi search` never loads Qt.

Every command takes --data-dir (or NADI_DATA_DIR). Problems are reported as one line on stderr
with exit status 2; set NADI_DEBUG=1 to see a traceback instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager

from core import __version__
from core.errors import NadiError


def _data_dir_arg(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # Accepted before or after the command; a subcommand's own default must not wipe out a
    # --data-dir given before it, hence SUPPRESS there.
    parser.add_argument(
        "--data-dir", metavar="DIR", default=None if top else argparse.SUPPRESS,
        help="clinic data directory (default: NADI_DATA_DIR, else your user data folder)",
    )


def _open(args, create: bool = False):
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage.database import open_database  # noqa: PLC0415

    return open_database(load_settings(args.data_dir), create=create)


@contextmanager
def _opened(args):
    """The data directory's database, closed again however the command ends."""
    db, _ = _open(args)
    try:
        yield db
    finally:
        db.close()


def _emit(args, data, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if args.json else text)


def cmd_app(args) -> int:
    from desktop.app import run_app  # noqa: PLC0415

    return run_app(args.data_dir)


def cmd_demo(args) -> int:
    from core.demo.generate import add_demo_data  # noqa: PLC0415

    if args.patients < 0:
        raise NadiError("--patients must be 0 or more")
    db, new_key = _open(args, create=True)
    try:
        if new_key:
            print(f"New encrypted database in {db.settings.data_dir}.", file=sys.stderr)
            print(f"Recovery key (shown once; keep it safe, it is the only way onto a new PC): {new_key.recovery_key}", file=sys.stderr)
        summary = add_demo_data(db, patients=args.patients, seed=args.seed)
    finally:
        db.close()
    text = f"Added {summary['patients_added']} demo patients with {summary['encounters_added']} visits to {summary['data_dir']}."
    if summary["signed_prescriptions"]:
        text += ("\nToday's signed prescriptions (try: nadi rx print ID --out rx.pdf): " + ", ".join(summary["signed_prescriptions"]))
    _emit(args, summary, text)
    return 0


def cmd_search(args) -> int:
    from core.search.query import search_patients  # noqa: PLC0415

    with _opened(args) as db, db.read() as session:
        hits = search_patients(session.connection(), args.query, limit=args.limit or db.settings.search_limit)
    rows = [hit.as_dict() for hit in hits]
    lines = [f"{h['name']:<32} {h['gender'][:1].upper()} {h['age'] if h['age'] is not None else '?':>3}  {h['mobile'] or '':<10}  {h['abha_number'] or ''}" for h in rows]
    _emit(args, rows, "\n".join(lines) or "No patient matches.")
    return 0


def cmd_stats(args) -> int:
    from core.stats import record_counts  # noqa: PLC0415

    with _opened(args) as db:
        counts = record_counts(db)
    _emit(args, counts, "\n".join(f"{k:<20} {v}" for k, v in counts.items()))
    return 0


def cmd_audit_verify(args) -> int:
    from core.audit import verify_chain  # noqa: PLC0415

    with _opened(args) as db:
        report = verify_chain(db)
    text = f"Audit trail intact: {report.events} events, head {report.head[:16]}…" if report.ok else f"AUDIT TRAIL BROKEN at event {report.broken_at_seq}: {report.problem}"
    _emit(args, report.as_dict(), text)
    return 0 if report.ok else 1


def cmd_key_recover(args) -> int:
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage import keys  # noqa: PLC0415

    settings = load_settings(args.data_dir)
    recovery = args.recovery_key
    if recovery is None:
        if sys.stdin.isatty():
            import getpass  # noqa: PLC0415

            recovery = getpass.getpass("Recovery key: ")
        else:
            recovery = sys.stdin.readline()
    keys.recover_key(settings, recovery)
    print(f"The database key for {settings.data_dir} is now stored for this user in {settings.key_dir}.")
    return 0


def cmd_bench_search(args) -> int:
    from core.bench.search import run_search_bench  # noqa: PLC0415

    from pathlib import Path  # noqa: PLC0415

    if args.patients < 1:
        raise NadiError("--patients must be at least 1")
    target = Path(args.data_dir) if args.data_dir else None
    if target and (target / "nadi.db").exists():
        raise NadiError(f"{target} already holds a Nadi database; the benchmark builds its own in a new directory")
    result = run_search_bench(patients=args.patients, seed=args.seed, rounds=args.rounds, data_dir=target)
    app, fts = result["app_ms"], result["fts_ms"]
    _emit(args, result, "\n".join([
        f"{result['patients']:,} patients, {result['queries']} queries x {result['rounds']} rounds (built in {result['build_seconds']} s)",
        f"  Nadi search     p50 {app['p50']:.2f} ms   p95 {app['p95']:.2f} ms   patient in top 20: {result['found_in_top20']['app']:.0%}",
        f"  bare FTS5 query p50 {fts['p50']:.2f} ms   p95 {fts['p95']:.2f} ms   patient in top 20: {result['found_in_top20']['fts']:.0%}",
        f"  ratio (p95 / p95): {result['ratio']}",
    ]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nadi", description="Nadi: the offline-first clinic appliance.")
    parser.add_argument("--version", action="version", version=f"nadi {__version__}")
    _data_dir_arg(parser, top=True)
    parser.set_defaults(handler=cmd_app, json=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable, help_text: str, json_flag: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _data_dir_arg(p)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    p = command("demo", cmd_demo, "fill a data directory with a realistic demo clinic (adds more each run)")
    p.add_argument("--patients", type=int, default=300, help="patients to add (default 300)")
    p.add_argument("--seed", type=int, default=1, help="same seed, same demo data (default 1)")

    p = command("search", cmd_search, "find patients by name, mobile, ABHA number or address, or another id")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=None)

    command("stats", cmd_stats, "count the records of each kind")

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    p = audit_sub.add_parser("verify", help="check that no audit event was altered, removed or reordered")
    _data_dir_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_audit_verify)

    key = sub.add_parser("key", help="the database key")
    key_sub = key.add_subparsers(dest="key_command", metavar="COMMAND", required=True)
    p = key_sub.add_parser("recover", help="store the database key on this PC using the clinic's recovery key")
    _data_dir_arg(p)
    p.add_argument("--recovery-key", help="the recovery key (read from the terminal or stdin if not given)")
    p.set_defaults(handler=cmd_key_recover)

    bench = sub.add_parser("bench", help="benchmarks that print figures")
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="COMMAND", required=True)
    p = bench_sub.add_parser("search", help="our search against a bare FTS5 query on N synthetic patients")
    p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="build the benchmark clinic here and keep it (default: a temporary directory)")
    p.add_argument("--patients", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--rounds", type=int, default=5, help="passes over the query mix (default 5)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_bench_search)

    from desktop import cli_rx  # noqa: PLC0415 - argparse wiring only; the commands import lazily

    cli_rx.register(sub)
    from desktop import cli_sync  # noqa: PLC0415 - argparse wiring only

    cli_sync.register(sub, _data_dir_arg)
    from desktop import cli_backup  # noqa: PLC0415 - argparse wiring only

    cli_backup.register(sub, _data_dir_arg)
    from desktop import selftest  # noqa: PLC0415 - argparse wiring only; the checks import what they use

    selftest.register(sub, _data_dir_arg)
    from desktop import cli_scribe  # noqa: PLC0415 - argparse wiring only; core.scribe loads when the command runs

    cli_scribe.register(sub, _data_dir_arg)
    cli_sync.register_bench(bench_sub)
    cli_rx.register_bench(bench_sub)
    from desktop import bench_startup  # noqa: PLC0415 - argparse wiring only; Qt loads in the timed children

    bench_startup.register_bench(bench_sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except NadiError as exc:
        print(f"nadi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nadi: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback on a clinic PC
        if os.environ.get("NADI_DEBUG"):
            raise
        print(f"nadi: unexpected {type(exc).__name__}: {exc} (set NADI_DEBUG=1 for details)", file=sys.stderr)
        return 1
