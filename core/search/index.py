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

from sqlalchemy import event, text
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
        digits = re.sub(r"\D", "", value)
        if digits and digits != compact(value):
            ids += [digits, digits.lstrip("0") or "0"]
    return {
        "name": " ".join(words),
        "phonetic": " ".join(phonetic_key(w) for w in words),
        "numbers": " ".join(numbers),
        "ids": " ".join(ids),
    }


def reindex_patients(session: Session, patient_ids: Iterable[str]) -> None:
    conn = session.connection()
    for patient_id in set(patient_ids):
        row = conn.execute(
            text("SELECT rowid, full_name, mobile, abha_number, abha_address, voided_at FROM patient WHERE id = :id"),
            {"id": patient_id},
        ).one_or_none()
        if row is None:
            continue
        conn.execute(text("DELETE FROM patient_search WHERE rowid = :r"), {"r": row.rowid})
        if row.voided_at is not None:
            continue  # a voided registration is no longer found by search
        identifiers = conn.execute(
            text("SELECT value FROM patient_identifier WHERE patient_id = :id AND voided_at IS NULL"), {"id": patient_id}
        ).scalars()
        doc = index_document(row.full_name, row.mobile, row.abha_number, row.abha_address, identifiers)
        conn.execute(
            text("INSERT INTO patient_search(rowid, name, phonetic, numbers, ids) VALUES (:r, :name, :phonetic, :numbers, :ids)"),
            {"r": row.rowid, **doc},
        )
        _add_terms(conn, doc["name"].split())


def _add_terms(conn, words: list[str]) -> None:
    for word in words:
        # The word's own row doubles as "seen before": only a new word pays for its deletions.
        if conn.execute(text("INSERT OR IGNORE INTO search_term(variant, term) VALUES (:w, :w)"), {"w": word}).rowcount:
            variants = [{"v": v, "w": word} for v in deletes(word) if v != word]
            if variants:
                conn.execute(text("INSERT OR IGNORE INTO search_term(variant, term) VALUES (:v, :w)"), variants)


@event.listens_for(RecordSession, "after_flush")
def _reindex_changed(session: Session, _flush_context) -> None:
    touched = [o.id for o in session.new | session.dirty if isinstance(o, Patient)]
    touched += [o.patient_id for o in session.new | session.dirty if isinstance(o, PatientIdentifier)]
    if touched:
        reindex_patients(session, touched)
