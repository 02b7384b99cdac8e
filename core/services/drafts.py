"""Autosave: what a doctor has typed into a visit, kept every few seconds so a power cut or a crash
loses at most that much.

A draft is local to this PC (typing in progress does not travel) and is not audited (it is not yet
part of the record). Saving the visit folds it into the record through `consult.save_visit`, which
removes the draft in the same transaction; reopening a visit that has a draft offers it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import Encounter, VisitDraft
from core.storage.types import utcnow

MAX_DRAFT_CHARS = 200_000  # far beyond any visit; a runaway paste is refused rather than stored


@dataclass(frozen=True)
class Draft:
    encounter_id: str
    saved_at: datetime
    body: dict


def save_draft(db: Database, actor: Actor, encounter_id: str, body: dict) -> datetime:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_DRAFT_CHARS:
        raise ValueError(f"the visit being typed is over {MAX_DRAFT_CHARS:,} characters; it was not autosaved")
    with db.write(actor) as session:
        get_or_fail(session, Encounter, encounter_id)
        row = session.get(VisitDraft, encounter_id)
        if row is None:
            row = VisitDraft(encounter_id=encounter_id)
            session.add(row)
        row.staff_id, row.saved_at, row.body = actor.staff_id, utcnow(), text
        return row.saved_at


def load_draft(db: Database, encounter_id: str) -> Draft | None:
    with db.read() as session:
        row = session.get(VisitDraft, encounter_id)
        return Draft(row.encounter_id, row.saved_at, json.loads(row.body)) if row else None


def drafts_by(db: Database, staff_id: str) -> list[Draft]:
    """Visits this person left unsaved (the desk offers them back after a crash)."""
    with db.read() as session:
        rows = session.scalars(select(VisitDraft).where(VisitDraft.staff_id == staff_id).order_by(VisitDraft.saved_at.desc()))
        return [Draft(r.encounter_id, r.saved_at, json.loads(r.body)) for r in rows]
