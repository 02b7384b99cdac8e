"""Looking up diagnoses and investigations as a doctor types them.

A query matches an entry when every word of the query begins a word of the entry's name or of one
of its aliases ("type 2 dia", "htn", "dm"), or when it begins the entry's ICD-10 code ("E11",
"e11.9"). A name, alias or code typed in full ranks first; then the diagnoses this clinic has used
most; then prefix hits before word hits, and the name before an alias. The shipped files are read once, on first use.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

CODE_FORMAT = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$")
_CODE_QUERY = re.compile(r"^[a-z][0-9][0-9.]*$")
_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class DiagnosisTerm:
    code: str | None
    name: str
    matched: str  # the name, alias or code the query matched: shown when it is not the name


@dataclass(frozen=True)
class Investigation:
    name: str
    aliases: tuple[str, ...]
    kind: str  # lab | imaging | cardiac | other
    unit: str | None
    low_male: float | None
    high_male: float | None
    low_female: float | None
    high_female: float | None
    numeric: bool
    panels: tuple[str, ...]  # the panels (CBC, LFT, ...) this test is reported in


@dataclass(frozen=True)
class _Entry:
    code: str | None
    name: str
    fields: tuple[str, ...]  # name first, then aliases
    words: tuple[tuple[str, ...], ...]  # the words of each field
    uses: int = 0


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def _entry(code: str | None, name: str, aliases: Iterable[str], uses: int = 0) -> _Entry:
    fields = (name, *aliases)
    return _Entry(code, name, fields, tuple(_words(f) for f in fields), uses)


def _split(aliases: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in aliases.split(";") if a.strip())


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("core.clinical").joinpath("data", name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _diagnoses() -> tuple[_Entry, ...]:
    return tuple(_entry(r["code"].strip() or None, r["name"].strip(), _split(r["aliases"])) for r in _rows("diagnoses.csv"))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def _investigations() -> tuple[Investigation, ...]:
    return tuple(
        Investigation(
            name=r["name"].strip(),
            aliases=_split(r["aliases"]),
            kind=r["kind"].strip(),
            unit=r["unit"].strip() or None,
            low_male=_number(r["low_male"]),
            high_male=_number(r["high_male"]),
            low_female=_number(r["low_female"]),
            high_female=_number(r["high_female"]),
            numeric=r["numeric"].strip().lower() == "yes",
            panels=_split(r["panels"]),
        )
        for r in _rows("investigations.csv")
    )


@cache
def _investigation_index() -> dict[str, Investigation]:
    index: dict[str, Investigation] = {}
    for inv in _investigations():
        for label in (inv.name, *inv.aliases):
            index.setdefault(" ".join(_words(label)), inv)
    return index


@cache
def _investigation_entries() -> tuple[_Entry, ...]:
    return tuple(_entry(None, inv.name, inv.aliases) for inv in _investigations())


def all_diagnoses() -> list[DiagnosisTerm]:
    return [DiagnosisTerm(e.code, e.name, e.name) for e in _diagnoses()]


def all_investigations() -> list[Investigation]:
    return list(_investigations())


# -- matching -----------------------------------------------------------------------------------


def _field_rank(query: tuple[str, ...], joined: str, field_words: tuple[str, ...]) -> int | None:
    """0 the whole field typed, 1 the field begins with the query, 2 every query word begins a
    word of the field; None when a query word begins no word of the field."""
    text = " ".join(field_words)
    if text == joined:
        return 0
    if text.startswith(joined):
        return 1
    if all(any(w.startswith(q) for w in field_words) for q in query):
        return 2
    return None


def _match(entry: _Entry, query: tuple[str, ...], joined: str, code_query: str | None) -> tuple[tuple, str] | None:
    best: tuple | None = None
    matched = ""
    if code_query and entry.code:
        code = entry.code.lower().replace(".", "")
        if code.startswith(code_query):
            # A code typed ranks with the best word hits; the exact code first, then its children.
            best, matched = ((0 if code == code_query else 1), 0, len(code), entry.code.lower()), entry.code
    for n, words in enumerate(entry.words):
        rank = _field_rank(query, joined, words)
        if rank is None:
            continue
        # The name outranks an alias except for an alias typed in full ("htn", "AGE"), so "fever"
        # lists the fevers before "fever blister".
        tier = rank if rank == 0 else rank + (0 if n == 0 else 2)
        key = (tier, 0 if n == 0 else 1, len(entry.name), entry.name.lower())
        if best is None or key < best:
            best, matched = key, entry.fields[n]
    if best is None:
        return None
    # What was typed in full comes first; then what this clinic uses most; then the closer match.
    return (min(best[0], 1), -entry.uses, *best), matched


def _search(entries: Iterable[_Entry], text: str, limit: int) -> list[tuple[_Entry, str]]:
    query = _words(text)
    if not query or limit <= 0:
        return []
    joined = " ".join(query)
    compact = text.strip().lower().replace(" ", "")
    code_query = compact.replace(".", "") if _CODE_QUERY.match(compact) else None
    hits = []
    for entry in entries:
        found = _match(entry, query, joined, code_query)
        if found is not None:
            hits.append((found[0], entry, found[1]))
    hits.sort(key=lambda h: h[0])
    return [(entry, matched) for _, entry, matched in hits[:limit]]


def _with_clinic_usage(extra: Iterable[tuple]) -> list[_Entry]:
    """The vocabulary with the clinic's own diagnoses folded in: a text the vocabulary already
    has adds to that entry's uses; any other text becomes an entry of its own."""
    counts: dict[str, list] = {}
    for item in extra:
        text, code = (item[0] or "").strip(), item[1] if len(item) > 1 else None
        uses = int(item[2]) if len(item) > 2 else 1
        if not text:
            continue
        slot = counts.setdefault(text.lower(), [text, code or None, 0])
        slot[2] += uses
        slot[1] = slot[1] or code or None
    entries = []
    for e in _diagnoses():
        used = counts.pop(e.name.lower(), None)
        entries.append(e if used is None else _entry(e.code, e.name, e.fields[1:], used[2]))
    entries += [_entry(code, text, (), uses) for text, code, uses in counts.values()]
    return entries


