"""`nadi scribe TRANSCRIPT_FILE` drafts a visit note from a consult transcript; `nadi scribe eval`
scores the configured model on Nadi's reference consults. Argparse wiring and printing only: the
work is in core/scribe, imported when the command runs (so `nadi` never loads it otherwise).

`eval` takes the place of the file name: a transcript file that is really called "eval" is
given as ./eval.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

from core.errors import NadiError

EVAL_WORD = "eval"


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str))


def _progress_to_terminal():
    """Progress on stderr, on one line rewritten in place, when a person is watching; nothing when
    stderr is a file or a pipe (scripts get only the result)."""
    if not sys.stderr.isatty():
        return None, lambda: None
    width = [0]

    def show(progress) -> None:
        line = progress.message[:110]
        sys.stderr.write("\r" + line + " " * max(0, width[0] - len(line)))
        sys.stderr.flush()
        width[0] = len(line)

    def finish() -> None:
        if width[0]:
            sys.stderr.write("\r" + " " * width[0] + "\r")
            sys.stderr.flush()

    return show, finish


def _read_transcript(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NadiError(f"there is no transcript file {path} (give a text file, or - to read the transcript from standard input)") from None
    except IsADirectoryError:
        raise NadiError(f"{path} is a folder, not a transcript file") from None
    except UnicodeDecodeError:
        raise NadiError(f"{path} is not UTF-8 text: save the transcript as UTF-8 (plain text) and try again") from None
    except OSError as exc:
        raise NadiError(f"cannot read {path}: {exc.strerror}") from None


def _settings(args):
    from core.settings import load_settings  # noqa: PLC0415

    return load_settings(getattr(args, "data_dir", None))


def _clinic(args, settings):
    """(catalogue, patient context) from the clinic's database when there is one to use: always
    with --patient; otherwise only when a data directory is named and holds a database, for the
    clinic's own medicine list."""
    from core.prescribing.catalogue import shipped_catalogue  # noqa: PLC0415
    from core.storage.database import database_path, open_database  # noqa: PLC0415

    named = getattr(args, "data_dir", None) or os.environ.get("NADI_DATA_DIR")
    if not args.patient and not (named and database_path(settings).exists()):
        return shipped_catalogue(), None
    from core.scribe.patient import load_patient_context  # noqa: PLC0415
    from core.services.medicines import clinic_catalogue  # noqa: PLC0415

    db, _ = open_database(settings)
    try:
        catalogue = clinic_catalogue(db)
        patient = load_patient_context(db, args.patient) if args.patient else None
    finally:
        db.close()
    return catalogue, patient


def cmd_scribe(args) -> int:
    if args.transcript == EVAL_WORD:
        return cmd_scribe_eval(args)
    if args.consult:
        raise NadiError("--consult goes with `nadi scribe eval`, not with a transcript file")
    from core.scribe import ScribeConfig, draft_from_transcript  # noqa: PLC0415

    transcript = _read_transcript(args.transcript)
    settings = _settings(args)
    config = ScribeConfig.from_settings(settings, model=args.model)
    catalogue, patient = _clinic(args, settings)
    show, finish = _progress_to_terminal()
    try:
        draft = draft_from_transcript(transcript, patient=patient, config=config, catalogue=catalogue, progress=show)
    finally:
        finish()
    if args.json:
        _print_json(draft.as_dict())
    else:
        print(draft_text(draft))
    return 0


def draft_text(draft) -> str:
    """The draft as a person reads it in a terminal."""
    out: list[str] = []
    meta = draft.meta
    parts = f", {meta.chunks} parts" if meta.chunks > 1 else ""
    out.append(f"Draft by {meta.model} ({meta.provider}, {meta.seconds:.1f} s{parts}"
               f"{', patient details withheld from the model' if meta.deidentified else ''}). Check every item before use.")

    def block(title: str, text: str) -> None:
        if text:
            lines = textwrap.wrap(text, 96) or [""]
            out.append(f"  {title:<12}{lines[0]}")
            out.extend(f"  {'':<12}{line}" for line in lines[1:])

    out.append("")
    out.append("NOTE")
    for section in ("subjective", "objective", "assessment", "plan"):
        block(section.capitalize(), draft.note.get(section, ""))
    if draft.vitals:
        out.append("VITALS      " + " · ".join(f"{v.name} {v.value}{(' ' + v.unit) if v.unit else ''}" for v in draft.vitals))
    if draft.diagnoses:
        out.append("DIAGNOSES   " + " · ".join(d.text + (f" ({d.code})" if d.code else "") for d in draft.diagnoses))
    if draft.medications:
        out.append("MEDICINES")
        for n, m in enumerate(draft.medications, start=1):
            e = m.expansion
            read = [e.drug_label, e.dose_text(), e.frequency_text or e.pattern, e.timing,
                    f"{e.duration_days} days" if e.duration_days else None, "as needed" if e.prn else None,
                    f"{e.quantity_value} {e.quantity_unit}" if e.quantity_value else None]
            out.append(f"  {n}. {m.line}")
            out.append("     read as: " + ", ".join(str(r) for r in read if r))
            out.extend(f"     ? {a.message}" for a in e.ambiguities)
            out.extend(f"     ! {a.severity}: {a.message}" for a in m.alerts)
    if draft.investigations:
        out.append("TESTS       " + " · ".join(draft.investigations))
    if draft.advice:
        out.append("ADVICE")
        out.extend(f"  - {a}" for a in draft.advice)
    if draft.follow_up:
        out.append(f"FOLLOW-UP   {draft.follow_up}")
    if draft.unsupported:
        out.append("")
        out.append("NOT SUPPORTED BY THE TRANSCRIPT (left out of the draft; check before using any of it):")
        out.extend(f"  - {u.field}: {u.text}\n      {u.reason}" for u in draft.unsupported)
    return "\n".join(out)


