"""Expand one prescription line as a doctor types it ("Tab Dolo 650 1-0-1 x 5d PC") into a structured item.

The line is read in passes, each taking the words it recognises out of the line: duration, timing,
as-needed and stat, slot patterns, frequency, route, dose amounts, form words. What is left names the
drug (a brand, a generic or a shorthand) and its strength. Anything the parser cannot settle is
reported as an ambiguity for the doctor to resolve; it never picks a meaning silently.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

from core.errors import NadiError
from core.prescribing.catalogue import Catalogue, Generic, Product, Strength, shipped_catalogue, words
from core.prescribing.vocabulary import (
    AMBIGUOUS_FREQUENCY_WORDS,
    COUNTED_DOSE_LIMIT,
    DOSE_UNIT_WORDS,
    DURATION_DENOMINATORS,
    DURATION_UNITS,
    FORM_WORDS,
    FORMS,
    FRACTIONS,
    FREQUENCY_WORDS,
    GENERIC_DROPS,
    MASS_UNITS,
    NUMBER_WORDS,
    PRN_WORDS,
    ROUTE_WORDS,
    SITE_WORDS,
    STAT_WORDS,
    TIMING_WORDS,
    fraction_text,
)


class UnreadableLine(NadiError):
    """Nothing in the line could be read as any part of a prescription."""


@dataclass(frozen=True)
class Issue:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass
class Expansion:
    input: str
    generic: str | None = None
    brand: str | None = None
    strength: str | None = None
    form: str | None = None
    route: str | None = None
    ingredients: tuple[tuple[str, Strength | None], ...] = ()
    dose_value: Fraction | None = None
    dose_unit: str | None = None
    per_day: Fraction | None = None
    pattern: str | None = None
    frequency_text: str | None = None
    timing: str | None = None
    prn: bool = False
    stat: bool = False
    duration_days: int | None = None
    quantity_value: int | None = None
    quantity_unit: str | None = None
    instructions: str | None = None
    ambiguities: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    slots: tuple[Fraction, ...] = ()

    def as_dict(self) -> dict:
        return {
            "input": self.input,
            "drug": {"generic": self.generic, "brand": self.brand, "strength": self.strength, "form": self.form, "route": self.route},
            "dose": {"value": _number(self.dose_value), "unit": self.dose_unit},
            "frequency": {"per_day": _number(self.per_day), "pattern": self.pattern, "text": self.frequency_text},
            "timing": self.timing,
            "prn": self.prn,
            "stat": self.stat,
            "duration_days": self.duration_days,
            "quantity": {"value": self.quantity_value, "unit": self.quantity_unit},
            "instructions": self.instructions,
            "ambiguities": [a.as_dict() for a in self.ambiguities],
            "warnings": [w.as_dict() for w in self.warnings],
        }

    @property
    def drug_label(self) -> str:
        """How the item reads on a prescription: brand first, then what is in it."""
        if self.brand:
            return f"{self.brand} ({self.generic})" if self.generic else self.brand
        name = self.generic or "?"
        return f"{name} {self.strength}" if self.strength else name

    def dose_text(self) -> str | None:
        if self.slots and self.dose_value is None:
            return self.pattern
        if self.dose_value is None:
            return None
        value = fraction_text(self.dose_value)
        unit = self.dose_unit or ""
        plural = unit in ("tab", "cap", "drop", "puff", "sachet", "respule", "unit", "spray") and self.dose_value > 1
        return f"{value} {unit}{'s' if plural else ''}".strip()


def _number(value: Fraction | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value.denominator == 1 else round(float(value), 6)


# -- the passes ----------------------------------------------------------------------------

_B = r"(?<![\w/.])"  # start of a word (a '/' or '.' glued on means it is part of something else)
_E = r"(?![\w/])"
_SLOT = r"(?:\d+(?:\.\d+)?|½|¼|¾|1½|1/2|1/4|3/4)"
_SMALL_SLOT = r"(?:[0-4](?:\.5)?|½|¼|¾|1½|1/2|1/4|3/4)"


def _alternation(phrases) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


_DURATION_FRACTION = re.compile(_B + r"(\d{1,3})\s*/\s*(7|52|12)" + _E)
_DURATION_X = re.compile(r"(?<![\w/])x\s*(\d{1,3})\s*(" + _alternation(DURATION_UNITS) + r")?(?![\w/])")
# "5 days", "for 5 days", "for a week" (a number in words needs the "for": "once a day" is a frequency)
_DURATION_WORDS = re.compile(_B + r"(?:(?:for\s+)?(\d{1,3})\s*|for\s+(a|one|two|three|four|six)\s+)(" + _alternation(DURATION_UNITS) + r")" + _E)
_TIMING = re.compile(_B + r"(" + _alternation(TIMING_WORDS) + r")" + _E)
_PRN = re.compile(_B + r"(" + _alternation(PRN_WORDS) + r")" + _E)
_STAT = re.compile(_B + r"(" + _alternation(STAT_WORDS) + r")" + _E)
_PATTERN_DASH = re.compile(r"(?<![\w/.\-])[\d½¼¾][\w½¼¾/.]*(?:\s*-\s*[\w½¼¾/.]*)+")
_PATTERN_SPACE = re.compile(r"(?<![\w/.\-])" + _SMALL_SLOT + r"(?:\s+" + _SMALL_SLOT + r"){2,3}(?![\w/.\-])")
_EVERY_HOURS = re.compile(_B + r"(?:q\s*(\d{1,2})\s*(?:h|hr|hrs|hrly|hourly)|(\d{1,2})\s*(?:-\s*)?(?:hourly|hrly|hrs?ly|hour?ly)|every\s+(\d{1,2})\s*(?:hours|hrs|h))" + _E)
_FREQUENCY = re.compile(_B + r"(" + _alternation(list(FREQUENCY_WORDS) + list(AMBIGUOUS_FREQUENCY_WORDS)) + r")" + _E)
_ROUTE = re.compile(_B + r"(" + _alternation(ROUTE_WORDS) + r")" + _E)
_SITE = re.compile(_B + r"(" + _alternation(SITE_WORDS) + r")" + _E)
_COUNT_DOSE = re.compile(
    _B + r"(\d+(?:\.\d+)?|½|¼|¾|1½|1/2|1/4|3/4|" + _alternation(NUMBER_WORDS) + r")\s*(" + _alternation(DOSE_UNIT_WORDS) + r")" + _E
)
_MASS = re.compile(
    _B + r"(\d+(?:\.\d+)?)\s*(" + _alternation(MASS_UNITS) + r")(?:\s*/\s*(\d+(?:\.\d+)?\s*ml|ml|dose))?" + _E
)
_PERCENT = re.compile(_B + r"(\d+(?:\.\d+)?)\s*%(?:\s*w/[wv])?")
_FORM = re.compile(r"(?<![\w/])(" + _alternation(set(FORM_WORDS) - {"t", "c"} | GENERIC_DROPS) + r")\.?" + _E)
_LEADING_FORM_LETTER = re.compile(r"^\s*([tc])\.?\s+(?=[a-z])")
# "Inh Budecort 200" is an inhaler, as Indian prescriptions write it; "INH 300" (digits next) is
# isoniazid. Only a leading "Inh" followed by a name is read as the form.
_LEADING_INHALER = re.compile(r"^\s*inh\.?\s+(?=[a-z])")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•]|rx[:.]?)\s+")
STRAY_WORDS = {"x", "for", "and", "then", "to", "be", "taken", "take"}  # glue words, not instructions
_DURATION_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "six": 6}


def _slot_value(text: str) -> Fraction | None:
    text = text.strip()
    if text in FRACTIONS:
        return FRACTIONS[text]
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        value = Fraction(text)
        return value if value <= 10 else None
    return None


def number_value(token: str) -> float | None:
    """A number as it appears among the drug's words: '650', '62.5', '60k' (60,000)."""
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if re.fullmatch(r"\d+k", token):
        return float(token[:-1]) * 1000
    return None


