"""`nadi rx …`: the prescribing engine from the command line (expand, search, import, print,
verify, signing keys) and `nadi bench rx`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.errors import NadiError

IT_ACTOR_LABEL = "nadi command (clinic IT)"


def _clinic_dir(args) -> str | None:
    """--data-dir, else NADI_DATA_DIR; None when neither names a clinic."""
    import os  # noqa: PLC0415

    return getattr(args, "data_dir", None) or os.environ.get("NADI_DATA_DIR") or None


def _catalogue(args):
    """The clinic's catalogue when a data directory is named, the shipped one otherwise (so
    `nadi rx expand` works on any PC, with or without a clinic database)."""
    from core.prescribing.catalogue import shipped_catalogue  # noqa: PLC0415

    if _clinic_dir(args) is None:
        return shipped_catalogue(), None
    from core.services.medicines import clinic_catalogue  # noqa: PLC0415
    from desktop.cli import _open  # noqa: PLC0415

    db, _ = _open(args)
    try:
        return clinic_catalogue(db), db
    except BaseException:
        db.close()
        raise


def _expansion_text(item: dict) -> str:
    drug = item["drug"]
    lines = [f"{drug['brand'] or drug['generic'] or '?'}" + (f"  ({drug['generic']})" if drug["brand"] else "")]
    facts = [
        ("strength", drug["strength"]), ("form", drug["form"]), ("route", drug["route"]),
        ("dose", f"{item['dose']['value']} {item['dose']['unit'] or ''}".strip() if item["dose"]["value"] is not None else None),
        ("frequency", item["frequency"]["text"]), ("timing", item["timing"]),
        ("days", item["duration_days"]), ("quantity", f"{item['quantity']['value']} {item['quantity']['unit']}" if item["quantity"]["value"] else None),
    ]
    lines += [f"  {k:<10} {v}" for k, v in facts if v not in (None, "")]
    lines += [f"  ? {a['message']}" for a in item["ambiguities"]]
    lines += [f"  ! {w['message']}" for w in item["warnings"]]
    return "\n".join(lines)


def cmd_rx_expand(args) -> int:
    from core.prescribing.expand import UnreadableLine, expand  # noqa: PLC0415

    catalogue, db = _catalogue(args)
    try:
        if args.text != "-":
            item = expand(args.text, catalogue).as_dict()  # UnreadableLine is a NadiError: exit 2 with the message
            print(json.dumps(item, ensure_ascii=False) if args.json else _expansion_text(item))
            return 0
        for raw in sys.stdin:
            line = raw.rstrip("\r\n")
            try:
                item = expand(line, catalogue).as_dict()
            except UnreadableLine as exc:
                item = {"input": line, "error": str(exc)}
            if args.json:
                print(json.dumps(item, ensure_ascii=False), flush=False)
            else:
                print(item["error"] if "error" in item else _expansion_text(item))
        sys.stdout.flush()
        return 0
    finally:
        if db is not None:
            db.close()


def cmd_rx_search(args) -> int:
    catalogue, db = _catalogue(args)
    try:
        hits = [h.as_dict() for h in catalogue.search(args.query, limit=args.limit)]
    finally:
        if db is not None:
            db.close()
    text = "\n".join(f"{h['name']:<34} {h['composition'][:48]:<48} {h['strength'] or '':<20} {h['form'] or ''}" for h in hits)
    print(json.dumps(hits, ensure_ascii=False) if args.json else (text or "No medicine matches."))
    return 0


def cmd_rx_import(args) -> int:
    from core.services.medicines import import_medicine_list  # noqa: PLC0415
    from core.storage.database import Actor  # noqa: PLC0415
    from desktop.cli import _opened  # noqa: PLC0415

    path = Path(args.file)
    if not path.is_file():
        raise NadiError(f"no file {path}")
    with _opened(args) as db:
        report = import_medicine_list(db, Actor(None, IT_ACTOR_LABEL, "admin"), path)
    data = report.as_dict()
    text = f"Imported {path.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged."
    if report.unknown_ingredients:
        text += ("\nNot in Nadi's catalogue, so safety checks cannot cover them: "
                 + ", ".join(f"{k} ({v})" for k, v in sorted(report.unknown_ingredients.items())))
    print(json.dumps(data, ensure_ascii=False) if args.json else text)
    return 0


def cmd_rx_print(args) -> int:
    from core.errors import InvalidInput  # noqa: PLC0415
    from core.services.prescriptions import print_context, prescription_code  # noqa: PLC0415
    from desktop.cli import _opened  # noqa: PLC0415

    if not args.out and not args.png:
        raise NadiError("say where to write the prescription: --out FILE.pdf and/or --png FILE.png")
    with _opened(args) as db:
        signed = prescription_code(db, args.prescription_id)
        context = print_context(db, args.prescription_id)
        language = args.language or context["language"]
        timezone = db.settings.clinic_timezone
        print_dir = db.settings.data_dir / "print"
    from desktop.qt import offscreen_app  # noqa: PLC0415

    offscreen_app()
    from desktop.printing.prescription import Layout, PrescriptionPrint  # noqa: PLC0415

    try:
        printed = PrescriptionPrint(signed.document, signed.payload, Layout.load(print_dir), language, timezone, context)
    except (ValueError, KeyError) as exc:
        raise InvalidInput({"layout": f"the print layout in {print_dir} could not be used: {exc}"}) from exc
    written = []
    if args.out:
        pages = printed.write_pdf(Path(args.out))
        written.append(f"{args.out} ({pages} page{'s' if pages > 1 else ''})")
    if args.png:
        printed.render_image(dpi=args.dpi).save(args.png)
        written.append(args.png)
    pages = printed.pages
    del printed  # Qt objects must go before the application does, or the interpreter's exit crashes
    print(json.dumps({"written": written, "pages": pages}) if args.json else "Wrote " + ", ".join(written))
    return 0


def cmd_rx_verify(args) -> int:
    from core.services.prescriptions import verify_code  # noqa: PLC0415
    from desktop.cli import _open  # noqa: PLC0415

    code = sys.stdin.read().strip() if args.code == "-" else args.code
    db = _open(args)[0] if _clinic_dir(args) is not None else None
    try:
        report = verify_code(db, code)
    finally:
        if db is not None:
            db.close()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print(("VALID — " if report.ok else "NOT VALID — ") + report.message)
        doc = report.document
        if doc:
            print(f"  {doc['patient']['name']}, by {doc['doctor']['name']}, {doc['issued_at'][:10]}")
            from core.prescribing.instructions import dose_cell, phrasebook_for, when_cell  # noqa: PLC0415
            from core.services.prescriptions import schedule_of  # noqa: PLC0415

            english = phrasebook_for("en")
            for item in doc["items"]:
                schedule = schedule_of(item)
                parts = [dose_cell(schedule), when_cell(schedule, english) or item.get("frequency") or "", item.get("timing") or "",
                         f"for {item['days']} days" if item.get("days") else "", f"qty {item['quantity']:g}" if item.get("quantity") else ""]
                print(f"  {item['n']}. {item['drug']} {item.get('strength') or ''} — " + ", ".join(p for p in parts if p))
    return 0 if report.ok else 1


def cmd_rx_keys(args) -> int:
    from core.services import signing_keys  # noqa: PLC0415
    from core.storage.database import Actor  # noqa: PLC0415
    from desktop.cli import _opened  # noqa: PLC0415

    with _opened(args) as db:
        if args.keys_command == "rotate":
            info = signing_keys.rotate_key(db, Actor(None, IT_ACTOR_LABEL, "admin"), args.doctor)
            rows, text = [info.as_dict()], f"New signing key for {info.doctor}: {info.as_dict()['fingerprint']} (the previous one is retired; old prescriptions still verify)"
        elif args.keys_command == "revoke":
            info = signing_keys.revoke_key(db, Actor(None, IT_ACTOR_LABEL, "admin"), args.key_id, args.reason)
            rows, text = [info.as_dict()], f"Revoked {info.as_dict()['fingerprint']} of {info.doctor}: prescriptions it signed no longer verify as trusted."
        else:
            rows = [k.as_dict() for k in signing_keys.list_keys(db)]
            text = "\n".join(f"{r['doctor']:<28} staff {r['staff_id']}  key {r['id']}  {r['fingerprint']}  {r['status']:<8} {'this PC' if r['private_key_on_this_pc'] else ''}" for r in rows) or "No signing keys yet: one is made for a doctor when they first sign."
    print(json.dumps(rows, ensure_ascii=False) if args.json else text)
    return 0


def cmd_bench_rx(args) -> int:
    from core.bench.prescribing import run_prescribing_bench  # noqa: PLC0415

    result = run_prescribing_bench(imported=args.imported, rounds=args.rounds)
    if args.json:
        print(json.dumps(result))
    else:
        e, s = result["expand"], result["search"]
        print(f"expand: {e['lines']} lines x {e['rounds']} rounds: p50 {e['p50_us']:.0f} µs, p95 {e['p95_us']:.0f} µs per line")
        print(f"search with {s['catalogue_entries']:,} entries ({s['imported']:,} imported): Nadi p50 {s['app_ms']['p50']:.2f} ms p95 {s['app_ms']['p95']:.2f} ms;"
              f" bare scan p50 {s['bare_ms']['p50']:.2f} ms p95 {s['bare_ms']['p95']:.2f} ms")
    return 0


def register(sub) -> None:
    """Add `nadi rx …` to the top-level parser."""
    rx = sub.add_parser("rx", help="prescribing: expand shorthand, search medicines, print and verify prescriptions")
    rx_sub = rx.add_subparsers(dest="rx_command", metavar="COMMAND", required=True)

    def rx_command(name, handler, help_text):
        p = rx_sub.add_parser(name, help=help_text, description=help_text)
        # SUPPRESS: a --data-dir given before `rx` must survive; without one, expand and search use the shipped catalogue
        p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="clinic data directory")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    p = rx_command("expand", cmd_rx_expand, "expand one prescription line (or, with -, one per input line)")
    p.add_argument("text", metavar="TEXT", help='the line, e.g. "Tab Dolo 650 1-0-1 x 5d"; - reads lines from stdin')
    p = rx_command("search", cmd_rx_search, "search medicines by brand or generic as you would type")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p = rx_command("import", cmd_rx_import, "import the clinic's own medicine list (CSV: brand, composition, strength, form, manufacturer)")
    p.add_argument("file")
    p = rx_command("print", cmd_rx_print, "print a signed prescription to PDF (and/or PNG)")
    p.add_argument("prescription_id")
    p.add_argument("--out", help="PDF file to write")
    p.add_argument("--png", help="PNG file to write (page 1), to look at")
    p.add_argument("--dpi", type=int, default=150)
    p.add_argument("--language", help="patient instructions in this language (default: the patient's recorded language)")
    p = rx_command("verify", cmd_rx_verify, "check a prescription's QR code: exit 0 when genuine, 1 when not")
    p.add_argument("code", help="the text the QR code holds (NRX1.…); - reads it from stdin")
    p = rx_command("keys", cmd_rx_keys, "doctors' signing keys: list, rotate, revoke")
    keys_sub = p.add_subparsers(dest="keys_command", metavar="ACTION")
    r = keys_sub.add_parser("rotate", help="retire a doctor's key on this PC and make a new one")
    r.add_argument("--doctor", required=True, help="the doctor's staff id")
    r = keys_sub.add_parser("revoke", help="mark a key compromised")
    r.add_argument("key_id")
    r.add_argument("--reason", required=True)


def register_bench(bench_sub) -> None:
    p = bench_sub.add_parser("rx", help="prescription line expansion, and medicine search with N imported entries against a bare scan")
    p.add_argument("--imported", type=int, default=50_000, help="clinic medicines imported before searching (default 50,000)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_bench_rx)
