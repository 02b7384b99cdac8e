"""`nadi bench rx`: how fast a prescription line expands, and how fast medicine search answers with
a clinic's big list imported, next to a bare SQL scan of the same list in the same run.

The imported list goes through the real import (CSV text → checks → the encrypted record → the
catalogue), into a temporary data directory that is removed afterwards.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from core.prescribing.catalogue import shipped_catalogue
from core.prescribing.expand import expand

LINES = (
    "Tab Dolo 650 1-0-1 x 5d", "T. Pan 40 OD AC x 2 wks", "Syp Ascoril LS 5 ml TDS x 5 days", "Cap Amox 500 TDS x 5/7",
    "Azee 500 OD x 3d", "Tab Metf 500 BD PC", "Thyronorm 50 OD empty stomach", "Montair LC 0-0-1 x 10 days",
    "Augmentin 625 1-0-1 after food x 5 days", "Combiflam SOS", "Inj Dexona 8 mg STAT", "PCM 1g q6h x 3 days",
    "Asthalin inhaler 2 puffs SOS", "Moxicip eye drops 1 drop QID x 7 days", "Tab Telma 40 1-0-0 khane ke baad x 1 month",
    "Tab Ecosprin 75 0-1-0 after food", "Shelcal 500 OD x 2/12", "Tab Levocet 5 HS x 5 days", "Methotrexate 7.5 mg once weekly x 4 weeks",
    "Tab Zerodol SP ½-0-½ x 5 days", "tab glycomet 500 1 – 0 – 1 pc", "Tab Xylofenzamine 50 mg BD", "Ondansetron 4 mg q8h x 2 days",
    "Cap Omez 20 BD before food x 14 days", "Tab Atorva 10 0-0-1 x 3/12",
)
SYLLABLES = ("ra", "zo", "pan", "tel", "mo", "ci", "lo", "va", "dex", "ne", "fi", "ko", "sta", "lu", "mi", "tor", "ven", "za", "cal", "dol")
FORMS = ("tab", "cap", "syrup", "cream", "eye_drops", "injection", "suspension", "gel")
MAKERS = ("Sunrise Pharma", "Deccan Labs", "Ganga Remedies", "Kaveri Lifesciences", "Narmada Healthcare")


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 4), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 4), "max": round(ordered[-1], 4)}


def synthetic_medicine_csv(count: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    generics = sorted(g.name for g in shipped_catalogue().generics.values() if not g.ayush)
    rows = ["brand,composition,strength,form,manufacturer"]
    seen: set[str] = set()
    while len(rows) <= count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        brand = f"{name} {rng.choice(('', 'Forte', 'Plus', 'DS', 'XR', 'M'))} {rng.choice((5, 10, 20, 40, 50, 100, 250, 500, 650))}".replace("  ", " ")
        if brand.lower() in seen:
            continue
        seen.add(brand.lower())
        parts = rng.sample(generics, rng.choice((1, 1, 1, 2, 3)))
        strengths = " + ".join(f"{rng.choice((5, 10, 25, 50, 100, 250, 500))} mg" for _ in parts)
        rows.append(f"{brand},{' + '.join(parts)},{strengths},{rng.choice(FORMS)},{rng.choice(MAKERS)}")
    return "\n".join(rows) + "\n"


def run_prescribing_bench(imported: int = 50_000, rounds: int = 5, seed: int = 11) -> dict:
    from core.services.medicines import clinic_catalogue, import_medicine_list
    from core.settings import load_settings
    from core.storage.database import SYSTEM, open_database

    catalogue = shipped_catalogue()
    for line in LINES:  # warm caches (regexes, catalogue) before timing
        expand(line, catalogue)
    expand_us: list[float] = []
    for _ in range(rounds * 20):
        for line in LINES:
            start = time.perf_counter_ns()
            expand(line, catalogue)
            expand_us.append((time.perf_counter_ns() - start) / 1000)

    with tempfile.TemporaryDirectory(prefix="nadi-bench-rx-") as tmp:
        settings = load_settings(Path(tmp) / "clinic").model_copy(update={"key_dir": Path(tmp) / "keys"})
        db, _ = open_database(settings, create=True)
        try:
            started = time.perf_counter()
            report = import_medicine_list(db, SYSTEM, synthetic_medicine_csv(imported, seed))
            import_seconds = time.perf_counter() - started
            started = time.perf_counter()
            clinic = clinic_catalogue(db)
            clinic.search("a")  # builds the search index, as the first keystroke on the desk would
            index_seconds = time.perf_counter() - started
            words = ["dolo", "paracetamol", "amoxicillin", "pantoprazole", "telma", "azithromycin", "metformin",
                     "montair", "shelcal", "zerodol", "ranitor", "panlo", "calvex", "dexmo"]
            queries = [w[:n] for w in words for n in range(1, len(w) + 1)] + ["pan d", "telma 40", "dolo 650", "amox clav"]
            app_ms: list[float] = []
            bare_ms: list[float] = []
            with db.read() as session:
                conn = session.connection()
                bare = text("SELECT brand, composition, strength, form FROM clinic_medicine "
                            "WHERE brand LIKE :prefix OR composition LIKE :inside LIMIT 20")
                for _ in range(rounds):
                    for query in queries:
                        start = time.perf_counter_ns()
                        clinic.search(query, limit=20)
                        app_ms.append((time.perf_counter_ns() - start) / 1e6)
                        start = time.perf_counter_ns()
                        conn.execute(bare, {"prefix": f"{query}%", "inside": f"%{query}%"}).all()
                        bare_ms.append((time.perf_counter_ns() - start) / 1e6)
        finally:
            db.close()
    return {
        "expand": {"lines": len(LINES), "rounds": rounds * 20, "p50_us": round(statistics.median(expand_us), 1),
                   "p95_us": round(sorted(expand_us)[int(len(expand_us) * 0.95) - 1], 1), "max_us": round(max(expand_us), 1)},
        "search": {"imported": report.added, "catalogue_entries": len(clinic), "queries": len(queries), "rounds": rounds,
                   "import_seconds": round(import_seconds, 2), "index_seconds": round(index_seconds, 2),
                   "app_ms": _percentiles(app_ms), "bare_ms": _percentiles(bare_ms),
                   "ratio_p95": round(_percentiles(app_ms)["p95"] / max(_percentiles(bare_ms)["p95"], 1e-9), 3)},
    }