class _Line:
    """The line being read: a lower-case copy whose recognised spans are blanked out as they are taken."""

    def __init__(self, text: str):
        self.text = text

    def take(self, pattern: re.Pattern, first_only: bool = False, accept=None) -> list[re.Match]:
        found = []
        for match in pattern.finditer(self.text):
            if not match.group(0).strip() or (accept is not None and not accept(match)):
                continue
            found.append(match)
            if first_only:
                break
        for match in found:
            start, end = match.span()
            self.text = self.text[:start] + " " * (end - start) + self.text[end:]
        return found


def normalise(line: str) -> str:
    text = unicodedata.normalize("NFC", line)
    text = text.replace("–", "-").replace("—", "-").replace("−", "-").replace("×", "x")
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(".,;:!")


def expand(line: str, catalogue: Catalogue | None = None, rules=None) -> Expansion:
    """Read one prescription line. Raises UnreadableLine when nothing in it is recognisable."""
    catalogue = catalogue or shipped_catalogue()
    if rules is None:
        from core.prescribing.rules import shipped_rules

        rules = shipped_rules()
    text = normalise(line)
    out = Expansion(input=line)
    reader = _Line(" " + _LIST_MARKER.sub("", text.lower()) + " ")
    recognised = 0

    # duration: every way of writing it is read, so two that disagree are caught
    durations = [int(m.group(1)) * DURATION_DENOMINATORS[m.group(2)] for m in reader.take(_DURATION_FRACTION)]
    durations += [int(m.group(1)) * DURATION_UNITS.get(m.group(2) or "d", 1) for m in reader.take(_DURATION_X)]
    for match in reader.take(_DURATION_WORDS):
        count = int(match.group(1)) if match.group(1) else _DURATION_NUMBER_WORDS[match.group(2)]
        durations.append(count * DURATION_UNITS[match.group(3)])
    if durations:
        recognised += 1
        if len(set(durations)) > 1:
            out.ambiguities.append(Issue("conflicting_duration", f"the line gives more than one duration ({', '.join(f'{d} days' for d in durations)}): keep one"))
        elif durations[0] == 0:
            out.ambiguities.append(Issue("invalid_duration", "a duration of 0 days: how long should this be taken?"))
        else:
            out.duration_days = durations[0]

    # timing, as-needed, stat
    timings = reader.take(_TIMING)
    if timings:
        out.timing = TIMING_WORDS[timings[0].group(1)]
        recognised += 1
        with_food = {TIMING_WORDS[t.group(1)] for t in timings} & {"before food", "after food", "with food", "empty stomach"}
        if len(with_food) > 1:
            out.ambiguities.append(Issue("conflicting_timing", f"the line says both {' and '.join(sorted(with_food))}: keep one"))
            out.timing = None
    if reader.take(_PRN):
        out.prn = True
        recognised += 1
    if reader.take(_STAT):
        out.stat = True
        recognised += 1

    # slot patterns 1-0-1, ½-0-½, 1 0 1 — and the malformed ones
    malformed = None
    for match in reader.take(_PATTERN_DASH, first_only=True):
        parts = [p.strip() for p in match.group(0).split("-")]
        values = [_slot_value(p) for p in parts]
        if len(parts) in (3, 4) and all(v is not None for v in values) and any(values):
            out.slots = tuple(values)  # type: ignore[arg-type]
        else:
            malformed = match.group(0).strip()
    if not out.slots and malformed is None:
        for match in reader.take(_PATTERN_SPACE, first_only=True):
            slots = tuple(_slot_value(p) for p in match.group(0).split())
            if any(slots):
                out.slots = slots  # type: ignore[assignment]
            else:
                malformed = match.group(0).strip()  # "0 0 0": no dose at any time of day
    if out.slots:
        out.pattern = "-".join(fraction_text(v) if v else "0" for v in out.slots)
        recognised += 1
    if malformed:
        recognised += 1

    # frequency words
    frequency_word = None
    every = reader.take(_EVERY_HOURS, first_only=True)
    every_per_day = None
    if every:
        hours = int(next(g for g in every[0].groups() if g))
        if 0 < hours <= 24:
            out.per_day = every_per_day = Fraction(24, hours)
            out.frequency_text = f"every {hours} hours"
        recognised += 1
    frequency_words = []
    for match in reader.take(_FREQUENCY):
        recognised += 1
        frequency_words.append(match.group(1))
        if frequency_word is None:
            frequency_word = match.group(1)
    route_matches = reader.take(_ROUTE)
    reader.take(_SITE)

    # doses with a unit: "1 tab", "5 ml", "2 puffs"; masses and percentages
    count_dose = None
    for match in reader.take(_COUNT_DOSE, accept=_is_dose):
        amount, unit = _amount(match.group(1)), DOSE_UNIT_WORDS[match.group(2)]
        if count_dose is None:
            count_dose = (amount * 5, "ml") if unit == "tsp" else (amount, unit)
            recognised += 1
    masses = [(Fraction(m.group(1)), MASS_UNITS[m.group(2)][0], m.group(3)) for m in reader.take(_MASS)]
    percents = [Fraction(m.group(1)) for m in reader.take(_PERCENT)]

    # form words
    form_word = None
    leading = _LEADING_FORM_LETTER.match(reader.text)
    if leading:
        form_word = FORM_WORDS[leading.group(1)]
        reader.text = " " * leading.end() + reader.text[leading.end():]
    elif inhaler := _LEADING_INHALER.match(reader.text):
        form_word = "inhaler"
        reader.text = " " * inhaler.end() + reader.text[inhaler.end():]
    for match in reader.take(_FORM):
        word = match.group(1)
        if form_word is None or form_word == "drops":
            form_word = "drops" if word in GENERIC_DROPS else FORM_WORDS[word]
    recognised += form_word is not None

    # what is left names the drug
    tokens = words(reader.text)
    drug = _resolve_drug(tokens, catalogue, form_word, masses)
    recognised += drug.known

    if not recognised and not count_dose and not masses:
        raise UnreadableLine(f"could not read {line.strip()!r} as a prescription line (no medicine, dose, frequency or duration found)")

    out.generic, out.brand, out.ingredients = drug.generic, drug.brand, drug.ingredients
    out.ambiguities.extend(drug.ambiguities)
    leftover = drug.leftover

    # form and route (a generic's form is the one sold in the strength written, so read that first)
    if drug.product is None and drug.generic_row is not None:
        if masses:
            out.strength = _strength_text(masses[0][0], masses[0][1], masses[0][2], drug.generic_row, None)
        elif percents:
            out.strength = f"{float(percents[0]):g}%"
        elif drug.number is not None:
            out.strength = _strength_text(Fraction(str(drug.number)), drug.generic_row.default_unit(), None, drug.generic_row, None)
    form = _choose_form(form_word, drug, out)
    out.form = form
    if form:
        out.route = FORMS[form].route
    if route_matches:
        out.route = ROUTE_WORDS[route_matches[0].group(1)]
    elif form is None and drug.generic_row is not None and len(drug.ingredients) == 1:
        out.route = drug.generic_row.route

    # strength
    dose_mass = None
    if drug.product is not None and drug.product.strengths:
        out.strength = drug.product.strength
        if masses:
            dose_mass = masses[0]
    elif masses:
        value, unit, per = masses[0]
        out.strength = _strength_text(value, unit, per, drug.generic_row, form)
        if len(masses) > 1:
            dose_mass = masses[1]
    elif percents:
        out.strength = f"{float(percents[0]):g}%"
    elif drug.number is not None and drug.generic_row is not None:
        out.strength = _strength_text(Fraction(str(drug.number)), drug.generic_row.default_unit(), None, drug.generic_row, form)
    elif drug.product is None and drug.number is not None and drug.generic is None:
        leftover.insert(0, f"{drug.number:g}")
    if (out.strength is None and drug.product is None and drug.generic_row is not None and form
            and len(drug.generic_row.forms.get(form, ())) > 1 and not any(a.code == "strength_unspecified" for a in out.ambiguities)):
        sold = ", ".join(drug.generic_row.forms[form])
        out.ambiguities.append(Issue("strength_unspecified", f"{drug.generic_row.name} {form} comes in several strengths ({sold}): say which"))
    if out.strength and len(out.ingredients) == 1 and out.ingredients[0][1] is None:
        out.ingredients = ((out.ingredients[0][0], Strength.parse(out.strength)),)

    # dose
    form_info = FORMS.get(form) if form else None
    if count_dose:
        out.dose_value, out.dose_unit = Fraction(count_dose[0]), count_dose[1]
    elif dose_mass is not None:
        out.dose_value, out.dose_unit = dose_mass[0], dose_mass[1]
    elif out.slots:
        nonzero = {v for v in out.slots if v}
        out.dose_value = nonzero.pop() if len(nonzero) == 1 else None
        out.dose_unit = form_info.dose_unit if form_info else None
    elif drug.bare_count is not None:
        out.dose_value, out.dose_unit = drug.bare_count, form_info.dose_unit if form_info else None
    elif form_info and form_info.default_dose and (out.strength or drug.product is not None):
        out.dose_value, out.dose_unit = Fraction(1), form_info.dose_unit
    elif form_info:
        out.dose_unit = form_info.dose_unit if out.dose_value is not None else None

    # frequency
    if out.slots:
        out.per_day = Fraction(sum(1 for v in out.slots if v))
        out.frequency_text = _slots_text(out.slots)
    elif frequency_word in AMBIGUOUS_FREQUENCY_WORDS:
        out.ambiguities.append(Issue("ambiguous_frequency", f"{frequency_word.upper()} is error-prone (read as once daily or as four times daily): write OD or QID"))
        out.per_day = None
    elif frequency_word == "od" and form_info and form_info.eye_or_ear:
        out.ambiguities.append(Issue("od_on_eye_drops", "OD on eye or ear drops could mean 'right eye' (oculus dexter) or 'once daily': write 'once daily' or 'right eye'"))
        out.per_day = None
    elif frequency_word is not None and out.per_day is None:
        meaning = FREQUENCY_WORDS[frequency_word]
        out.per_day, out.frequency_text = meaning.per_day, meaning.text
        if meaning.timing and out.timing is None:
            out.timing = meaning.timing
    stated = {FREQUENCY_WORDS[w].per_day for w in frequency_words if w in FREQUENCY_WORDS}
    if out.slots:
        stated.add(Fraction(sum(1 for v in out.slots if v)))
    if every_per_day is not None:
        stated.add(every_per_day)
    if len(stated) > 1 or (out.stat and stated):
        said = ", ".join(filter(None, [out.pattern, *frequency_words, every[0].group(0).strip() if every else None, "STAT" if out.stat else None]))
        out.ambiguities.append(Issue("conflicting_frequency", f"the line gives more than one frequency ({said}): keep one"))
        out.per_day, out.pattern, out.slots, out.stat = None, None, (), False
        out.frequency_text = None
    if malformed:
        out.ambiguities.append(Issue("malformed_pattern", f"{malformed!r} is not a dose pattern (write 3 or 4 slots such as 1-0-1 or 1-1-1-1)"))
        out.per_day, out.pattern, out.slots = None, None, ()
    if out.stat:
        out.per_day, out.duration_days = None, None
        out.frequency_text = "once, immediately"
    elif out.prn:
        out.frequency_text = ("when needed, at most " + out.frequency_text) if out.frequency_text else "when needed"
    no_frequency = out.per_day is None and not out.prn and not out.stat
    if no_frequency and not any(a.code in ("ambiguous_frequency", "od_on_eye_drops", "malformed_pattern", "conflicting_frequency") for a in out.ambiguities):
        out.ambiguities.append(Issue("no_frequency", "no frequency given: how often should this be taken (e.g. OD, BD, 1-0-1, SOS)?"))

    # quantity
    out.quantity_value, out.quantity_unit = _quantity(out, form_info)
    out.instructions = " ".join(leftover) or None

    from core.prescribing.dosing import dose_warnings

    out.warnings.extend(dose_warnings(out, catalogue, rules))
    return out


