"""The transcript as the grounding check reads it: folded to plain lower-case words, with every
number recognised however it was said ("650", "six fifty", "paanch", "do baar", "ek hafta") and
every way of saying how often a medicine is taken.

A phrase is looked for as words in order. Long words forgive a letter or two, since speech-to-text
and typists spell medicine names as they hear them ("paracitamol", "azithromicin").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources

_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:\s*[-/]\s*\d+(?:\.\d+)?)+|\d+(?:\.\d+)?|[½¼¾]|[^\W\d_]+")
_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_HALF_PREFIX = {"saade", "sade", "saadhe", "sadhe"}
_DURATION_FILLERS = {"more", "full", "whole", "extra", "aur", "complete"}  # "5 more days", "do aur din"


def fold(text: str) -> str:
    """Lower case, accents and odd dashes gone: what every comparison here works on."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("–", "-").replace("—", "-").replace("−", "-").replace("×", "x")


def tokens(text: str) -> list[str]:
    """Words and numbers: "Dolo650 1-0-1" is ["dolo", "650", "1-0-1"]; "130/80" stays whole."""
    return [re.sub(r"\s+", "", t) for t in _TOKEN.findall(fold(text))]


@dataclass(frozen=True)
class Lexicon:
    english: dict[str, int]
    hindi: dict[str, int]
    hindi_before_counter: dict[str, int]
    fractions: dict[str, float]
    multipliers: dict[str, int]
    counters: frozenset[str]
    days: frozenset[str]
    weeks: frozenset[str]
    months: frozenset[str]
    times: frozenset[str]
    hours: frozenset[str]
    frequency: dict[tuple[str, ...], int]  # phrase -> doses a day
    vitals: dict[str, tuple[tuple[str, ...], ...]]
    concepts: dict[str, tuple[tuple[str, ...], ...]]
    qualifiers: frozenset[str]
    ignored_aliases: frozenset[str]
    medicine_spellings: dict[str, tuple[tuple[str, ...], ...]]  # generic (lower case) -> phrases

    def concepts_of(self, phrase: tuple[str, ...]) -> list[str]:
        return [name for name, phrases in self.concepts.items() if phrase in phrases]


def _phrases(values) -> tuple[tuple[str, ...], ...]:
    return tuple(t for t in (tuple(tokens(v)) for v in values) if t)


@cache
def lexicon() -> Lexicon:
    raw = tomllib.loads(resources.files("core.scribe").joinpath("data", "lexicon.toml").read_text(encoding="utf-8"))
    numbers, words = raw["numbers"], raw["words"]
    frequency = {phrase: int(per_day) for per_day, phrases in raw["frequency"].items() for phrase in _phrases(phrases)}
    return Lexicon(
        english=dict(numbers["english"]), hindi=dict(numbers["hindi"]), hindi_before_counter=dict(numbers["hindi_before_counter"]),
        fractions=dict(numbers["fractions"]), multipliers=dict(numbers["multipliers"]),
        counters=frozenset(words["counters"]), days=frozenset(words["days"]), weeks=frozenset(words["weeks"]), months=frozenset(words["months"]),
        times=frozenset(words["times"]), hours=frozenset(words["hours"]),
        frequency=frequency,
        vitals={k: _phrases(v) for k, v in raw["vitals"].items()},
        concepts={k: _phrases(v) for k, v in raw["concepts"].items()},
        qualifiers=frozenset(raw["diagnosis"]["qualifiers"]),
        ignored_aliases=frozenset(fold(a) for a in raw["diagnosis"]["ignored_aliases"]),
        medicine_spellings={k.lower(): _phrases(v) for k, v in raw["medicine_spellings"].items()},
    )


