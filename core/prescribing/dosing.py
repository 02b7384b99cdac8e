"""Dose sanity for one expanded item: above the usual adult maximum per dose or per day, and dosing
patterns known to kill (methotrexate daily instead of weekly)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from core.prescribing.catalogue import Catalogue, Strength

if TYPE_CHECKING:
    from core.prescribing.expand import Expansion, Issue
    from core.prescribing.rules import Rules

SYSTEMIC_ROUTES = {"oral", "sublingual"}
TOLERANCE = 1.01  # rounding in labelled strengths must not trip a warning


def _mg_per_dose(item: Expansion, strength: Strength | None, single_ingredient: bool) -> tuple[Fraction, Fraction] | None:
    """(largest single administration, total per day-slot sum) in mg of one ingredient, when knowable."""
    if item.dose_unit in ("mg", "mcg", "g") and single_ingredient and item.dose_value is not None:
        factor = {"mg": Fraction(1), "mcg": Fraction(1, 1000), "g": Fraction(1000)}[item.dose_unit]
        amount = item.dose_value * factor
        return amount, amount
    if strength is None or strength.in_mg() is None:
        return None
    per_unit = Fraction(str(strength.in_mg()))
    if strength.per:  # a concentration: 250 mg/5 ml
        if item.dose_unit != "ml" or item.dose_value is None:
            return None
        volume = strength.per.replace("ml", "").strip()
        per_unit = per_unit / Fraction(volume or "1")
    if item.slots:
        return max(item.slots) * per_unit, sum(item.slots) * per_unit
    if item.dose_value is None:
        return None
    return item.dose_value * per_unit, item.dose_value * per_unit


def dose_warnings(item: Expansion, catalogue: Catalogue, rules: Rules) -> list[Issue]:
    from core.prescribing.expand import Issue

    warnings: list[Issue] = []
    single_ingredient = len(item.ingredients) == 1
    for name, strength in item.ingredients:
        generic = catalogue.generic(name)
        if generic is None or item.route not in SYSTEMIC_ROUTES | {generic.route}:
            continue
        amounts = _mg_per_dose(item, strength, single_ingredient)
        if amounts is None:
            continue
        single, slot_sum = float(amounts[0]), float(amounts[1])
        max_single = generic.max_single.in_mg() if generic.max_single else None
        if max_single is not None and single > max_single * TOLERANCE:
            warnings.append(Issue("dose_above_max_single",
                                  f"{name} {float(single):g} mg in one dose is above the usual adult maximum of {max_single:g} mg"))
        max_daily = generic.max_daily.in_mg() if generic.max_daily else None
        if max_daily is not None and item.per_day is not None:
            daily = slot_sum if item.slots else single * float(item.per_day)
            if daily > max_daily * TOLERANCE:
                warnings.append(Issue("dose_above_max_daily",
                                      f"{name} {float(daily):g} mg a day is above the usual adult maximum of {max_daily:g} mg a day"))
    per_day = float(item.per_day) if item.per_day is not None else None
    ingredients = [(name, catalogue.classes_of(name)) for name, _ in item.ingredients]
    for rule in rules.dose_patterns:
        if rule.route and item.route and rule.route != item.route:
            continue
        if not any(rule.covers(name, classes) for name, classes in ingredients):
            continue
        if rule.holds(per_day, item.duration_days):
            code = "dangerous_pattern" if rule.field == "per_day" else "duration_above_limit"
            warnings.append(Issue(code, f"{rule.reason} ({rule.source})"))
    return warnings