def _amount(text: str) -> float:
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    value = _slot_value(text)
    return float(value) if value is not None else float(text)


def _is_dose(match: re.Match) -> bool:
    """"650 tab" is a strength followed by a form word, not six hundred and fifty tablets."""
    counted = DOSE_UNIT_WORDS[match.group(2)] in ("tab", "cap", "sachet", "respule", "drop", "puff", "spray")
    return not (counted and _amount(match.group(1)) > COUNTED_DOSE_LIMIT)


def _slots_text(slots: tuple[Fraction, ...]) -> str:
    names = ("morning", "afternoon", "night") if len(slots) == 3 else ("morning", "noon", "evening", "night")
    taken = [f"{fraction_text(v)} {name}" for v, name in zip(slots, names) if v]
    return ", ".join(taken) if taken else "none"


def _strength_text(value: Fraction, unit: str, per: str | None, generic: Generic | None, form: str | None) -> str:
    if unit == "g" and value < 10 and per is None:  # "1 g" of paracetamol is labelled 1000 mg
        value, unit = value * 1000, "mg"
    wanted = Strength(float(value), unit, per.replace(" ", "") if per else None)
    if generic is not None:
        candidates = generic.forms.get(form, ()) if form else tuple(s for group in generic.forms.values() for s in group)
        for label in candidates:
            parsed = Strength.parse(label)
            if parsed and parsed.value == wanted.value and parsed.unit == wanted.unit:
                return label
    return wanted.text()