def is_number(token: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", token))


def close_enough(word: str, heard: str) -> bool:
    """Whether `heard` is `word` as speech-to-text or a typist might spell it."""
    if word == heard:
        return True
    if len(word) < 6 or is_number(word) or is_number(heard) or abs(len(word) - len(heard)) > 2 or word[0] != heard[0]:
        return False
    return _edit_distance(word, heard, 2 if len(word) >= 9 else 1) is not None


def _edit_distance(a: str, b: str, limit: int) -> int | None:
    """Optimal string alignment distance, or None when above `limit`."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return None
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else None


def number_values(token_list: list[str], lex: Lexicon | None = None) -> list[tuple[int, float]]:
    """Every number said, with the position of the word it starts at. Spoken numbers are read every
    way they can mean: "one thirty" is 1, 30 and 130 (a BP); "six fifty" is 650 (a strength)."""
    lex = lex or lexicon()
    out: list[tuple[int, float]] = []
    n = len(token_list)
    i = 0
    while i < n:
        token = token_list[i]
        if token[0].isdigit():
            for part in re.split(r"[-/]", token):
                if is_number(part):
                    out.append((i, float(part)))
            if is_number(token) and i + 1 < n and token_list[i + 1] in lex.multipliers:  # "5 sau", "2 hundred"
                out.append((i, float(token) * lex.multipliers[token_list[i + 1]]))
            i += 1
            continue
        if token in _VULGAR:
            out.append((i, _VULGAR[token]))
            i += 1
            continue
        run: list[tuple[str, float]] = []
        run_language = ""
        end = i
        while end < n:
            word = token_list[end]
            following = token_list[end + 1] if end + 1 < n else ""
            if word in lex.english or word in lex.hindi:
                language = "en" if word in lex.english else "hi"
                if run_language and language != run_language:
                    break  # "six fifty teen baar": 650, then 3 in Hindi
                run_language = language
                run.append(("num", float(lex.english.get(word, lex.hindi.get(word, 0)))))
            elif word in lex.hindi_before_counter and (following in lex.counters or following in lex.multipliers):
                run.append(("num", float(lex.hindi_before_counter[word])))
            elif word in lex.multipliers and run:
                run.append(("mult", float(lex.multipliers[word])))
            elif word in lex.fractions:
                run.append(("frac", float(lex.fractions[word])))
            elif word in ("and", "aur", "a") and run and following:
                run.append(("and", 0.0))
            elif word == "point" and run:
                run.append(("point", 0.0))
            elif word in _HALF_PREFIX and (following in lex.english or following in lex.hindi):
                run.append(("saade", 0.5))
            else:
                break
            end += 1
        if not run:
            i += 1
            continue
        out.extend((i, value) for value in sorted(_readings(run)))
        i = end
    return _with_periods(token_list, out, lex)


def _with_periods(token_list: list[str], found: list[tuple[int, float]], lex: Lexicon) -> list[tuple[int, float]]:
    """Weeks and months said are days too: "ek hafta" supports a 7-day course, "2 weeks" 14 days."""
    out = list(found)
    numbered: set[int] = set()
    for pos, value in found:
        for ahead in (1, 2):
            if pos + ahead < len(token_list):
                word = token_list[pos + ahead]
                if word in lex.weeks or word in lex.months:
                    out.append((pos, value * (7 if word in lex.weeks else 30)))
                    numbered.add(pos + ahead)
    for pos, word in enumerate(token_list):
        if (word in lex.weeks or word in lex.months) and pos not in numbered:  # "a week", "hafte bhar"
            out.append((pos, 7.0 if word in lex.weeks else 30.0))
            out.append((pos, 1.0))
    out.sort(key=lambda pair: pair[0])
    return out


def _readings(run: list[tuple[str, float]]) -> set[float]:
    """The values a run of spoken number words can mean."""
    readings = {v for kind, v in run if kind in ("num", "frac")}
    point = next((k for k, (kind, _) in enumerate(run) if kind == "point"), None)
    whole_part = run if point is None else run[:point]
    whole = _spoken_whole([(kind, v) for kind, v in whole_part if kind in ("num", "mult")])
    if whole is not None:
        readings.add(whole)
    if point is not None and whole is not None:  # "ninety eight point six"
        digits = [int(v) for kind, v in run[point + 1:] if kind == "num" and v < 10]
        if digits:
            readings.add(float(f"{int(whole)}.{''.join(map(str, digits))}"))
    numbers = [v for kind, v in whole_part if kind == "num"]
    if run[-1][0] == "frac" and numbers:  # "one and a half"
        readings.add(numbers[0] + run[-1][1])
    if run[0][0] == "saade" and numbers:  # "saade teen" is three and a half
        readings.add(numbers[0] + 0.5)
    # "one thirty", "six fifty", "one twenty five": hundreds said as a leading number
    if len(numbers) >= 2 and all(kind != "mult" for kind, _ in whole_part) and 1 <= numbers[0] <= 19 and numbers[1] >= 10:
        readings.add(numbers[0] * 100 + numbers[1])
        rest = _spoken_whole([("num", v) for v in numbers[1:]])
        if rest is not None and rest < 100:
            readings.add(numbers[0] * 100 + rest)
    return readings


def _spoken_whole(parts: list[tuple[str, float]]) -> float | None:
    """"one hundred and two" is 102, "ninety eight" 98; None for words that do not make one number
    ("six fifty", "thirty forty")."""
    if not parts:
        return None
    total, current = 0.0, 0.0
    for kind, v in parts:
        if kind == "mult":
            if v >= 1000:
                total += (current or 1) * v
                current = 0.0
            else:
                current = (current or 1) * v
            continue
        below_hundred = current % 100
        if current and not (below_hundred == 0 or (below_hundred >= 20 and below_hundred % 10 == 0 and v < 10)):
            return None
        current += v
    return total + current


class Said:
    """One transcript, indexed once: words, the numbers in them and how often things are taken."""

    def __init__(self, text: str) -> None:
        self.lex = lexicon()
        self.text = text
        self.words: list[str] = []
        self.line_starts: list[int] = []  # the word position each line of the transcript starts at
        for line in text.splitlines() or [text]:
            self.line_starts.append(len(self.words))
            self.words += tokens(line)
        self.numbers = number_values(self.words, self.lex)
        self._number_positions = [pos for pos, _ in self.numbers]
        self.per_day = _per_day_mentions(self.words, self.lex)
        self._per_day_positions = [pos for pos, _ in self.per_day]
        self.durations = _duration_mentions(self.words, self.numbers, self.lex)
        self._duration_positions = [pos for pos, _ in self.durations]
        self._vocabulary = set(self.words)
        self._found: dict[tuple[tuple[str, ...], bool], list[tuple[int, int]]] = {}
        self._spellings: dict[tuple[str, bool], set[str]] = {}
        self._positions: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            self._positions.setdefault(word, []).append(position)

    # -- phrases ------------------------------------------------------------------------------

    def find(self, phrase: tuple[str, ...] | list[str], fuzzy: bool = True) -> list[tuple[int, int]]:
        """Where the phrase was said, as (start, end) word positions."""
        phrase = tuple(phrase)
        if not phrase:
            return []
        key = (phrase, fuzzy)
        if key not in self._found:
            self._found[key] = self._find(phrase, fuzzy)
        return list(self._found[key])

    def _heard_as(self, word: str, fuzzy: bool) -> set[str]:
        """The transcript's words that are `word` as said (itself, or a near spelling)."""
        key = (word, fuzzy)
        if key not in self._spellings:
            if not fuzzy or len(word) < 6 or is_number(word):
                self._spellings[key] = {word} & self._vocabulary
            else:
                self._spellings[key] = {w for w in self._vocabulary if close_enough(word, w)}
        return self._spellings[key]

    def _find(self, phrase: tuple[str, ...], fuzzy: bool) -> list[tuple[int, int]]:
        words, size = self.words, len(phrase)
        found: list[tuple[int, int]] = []
        rest = [self._heard_as(p, fuzzy) for p in phrase[1:]]
        for first in self._heard_as(phrase[0], fuzzy):
            for start in self._positions[first]:
                if start + size <= len(words) and all(words[start + k] in heard for k, heard in enumerate(rest, start=1)):
                    found.append((start, start + size))
        if fuzzy and size == 1 and len(phrase[0]) >= 6:
            # a name split in two by speech-to-text: "para cetamol", "azithro mycin"
            target = phrase[0]
            for start in range(len(words) - 1):
                a, b = words[start], words[start + 1]
                if a[0] == target[0] and abs(len(a) + len(b) - len(target)) <= 2 and not is_number(a) and close_enough(target, a + b):
                    found.append((start, start + 2))
        return sorted(found)

    def said_any(self, phrases) -> bool:
        return any(self.find(p) for p in phrases)

    # -- numbers and frequencies in a stretch of the transcript -------------------------------

    def numbers_between(self, start: int, end: int) -> set[float]:
        lo, hi = bisect_left(self._number_positions, max(0, start)), bisect_right(self._number_positions, end)
        return {value for _, value in self.numbers[lo:hi]}

    def per_day_between(self, start: int, end: int) -> set[Fraction]:
        lo, hi = bisect_left(self._per_day_positions, max(0, start)), bisect_right(self._per_day_positions, end)
        return {value for _, value in self.per_day[lo:hi]}

    def durations_between(self, start: int, end: int) -> set[float]:
        """Courses said in this stretch, in days ("paanch din" 5, "two weeks" 14, "ek mahina" 30)."""
        lo, hi = bisect_left(self._duration_positions, max(0, start)), bisect_right(self._duration_positions, end)
        return {value for _, value in self.durations[lo:hi]}

    def line_start(self, position: int) -> int:
        """The first word position of the line holding `position`."""
        return self.line_starts[max(0, bisect_right(self.line_starts, position) - 1)] if self.line_starts else 0

    def all_numbers(self) -> set[float]:
        return {value for _, value in self.numbers}


def _duration_mentions(words: list[str], numbers: list[tuple[int, float]], lex: Lexicon) -> list[tuple[int, float]]:
    """How long, in days, wherever a number is said with days, weeks or months after it (or a
    week or a month with none: "for a week", "hafte bhar"); "5/7" is five days."""
    out: list[tuple[int, float]] = []
    counted: set[int] = set()
    for pos, value in numbers:
        for ahead in (1, 2):
            if ahead == 2 and (pos + 1 >= len(words) or words[pos + 1] not in _DURATION_FILLERS):
                break  # "10 ml din mein": the 10 is a dose, not days
            word = words[pos + ahead] if pos + ahead < len(words) else ""
            factor = 1 if word in lex.days else 7 if word in lex.weeks else 30 if word in lex.months else None
            if factor is not None:
                out.append((pos, value * factor))
                counted.add(pos + ahead)
                break
        token = words[pos]
        if re.fullmatch(r"\d{1,3}/7", token):
            out.append((pos, float(token.split("/")[0])))
    for pos, word in enumerate(words):
        if pos not in counted and (word in lex.weeks or word in lex.months):
            out.append((pos, 7.0 if word in lex.weeks else 30.0))
    out.sort(key=lambda pair: pair[0])
    return out


def _per_day_mentions(words: list[str], lex: Lexicon) -> list[tuple[int, Fraction]]:
    """Every way of saying "so many times a day", with where it was said."""
    out: list[tuple[int, Fraction]] = []
    longest = max((len(p) for p in lex.frequency), default=1)
    numbers = dict()
    for pos, value in number_values(words, lex):
        numbers.setdefault(pos, set()).add(value)
    for i, word in enumerate(words):
        for size in range(1, longest + 1):
            phrase = tuple(words[i:i + size])
            if len(phrase) == size and phrase in lex.frequency:
                out.append((i, Fraction(lex.frequency[phrase])))
        if re.fullmatch(r"[\d.½]+(?:-[\d.½]+){2,3}", word):  # 1-0-1, ½-0-½
            slots = [s for s in word.split("-") if s not in ("0", "0.0")]
            out.append((i, Fraction(len(slots))))
        following = words[i + 1] if i + 1 < len(words) else ""
        after = words[i + 2] if i + 2 < len(words) else ""
        if following in lex.times:  # "3 times", "teen baar", "do baar"
            for value in numbers.get(i, ()):
                if 0 < value <= 12 and float(value).is_integer():
                    out.append((i, Fraction(int(value))))
        hours = None
        if following in lex.hours and i in numbers:  # "8 hourly", "aath ghante"
            hours = numbers[i]
        elif word in ("every", "har", "q") and following and (i + 1) in numbers and after in lex.hours:
            hours = numbers[i + 1]
        for value in hours or ():
            if 0 < value <= 24 and float(value).is_integer():
                out.append((i, Fraction(24, int(value))))
    out.sort(key=lambda pair: pair[0])
    return out
