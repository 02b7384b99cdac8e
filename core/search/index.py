"""Keeps the patient search index in step with the record, inside the same transaction.

The index is a contentless FTS5 table (`patient_search`, rowid = the patient row's rowid) with four
columns: `name` (folded name words), `phonetic` (a spelling-variant key per word), `numbers`
(every suffix of the mobile and ABHA number, so "any part of the mobile" is a prefix lookup) and
`ids` (ABHA address and external ids, punctuation removed). `search_term` holds each name word
and its one-letter deletions for spelling correction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.search.names import deletes, fold, name_tokens, phonetic_key
from core.storage.models import Patient, PatientIdentifier
from core.storage.outbox import RecordSession

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
MIN_NUMBER_PART = 3


def compact(value: str) -> str:
    """An identifier reduced to lowercase letters and digits: 'MRN-0012/A' -> 'mrn0012a'."""
    return _NON_ALNUM.sub("", fold(value))


def digit_suffixes(digits: str, shortest: int = MIN_NUMBER_PART) -> list[str]:
    return [digits[i:] for i in range(0, len(digits) - shortest + 1)]


def index_document(full_name: str, mobile: str | None, abha_number: str | None, abha_address: str | None, identifiers: Iterable[str]) -> dict[str, str]:
    words = name_tokens(full_name)
    numbers: list[str] = []
    if mobile:
        numbers += digit_suffixes(mobile)
    if abha_number:
        numbers += digit_suffixes(re.sub(r"\D", "", abha_number), 4)
    ids: list[str] = []
    if abha_address:
        ids += [compact(abha_address), compact(abha_address.split("@", 1)[0])]
    for value in identifiers:
        ids.append(compact(value))
        # Each run of digits on its own too: people quote the serial at the end of UHID/2023/004512.
        for run in re.findall(r"\d+", value):
            ids += [run, run.lstrip("0") or "0"]
    return {
        "name": " ".join(words),
        "phonetic": " ".join(phonetic_key(w) for w in words),
        "numbers": " ".join(numbers),
        "ids": " ".join(ids),
    }


def reindex_patients(session: Session, patient_ids: Iterable[str]) -> None:
    """Rewrite the index rows of these patients (in the caller's transaction), in batches."""
    cursor = session.connection().connection.driver_connection.cursor()
    ids = list(dict.fromkeys(patient_ids))
    for start in range(0, len(ids), _CHUNK):
        _reindex_chunk(cursor, ids[start : start + _CHUNK])


_CHUNK = 500


def _reindex_chunk(cursor, ids: list[str]) -> None:
    marks = ",".join("?" * len(ids))
    rows = cursor.execute(
        f"SELECT rowid, id, full_name, mobile, abha_number, abha_address, voided_at FROM patient WHERE id IN ({marks})", ids
    ).fetchall()
    identifiers: dict[str, list[str]] = {}
    for pid, value in cursor.execute(
        f"SELECT patient_id, value FROM patient_identifier WHERE voided_at IS NULL AND patient_id IN ({marks})", ids
    ):
        identifiers.setdefault(pid, []).append(value)
    cursor.executemany("DELETE FROM patient_search WHERE rowid = ?", [(r[0],) for r in rows])
    documents = []
    words: dict[str, None] = {}
    for rowid, pid, full_name, mobile, abha_number, abha_address, voided_at in rows:
        if voided_at is not None:
            continue  # a voided registration is no longer found by search
        doc = index_document(full_name, mobile, abha_number, abha_address, identifiers.get(pid, ()))
        documents.append((rowid, doc["name"], doc["phonetic"], doc["numbers"], doc["ids"]))
        words.update(dict.fromkeys(doc["name"].split()))
    cursor.executemany("INSERT INTO patient_search(rowid, name, phonetic, numbers, ids) VALUES (?, ?, ?, ?, ?)", documents)
    _add_terms(cursor, list(words))


def _add_terms(cursor, words: list[str]) -> None:
    new_variants = []
    for word in words:
        # The word's own row doubles as "seen before": only a new word pays for its deletions.
        cursor.execute("INSERT OR IGNORE INTO search_term(variant, term) VALUES (?, ?)", (word, word))
        if cursor.rowcount:
            new_variants += [(v, word) for v in deletes(word) if v != word]
    if new_variants:
        cursor.executemany("INSERT OR IGNORE INTO search_term(variant, term) VALUES (?, ?)", new_variants)


@event.listens_for(RecordSession, "after_flush")
def _reindex_changed(session: Session, _flush_context) -> None:
    touched = [o.id for o in session.new | session.dirty if isinstance(o, Patient)]
    touched += [o.patient_id for o in session.new | session.dirty if isinstance(o, PatientIdentifier)]
    if touched:
        reindex_patients(session, touched)