@dataclass
class _Drug:
    generic: str | None = None
    brand: str | None = None
    product: Product | None = None
    generic_row: Generic | None = None
    ingredients: tuple[tuple[str, Strength | None], ...] = ()
    number: float | None = None  # a bare number after a generic's name: its strength
    bare_count: Fraction | None = None  # a small bare number elsewhere: a dose count
    leftover: list[str] = field(default_factory=list)
    ambiguities: list[Issue] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.generic is not None


_OPTIONAL_BRAND_WORDS = {"duo", "tab", "tablet", "tablets", "cap", "capsule", "syrup", "syp", "inhaler", "respules",
                         "eye", "ear", "drops", "drop", "nasal", "spray", "gel", "cream", "ointment", "oint",
                         "suspension", "susp", "lotion", "sachet", "injection", "inj", "rotacap", "rotacaps", "paed", "kid"}


def _resolve_drug(tokens: list[str], catalogue: Catalogue, form_word: str | None, masses) -> _Drug:
    drug = _Drug()
    start = next((i for i, t in enumerate(tokens) if number_value(t) is None), None)
    if start is None:
        for token in tokens:
            if not _take_count(drug, token):
                drug.leftover.append(token)
        drug.ambiguities.append(Issue("unknown_drug", "no medicine is named in this line"))
        return drug
    for token in tokens[:start]:
        _take_count(drug, token)
    rest = tokens[start:]
    matched = _match_product(rest, catalogue, form_word, drug) or _match_generic(rest, catalogue, drug)
    if not matched:
        name = []
        for token in rest:
            if number_value(token) is not None:
                break
            name.append(token)
        drug.ambiguities.append(Issue("unknown_drug", f"{' '.join(name)!r} is not in the medicine catalogue: check the spelling or add it to the clinic's list"))
        tail = rest[len(name):]
        if tail and number_value(tail[0]) is not None and not masses:
            drug.number = number_value(tail[0])
            tail = tail[1:]
        drug.leftover = _leftover(tail, drug)
    return drug