def cmd_scribe_eval(args) -> int:
    from core.scribe import ScribeConfig, draft_from_transcript  # noqa: PLC0415
    from core.scribe.eval import run_eval  # noqa: PLC0415
    from core.scribe.providers import make_provider  # noqa: PLC0415

    if args.patient:
        raise NadiError("--patient goes with a transcript file: the reference consults have no patient record")
    settings = _settings(args)
    config = ScribeConfig.from_settings(settings, model=args.model)
    catalogue, _ = _clinic(args, settings)
    provider = make_provider(config)
    watching = sys.stderr.isatty()
    try:
        provider.check()  # one clear failure (not running, not pulled, no key) instead of ten

        def note(consult, score) -> None:
            if watching:
                total = score.total()
                state = f"failed: {score.error}" if score.error else f"coverage {_pct(total.coverage)}"
                print(f"  {consult.id}: {state} ({score.seconds:.1f} s)", file=sys.stderr)

        report = run_eval(lambda text: draft_from_transcript(text, config=config, catalogue=catalogue, provider=provider),
                          config.provider, config.model, only=args.consult, on_consult=note)
    finally:
        provider.close()
    data = report.as_dict()
    if args.json:
        _print_json(data)
    else:
        print(eval_text(data))
    failed = data["overall"]["failed"]
    if failed and failed == data["overall"]["consults"]:
        first = next(c["error"] for c in data["consults"] if c["error"])
        raise NadiError(f"no reference consult could be drafted ({first})")
    return 3 if failed else 0


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def eval_text(data: dict) -> str:
    overall = data["overall"]
    lines = [f"Scribe evaluation: {data['model']} ({data['provider']}) on {overall['consults']} reference consults", "",
             f"{'consult':<26}{'lang':<10}{'coverage':>9}{'unsupported':>13}{'slipped':>9}   {'medicines':>9}{'diagnoses':>11}{'vitals':>8}{'time':>8}"]
    for c in data["consults"]:
        f = c["fields"]

        def frac(name: str, f=f) -> str:
            return f"{f[name]['found']}/{f[name]['expected']}"

        lines.append(f"{c['consult']:<26}{c['language']:<10}{_pct(c['coverage']):>9}{_pct(c['unsupported_rate']):>13}"
                     f"{_pct(c['slipped_rate']):>9}   {frac('medications'):>9}{frac('diagnoses'):>11}{frac('vitals'):>8}"
                     f"{(c['seconds'] or 0):>7.1f}s" + (f"   FAILED: {c['error']}" if c["error"] else ""))
    lines.append("")
    lines.append(f"{'overall':<36}{_pct(overall['coverage']):>9}{_pct(overall['unsupported_rate']):>13}{_pct(overall['slipped_rate']):>9}")
    d = overall["medication_details"]
    for name, label in (("medications", "medicines"), ("diagnoses", "diagnoses"), ("vitals", "vital signs")):
        s = overall["fields"][name]
        extra = (f"; strength right {_pct(d['strength'])}, frequency right {_pct(d['frequency'])}, duration right {_pct(d['duration'])}"
                 if name == "medications" else "")
        lines.append(f"  {label}: coverage {_pct(s['coverage'])} ({s['found']} of {s['expected']}), caught by grounding {s['rejected']}, "
                     f"slipped through {s['extra']}{extra}")
    lines.append(f"  tests ordered: coverage {_pct(overall['investigations_coverage'])}; follow-up agreed: {_pct(overall['follow_up_agreement'])}")
    lines.append("")
    lines.append("coverage: expected items found in the accepted draft. unsupported: share of what the model put forward that the "
                 "reference does not have, whether the grounding check caught it or not. slipped: accepted items the reference "
                 "does not have (what a doctor would have to catch).")
    return "\n".join(lines)


def register(sub, data_dir_arg) -> None:
    description = ("Draft a visit note from a consult transcript with the AI scribe (Ollama by default; AI_PROVIDER=openai|anthropic "
                   "for a cloud model). Prints the draft: the note, vitals, diagnoses, medicines read by the prescribing engine, "
                   "tests, advice, follow-up, and what the transcript does not support. `nadi scribe eval` instead scores the "
                   "configured model on Nadi's reference consults.")
    p = sub.add_parser("scribe", help="draft a visit note from a consult transcript (nadi scribe eval: score the model)", description=description)
    data_dir_arg(p)
    p.add_argument("transcript", metavar="TRANSCRIPT_FILE",
                   help="the consult as UTF-8 text, one utterance per line; - reads standard input; the word eval runs the evaluation")
    p.add_argument("--patient", metavar="ID", help="the patient's id (from `nadi search --json`): their details are kept from the model "
                                                   "when AI_NO_RAW_PATIENT_DATA=true, and medicines are checked against their allergies, "
                                                   "conditions and current medicines")
    p.add_argument("--model", metavar="NAME", help="the model for this run (default NADI_SCRIBE_MODEL, or AI_OPENAI_MODEL / AI_ANTHROPIC_MODEL)")
    p.add_argument("--consult", action="append", metavar="ID", help="with eval: only this reference consult (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_scribe)
