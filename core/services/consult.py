"""The visit as the consult desk edits it: note, vitals, diagnoses and tests ordered, saved together.

The desk holds the whole visit in one form and saves it in one transaction, so a save either lands
whole or leaves the record as it was (a half-saved visit — note saved, diagnoses not — would be
worse than none). What was typed since the last save lives in the autosave draft (drafts.py), which
the same transaction removes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import ImmutableRecord, InvalidInput
from core.services.common import get_or_fail
from core.services.staff_access import require_clinician
from core.services.visits import DiagnosisInput, NoteInput, _move
from core.storage.database import Actor, Database
from core.storage.models import Appointment, Diagnosis, Encounter, LabOrder, LabResult, VisitDraft, Vitals
from core.storage.types import utcnow
from core.validation import VitalsInput, parse

VITAL_FIELDS = tuple(f for f in VitalsInput.model_fields if f != "temperature_f")


class VisitForm(NoteInput):
    vitals: dict = {}
    diagnoses: list[DiagnosisInput] = []
    investigations: list[Annotated[str, Field(min_length=2, max_length=200)]] = []

    @field_validator("investigations")
    @classmethod
    def _distinct(cls, names: list[str]) -> list[str]:
        seen, out = set(), []
        for name in (n.strip() for n in names):
            if name.lower() not in seen:
                seen.add(name.lower())
                out.append(name)
        return out


@dataclass(frozen=True)
class VisitState:
    """A visit as the editor shows it (plain data, safe to hand to another thread)."""

    encounter_id: str
    patient_id: str
    signed: bool
    status: str
    form: dict


def load_visit(db: Database, actor: Actor, encounter_id: str) -> VisitState:
    require_clinician(actor)
    with db.read() as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        return VisitState(enc.id, enc.patient_id, enc.signed_at is not None, enc.status, _form_of(session, enc))


def _form_of(session: Session, enc: Encounter) -> dict:
    form = {k: getattr(enc, k) for k in NoteInput.model_fields}
    vitals = _current_vitals(session, enc.id)
    form["vitals"] = {k: getattr(vitals, k) for k in VITAL_FIELDS if getattr(vitals, k) is not None} if vitals else {}
    form["diagnoses"] = [{"text": d.text, "code": d.code, "code_system": d.code_system, "is_primary": d.is_primary}
                         for d in _live(session, Diagnosis, enc.id, Diagnosis.created_at)]
    form["investigations"] = [o.test_name for o in _live(session, LabOrder, enc.id, LabOrder.created_at)]
    return form


def _live(session: Session, model, encounter_id: str, order=None):
    query = select(model).where(model.encounter_id == encounter_id, model.voided_at.is_(None))
    return session.scalars(query.order_by(order) if order is not None else query)


def _current_vitals(session: Session, encounter_id: str) -> Vitals | None:
    return session.scalars(select(Vitals).where(Vitals.encounter_id == encounter_id, Vitals.voided_at.is_(None))
                           .order_by(Vitals.recorded_at.desc())).first()


def save_visit(db: Database, actor: Actor, encounter_id: str, form: VisitForm | dict) -> VisitState:
    """Save the whole visit as the editor holds it; removes the autosave draft."""
    require_clinician(actor)
    visit = parse(VisitForm, form, "visit")
    vitals = _vitals(visit.vitals)
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        _apply(session, actor, enc, visit, vitals)
        return VisitState(enc.id, enc.patient_id, enc.signed_at is not None, enc.status, _form_of(session, enc))


def finish_visit(db: Database, actor: Actor, encounter_id: str, form: VisitForm | dict) -> VisitState:
    """Save, then close the visit: a doctor's note is signed (from then on only amended), the
    queue entry is done. One transaction: a refused signature leaves the visit open and unsaved."""
    require_clinician(actor)
    visit = parse(VisitForm, form, "visit")
    vitals = _vitals(visit.vitals)
    if not (visit.chief_complaint or visit.diagnoses):
        raise InvalidInput({"visit": "write the complaint or a diagnosis before finishing the visit"})
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        _apply(session, actor, enc, visit, vitals)
        enc.status, enc.ended_at = "completed", enc.ended_at or utcnow()
        if actor.role == "doctor":
            enc.signed_at, enc.signed_by = utcnow(), actor.staff_id
        if enc.appointment_id:
            appt = get_or_fail(session, Appointment, enc.appointment_id)
            if appt.status == "in_consult":
                _move(appt, "done")
        session.flush()
        audit.record(session, "encounter.sign" if enc.signed_at else "encounter.complete", entity="encounter", entity_id=enc.id, patient_id=enc.patient_id)
        return VisitState(enc.id, enc.patient_id, enc.signed_at is not None, enc.status, _form_of(session, enc))


def _vitals(values: dict) -> VitalsInput | None:
    given = {k: v for k, v in values.items() if v not in (None, "")}
    if not given or set(given) == {"glucose_context"}:
        return None
    return parse(VitalsInput, given, "vitals")


def _apply(session: Session, actor: Actor, enc: Encounter, visit: VisitForm, vitals: VitalsInput | None) -> None:
    if enc.signed_at is not None:
        raise ImmutableRecord("this visit's note is signed; amend it to make a correction")
    changed = []
    for key in NoteInput.model_fields:
        value = getattr(visit, key)
        if getattr(enc, key) != value:
            setattr(enc, key, value)
            changed.append(key)
    changed += _apply_vitals(session, actor, enc, vitals)
    changed += _apply_diagnoses(session, actor, enc, visit.diagnoses)
    changed += _apply_investigations(session, actor, enc, visit.investigations)
    draft = session.get(VisitDraft, enc.id)
    if draft is not None:
        session.delete(draft)
    session.flush()
    if changed:
        audit.record(session, "visit.save", entity="encounter", entity_id=enc.id, patient_id=enc.patient_id, detail={"changed": changed})


def _apply_vitals(session: Session, actor: Actor, enc: Encounter, vitals: VitalsInput | None) -> list[str]:
    current = _current_vitals(session, enc.id)
    if vitals is None:
        if current is not None:  # cleared in the editor: the reading is voided, not lost
            current.voided_at, current.voided_by, current.void_reason = utcnow(), actor.staff_id, "cleared in the visit editor"
            return ["vitals"]
        return []
    values = vitals.model_dump(exclude={"temperature_c", "temperature_f"}) | {"temperature_c": vitals.celsius(), "bmi": vitals.bmi()}
    if current is None:
        session.add(Vitals(encounter_id=enc.id, patient_id=enc.patient_id, recorded_at=utcnow(), recorded_by=actor.staff_id, **values))
        return ["vitals"]
    if all(getattr(current, k) == v for k, v in values.items()):
        return []
    for k, v in values.items():
        setattr(current, k, v)
    current.recorded_by = actor.staff_id
    return ["vitals"]


def _apply_diagnoses(session: Session, actor: Actor, enc: Encounter, wanted: list[DiagnosisInput]) -> list[str]:
    for dx in wanted:
        if dx.code and not dx.code_system:
            raise InvalidInput({"diagnosis.code_system": f"{dx.text}: a code needs its code system (ICD-10, ICD-11 or SNOMED-CT)"})
    existing = {(d.text.strip().lower(), d.code): d for d in _live(session, Diagnosis, enc.id)}
    keep = {(dx.text.strip().lower(), dx.code): dx for dx in wanted}
    changed = False
    for key, row in existing.items():
        if key not in keep:
            row.voided_at, row.voided_by, row.void_reason = utcnow(), actor.staff_id, "removed in the visit editor"
            changed = True
        elif row.is_primary != keep[key].is_primary:
            row.is_primary = keep[key].is_primary
            changed = True
    for key, dx in keep.items():
        if key not in existing:
            session.add(Diagnosis(encounter_id=enc.id, patient_id=enc.patient_id, **dx.model_dump()))
            changed = True
    return ["diagnoses"] if changed else []


def _apply_investigations(session: Session, actor: Actor, enc: Encounter, wanted: list[str]) -> list[str]:
    existing = {o.test_name.lower(): o for o in _live(session, LabOrder, enc.id)}
    keep = {name.lower(): name for name in wanted}
    changed = False
    for key, order in existing.items():
        if key in keep:
            continue
        has_result = session.scalar(select(LabResult.id).where(LabResult.lab_order_id == order.id, LabResult.voided_at.is_(None)).limit(1))
        if has_result:
            raise InvalidInput({"investigations": f"{order.test_name} already has a result and stays on the visit"})
        order.voided_at, order.voided_by, order.void_reason = utcnow(), actor.staff_id, "removed in the visit editor"
        changed = True
    for key, name in keep.items():
        if key not in existing:
            session.add(LabOrder(encounter_id=enc.id, patient_id=enc.patient_id, ordered_by=actor.staff_id, test_name=name, status="ordered"))
            changed = True
    return ["investigations"] if changed else []



def open_consult(db: Database, actor: Actor, patient_id: str, appointment_id: str | None = None) -> str:
    """The visit the doctor types into: today's unfinished visit for this patient if there is one
    (a crash or a second click must not start a second visit), else a new one. Returns its id."""
    require_clinician(actor)
    with db.write(actor) as session:
        query = select(Encounter).where(Encounter.patient_id == patient_id, Encounter.status == "in_progress", Encounter.voided_at.is_(None))
        if appointment_id:
            query = query.where(Encounter.appointment_id == appointment_id)
        open_visit = session.scalars(query.order_by(Encounter.started_at.desc())).first()
        if open_visit is not None:
            return open_visit.id
        from core.ids import uuid7  # noqa: PLC0415

        if appointment_id:
            appt = get_or_fail(session, Appointment, appointment_id)
            if appt.patient_id != patient_id:
                raise InvalidInput({"appointment": "that queue entry is for another patient"})
            if appt.status in ("booked", "no_show"):
                _move(appt, "checked_in")
            if appt.status == "checked_in":
                _move(appt, "in_consult")
        enc = Encounter(id=uuid7(), patient_id=patient_id, doctor_id=actor.staff_id if actor.role == "doctor" else None,
                        appointment_id=appointment_id, status="in_progress", started_at=utcnow())
        session.add(enc)
        session.flush()
        audit.record(session, "encounter.start", entity="encounter", entity_id=enc.id, patient_id=patient_id)
        return enc.id
