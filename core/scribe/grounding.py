"""Is each item of a draft supported by what was said? A model can write a fluent line for a medicine
nobody prescribed, or the usual dose where the doctor said another; this check is what keeps such an
item out of the accepted draft (it is listed as unsupported, with the reason, for the doctor to see).

Medicines: the name (brand, generic, the catalogue's shorthand, other spellings) must have been
said, and every number written on the line — strength, dose, duration — must have been said near
it, as digits or in words, in English or Hindi; the frequency must match a way of saying it there
("BD", "twice a day", "subah shaam", "1-0-1"). Diagnoses, tests and vital signs likewise, with the
diagnosis list's aliases and the lexicon's Hinglish equivalents.

Each check returns None when the item is supported, or the reason it is not, in words for the doctor.
"""

from __future__ import annotations

import csv
import re
import weakref
from collections.abc import Iterable
from fractions import Fraction
from functools import cache
from importlib import resources

from core.clinical.terms import all_diagnoses, investigation
from core.prescribing.catalogue import Catalogue
from core.prescribing.expand import Expansion, number_value
from core.scribe.said import Said, close_enough, fold, is_number, tokens

MEDICINE_BEFORE, MEDICINE_AFTER = 15, 45  # words around a medicine's name where its numbers may be said
VITAL_BEFORE, VITAL_AFTER = 3, 10
QUOTE_MARGIN = 8

_FORM_AND_GLUE = {
    "tab", "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules", "syp", "syr", "syrup", "susp", "suspension",
    "inj", "injection", "inh", "inhaler", "oint", "ointment", "cream", "gel", "drops", "drop", "sachet", "sachets", "lotion",
    "respules", "rotacaps", "nebulise", "nebulisation", "neb", "spray", "powder", "mg", "mcg", "ml", "g", "gm", "iu", "x",
    "od", "bd", "tds", "tid", "qid", "hs", "sos", "prn", "stat", "days", "day", "d", "weeks", "week", "months", "month",
    "after", "before", "food", "meals", "breakfast", "with", "empty", "stomach", "at", "night", "morning", "bedtime",
    "puff", "puffs", "tsp", "for", "then", "and", "once", "twice", "thrice", "daily", "a", "times", "every", "hourly",
    "continue", "same", "dose", "apply", "local", "application", "orally", "oral", "as", "needed", "if", "required",
}
_CONCENTRATION = re.compile(r"/\s*\d+(?:\.\d+)?\s*(?:ml|dose|g)\b")
_SLOTS = re.compile(r"(?<![\w.])[\d½¼¾.]+(?:\s*-\s*[\d½¼¾.]+){2,3}(?![\w.])")
_EVERY_HOURS = re.compile(r"\bq\s*\d{1,2}\s*h\b|\b\d{1,2}\s*(?:-\s*)?(?:hourly|hrly|hrs?ly)\b|\bevery\s+\d{1,2}\s*(?:hours|hrs|h)\b")
_DURATION = re.compile(
    r"(?:\bx\s*|\bfor\s+)?(?<![\w.])(\d{1,3})\s*(?:/\s*(7|52|12)\b|(days?|d|weeks?|wks?|w|months?|mths?)\b)"
    r"|\bx\s*(\d{1,3})\b"
)
_DOSE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?|½|¼|¾)\s*(ml|tabs?|tablets?|caps?|capsules?|puffs?|drops?|sachets?|tsp|teaspoons?|"
                   r"respules?|sprays?|units?|spoons?)\b")
_STRENGTH = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg|mcg|µg|g|gm|iu|%|k)(?![\w])")
_BARE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])")
_PLACEHOLDERS = re.compile(r"\[[A-Z]+(?:-[A-Z]+)*(?:-\d+)?\]", re.IGNORECASE)
_COUNTED_ONE = {"tab", "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules", "sachet", "sachets", "respule", "respules"}
_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75}
# Catalogue names that are also everyday words: never taken as the start of another medicine.
_ORDINARY_WORDS = {"iron", "milk", "oral", "soda", "aloe", "neem", "urea", "race", "mala", "pause", "tears", "happi", "sat", "met",
                   "vit", "coal", "liq", "amla", "bandy", "alex", "dabur", "ors ka", "pump", "inhaler", "electrolyte", "nimbu",
                   "syrup", "the", "and", "act", "net", "nor", "dec", "epi", "cal", "mag", "sof", "lev", "tio", "pip", "rab", "tram",
                   "vera", "para", "ome", "ena", "ibu", "dom", "pan", "eno", "mox", "abc", "ala", "arv", "ifa", "peg", "perm", "ctd"}


