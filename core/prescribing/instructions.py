"""Patient instructions in the patient's language, from phrasebooks (data/phrases/<code>.toml).

A clinic adds a language by dropping a translated copy of en.toml into <data dir>/print/phrases/;
no code changes. The sentence is assembled from parts (dose, when, timing, how long) so a phrasebook
only translates words and short phrases.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path

from core.prescribing.vocabulary import fraction_text

REQUIRED_SECTIONS = ("units", "slots", "frequency", "timing", "other")


@dataclass(frozen=True)
class Phrasebook:
    code: str
    names: tuple[str, ...]
    data: dict

    def unit(self, unit: str | None, amount: Fraction | None) -> str:
        forms = self.data["units"].get(unit or "")
        if not forms:
            return unit or ""
        return forms[0] if amount is None or amount <= 1 else forms[1]


@dataclass(frozen=True)
class ItemSchedule:
    """The parts of an item the instruction sentence is built from."""

    dose_value: Fraction | None
    dose_unit: str | None
    pattern: str | None
    per_day: Fraction | None
    timing: str | None
    prn: bool
    stat: bool
    duration_days: int | None


def _load(text: str, where: str) -> Phrasebook:
    data = tomllib.loads(text)
    missing = [s for s in REQUIRED_SECTIONS if s not in data]
    if missing or "code" not in data:
        raise ValueError(f"phrasebook {where} is missing {', '.join(missing or ['code'])}")
    return Phrasebook(data["code"], tuple(n.lower() for n in data.get("names", [])), data)


@cache
def _shipped() -> dict[str, Phrasebook]:
    books = {}
    for entry in resources.files("core.prescribing.data").joinpath("phrases").iterdir():
        if entry.name.endswith(".toml"):
            book = _load(entry.read_text(encoding="utf-8"), entry.name)
            books[book.code] = book
    return books


def phrasebooks(extra_dir: Path | None = None) -> dict[str, Phrasebook]:
    books = dict(_shipped())
    if extra_dir and extra_dir.is_dir():
        for path in sorted(extra_dir.glob("*.toml")):
            book = _load(path.read_text(encoding="utf-8"), str(path))
            books[book.code] = book
    return books


def phrasebook_for(language: str | None, extra_dir: Path | None = None) -> Phrasebook | None:
    """The phrasebook for a recorded preferred language ('Hindi', 'hi', 'हिन्दी'), or None."""
    if not language:
        return None
    wanted = language.strip().lower()
    for book in phrasebooks(extra_dir).values():
        if wanted == book.code or wanted in book.names:
            return book
    return None


def _slots(pattern: str, book: Phrasebook) -> str:
    parts = pattern.split("-")
    names = ("morning", "afternoon", "night") if len(parts) == 3 else ("morning", "noon", "evening", "night")
    taken = [(p, n) for p, n in zip(parts, names) if p != "0"]
    slots = book.data["slots"]
    if len({p for p, _ in taken}) == 1:
        words = [slots[n] for _, n in taken]
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {book.data['and']} {words[-1]}"
    return ", ".join(f"{p} {slots[n]}" for p, n in taken)


def _frequency(per_day: Fraction, book: Phrasebook) -> str:
    table = book.data["frequency"]
    special = {Fraction(1, 7): "weekly", Fraction(2, 7): "twice_weekly", Fraction(1, 2): "alternate", Fraction(1, 30): "monthly"}
    if per_day in special:
        return table[special[per_day]]
    if per_day.denominator == 1 and str(per_day.numerator) in table:
        return table[str(per_day.numerator)]
    return f"{float(per_day):g} ×"


def instruction(item: ItemSchedule, book: Phrasebook) -> str:
    """One line a patient can follow: '1 tablet morning and night, after food, for 5 days.'"""
    parts: list[str] = []
    pattern_has_amounts = bool(item.pattern) and len({p for p in item.pattern.split("-") if p != "0"}) > 1
    if item.dose_value is not None and not pattern_has_amounts:
        unit = item.dose_unit
        if unit == "application":
            parts.append(book.unit(unit, None))
        else:
            parts.append(f"{fraction_text(item.dose_value)} {book.unit(unit, item.dose_value)}".strip())
    if item.stat:
        parts.append(book.data["other"]["stat"])
    elif item.pattern:
        parts.append(_slots(item.pattern, book))
    elif item.per_day is not None:
        parts.append(_frequency(item.per_day, book))
    if item.prn:
        parts.append(book.data["other"]["prn"])
    if item.timing and item.timing in book.data["timing"]:
        # "at bedtime" after "morning and night" would contradict nothing, but HS already says bedtime
        parts.append(book.data["timing"][item.timing])
    if item.duration_days and not item.stat:
        other = book.data["other"]
        parts.append(other["duration_one"] if item.duration_days == 1 else other["duration"].format(n=item.duration_days))
    if not parts:
        return ""
    sentence = book.data["separator"].join(parts)
    # the first of the joined parts is a dose, so "1 tablet, morning and night" reads better as one phrase
    if item.dose_value is not None and not pattern_has_amounts and len(parts) > 1:
        sentence = parts[0] + " " + book.data["separator"].join(parts[1:])
    return sentence + book.data["end"]


def dose_cell(item: ItemSchedule) -> str:
    """The dose as the Rx table shows it: '1 tab', '½ tab', '5 ml'; an uneven pattern speaks for itself."""
    if item.pattern and len({p for p in item.pattern.split("-") if p != "0"}) > 1:
        return "as pattern"
    if item.dose_value is None:
        return ""
    return f"{fraction_text(item.dose_value)} {item.dose_unit or ''}".strip()


def when_cell(item: ItemSchedule, book: Phrasebook) -> str:
    """How often, as the Rx table shows it: '1-0-1', 'three times a day', 'STAT', 'SOS'."""
    if item.stat:
        return "STAT"
    when = item.pattern or (_frequency(item.per_day, book) if item.per_day is not None else "")
    if item.prn:
        when = f"{when} (SOS)" if when else "SOS"
    return when