def _take_count(drug: _Drug, token: str) -> bool:
    value = number_value(token)
    if value is not None and value <= COUNTED_DOSE_LIMIT and drug.bare_count is None:
        drug.bare_count = Fraction(str(value))
        return True
    return False


def _match_product(rest: list[str], catalogue: Catalogue, form_word: str | None, drug: _Drug) -> bool:
    candidates = catalogue.by_stem.get(rest[0])
    if not candidates:
        return False
    vocabulary = {t for p in candidates for t in p.name_words}
    taken = 1
    while taken < len(rest) and (rest[taken] in vocabulary or _number_in(rest[taken], candidates)):
        taken += 1
    given = rest[1:taken]
    given_words = {t for t in given if number_value(t) is None}
    given_numbers = {number_value(t) for t in given if number_value(t) is not None}

    def fits(product: Product) -> bool:
        brand_words = {t for t in product.name_words[1:] if number_value(t) is None}
        brand_numbers = {number_value(t) for t in product.name_words[1:] if number_value(t) is not None}
        required = brand_words - _OPTIONAL_BRAND_WORDS
        return given_words <= brand_words and required <= given_words and given_numbers <= brand_numbers

    fitting = [p for p in candidates if fits(p)]
    if not fitting and given_numbers:
        # "Thyronorm 62.5": the family is known, the number is a strength it is not sold in here
        without_numbers = [p for p in candidates if {t for t in p.name_words[1:] if number_value(t) is None} - _OPTIONAL_BRAND_WORDS <= given_words]
        if without_numbers and len({p.ingredients for p in without_numbers}) == 1:
            product = without_numbers[0]
            drug.generic, drug.ingredients = product.composition, tuple((i, None) for i in product.ingredients)
            drug.brand = " ".join(w.capitalize() for w in rest[:1])
            drug.number = next(iter(given_numbers))
            drug.generic_row = catalogue.generic(product.ingredients[0]) if len(product.ingredients) == 1 else None
            drug.leftover = _leftover(rest[taken:], drug)
            return True
        return False
    if not fitting:
        return False
    if form_word and form_word != "drops":
        same_form = [p for p in fitting if p.form == form_word]
        fitting = same_form or fitting
    elif form_word == "drops":
        drops = [p for p in fitting if p.form.endswith("drops")]
        fitting = drops or fitting
    if len(fitting) > 1:
        exact = [p for p in fitting if set(p.name_words[1:]) == set(given)]
        if len(exact) == 1:
            fitting = exact
    if not given_numbers and taken < len(rest) and number_value(rest[taken]) is not None:
        # A number right after a brand named without one is its strength, never a count of
        # tablets: "Levocet 5", "Thyronorm 62.5". ("Dolo 650 1 BD": the 1 is a dose.)
        stated = number_value(rest[taken])
        matching = [p for p in fitting if any((parsed := Strength.parse(s)) and parsed.value == stated for s in p.strengths)]
        if len(matching) == 1:
            fitting, taken = matching, taken + 1
        elif len({p.ingredients for p in fitting}) == 1 and len(fitting[0].ingredients) == 1:
            product = fitting[0]
            drug.generic, drug.ingredients = product.composition, ((product.ingredients[0], None),)
            drug.brand = " ".join(w.capitalize() for w in rest[:1])
            drug.number = stated
            drug.generic_row = catalogue.generic(product.ingredients[0])
            drug.leftover = _leftover(rest[taken + 1:], drug)
            return True
    if len(fitting) == 1:
        product = fitting[0]
        drug.product, drug.brand, drug.generic = product, product.brand, product.composition
        drug.ingredients = tuple((name, Strength.parse(s) if product.strengths else None)
                                 for name, s in zip(product.ingredients, product.strengths or [""] * len(product.ingredients)))
        drug.generic_row = catalogue.generic(product.ingredients[0]) if len(product.ingredients) == 1 else None
        drug.leftover = _leftover(rest[taken:], drug)
        return True
    compositions = {p.ingredients for p in fitting}
    if len(compositions) == 1:
        product = fitting[0]
        drug.generic, drug.ingredients = product.composition, tuple((i, None) for i in product.ingredients)
        drug.generic_row = catalogue.generic(product.ingredients[0]) if len(product.ingredients) == 1 else None
        variants = sorted({p.brand for p in fitting})
        drug.ambiguities.append(Issue("strength_unspecified", f"{rest[0].capitalize()} comes in several strengths ({', '.join(variants)}): say which"))
    else:
        drug.ambiguities.append(Issue("ambiguous_drug", f"{' '.join(rest[:taken])!r} could be {', '.join(sorted(p.brand for p in fitting)[:6])}: say which"))
        drug.generic = None
        return True
    drug.leftover = _leftover(rest[taken:], drug)
    return True


