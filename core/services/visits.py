"""The day's work: the queue, the consultation note, vitals and diagnoses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import ImmutableRecord, InvalidInput
from core.ids import uuid7
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import Appointment, Diagnosis, Encounter, Patient, Staff, Vitals
from core.storage.types import utcnow
from core.validation import Input, Text, VitalsInput, age_on, parse

# Which queue moves are allowed: a no-show can still turn up, a finished visit stays finished.
QUEUE_MOVES = {
    "booked": {"checked_in", "no_show", "cancelled"},
    "checked_in": {"in_consult", "no_show", "cancelled"},
    "in_consult": {"done"},
    "no_show": {"checked_in"},
    "done": set(),
    "cancelled": set(),
}


def clinic_day(db: Database, at: datetime | None = None) -> date:
    return (at or utcnow()).astimezone(ZoneInfo(db.settings.clinic_timezone)).date()


class AppointmentInput(Input):
    patient_id: str
    doctor_id: str | None = None
    kind: Literal["booked", "walk_in"] = "walk_in"
    scheduled_for: datetime | None = None
    reason: Text = None


def add_to_queue(db: Database, actor: Actor, data: AppointmentInput | dict) -> Appointment:
    """Book an appointment or take a walk-in; today's visits get the next token number."""
    appt = parse(AppointmentInput, data, "appointment")
    if appt.kind == "booked" and appt.scheduled_for is None:
        raise InvalidInput({"appointment.scheduled_for": "a booked appointment needs a date and time"})
    if appt.scheduled_for is not None and appt.scheduled_for.tzinfo is None:
        raise InvalidInput({"appointment.scheduled_for": "give the time with its time zone"})
    day = clinic_day(db, appt.scheduled_for)
    with db.write(actor) as session:
        get_or_fail(session, Patient, appt.patient_id)
        if appt.doctor_id:
            _doctor(session, appt.doctor_id)
        last = session.scalar(select(func.max(Appointment.token_number)).where(Appointment.clinic_date == day)) or 0
        row = Appointment(
            patient_id=appt.patient_id,
            doctor_id=appt.doctor_id,
            kind=appt.kind,
            scheduled_for=appt.scheduled_for,
            clinic_date=day,
            token_number=last + 1,
            status="checked_in" if appt.kind == "walk_in" else "booked",
            checked_in_at=utcnow() if appt.kind == "walk_in" else None,
            reason=appt.reason,
        )
        session.add(row)
        session.flush()
        audit.record(session, "queue.add", entity="appointment", entity_id=row.id, patient_id=row.patient_id, detail={"token": row.token_number, "kind": row.kind})
        return row


def move_in_queue(db: Database, actor: Actor, appointment_id: str, status: str) -> Appointment:
    with db.write(actor) as session:
        row = get_or_fail(session, Appointment, appointment_id)
        _move(row, status)
        audit.record(session, "queue.move", entity="appointment", entity_id=row.id, patient_id=row.patient_id, detail={"status": status})
        return row


def _move(row: Appointment, status: str) -> None:
    if status not in QUEUE_MOVES.get(row.status, set()):
        raise InvalidInput({"status": f"an appointment that is {row.status.replace('_', ' ')} cannot become {status.replace('_', ' ')}"})
    row.status = status
    if status == "checked_in":
        row.checked_in_at = utcnow()


def todays_queue(db: Database, day: date | None = None) -> list[Appointment]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Appointment)
                .where(Appointment.clinic_date == (day or clinic_day(db)), Appointment.voided_at.is_(None))
                .order_by(Appointment.token_number)
            )
        )


def _doctor(session: Session, staff_id: str) -> Staff:
    staff = get_or_fail(session, Staff, staff_id)
    if staff.role != "doctor":
        raise InvalidInput({"doctor_id": f"{staff.full_name} is not a doctor"})
    return staff


class NoteInput(Input):
    chief_complaint: Text = None
    history: Text = None
    examination: Text = None
    assessment: Text = None
    plan: Text = None
    advice: Text = None
    follow_up_on: date | None = None


def start_encounter(db: Database, actor: Actor, patient_id: str, doctor_id: str | None = None, appointment_id: str | None = None, note: NoteInput | dict | None = None) -> Encounter:
    note_in = parse(NoteInput, note or {}, "note")
    with db.write(actor) as session:
        get_or_fail(session, Patient, patient_id)
        if doctor_id:
            _doctor(session, doctor_id)
        if appointment_id:
            appt = get_or_fail(session, Appointment, appointment_id)
            if appt.patient_id != patient_id:
                raise InvalidInput({"appointment_id": "that appointment is for another patient"})
            _move(appt, "in_consult")
        enc = Encounter(id=uuid7(), patient_id=patient_id, doctor_id=doctor_id, appointment_id=appointment_id, status="in_progress", started_at=utcnow(), **note_in.model_dump())
        session.add(enc)
        session.flush()
        audit.record(session, "encounter.start", entity="encounter", entity_id=enc.id, patient_id=patient_id)
        return enc


def update_note(db: Database, actor: Actor, encounter_id: str, note: NoteInput | dict) -> Encounter:
    """Save the consultation note; only fields given change (the desk autosaves through this)."""
    given = parse(NoteInput, note, "note").model_dump(exclude_unset=True)
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        changed = sorted(k for k, v in given.items() if getattr(enc, k) != v)
        for key in changed:
            setattr(enc, key, given[key])
        if changed:
            audit.record(session, "encounter.note", entity="encounter", entity_id=enc.id, patient_id=enc.patient_id, detail={"fields": changed})
        return enc


