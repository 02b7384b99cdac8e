"""How fast the merge queue finds duplicates among patients arriving by sync, in a clinic of many.

A throwaway clinic of `patients` demo patients is built through the real registration service.
Then `new` patients arrive in one batch, as a sync pull would bring them: most are new people, and
one in ten is an existing patient registered again on another PC (the name written a little
differently, the age told instead of the date of birth, the same mobile or ABHA). Detection runs
inside one write transaction, as it will after a pull; the figures say how long it took, how many
pairs it queued, and how many of the planted re-registrations it caught. `follow_merges` is timed
with nothing to do, and again after some merges, since it runs after every pull.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from core.demo.people import demo_patient
from core.settings import load_settings
from core.storage.database import SYSTEM, Actor, open_database

BATCH = 2000
REREGISTERED_SHARE = 0.10
MERGES_TIMED = 50


def _registered_again(patient: dict, rng: random.Random) -> dict:
    """The same person as the other PC's desk would have typed them."""
    words = patient["full_name"].split()
    if len(words) > 2 and rng.random() < 0.5:
        words = [words[0], words[-1]]  # the middle name left out
    else:
        given = words[0]
        vowel = next((i for i, ch in enumerate(given) if i and ch.lower() in "aeiou"), None)
        if vowel is not None:
            words[0] = given[:vowel] + given[vowel] + given[vowel:]  # Ramesh -> Raamesh
    again = {key: patient[key] for key in ("gender", "mobile", "city", "abha_number", "abha_address") if patient.get(key)}
    again["full_name"] = " ".join(words)
    born = patient.get("date_of_birth")
    if born and rng.random() < 0.5:
        again["age_years"] = max(0, 2026 - int(born[:4]) - rng.randint(0, 1))
    elif born:
        again["date_of_birth"] = born
    else:
        again["age_years"] = patient["age_years"]
    return again


def _median_follow_ms(db, follow_merges, rounds: int = 7) -> float:
    """follow_merges runs after every pull: its usual cost, each round its own transaction."""
    times = []
    for _ in range(rounds):
        with db.write(SYSTEM) as session:
            t0 = time.perf_counter()
            follow_merges(session)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_detect(patients: int = 100_000, new: int = 1_000, seed: int = 7, data_dir: Path | None = None) -> dict:
    """Figures for detecting duplicates among `new` arrivals in a clinic of `patients`; prints nothing."""
    from core.services.merges import detect_candidates, follow_merges, merge_patients, open_candidates  # noqa: PLC0415
    from core.services.patients import register_patients  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="nadi-bench-merges-") as tmp:
        settings = load_settings(data_dir or Path(tmp) / "clinic")
        if data_dir is None:  # a throwaway clinic keeps its key in the throwaway directory too
            settings = settings.model_copy(update={"key_dir": Path(tmp) / "keys"})
        db, _ = open_database(settings, create=True)
        try:
            started = time.perf_counter()
            for start in range(0, patients, BATCH):
                register_patients(db, SYSTEM, [demo_patient(seed, i) for i in range(start, min(patients, start + BATCH))])
            build_s = time.perf_counter() - started

            rng = random.Random(seed)
            planted: set[int] = set()
            arrivals: list[dict] = []
            while len(planted) < int(new * REREGISTERED_SHARE):
                index = rng.randrange(patients)
                original = demo_patient(seed, index)
                if index not in planted and (original.get("mobile") or original.get("abha_number") or original.get("abha_address")):
                    planted.add(index)
                    arrivals.append(_registered_again(original, rng))
            arrivals += [demo_patient(seed, patients + i) for i in range(new - len(arrivals))]
            arrived = register_patients(db, SYSTEM, arrivals)
            arrived_ids = [p.id for p in arrived]
            replanted_ids = set(arrived_ids[: len(planted)])

            with db.write(SYSTEM) as session:
                t0 = time.perf_counter()
                queued = detect_candidates(session, arrived_ids)
                detect_ms = (time.perf_counter() - t0) * 1000
                pairs = [(c.patient_a_id, c.patient_b_id, c.reason) for c in queued]

            idle_ms = _median_follow_ms(db, follow_merges)

            desk = Actor(None, "merge benchmark", "admin")
            merge_ms = []
            for view in open_candidates(db)[:MERGES_TIMED]:
                t0 = time.perf_counter()
                merge_patients(db, desk, view.id, view.a.patient_id)
                merge_ms.append((time.perf_counter() - t0) * 1000)
            after_merges_ms = _median_follow_ms(db, follow_merges)
        finally:
            db.close()

    caught = {pid for a, b, _r in pairs for pid in (a, b)} & replanted_ids
    kinds: dict[str, int] = {}
    for _a, _b, reason in pairs:
        kind = "abha_number" if "ABHA number" in reason else "abha_address" if "ABHA address" in reason else "mobile"
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "patients": patients,
        "arrived": new,
        "reregistered_planted": len(planted),
        "detect_ms": round(detect_ms, 1),
        "detect_ms_per_1000": round(detect_ms / new * 1000, 1),
        "queued": len(pairs),
        "queued_by_reason": kinds,
        "planted_caught": len(caught),
        "follow_merges_idle_ms_median": round(idle_ms, 2),
        "merge_ms_median": round(statistics.median(merge_ms), 1) if merge_ms else None,
        "follow_merges_after_merges_ms_median": round(after_merges_ms, 2),
        "merges_done": len(merge_ms),
        "build_seconds": round(build_s, 1),
    }
