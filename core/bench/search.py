"""`nadi bench search`: our patient search against the bare FTS5 query, on the same data, same run.

The bare baseline is what a developer would write first: every word of the query as a prefix
term, `SELECT rowid ... MATCH ? ORDER BY rank LIMIT 20`, on the same index. Queries alternate
(ours, bare, ours, bare…) so both see the same cache state and machine load.

The query mix is what a receptionist types, drawn from patients in the data: full names, given
name plus part of the surname, surname first, a common given name alone, the first three letters,
a slipped letter, a spelling variant, the last 4 or 6 digits of the mobile, the whole mobile,
the ABHA number as printed on the card, the ABHA address. Besides time, it reports how often the
patient the query was drawn from is in the top 20 (found_in_top20) for each side.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from core.demo.people import demo_patient
from core.search.names import fold
from core.search.query import search_patients
from core.settings import load_settings
from core.storage.database import SYSTEM, open_database

BATCH = 2000
SAMPLED_PATIENTS = 40
_VARIANTS = [("sh", "s"), ("ee", "i"), ("v", "w"), ("th", "t"), ("ksh", "x"), ("oo", "u"), ("a", "aa")]


def _queries(patient: dict, rng: random.Random) -> list[tuple[str, str]]:
    words = fold(patient["full_name"]).split()
    words = [w for w in words if len(w) > 1] or words
    qs = [("full_name", patient["full_name"])]
    given, last = words[0], words[-1]
    if len(words) > 1:
        qs += [("given_and_partial_surname", f"{given} {last[:4]}"), ("surname_first", f"{last} {given}")]
    qs += [("given_alone", given), ("first_three_letters", given[:3])]
    if len(given) >= 5:
        i = rng.randint(1, len(given) - 3)
        qs.append(("slipped_letter", given[:i] + given[i + 1] + given[i] + given[i + 2 :] + (f" {last}" if len(words) > 1 else "")))
    for old, new in _VARIANTS:
        if old in given:
            qs.append(("spelling_variant", given.replace(old, new, 1) + (f" {last}" if len(words) > 1 else "")))
            break
    if patient.get("mobile"):
        m = patient["mobile"]
        qs += [("mobile_last4", m[-4:]), ("mobile_last6", m[-6:]), ("mobile_full", m)]
    if patient.get("abha_number"):
        d = patient["abha_number"]
        qs.append(("abha_number", f"{d[:2]}-{d[2:6]}-{d[6:10]}-{d[10:]}"))
    if patient.get("abha_address"):
        qs.append(("abha_address", patient["abha_address"]))
    return qs


def bare_fts_expression(raw: str) -> str | None:
    words = [w for w in re.sub(r"[^0-9a-z ]", " ", fold(raw)).split() if w]
    return " ".join(f'"{w}"*' for w in words) or None


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_search_bench(patients: int, seed: int = 7, rounds: int = 5, data_dir: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="nadi-bench-") as tmp:
        settings = load_settings(data_dir or Path(tmp) / "clinic")
        if data_dir is None:  # a throwaway clinic keeps its key in the throwaway directory too
            settings = settings.model_copy(update={"key_dir": Path(tmp) / "keys"})
        db, _ = open_database(settings, create=True)
        try:
            from core.services.patients import register_patients  # noqa: PLC0415

            started = time.perf_counter()
            for start in range(0, patients, BATCH):
                register_patients(db, SYSTEM, [demo_patient(seed, i) for i in range(start, min(patients, start + BATCH))])
            build_s = time.perf_counter() - started

            rng = random.Random(seed)
            mix: list[tuple[str, str, str]] = []  # (kind, query, full name of the patient it came from)
            for index in rng.sample(range(patients), min(SAMPLED_PATIENTS, patients)):
                p = demo_patient(seed, index)
                mix += [(kind, q, p["full_name"]) for kind, q in _queries(p, rng)]

            app_ms: list[float] = []
            fts_ms: list[float] = []
            found = {"app": 0, "fts": 0}
            with db.read() as session:
                conn = session.connection()
                for round_no in range(rounds):
                    for _kind, query, name in mix:
                        t0 = time.perf_counter_ns()
                        hits = search_patients(conn, query, limit=20)
                        t1 = time.perf_counter_ns()
                        expr = bare_fts_expression(query)
                        rows = conn.exec_driver_sql("SELECT rowid FROM patient_search WHERE patient_search MATCH ? ORDER BY rank LIMIT 20", (expr,)).all() if expr else []
                        t2 = time.perf_counter_ns()
                        app_ms.append((t1 - t0) / 1e6)
                        fts_ms.append((t2 - t1) / 1e6)
                        if round_no == 0:
                            found["app"] += any(h.name == name for h in hits)
                            if rows:
                                marks = ",".join("?" * len(rows))
                                names = conn.exec_driver_sql(f"SELECT full_name FROM patient WHERE rowid IN ({marks})", tuple(r[0] for r in rows)).scalars().all()
                                found["fts"] += name in names
        finally:
            db.close()
    app = {"p50": round(statistics.median(app_ms), 3), "p95": round(_percentile(app_ms, 95), 3)}
    fts = {"p50": round(statistics.median(fts_ms), 3), "p95": round(_percentile(fts_ms, 95), 3)}
    return {
        "patients": patients,
        "queries": len(mix),
        "rounds": rounds,
        "app_ms": app,
        "fts_ms": fts,
        "ratio": round(app["p95"] / fts["p95"], 2) if fts["p95"] else None,
        "found_in_top20": {"app": round(found["app"] / len(mix), 3), "fts": round(found["fts"] / len(mix), 3)},
        "build_seconds": round(build_s, 1),
    }
