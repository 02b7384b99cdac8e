"""Synthetic patients drawn from the catalogue's naming traditions, deterministic per (seed, index).

Patient number i of seed s is always the same person, so `nadi demo` run twice with 100 patients
adds the same people as one run with 200: the second run continues the numbering.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from core.demo import catalogue as cat

_WEIGHTS = [r.weight for r in cat.REGIONS]
# A fixed anchor keeps birth dates identical whichever day the demo is made.
ANCHOR = date(2026, 1, 1)


def person_rng(seed: int, index: int, purpose: str = "person") -> random.Random:
    return random.Random(f"nadi-demo:{seed}:{purpose}:{index}")


def _mobile(seed: int, household: int) -> str:
    rng = person_rng(seed, household, "mobile")
    return str(rng.choice("6789")) + "".join(str(rng.randint(0, 9)) for _ in range(9))


def _handle(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]", "", "".join(p.lower() for p in parts))


def demo_patient(seed: int, index: int) -> dict:
    """Patient `index` of demo seed `seed`, as the registration service takes it."""
    rng = person_rng(seed, index)
    region = rng.choices(cat.REGIONS, weights=_WEIGHTS)[0]
    gender = "female" if rng.random() < 0.52 else "male"
    female = gender == "female"
    given = rng.choice(region.female_given_names if female else region.male_given_names)
    middle = ""
    middles = region.female_middle_names if female else region.male_middle_names
    if middles and (region.middle_name_required or rng.random() < 0.3):
        middle = rng.choice(middles)
    elif region.patronymic_middle and rng.random() < 0.4:
        middle = rng.choice(region.male_given_names)
    surname = ""
    if not (region.surname_often_absent and rng.random() < 0.5):
        pool = region.surnames + (region.female_only_surnames if female else region.male_only_surnames)
        surname = rng.choice(pool)
    initials = ""
    if region.uses_initials and rng.random() < 0.6:
        initials = " ".join(f"{rng.choice('ABCDEGJKMNPRSTV')}." for _ in range(rng.choice((1, 1, 2))))
    name = cat.compose_name(region, given, surname, middle, initials)

    band = rng.random()
    age = rng.randint(0, 14) if band < 0.2 else rng.randint(15, 59) if band < 0.8 else rng.randint(60, 92)
    born = ANCHOR - timedelta(days=age * 365 + rng.randint(0, 364))
    place = rng.choice(region.places)
    household = index - 1 if index > 0 and rng.random() < 0.12 else index  # families share a phone
    patient: dict = {
        "full_name": name,
        "gender": gender,
        "mobile": _mobile(seed, household) if rng.random() < 0.93 else None,
        "address_line": f"{rng.randint(1, 400)}, {rng.choice(region.surnames + region.male_given_names)} {rng.choice(region.locality_suffixes)}",
        "city": place.city,
        "district": place.district,
        "state": region.state,
        "pincode": place.pincode,
        "preferred_language": region.languages[0] if rng.random() < 0.8 else rng.choice(region.languages),
    }
    if rng.random() < 0.3:
        patient["age_years"] = min(125, max(0, (date.today() - born).days // 365))
    else:
        patient["date_of_birth"] = born.isoformat()
    if rng.random() < 0.35:
        patient["abha_number"] = "91" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    if rng.random() < 0.25:
        patient["abha_address"] = f"{_handle(given, surname)[:20] or 'patient'}{rng.randint(10, 9999)}@sbx"
    if rng.random() < 0.15:
        patient["identifiers"] = [{"system": "previous-clinic-opd", "value": f"OPD/{rng.randint(2015, 2025)}/{rng.randint(1, 99999):05d}"}]
    return patient
