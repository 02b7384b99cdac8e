"""Patient search: what the receptionist typed, turned into ranked patients.

How a query runs:
1. The text is read as name words, number parts (mobile / ABHA number, any part of either), an
   ABHA address (has '@') or an external id (letters and digits mixed).
2. Candidates come from the FTS5 index in widening phases, stopping as soon as a phase has found
   enough: exact words; word prefixes; same-sounding words (phonetic key); words one typo away
   (symmetric-delete lookup in `search_term`). Every phase is an indexed lookup with a LIMIT, so
   a common name ("Kumar" on 200,000 patients) costs no more than a rare one.
3. Candidates are ranked here, in Python, by how each query word met the name: exact beats
   prefix beats sound-alike beats typo; names that the query covers more fully come first.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import Connection

from core.search.index import compact
from core.search.names import deletes, edit_distance, name_tokens, phonetic_key
from core.validation import age_on

CANDIDATES = 100
_DIGITS_ONLY = re.compile(r"^[\d\s\-+()]+$")


@dataclass(frozen=True)
class PatientHit:
    id: str
    name: str
    gender: str
    age: int | None
    mobile: str | None
    abha_number: str | None
    abha_address: str | None
    score: float

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("score")
        return data


@dataclass
class _Query:
    words: list[str]  # name words
    numbers: list[str]  # digit strings, 3+ long
    ids: list[str]  # compacted external ids / ABHA address

    @property
    def empty(self) -> bool:
        return not (self.words or self.numbers or self.ids)


def parse_query(raw: str) -> _Query:
    raw = (raw or "").strip()
    if not raw:
        return _Query([], [], [])
    if "@" in raw:
        return _Query([], [], [compact(raw)])
    if not any(ch.isspace() for ch in raw):
        whole = compact(raw)
        if any(ch.isalpha() for ch in whole) and any(ch.isdigit() for ch in whole):
            return _Query([], [], [whole])  # an id typed as written: MRN-00123, UHID/2024/77
    if _DIGITS_ONLY.match(raw):
        digits = re.sub(r"\D", "", raw)
        if len(digits) == 12 and digits.startswith("91"):
            digits = digits[2:]  # +91 mobile
        elif len(digits) == 11 and digits.startswith("0"):
            digits = digits[1:]
        return _Query([], [digits] if len(digits) >= 3 else [], [])
    words, numbers, ids = [], [], []
    for token in name_tokens(raw):
        if token.isdigit():
            if len(token) >= 3:
                numbers.append(token)
        elif any(ch.isdigit() for ch in token):
            ids.append(token)
        else:
            words.append(token)
    return _Query(words, numbers, ids)


def search_patients(conn: Connection, raw: str, limit: int = 20) -> list[PatientHit]:
    query = parse_query(raw)
    if query.empty:
        return []
    cursor = conn.connection.driver_connection.cursor()  # the hot path skips SQLAlchemy's wrapping
    found: dict[int, None] = {}
    for loose, match in _phases(cursor, query, lambda: len(found)):
        if loose and found:
            break  # typo-fixing is for when nothing else matched: it must not bury real matches
        for (rowid,) in cursor.execute("SELECT rowid FROM patient_search WHERE patient_search MATCH ? LIMIT ?", (match, CANDIDATES)):
            found.setdefault(rowid)
        if len(found) >= limit:
            break
    if not found:
        return []
    return _rank(cursor, query, list(found), limit)


# Names repeat across thousands of patients: ranking looks the same words up again and again.
_sound = lru_cache(maxsize=200_000)(phonetic_key)


@lru_cache(maxsize=100_000)
def _words(full_name: str) -> tuple[str, ...]:
    return tuple(name_tokens(full_name))


def _quote(term: str) -> str:
    return '"' + term.replace('"', "") + '"'


def _phases(cursor, q: _Query, found_so_far):
    """(loose, FTS5 MATCH expression), strictest first; every word must match, in any order."""
    fixed = [f"(numbers:{_quote(n)}* OR ids:{_quote(n)}*)" for n in q.numbers]
    fixed += [f"ids:{_quote(i)}*" for i in q.ids]

    def conj(per_word: list[str]) -> str:
        return " AND ".join(per_word + fixed)

    if not q.words:
        yield False, conj([])
        return
    yield False, conj([f"name:{_quote(w)}" for w in q.words])
    yield False, conj([f"name:{_quote(w)}*" for w in q.words])
    # A half-typed word sounds like the start of the name: "naik" -> Naicker, "agarw" -> Aggarwal.
    sound = [f"(name:{_quote(w)}* OR phonetic:{_quote(_sound(w))}{'*' if len(w) >= 4 else ''})" for w in q.words]
    yield False, conj(sound)
    if found_so_far():
        return  # no need to look up corrections
    fuzzy = []
    for w, alt in zip(q.words, sound, strict=True):
        fixes = _corrections(cursor, w)
        fuzzy.append(alt[:-1] + "".join(f" OR name:{_quote(f)}" for f in fixes) + ")" if fixes else alt)
    if fuzzy != sound:
        yield True, conj(fuzzy)


def _corrections(cursor, word: str) -> list[str]:
    """Indexed name words within one typo (edit or swap) of `word`."""
    if len(word) < 4:
        return []
    variants = sorted(deletes(word))
    marks = ",".join("?" * len(variants))
    terms = [t for (t,) in cursor.execute(f"SELECT DISTINCT term FROM search_term WHERE variant IN ({marks})", variants)]
    return sorted(t for t in terms if t != word and edit_distance(word, t, 1) <= 1)


def _rank(cursor, q: _Query, rowids: list[int], limit: int) -> list[PatientHit]:
    marks = ",".join("?" * len(rowids))
    rows = cursor.execute(
        f"SELECT id, full_name, gender, date_of_birth, mobile, abha_number, abha_address FROM patient WHERE rowid IN ({marks})",
        rowids,
    ).fetchall()
    ids_by_patient: dict[str, list[str]] = {}
    if q.ids or q.numbers:
        pids = [r[0] for r in rows]
        pmarks = ",".join("?" * len(pids))
        for pid, value in cursor.execute(
            f"SELECT patient_id, value FROM patient_identifier WHERE voided_at IS NULL AND patient_id IN ({pmarks})", pids
        ):
            ids_by_patient.setdefault(pid, []).append(compact(value))
    today = date.today()
    query_keys = [_sound(w) for w in q.words]
    scored = []
    for pid, full_name, gender, born_text, mobile, abha_number, abha_address in rows:
        tokens = _words(full_name)
        score = _name_score(q.words, query_keys, tokens) if q.words else 0.0
        if score is None:
            continue
        score += _number_score(q.numbers, mobile, abha_number, ids_by_patient.get(pid, []))
        score += _id_score(q.ids, abha_address, ids_by_patient.get(pid, []))
        born = date.fromisoformat(born_text) if born_text else None
        hit = PatientHit(pid, full_name, gender, age_on(born, today) if born else None, mobile, abha_number, abha_address, round(score, 2))
        scored.append((-score, len(tokens), tokens, pid, hit))
    scored.sort(key=lambda s: s[:4])
    return [s[-1] for s in scored[:limit]]


def _name_score(words: list[str], keys: list[str], tokens: tuple[str, ...]) -> float | None:
    """How well the query words meet the name; None if some word meets nothing in it."""
    if not tokens:
        return None
    total = 0.0
    used: set[int] = set()
    positions = []
    for word, key in zip(words, keys, strict=True):
        best, best_at = 0.0, -1
        for i, tok in enumerate(tokens):
            if i in used:
                continue
            if tok == word:
                s = 100.0
            elif tok.startswith(word):
                s = 60.0 + 30.0 * len(word) / len(tok)
            elif best >= 55.0:
                continue  # a prefix match already beats anything the slower checks below can give
            elif _sound(tok) == key:
                # Sounds the same; the spelling closer to what was typed ranks first (Luxmi -> Laxmi).
                s = 50.0 + 5.0 * max(0, 2 - edit_distance(word, tok, 2))
            elif len(word) >= 4 and _sound(tok).startswith(key):
                s = 40.0
            elif len(word) >= 4 and edit_distance(word, tok, 1) <= 1:
                s = 45.0
            else:
                continue
            if s > best:
                best, best_at = s, i
        if best_at < 0:
            return None
        used.add(best_at)
        positions.append(best_at)
        total += best
    if positions == sorted(positions):
        total += 5.0  # typed in the order the name is written
    total += 10.0 * len(used) / len(tokens)  # "Ram" ranks Ram above Ram Prasad Sharma
    return total


def _number_score(numbers: list[str], mobile: str | None, abha_number: str | None, ids: list[str]) -> float:
    total = 0.0
    abha_digits = re.sub(r"\D", "", abha_number or "")
    for n in numbers:
        if mobile == n or abha_digits == n:
            total += 100.0
        elif mobile and mobile.endswith(n):
            total += 80.0  # receptionists ask for the last few digits
        elif (mobile and n in mobile) or (abha_digits and n in abha_digits):
            total += 60.0
        elif any(n in i for i in ids):
            total += 50.0
    return total


def _id_score(query_ids: list[str], abha_address: str | None, ids: list[str]) -> float:
    total = 0.0
    known = ids + ([compact(abha_address), compact(abha_address.split("@")[0])] if abha_address else [])
    for qi in query_ids:
        if qi in known:
            total += 100.0
        elif any(k.startswith(qi) for k in known):
            total += 70.0
    return total