def _number_text(value: float) -> str:
    return f"{value:g}"


class _Names:
    """For one catalogue: every name a composition can be said by (the catalogue's own names and
    shorthand, brand families, other spellings)."""

    def __init__(self, catalogue: Catalogue) -> None:
        from core.scribe.said import lexicon  # noqa: PLC0415

        self.by_composition: dict[frozenset[str], set[tuple[str, ...]]] = {}
        self.products_by_composition: dict[frozenset[str], list] = {}
        for key, meanings in catalogue.names.items():
            for meaning in meanings:
                self.by_composition.setdefault(frozenset(m.lower() for m in meaning), set()).add(tuple(fold(" ".join(key)).split()))
        for product in catalogue.products:
            composition = frozenset(i.lower() for i in product.ingredients)
            self.products_by_composition.setdefault(composition, []).append(product)
            plain = [w for w in product.name_words if number_value(w) is None]
            if not plain:
                continue
            family = tuple(plain[:1]) if len(plain[0]) >= 4 else tuple(plain)
            self.by_composition.setdefault(composition, set()).add(tuple(tokens(" ".join(family))))
        for generic, phrases in lexicon().medicine_spellings.items():
            self.by_composition.setdefault(frozenset({generic}), set()).update(phrases)
        # The first word of every name, to see where talk of one medicine ends and the next begins.
        self.first_words: dict[str, set[frozenset[str]]] = {}
        for composition, phrases in self.by_composition.items():
            for phrase in phrases:
                word = phrase[0]
                if len(word) >= 3 and not is_number(word) and word not in _ORDINARY_WORDS:
                    self.first_words.setdefault(word, set()).add(composition)


_names_cache: weakref.WeakKeyDictionary[Catalogue, _Names] = weakref.WeakKeyDictionary()


def _names(catalogue: Catalogue) -> _Names:
    names = _names_cache.get(catalogue)
    if names is None:
        names = _names_cache[catalogue] = _Names(catalogue)
    return names


