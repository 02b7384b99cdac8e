"""Importing past visits in bulk: a clinic moving from paper or other software, and demo data.

Many visits go in one transaction through the same rows, change records and audit events as a
visit recorded at the desk; each imported visit is audited as `visit.import` with its source.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from core import audit
from core.errors import InvalidInput
from core.ids import uuid7
from core.services.billing import BillItemInput, Paise
from core.services.common import get_or_fail
from core.services.labs import LabResultInput, flag_for
from core.services.prescriptions import PrescriptionItemInput
from core.services.visits import DiagnosisInput, NoteInput
from core.storage.database import Actor, Database
from core.storage.models import (
    Bill,
    BillItem,
    Diagnosis,
    Encounter,
    LabOrder,
    LabResult,
    Patient,
    Payment,
    Prescription,
    PrescriptionItem,
    Staff,
    Vitals,
)
from core.storage.types import utcnow
from core.validation import Input, VitalsInput, parse


class PastLabOrder(Input):
    test_name: Annotated[str, Field(min_length=1, max_length=200)]
    results: list[LabResultInput] = []


class PastBill(Input):
    items: Annotated[list[BillItemInput], Field(min_length=1)]
    discount: Paise = 0
    paid_by: Literal["cash", "card", "upi"] | None = None


class PastVisitInput(Input):
    patient_id: str
    doctor_id: str
    started_at: AwareDatetime
    note: NoteInput = NoteInput()
    vitals: VitalsInput | None = None
    diagnoses: list[DiagnosisInput] = []
    prescription: list[PrescriptionItemInput] = []
    lab_orders: list[PastLabOrder] = []
    bill: PastBill | None = None
    signed: bool = True


def import_past_visits(db: Database, actor: Actor, visits: list[PastVisitInput | dict], source: str) -> list[Encounter]:
    parsed = [parse(PastVisitInput, v, f"visits[{n}]") for n, v in enumerate(visits)]
    now = utcnow()
    for n, v in enumerate(parsed):
        if v.started_at > now:
            raise InvalidInput({f"visits[{n}].started_at": "a past visit cannot be in the future"})
        if v.bill and v.bill.discount > sum(i.quantity * i.unit_price for i in v.bill.items):
            raise InvalidInput({f"visits[{n}].bill.discount": "the discount is more than the bill"})
    with db.write(actor) as session:
        doctors: dict[str, Staff] = {}
        for v in parsed:
            get_or_fail(session, Patient, v.patient_id)
            if v.doctor_id not in doctors:
                doctors[v.doctor_id] = get_or_fail(session, Staff, v.doctor_id)
                if doctors[v.doctor_id].role != "doctor":
                    raise InvalidInput({"doctor_id": f"{doctors[v.doctor_id].full_name} is not a doctor"})
        # Rows go in by generation (visit, then its parts, then theirs) because the flush does
        # not order inserts by foreign key; signatures go on last, as at the desk.
        encounters = [_encounter(v) for v in parsed]
        session.add_all(encounters)
        session.flush()
        later: list = []
        to_sign: list = []
        for v, enc in zip(parsed, encounters, strict=True):
            later += _visit_parts(session, v, enc, to_sign)
        session.flush()
        session.add_all(later)
        session.flush()
        for row, at, by in to_sign:
            row.signed_at, row.signed_by = at, by
            if isinstance(row, Prescription):
                row.status = "signed"
        for enc in encounters:
            audit.record(session, "visit.import", entity="encounter", entity_id=enc.id, patient_id=enc.patient_id, detail={"source": source})
        return encounters


def _encounter(v: PastVisitInput) -> Encounter:
    return Encounter(
        id=uuid7(), patient_id=v.patient_id, doctor_id=v.doctor_id, status="completed",
        started_at=v.started_at, ended_at=v.started_at + timedelta(minutes=12), **v.note.model_dump(),
    )


def _visit_parts(session, v: PastVisitInput, enc: Encounter, to_sign: list) -> list:
    """Add the visit's direct parts now; return their own parts to add after the next flush."""
    signed_at: datetime = v.started_at + timedelta(minutes=15)
    later = []
    if v.vitals:
        session.add(Vitals(encounter_id=enc.id, patient_id=enc.patient_id, recorded_at=v.started_at, recorded_by=v.doctor_id,
                           temperature_c=v.vitals.celsius(), bmi=v.vitals.bmi(), **v.vitals.model_dump(exclude={"temperature_c", "temperature_f"})))
    for dx in v.diagnoses:
        session.add(Diagnosis(encounter_id=enc.id, patient_id=enc.patient_id, **dx.model_dump()))
    if v.prescription:
        rx = Prescription(id=uuid7(), encounter_id=enc.id, patient_id=enc.patient_id, prescriber_id=v.doctor_id, status="draft")
        session.add(rx)
        later += [PrescriptionItem(prescription_id=rx.id, position=n, **item.model_dump()) for n, item in enumerate(v.prescription, start=1)]
        if v.signed:
            to_sign.append((rx, signed_at, v.doctor_id))
    for order in v.lab_orders:
        row = LabOrder(id=uuid7(), encounter_id=enc.id, patient_id=enc.patient_id, ordered_by=v.doctor_id, test_name=order.test_name,
                       status="resulted" if order.results else "ordered")
        session.add(row)
        for result in order.results:
            later.append(_lab_result(row, result, v.started_at + timedelta(hours=6)))
    if v.bill:
        subtotal = sum(i.quantity * i.unit_price for i in v.bill.items)
        # Dated at the visit: the day-end summary counts a bill on the day it was made, and an
        # imported past bill was made then, not on the day of the import.
        bill = Bill(id=uuid7(), created_at=v.started_at, patient_id=enc.patient_id, encounter_id=enc.id, status="paid" if v.bill.paid_by else "open",
                    subtotal_paise=subtotal, discount_paise=v.bill.discount, total_paise=subtotal - v.bill.discount)
        session.add(bill)
        later += [BillItem(bill_id=bill.id, description=i.description, quantity=i.quantity, unit_price_paise=i.unit_price, amount_paise=i.quantity * i.unit_price) for i in v.bill.items]
        if v.bill.paid_by:
            later.append(Payment(bill_id=bill.id, amount_paise=bill.total_paise, method=v.bill.paid_by, received_at=signed_at))
    if v.signed:
        to_sign.append((enc, signed_at, v.doctor_id))
    return later


def _lab_result(order: LabOrder, result: LabResultInput, at: datetime) -> LabResult:
    number, flag = flag_for(result)
    return LabResult(lab_order_id=order.id, patient_id=order.patient_id, resulted_at=at, value_text=result.value, value_number=number,
                     unit=result.unit, reference_low=result.reference_low, reference_high=result.reference_high, flag=flag)
