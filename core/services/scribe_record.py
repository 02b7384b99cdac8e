"""What the audit trail keeps of the AI scribe: each section of a drafted note the doctor accepted
into a visit, which model drafted it, whether the doctor changed it first, and a hash of the text
as accepted.

The text itself is not copied into the audit trail: it goes into the visit through the editor and
is saved with it, and the hash ties the two together (the audit event shows what was AI-drafted
without the trail becoming a second copy of the notes). A draft that was never accepted leaves no
trace at all, as nothing from it reached the record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core import audit
from core.errors import ImmutableRecord, InvalidInput
from core.services.common import get_or_fail
from core.services.staff_access import require_clinician
from core.storage.database import Actor, Database
from core.storage.models import Encounter

ACTION = "scribe.accepted"
SECTIONS = ("subjective", "objective", "assessment", "plan", "vitals", "diagnoses", "medications", "investigations", "advice", "follow_up")


@dataclass(frozen=True)
class Acceptance:
    encounter_id: str
    section: str
    sha256: str
    audit_event_id: str


def text_hash(text: str) -> str:
    """SHA-256 of the accepted text, line endings and the ends of lines made uniform, so the same
    words give the same hash however the box held them."""
    canonical = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_accepted(db: Database, actor: Actor, encounter_id: str, section: str, text: str, *, provider: str, model: str,
                    edited: bool, items: int | None = None) -> Acceptance:
    """Record that the doctor accepted a drafted section into this visit. Refused for a signed
    visit (the accepted text could no longer reach it) and for an empty section."""
    require_clinician(actor)
    if section not in SECTIONS:
        raise InvalidInput({"section": f"{section!r} is not a section of a drafted note ({', '.join(SECTIONS)})"})
    if not text.strip():
        raise InvalidInput({"section": f"the {section.replace('_', '-')} section is empty: there is nothing to accept"})
    digest = text_hash(text)
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        if enc.signed_at is not None:
            raise ImmutableRecord("this visit's note is signed; a drafted section cannot be added to it (amend the visit instead)")
        detail = {"section": section, "provider": provider, "model": model, "sha256": digest, "edited": edited,
                  "characters": len(text.strip())}
        if items is not None:
            detail["items"] = items
        event = audit.record(session, ACTION, entity="encounter", entity_id=enc.id, patient_id=enc.patient_id, detail=detail)
        return Acceptance(enc.id, section, digest, event.id)