def search_diagnoses(query: str, limit: int = 12, extra: Iterable[tuple[str, str | None]] = ()) -> list[DiagnosisTerm]:
    """Diagnoses for what the doctor typed, best first.

    `extra` is the clinic's own diagnoses as (text, code) pairs, one per use, or (text, code,
    count): those used more rank higher among equal matches, and free text the vocabulary lacks
    is offered too.
    """
    extra = list(extra)
    entries = _with_clinic_usage(extra) if extra else _diagnoses()
    return [DiagnosisTerm(e.code, e.name, matched) for e, matched in _search(entries, query, limit)]


def diagnosis_by_code(code: str) -> DiagnosisTerm | None:
    wanted = code.strip().upper()
    for e in _diagnoses():
        if e.code == wanted:
            return DiagnosisTerm(e.code, e.name, e.code)
    return None


def investigation(name: str) -> Investigation | None:
    """The investigation a name or alias stands for ("cbc", "HbA1c", "Fasting blood sugar")."""
    return _investigation_index().get(" ".join(_words(name or "")))


def search_investigations(query: str, limit: int = 12) -> list[Investigation]:
    by_name = {inv.name: inv for inv in _investigations()}
    return [by_name[e.name] for e, _ in _search(_investigation_entries(), query, limit)]


def panel_components(panel: str) -> list[Investigation]:
    """The tests reported under a panel, in the order a lab slip lists them (empty if not a panel)."""
    inv = investigation(panel)
    if inv is None:
        return []
    return [c for c in _investigations() if inv.name in c.panels]


def reference_range(inv: Investigation, gender: str | None) -> tuple[float | None, float | None]:
    """The adult reference range for this patient's sex. For other or unknown sex the range spans
    both, so nothing is flagged that would be normal for either."""
    if gender == "male":
        return inv.low_male, inv.high_male
    if gender == "female":
        return inv.low_female, inv.high_female
    lows, highs = (inv.low_male, inv.low_female), (inv.high_male, inv.high_female)
    low = None if None in lows else min(lows)
    high = None if None in highs else max(highs)
    return low, high