def _number_in(token: str, candidates: list[Product]) -> bool:
    value = number_value(token)
    return value is not None and any(number_value(t) == value for p in candidates for t in p.name_words)


def _match_generic(rest: list[str], catalogue: Catalogue, drug: _Drug) -> bool:
    ingredients: list[str] = []
    position = 0
    meanings: list[tuple[str, ...]] = []
    while position < len(rest):
        for size in range(min(catalogue.longest_name, len(rest) - position), 0, -1):
            key = tuple(rest[position:position + size])
            if key in catalogue.names:
                options = catalogue.names[key]
                if len(options) > 1:
                    meanings = options
                ingredients.extend(name for name in options[0] if name not in ingredients)
                position += size
                break
        else:
            break
    if not ingredients:
        return False
    if meanings:
        drug.ambiguities.append(Issue("ambiguous_drug", f"{rest[0]!r} could mean {' or '.join(' + '.join(m) for m in meanings)}: write the name in full"))
        drug.leftover = _leftover(rest[position:], drug)
        return True
    drug.generic = " + ".join(ingredients)
    drug.ingredients = tuple((name, None) for name in ingredients)
    drug.generic_row = catalogue.generic(ingredients[0]) if len(ingredients) == 1 else None
    tail = rest[position:]
    if tail and number_value(tail[0]) is not None:
        drug.number = number_value(tail[0])
        tail = tail[1:]
    drug.leftover = _leftover(tail, drug)
    return True


