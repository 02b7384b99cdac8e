"""A prescription line as a FHIR Dosage: the sentence the patient is told, and the schedule as data
where we have it.

Lines written through the prescribing engine carry the schedule as fields (dose, per day, 1-0-1
pattern, SOS, STAT). Lines from past records (imports, demo history) carry only what was written
("TDS", "SOS", "after food"); those words are read with the engine's own vocabulary, and anything
it does not know stays as text: a schedule is never guessed.
"""

from __future__ import annotations

import re
from fractions import Fraction

from core.fhir.bundle import number
from core.fhir.codes import PATTERN_SLOTS, ROUTE_WORDS, ROUTES, SNOMED, TIMING_EVENTS, UCUM, concept
from core.prescribing.instructions import ItemSchedule, instruction, phrasebook_for
from core.prescribing.vocabulary import FREQUENCY_WORDS, PRN_WORDS, STAT_WORDS, TIMING_WORDS
from core.storage.models import PrescriptionItem

_PATTERN = re.compile(r"^[0-9½¼¾]+(-[0-9½¼¾]+){2,3}$")  # 1-0-1, ½-0-½, 1-1-1-1


def _fraction(value: float | None) -> Fraction | None:
    return Fraction(str(value)).limit_denominator(60) if value is not None else None


def _from_engine(item: PrescriptionItem) -> bool:
    return item.dose_value is not None or item.per_day is not None or bool(item.pattern) or bool(item.prn) or bool(item.stat)


def schedule(item: PrescriptionItem) -> ItemSchedule | None:
    """The schedule as data: from the engine's fields, else from words the vocabulary knows.
    None when neither gives anything."""
    if _from_engine(item):
        return ItemSchedule(_fraction(item.dose_value), item.dose_unit, item.pattern, _fraction(item.per_day), item.timing,
                            bool(item.prn), bool(item.stat), item.duration_days)
    said = (item.frequency or "").strip().lower()
    pattern = said if _PATTERN.match(said) else None
    frequency = FREQUENCY_WORDS.get(said)
    prn, stat = said in PRN_WORDS, said in STAT_WORDS
    if not (pattern or frequency or prn or stat):
        return None
    per_day = frequency.per_day if frequency else None
    if pattern:
        per_day = Fraction(sum(1 for part in pattern.split("-") if part != "0"))
    timing = TIMING_WORDS.get((item.timing or "").strip().lower()) or (frequency.timing if frequency else None)
    return ItemSchedule(None, None, pattern, per_day, timing, prn, stat, item.duration_days)


def dosage_text(item: PrescriptionItem, plan: ItemSchedule | None) -> str:
    """The instruction as the patient's print words it in English (the doctor's own words for a
    line from past records), then any further instructions."""
    if plan is not None and _from_engine(item):
        said = instruction(plan, _english())
    else:
        parts = [item.dose, item.frequency, item.timing, f"for {item.duration_days} days" if item.duration_days else None]
        said = ", ".join(p.strip() for p in parts if p and p.strip())
    sentences = [s for s in (said.rstrip("."), (item.instructions or "").strip().rstrip(".")) if s]
    return ". ".join(sentences) + "." if sentences else "No dosage instructions were recorded."


def _english():
    book = phrasebook_for("en")
    assert book is not None, "the English phrasebook ships with Nadi"
    return book


def _repeat(plan: ItemSchedule) -> dict:
    repeat: dict = {}
    if plan.stat:
        return {"count": 1}
    if plan.duration_days:
        repeat["boundsDuration"] = {"value": plan.duration_days, "unit": "days", "system": UCUM, "code": "d"}
    if plan.per_day:
        # 3 a day: 3 per 1 d; every other day: 1 per 2 d; twice a week: 2 per 7 d.
        repeat |= {"frequency": plan.per_day.numerator, "period": plan.per_day.denominator, "periodUnit": "d"}
    slots = plan.pattern.split("-") if plan.pattern else []
    if len(slots) in PATTERN_SLOTS:
        repeat["when"] = [event for part, event in zip(slots, PATTERN_SLOTS[len(slots)], strict=True) if part != "0"]
    elif plan.timing in TIMING_EVENTS:
        repeat["when"] = [TIMING_EVENTS[plan.timing]]
    return repeat


def dosage(item: PrescriptionItem) -> dict:
    plan = schedule(item)
    out: dict = {"text": dosage_text(item, plan)}
    repeat = _repeat(plan) if plan is not None else {}
    # What the schedule cannot say ("after food" beside a 1-0-1 pattern, "any time") stays as words.
    said_by_schedule = plan is not None and not plan.pattern and plan.timing in TIMING_EVENTS
    extra = [t.strip() for t in (None if said_by_schedule else item.timing, item.instructions) if t and t.strip()]
    if extra:
        out["additionalInstruction"] = [{"text": t} for t in extra]
    if repeat:
        out["timing"] = {"repeat": repeat}
    if plan is not None and plan.prn:
        out["asNeededBoolean"] = True
    if item.route:
        route = item.route.strip().lower()
        code = ROUTES.get(route)
        out["route"] = concept(SNOMED, code[0], code[1], ROUTE_WORDS.get(route, route)) if code else {"text": item.route}
    uneven = item.pattern and len({p for p in item.pattern.split("-") if p != "0"}) > 1
    if item.dose_value is not None and not uneven:
        quantity = {"value": number(item.dose_value)}
        if item.dose_unit:
            quantity["unit"] = item.dose_unit
        out["doseAndRate"] = [{"doseQuantity": quantity}]
    return out