def record_vitals(db: Database, actor: Actor, encounter_id: str, data: VitalsInput | dict) -> Vitals:
    vitals = parse(VitalsInput, data, "vitals")
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        fields = vitals.model_dump(exclude={"temperature_c", "temperature_f"})
        row = Vitals(encounter_id=enc.id, patient_id=enc.patient_id, recorded_at=utcnow(), recorded_by=actor.staff_id, temperature_c=vitals.celsius(), bmi=vitals.bmi(), **fields)
        session.add(row)
        session.flush()
        audit.record(session, "vitals.record", entity="vitals", entity_id=row.id, patient_id=enc.patient_id)
        return row


class DiagnosisInput(Input):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    code: Annotated[str | None, Field(max_length=20)] = None
    code_system: Literal["ICD-10", "ICD-11", "SNOMED-CT"] | None = None
    is_primary: bool = False


def add_diagnosis(db: Database, actor: Actor, encounter_id: str, data: DiagnosisInput | dict) -> Diagnosis:
    dx = parse(DiagnosisInput, data, "diagnosis")
    if dx.code and not dx.code_system:
        raise InvalidInput({"diagnosis.code_system": "a code needs its code system (ICD-10, ICD-11 or SNOMED-CT)"})
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        row = Diagnosis(encounter_id=enc.id, patient_id=enc.patient_id, **dx.model_dump())
        session.add(row)
        session.flush()
        audit.record(session, "diagnosis.add", entity="diagnosis", entity_id=row.id, patient_id=enc.patient_id, detail={"code": row.code})
        return row


def complete_encounter(db: Database, actor: Actor, encounter_id: str) -> Encounter:
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        enc.status = "completed"
        enc.ended_at = utcnow()
        if enc.appointment_id:
            appt = get_or_fail(session, Appointment, enc.appointment_id)
            if appt.status == "in_consult":
                _move(appt, "done")
        audit.record(session, "encounter.complete", entity="encounter", entity_id=enc.id, patient_id=enc.patient_id)
        return enc


def sign_encounter(db: Database, actor: Actor, encounter_id: str) -> Encounter:
    """The doctor signs the note: from now on it can only be voided or amended."""
    if actor.role != "doctor":
        raise InvalidInput({"actor": "only a doctor can sign a consultation note"})
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        if enc.signed_at is not None:
            raise ImmutableRecord(f"encounter {enc.id} is already signed")
        if enc.status != "completed":
            enc.status = "completed"
            enc.ended_at = enc.ended_at or utcnow()
        enc.signed_at = utcnow()
        enc.signed_by = actor.staff_id
        audit.record(session, "encounter.sign", entity="encounter", entity_id=enc.id, patient_id=enc.patient_id)
        return enc


def amend_encounter(db: Database, actor: Actor, encounter_id: str, reason: str) -> Encounter:
    """Start a correction of a signed note: a new note, pre-filled, that points at the original."""
    if not reason or len(reason.strip()) < 3:
        raise InvalidInput({"reason": "say why the signed note is being amended"})
    with db.write(actor) as session:
        original = get_or_fail(session, Encounter, encounter_id)
        if original.signed_at is None:
            raise InvalidInput({"encounter_id": "only a signed note is amended; edit an unsigned one directly"})
        copy = {k: getattr(original, k) for k in NoteInput.model_fields}
        enc = Encounter(id=uuid7(), patient_id=original.patient_id, doctor_id=original.doctor_id, status="in_progress", started_at=utcnow(), amends_id=original.id, **copy)
        session.add(enc)
        session.flush()
        audit.record(session, "encounter.amend", entity="encounter", entity_id=enc.id, patient_id=enc.patient_id, detail={"amends": original.id, "reason": reason.strip()})
        return enc


@dataclass(frozen=True)
class QueueEntry:
    """One line of the day's queue as the desks show it."""

    appointment_id: str
    token: int | None
    status: str
    kind: str
    patient_id: str
    name: str
    gender: str
    age: int | None
    mobile: str | None
    doctor_id: str | None
    doctor: str | None
    reason: str | None
    scheduled_for: datetime | None
    checked_in_at: datetime | None


def queue_board(db: Database, day: date | None = None) -> list[QueueEntry]:
    """The day's queue with who each entry is, in token order; cancelled entries left out."""
    day = day or clinic_day(db)
    with db.read() as session:
        rows = session.execute(
            select(Appointment, Patient.full_name, Patient.gender, Patient.date_of_birth, Patient.mobile, Staff.full_name)
            .join(Patient, Patient.id == Appointment.patient_id)
            .outerjoin(Staff, Staff.id == Appointment.doctor_id)
            .where(Appointment.clinic_date == day, Appointment.voided_at.is_(None), Appointment.status != "cancelled")
            .order_by(Appointment.token_number)
        )
        return [
            QueueEntry(a.id, a.token_number, a.status, a.kind, a.patient_id, name, gender, age_on(born, day) if born else None, mobile,
                       a.doctor_id, doctor, a.reason, a.scheduled_for, a.checked_in_at)
            for a, name, gender, born, mobile, doctor in rows
        ]