def _leftover(tokens: list[str], drug: _Drug) -> list[str]:
    return [t for t in tokens if t not in STRAY_WORDS and not _take_count(drug, t)]


def _choose_form(form_word: str | None, drug: _Drug, out: Expansion) -> str | None:
    if form_word and form_word != "drops":
        return form_word
    if drug.product is not None:
        return drug.product.form
    generic = drug.generic_row
    if generic is None or not generic.forms:
        return None
    forms = list(generic.forms)
    if form_word == "drops":
        drops = [f for f in forms if f.endswith("drops")]
        return drops[0] if len(drops) == 1 else None
    if out.strength:
        wanted = Strength.parse(out.strength)
        holding = [f for f in forms if any(Strength.parse(s) == wanted for s in generic.forms[f])]
        if holding:
            return holding[0]  # generics.csv lists a medicine's usual form first (amoxicillin: cap)
    if len(forms) == 1:
        return forms[0]
    return "tab" if "tab" in forms else forms[0]


def _quantity(out: Expansion, form_info) -> tuple[int | None, str | None]:
    if form_info is None or not form_info.countable:
        return None, None
    unit = form_info.dose_unit
    if out.stat:
        return (math.ceil(out.dose_value), unit) if out.dose_value else (None, None)
    if out.duration_days is None:
        return None, None
    if out.slots and out.per_day is not None:
        return math.ceil(sum(out.slots) * out.duration_days), unit
    if out.dose_value is None or out.per_day is None or out.dose_unit != unit:
        return None, None
    return math.ceil(out.dose_value * out.per_day * out.duration_days), unit