class Grounding:
    """The checks for one transcript (the real one, never the de-identified copy)."""

    def __init__(self, transcript: str, catalogue: Catalogue) -> None:
        self.said = Said(transcript)
        self.catalogue = catalogue
        self.names = _names(catalogue)
        self.lex = self.said.lex
        self._mentions = [(pos, self.names.first_words[w]) for pos, w in enumerate(self.said.words) if w in self.names.first_words]

    def _window(self, start: int, end: int, composition: frozenset[str]) -> tuple[int, int]:
        """Where a medicine's numbers may be: around its name, but not past the name of another
        medicine ("Levocet at night, then Paracetamol three times a day": "three times" is not the
        Levocet's)."""
        low, high = max(0, start - MEDICINE_BEFORE, self.said.line_start(start)), end + MEDICINE_AFTER
        for pos, compositions in self._mentions:
            if any(c & composition for c in compositions):
                continue
            if pos < start:
                low = max(low, pos + 1)
            elif pos >= end:
                high = min(high, pos)
                break
        return low, high

    # -- medicines ------------------------------------------------------------------------------

    def medicine(self, line: str, quote: str, expansion: Expansion | None) -> str | None:
        label = _label(line, expansion)
        spans = self._medicine_spans(line, expansion)
        if not spans:
            return f"{label} is not mentioned in the consult"
        composition = frozenset(name.lower() for name, _ in expansion.ingredients) if expansion is not None else frozenset()
        windows = [self._window(s, e, composition) for s, e in spans]
        windows += self._quote_windows(quote)
        heard: set[float] = set()
        for start, end in windows:
            heard |= self.said.numbers_between(start, end)
        heard |= self._brand_strengths(expansion, windows)
        courses: set[float] = set()
        for start, end in windows:
            courses |= self.said.durations_between(start, end)
        for kind, value, text in _line_numbers(line):
            if kind == "duration":
                days = value * (7 if text.endswith(("weeks", "week")) else 30 if text.endswith(("months", "month")) else 1)
                if not any(abs(days - c) < 1e-6 for c in courses):
                    return f"duration {text} not said in the consult (for {label})"
            elif not any(abs(value - h) < 1e-6 for h in heard):
                return f"{kind} {text} not said in the consult (for {label})"
        if expansion is not None and expansion.per_day is not None and not expansion.prn and not expansion.stat:
            per_day_heard: set[Fraction] = set()
            for start, end in windows:
                per_day_heard |= self.said.per_day_between(start, end)
            if expansion.per_day not in per_day_heard:
                how = expansion.pattern or expansion.frequency_text or f"{expansion.per_day} times a day"
                return f"frequency {how} not said in the consult (for {label})"
        return None

    def _medicine_spans(self, line: str, expansion: Expansion | None) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        if expansion is not None and expansion.ingredients:
            ingredients = [name.lower() for name, _ in expansion.ingredients]
            phrases = set(self.names.by_composition.get(frozenset(ingredients), set()))
            if expansion.brand:
                plain = [w for w in tokens(expansion.brand) if not is_number(w)]
                if plain:
                    phrases.add(tuple(plain))
            for phrase in phrases:
                spans += self.said.find(phrase)
            if not spans and len(ingredients) > 1:
                # a combination said ingredient by ingredient ("amoxicillin with clavulanic acid")
                each = [self._spans_of({ingredient}) for ingredient in ingredients]
                if all(each):
                    spans = [s for found in each for s in found]
            return spans
        words = [w for w in tokens(line) if not is_number(w) and w not in _FORM_AND_GLUE and len(w) >= 3]
        if words:
            spans = self.said.find((words[0],))
        return spans

    def _spans_of(self, composition: set[str]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for phrase in self.names.by_composition.get(frozenset(composition), set()):
            spans += self.said.find(phrase)
        return spans

    def _quote_windows(self, quote: str) -> list[tuple[int, int]]:
        words = tokens(quote)
        if len(words) < 3:
            return []
        return [(max(0, s - QUOTE_MARGIN), e + QUOTE_MARGIN) for s, e in self.said.find(tuple(words), fuzzy=False)]

    def _brand_strengths(self, expansion: Expansion | None, windows: list[tuple[int, int]]) -> set[float]:
        """A brand said with its number ("Augmentin 625") supports the strengths on its label
        (500 mg + 125 mg), which is how the line may spell it out."""
        if expansion is None or not expansion.ingredients:
            return set()
        out: set[float] = set()
        composition = frozenset(name.lower() for name, _ in expansion.ingredients)
        for product in self.names.products_by_composition.get(composition, []):
            if not any(number_value(w) is not None for w in product.name_words) or not product.strengths:
                continue
            words = tokens(product.brand)
            named = next((words[:n + 1] for n, w in enumerate(words) if is_number(w)), words)  # "Augmentin 625" of "Augmentin 625 Duo"
            for start, _ in self.said.find(tuple(named), fuzzy=False):
                if any(ws <= start <= we for ws, we in windows):
                    for strength in product.strengths:
                        match = re.match(r"\d+(?:\.\d+)?", strength)
                        if match:
                            out.add(float(match.group(0)))
        return out

    # -- diagnoses and tests --------------------------------------------------------------------

    def diagnosis(self, text: str) -> str | None:
        words = tokens(text)
        if not words:
            return "an empty diagnosis"
        if self.said.find(tuple(words)):
            return None
        for phrases in _diagnosis_entries(tuple(words)):
            usable = [p for p in phrases if " ".join(p) not in self.lex.ignored_aliases]
            if self.said_any_meaning(usable):
                return None
        missing = self._unsaid_words(words)
        if not missing:
            return None
        return f"diagnosis {text!r} is not what was said in the consult ({', '.join(missing)} not mentioned)"

    def investigation(self, text: str) -> str | None:
        words = tokens(text)
        if not words:
            return "an empty test name"
        if self.said.find(tuple(words)):
            return None
        known = investigation(text)
        if known is not None:
            phrases = [tuple(tokens(label)) for label in (known.name, *known.aliases)]
            if self.said_any_meaning([p for p in phrases if p]):
                return None
        missing = self._unsaid_words(words)
        if not missing:
            return None
        return f"test {text!r} was not ordered in the consult ({', '.join(missing)} not mentioned)"

    def said_any_meaning(self, phrases: Iterable[tuple[str, ...]]) -> bool:
        """Whether any phrase, or a phrase that means the same in the lexicon, was said."""
        for phrase in phrases:
            if self.said.find(phrase):
                return True
            for concept in self.lex.concepts_of(phrase):
                if self.said.said_any(self.lex.concepts[concept]):
                    return True
        return False

    def _unsaid_words(self, words: list[str]) -> list[str]:
        """The meaningful words of a diagnosis or test that were not said, in any equivalent form.
        Lexicon phrases are taken first, longest first ("urinary tract infection" as one)."""
        missing: list[str] = []
        position = 0
        longest = max((len(p) for phrases in self.lex.concepts.values() for p in phrases), default=1)
        while position < len(words):
            for size in range(min(longest, len(words) - position), 1, -1):
                phrase = tuple(words[position:position + size])
                if self.lex.concepts_of(phrase):
                    if not self.said_any_meaning([phrase]):
                        missing.append(" ".join(phrase))
                    position += size
                    break
            else:
                word = words[position]
                position += 1
                if word in self.lex.qualifiers or is_number(word) or len(word) < 2:
                    continue
                if not self.said_any_meaning([(word,)]):
                    missing.append(word)
        return missing

    # -- vital signs and follow-up ----------------------------------------------------------------

    def vital(self, name: str, value: str, unit: str) -> str | None:
        key = vital_key(name)
        numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", value or "")]
        label = f"{name} {value}{(' ' + unit) if unit else ''}".strip()
        if not numbers:
            return None if value and self.said.find(tuple(tokens(value))) else f"{label}: no value said in the consult"
        spans = []
        if key is not None:
            for phrase in self.lex.vitals[key]:
                spans += self.said.find(phrase, fuzzy=False)
        if spans:
            heard: set[float] = set()
            for start, end in spans:
                heard |= self.said.numbers_between(start - VITAL_BEFORE, end + VITAL_AFTER)
        else:
            heard = self.said.all_numbers()
        missing = [n for n in numbers if not any(abs(n - h) < 1e-6 for h in heard)]
        if missing:
            return f"{label}: {', '.join(_number_text(m) for m in missing)} not said in the consult"
        return None

    def prose(self, sentence: str, also_said: Iterable[float] = (), unsupported: Iterable[str] = ()) -> str | None:
        """A sentence of the note's free text: every number in it must have been said (or be in
        `also_said`, such as the age the model was told), every medicine and diagnosis it names
        must have been said, and it may not repeat an item already found unsupported."""
        sentence = _PLACEHOLDERS.sub(" ", sentence)  # [MOBILE-1] stands for something said; its digit is a label
        words = tokens(sentence)
        for text in unsupported:
            phrase = tuple(tokens(text))
            if phrase and _mentions(words, phrase):
                return f"repeats {text!r}, which the transcript does not support"
        for word in words:
            if word in self.names.first_words and len(word) >= 4 and not self.said.find((word,)):
                return f"mentions {word.capitalize()}, which is not mentioned in the consult"
        for phrase in _diagnoses_named(words):
            if " ".join(phrase) not in self.lex.ignored_aliases and self.diagnosis(" ".join(phrase)) is not None:
                return f"names {' '.join(phrase)!r}, which is not said in the consult"
        heard = self.said.all_numbers() | {float(v) for v in also_said}
        for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", fold(sentence)):
            if not any(abs(float(number) - h) < 1e-6 for h in heard):
                return f"{number} is not said in the consult"
        return None

    def follow_up(self, text: str) -> str | None:
        numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", fold(text))]
        heard = self.said.all_numbers()
        missing = [n for n in numbers if not any(abs(n - h) < 1e-6 for h in heard)]
        if missing:
            return f"follow-up {text!r}: {', '.join(_number_text(m) for m in missing)} not said in the consult"
        return None


def _mentions(sentence_words: list[str], phrase: tuple[str, ...]) -> bool:
    return bool(phrase) and any(tuple(sentence_words[i:i + len(phrase)]) == phrase for i in range(len(sentence_words) - len(phrase) + 1))


def vital_key(name: str) -> str | None:
    """Which vital sign a name means: bp, pulse, temperature, spo2, respiratory_rate, weight, height,
    blood_glucose; None when it is none of them."""
    from core.scribe.said import lexicon  # noqa: PLC0415

    words = tuple(tokens(name))
    if not words:
        return None
    best: tuple[int, str] | None = None
    for key, phrases in lexicon().vitals.items():
        for phrase in phrases:
            if _contains(words, phrase) and (best is None or len(phrase) > best[0]):
                best = (len(phrase), key)
    if best is not None:
        return best[1]
    for key, phrases in lexicon().vitals.items():  # "Temprature", "Saturaton"
        if any(close_enough(phrase[0], words[0]) for phrase in phrases if len(phrase) == 1 and len(phrase[0]) > 2):
            return key
    return None


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    return any(words[i:i + len(phrase)] == phrase for i in range(len(words) - len(phrase) + 1))


def _label(line: str, expansion: Expansion | None) -> str:
    if expansion is not None and (expansion.brand or expansion.generic):
        return expansion.brand or expansion.generic or line
    words = [w for w in line.split() if fold(w).strip(".") not in _FORM_AND_GLUE]
    return " ".join(words[:2]) or line.strip()


def _line_numbers(line: str) -> list[tuple[str, float, str]]:
    """The numbers a prescription line states, each with what it is: (kind, value, as written).
    Slot patterns and "8 hourly" are frequencies (checked as how often, not digit by digit); a
    concentration ("/5 ml") is the product's, not the doctor's; one tablet needs no saying."""
    text = " " + fold(line) + " "
    found: list[tuple[str, float, str]] = []

    def blank(match: re.Match) -> str:
        return " " * len(match.group(0))

    text = _CONCENTRATION.sub(blank, text)
    text = _SLOTS.sub(blank, text)
    text = _EVERY_HOURS.sub(blank, text)
    for match in _DURATION.finditer(text):
        number = match.group(1) or match.group(4)
        unit = match.group(3) or ("days" if match.group(2) == "7" else "weeks" if match.group(2) == "52" else "months" if match.group(2) else "days")
        word = {"d": "days", "w": "weeks", "wk": "weeks", "wks": "weeks", "mth": "months", "mths": "months"}.get(unit, unit)
        found.append(("duration", float(number), f"{number} {word}"))
    text = _DURATION.sub(blank, text)
    for match in _DOSE.finditer(text):
        raw, unit = match.group(1), match.group(2)
        value = _VULGAR.get(raw) or float(raw)
        if value == 1 and unit in _COUNTED_ONE:
            continue
        found.append(("dose", value, f"{raw} {unit}"))
    text = _DOSE.sub(blank, text)
    for match in _STRENGTH.finditer(text):
        value = float(match.group(1)) * (1000 if match.group(2) == "k" else 1)
        found.append(("strength", value, f"{match.group(1)} {match.group(2)}".replace(" %", "%")))
    text = _STRENGTH.sub(blank, text)
    for match in _BARE.finditer(text):
        found.append(("strength", float(match.group(1)), match.group(1)))
    return found


def _diagnosis_entries(words: tuple[str, ...]) -> list[list[tuple[str, ...]]]:
    """The diagnosis list's entries this text names exactly (by name, name without its bracketed
    part, or alias): each as all the phrases that entry can be said by."""
    out = []
    for _, phrases in _diagnosis_phrases():
        if words in phrases:
            out.append(list(phrases))
    return out


@cache
def _diagnosis_phrases() -> tuple[tuple[str, frozenset[tuple[str, ...]]], ...]:
    """Each entry of the shipped diagnosis list with every phrase it can be said by: its name, the
    name without its bracketed part, its aliases."""
    with resources.files("core.clinical").joinpath("data", "diagnoses.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    built = []
    for row in rows:
        name = row["name"].strip()
        fields = [name, re.sub(r"\([^)]*\)", " ", name), *(a for a in row["aliases"].split(";") if a.strip())]
        built.append((name, frozenset(p for p in (tuple(tokens(f)) for f in fields) if p)))
    return tuple(built)


@cache
def _diagnosis_index() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The diagnosis list's phrases by first word, longest first, for finding them in prose. A
    one-word phrase counts only from six letters: shorter ones include everyday words ("as",
    "gas", "cold", "pain") that name nothing in a sentence."""
    index: dict[str, set[tuple[str, ...]]] = {}
    for _, phrases in _diagnosis_phrases():
        for phrase in phrases:
            if len(phrase) > 1 or len(phrase[0]) >= 6:
                index.setdefault(phrase[0], set()).add(phrase)
    return {first: tuple(sorted(found, key=len, reverse=True)) for first, found in index.items()}


def _diagnoses_named(words: list[str]) -> list[tuple[str, ...]]:
    """The diagnosis-list phrases a sentence names, the longest at each place."""
    index, found, position = _diagnosis_index(), [], 0
    while position < len(words):
        for phrase in index.get(words[position], ()):
            if tuple(words[position:position + len(phrase)]) == phrase:
                found.append(phrase)
                position += len(phrase)
                break
        else:
            position += 1
    return found


def diagnosis_code(text: str) -> str | None:
    """The ICD-10 code of the diagnosis list's entry this text names exactly, if one does."""
    words = tuple(tokens(text))
    by_name = {t.name: t.code for t in all_diagnoses()}
    for name, phrases in _diagnosis_phrases():
        if words in phrases:
            return by_name.get(name)
    return None
