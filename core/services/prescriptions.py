"""Prescriptions as records: drafted, then signed and frozen. (The prescribing engine — shorthand,
catalogue and safety checks — builds on this.)"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlalchemy import select

from core import audit
from core.errors import ImmutableRecord, InvalidInput
from core.ids import uuid7
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import Encounter, Prescription, PrescriptionItem
from core.storage.types import utcnow
from core.validation import Input, Text, parse


class PrescriptionItemInput(Input):
    drug_name: Annotated[str, Field(min_length=1, max_length=200)]
    strength: Text = None
    form: Text = None
    dose: Text = None
    frequency: Text = None
    timing: Text = None
    route: Text = None
    duration_days: Annotated[int | None, Field(ge=1, le=365)] = None
    quantity: Annotated[float | None, Field(gt=0, le=10000)] = None
    instructions: Text = None


def create_prescription(db: Database, actor: Actor, encounter_id: str, items: list[PrescriptionItemInput | dict], notes: str | None = None) -> Prescription:
    if actor.role != "doctor":
        raise InvalidInput({"actor": "only a doctor can write a prescription"})
    parsed = [parse(PrescriptionItemInput, item, f"items[{n}]") for n, item in enumerate(items)]
    if not parsed:
        raise InvalidInput({"items": "a prescription needs at least one medicine"})
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        rx = Prescription(id=uuid7(), encounter_id=enc.id, patient_id=enc.patient_id, prescriber_id=actor.staff_id, status="draft", notes=notes)
        session.add(rx)
        session.flush()  # the parent row first; children reference it
        for n, item in enumerate(parsed, start=1):
            session.add(PrescriptionItem(prescription_id=rx.id, position=n, **item.model_dump()))
        session.flush()
        audit.record(session, "prescription.create", entity="prescription", entity_id=rx.id, patient_id=rx.patient_id, detail={"items": len(parsed)})
        return rx


def prescription_items(db: Database, prescription_id: str) -> list[PrescriptionItem]:
    with db.read() as session:
        return list(
            session.scalars(
                select(PrescriptionItem)
                .where(PrescriptionItem.prescription_id == prescription_id, PrescriptionItem.voided_at.is_(None))
                .order_by(PrescriptionItem.position)
            )
        )


def sign_prescription(db: Database, actor: Actor, prescription_id: str) -> Prescription:
    """Freeze the prescription under the prescriber's name; after this it can only be voided."""
    with db.write(actor) as session:
        rx = get_or_fail(session, Prescription, prescription_id)
        if rx.signed_at is not None:
            raise ImmutableRecord(f"prescription {rx.id} is already signed")
        if actor.staff_id != rx.prescriber_id:
            raise InvalidInput({"actor": "only the prescribing doctor can sign this prescription"})
        rx.status = "signed"
        rx.signed_at = utcnow()
        rx.signed_by = actor.staff_id
        audit.record(session, "prescription.sign", entity="prescription", entity_id=rx.id, patient_id=rx.patient_id)
        return rx
