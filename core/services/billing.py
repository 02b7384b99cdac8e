"""Bills and payments. Amounts come in as rupees (text or number) and are kept as integer paise."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import InvalidInput
from core.ids import uuid7
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import AuditEvent, Bill, BillItem, Clinic, Encounter, Patient, Payment, PriceItem, Staff
from core.storage.types import utcnow
from core.validation import Input, Text, age_on, parse


MAX_RUPEES = 10_000_000  # one crore: far above any OPD bill, far below integer trouble


def to_paise(value: object) -> int:
    try:
        amount = Decimal(str(value).replace(",", "").replace("₹", "").strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount in rupees") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount in rupees")
    if amount > MAX_RUPEES:
        raise ValueError(f"₹{value} is more than a clinic bill can be (₹{MAX_RUPEES:,})")
    if amount < 0:
        raise ValueError(f"{value} is negative")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than two decimal places")
    return int(amount * 100)


Paise = Annotated[int, BeforeValidator(to_paise)]


class BillItemInput(Input):
    description: Annotated[str, Field(min_length=1, max_length=200)]
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    unit_price: Paise


class BillInput(Input):
    patient_id: str
    encounter_id: str | None = None
    items: Annotated[list[BillItemInput], Field(min_length=1)]
    discount: Paise = 0


class PaymentInput(Input):
    amount: Paise
    method: Literal["cash", "card", "upi"]
    reference: Text = None


def create_bill(db: Database, actor: Actor, data: BillInput | dict) -> Bill:
    bill_in, subtotal = _checked_bill(data)
    with db.write(actor) as session:
        return _add_bill(session, actor, bill_in, subtotal)


def record_payment(db: Database, actor: Actor, bill_id: str, data: PaymentInput | dict) -> Payment:
    payment = _checked_payment(data)
    with db.write(actor) as session:
        return _add_payment(session, actor, get_or_fail(session, Bill, bill_id), payment)


def bill_and_pay(db: Database, actor: Actor, bill: BillInput | dict, payment: PaymentInput | dict | None = None) -> Bill:
    """Bill a visit and take its payment (whole or part) in one transaction: both are kept, or neither.

    With no payment, or a part payment, the bill stays open for the balance."""
    bill_in, subtotal = _checked_bill(bill)
    payment_in = _checked_payment(payment) if payment is not None else None
    with db.write(actor) as session:
        row = _add_bill(session, actor, bill_in, subtotal)
        if payment_in is not None:
            _add_payment(session, actor, row, payment_in)
        return row


def _checked_bill(data: BillInput | dict) -> tuple[BillInput, int]:
    bill_in = parse(BillInput, data, "bill")
    subtotal = sum(item.quantity * item.unit_price for item in bill_in.items)
    if bill_in.discount > subtotal:
        raise InvalidInput({"bill.discount": f"₹{bill_in.discount / 100:.2f} is more than the bill (₹{subtotal / 100:.2f})"})
    return bill_in, subtotal


def _add_bill(session: Session, actor: Actor, bill_in: BillInput, subtotal: int) -> Bill:
    get_or_fail(session, Patient, bill_in.patient_id)
    if bill_in.encounter_id and get_or_fail(session, Encounter, bill_in.encounter_id).patient_id != bill_in.patient_id:
        raise InvalidInput({"bill.encounter_id": "that visit belongs to another patient"})
    bill = Bill(id=uuid7(), patient_id=bill_in.patient_id, encounter_id=bill_in.encounter_id, created_by=actor.staff_id, status="open",
                subtotal_paise=subtotal, discount_paise=bill_in.discount, total_paise=subtotal - bill_in.discount)
    session.add(bill)
    session.flush()  # the parent row first; children reference it
    for item in bill_in.items:
        session.add(BillItem(bill_id=bill.id, description=item.description, quantity=item.quantity, unit_price_paise=item.unit_price, amount_paise=item.quantity * item.unit_price))
    session.flush()
    audit.record(session, "bill.create", entity="bill", entity_id=bill.id, patient_id=bill.patient_id, detail={"total_paise": bill.total_paise})
    return bill


def _checked_payment(data: PaymentInput | dict) -> PaymentInput:
    payment = parse(PaymentInput, data, "payment")
    if payment.amount == 0:
        raise InvalidInput({"payment.amount": "a payment must be more than ₹0"})
    return payment


def _add_payment(session: Session, actor: Actor, bill: Bill, payment: PaymentInput) -> Payment:
    paid = session.scalar(select(func.coalesce(func.sum(Payment.amount_paise), 0)).where(Payment.bill_id == bill.id, Payment.voided_at.is_(None)))
    due = bill.total_paise - paid
    if payment.amount > due:
        raise InvalidInput({"payment.amount": f"₹{payment.amount / 100:.2f} is more than the ₹{due / 100:.2f} still due"})
    row = Payment(bill_id=bill.id, amount_paise=payment.amount, method=payment.method, reference=payment.reference, received_by=actor.staff_id, received_at=utcnow())
    session.add(row)
    if payment.amount == due:
        bill.status = "paid"
    session.flush()
    audit.record(session, "payment.record", entity="payment", entity_id=row.id, patient_id=bill.patient_id, detail={"amount_paise": row.amount_paise, "method": row.method})
    return row


# --- what the desk shows and prints ------------------------------------------------------------------

METHOD_LABELS = {"cash": "Cash", "card": "Card", "upi": "UPI"}


def rupees(paise: int) -> str:
    """₹ with Indian digit grouping (₹1,25,000.00), as a patient reads amounts."""
    sign, paise = ("-", -paise) if paise < 0 else ("", paise)
    whole, fraction = divmod(paise, 100)
    digits = str(whole)
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return f"{sign}₹{','.join([*groups, tail])}.{fraction:02d}"


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _receipt_number(day: date, sequence: int) -> str:
    return f"{day:%Y%m%d}-{sequence:03d}"


def _patient_summary(patient: Patient, on: date) -> dict:
    return {"id": patient.id, "name": patient.full_name, "sex": (patient.gender or "").capitalize() if patient.gender != "unknown" else "",
            "age": age_on(patient.date_of_birth, on) if patient.date_of_birth else None, "mobile": patient.mobile}


def _clinic_summary(clinic: Clinic | None) -> dict:
    if clinic is None:
        return {"name": "", "address": "", "phone": "", "upi_id": None}
    place = " ".join(p for p in (clinic.city, clinic.pincode) if p)
    address = ", ".join(p for p in (clinic.address_line, place, clinic.state) if p)
    phone = clinic.phone or ""
    if phone and phone[0] not in "6789":
        phone = "0" + phone  # a landline is kept without its trunk 0 and dialled with it
    return {"name": clinic.name, "address": address, "phone": phone, "upi_id": clinic.upi_id or None}


def bill_desk_context(db: Database, patient_id: str) -> dict:
    """What the billing screen opens with: the patient, the clinic (and its UPI id), the price list."""
    tz = ZoneInfo(db.settings.clinic_timezone)
    with db.read() as session:
        patient = get_or_fail(session, Patient, patient_id)
        items = session.scalars(select(PriceItem).where(PriceItem.voided_at.is_(None)).order_by(PriceItem.category, PriceItem.name))
        return {
            "patient": _patient_summary(patient, utcnow().astimezone(tz).date()),
            "clinic": _clinic_summary(session.scalar(select(Clinic).order_by(Clinic.id).limit(1))),
            "price_list": [{"id": i.id, "name": i.name, "category": i.category, "amount_paise": i.amount_paise} for i in items],
        }


def receipt_context(db: Database, bill_id: str) -> dict:
    """Everything a printed receipt shows, as plain values; times in the clinic's time zone.

    The receipt number is the clinic day and the bill's place in that day (20250314-007): short
    enough to read out over the phone, and the same at every reprint."""
    tz = ZoneInfo(db.settings.clinic_timezone)
    with db.read() as session:
        bill = get_or_fail(session, Bill, bill_id, live=False)
        issued = bill.created_at.astimezone(tz)
        start, end = _day_bounds(issued.date(), tz)
        # Voided bills keep their numbers, so a void never renumbers the rest of the day.
        sequence = session.scalar(select(func.count()).select_from(Bill).where(
            Bill.created_at >= start, Bill.created_at < end,
            or_(Bill.created_at < bill.created_at, and_(Bill.created_at == bill.created_at, Bill.id <= bill.id))))
        patient = session.get(Patient, bill.patient_id)
        items = session.scalars(select(BillItem).where(BillItem.bill_id == bill.id, BillItem.voided_at.is_(None)).order_by(BillItem.created_at, BillItem.id))
        payments = list(session.scalars(select(Payment).where(Payment.bill_id == bill.id, Payment.voided_at.is_(None)).order_by(Payment.received_at)))
        staff_ids = {p.received_by for p in payments} | {bill.created_by}
        names = dict(session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_([s for s in staff_ids if s]))).all())
        paid = sum(p.amount_paise for p in payments)
        return {
            "bill_id": bill.id,
            "receipt_number": _receipt_number(issued.date(), sequence),
            "issued_at": issued,
            "timezone": db.settings.clinic_timezone,
            "clinic": _clinic_summary(session.scalar(select(Clinic).order_by(Clinic.id).limit(1))),
            "patient": _patient_summary(patient, issued.date()),
            "items": [{"description": i.description, "quantity": i.quantity, "unit_price_paise": i.unit_price_paise, "amount_paise": i.amount_paise} for i in items],
            "subtotal_paise": bill.subtotal_paise,
            "discount_paise": bill.discount_paise,
            "total_paise": bill.total_paise,
            "paid_paise": paid,
            "due_paise": bill.total_paise - paid,
            "payments": [{"method": p.method, "method_label": METHOD_LABELS.get(p.method, p.method), "reference": p.reference, "amount_paise": p.amount_paise,
                          "received_at": p.received_at.astimezone(tz), "received_by": names.get(p.received_by, "")} for p in payments],
            "cashier": names.get(bill.created_by, ""),
            "status": bill.status,
            "voided": bill.voided_at is not None,
        }


def collection_summary(db: Database, day: date) -> dict:
    """The day-end summary for one clinic day, as the day stood at its end.

    Billed figures cover the bills made that day (voided ones left out). Collected figures are the
    money received that day, whatever day its bill was made, so they match the cash drawer and the
    card and UPI statements; the part that paid earlier days' bills is shown on its own, so that
    net billed = collected for the day's bills + outstanding. A voided bill's payments are left out."""
    tz = ZoneInfo(db.settings.clinic_timezone)
    start, end = _day_bounds(day, tz)
    with db.read() as session:
        day_bills = list(session.scalars(select(Bill).where(Bill.created_at >= start, Bill.created_at < end).order_by(Bill.created_at, Bill.id)))
        numbers = {b.id: _receipt_number(day, n) for n, b in enumerate(day_bills, 1)}
        bills = [b for b in day_bills if b.voided_at is None]
        live_payment = and_(Payment.voided_at.is_(None), Bill.voided_at.is_(None))
        of_day_bills = list(session.scalars(select(Payment).join(Bill, Bill.id == Payment.bill_id).where(
            live_payment, Payment.bill_id.in_([b.id for b in bills]), Payment.received_at < end)))
        received = list(session.scalars(select(Payment).join(Bill, Bill.id == Payment.bill_id).where(
            live_payment, Payment.received_at >= start, Payment.received_at < end).order_by(Payment.received_at)))
        patient_ids = {b.patient_id for b in bills}
        patients = dict(session.execute(select(Patient.id, Patient.full_name).where(Patient.id.in_(patient_ids))).all())
        staff_ids = {p.received_by for p in received if p.received_by}
        staff = dict(session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_(staff_ids))).all())
        clinic = _clinic_summary(session.scalar(select(Clinic).order_by(Clinic.id).limit(1)))
        audit_head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))

    day_bill_ids = {b.id for b in bills}
    by_method = dict.fromkeys(METHOD_LABELS, 0)
    cashiers: dict[str | None, dict] = {}
    for p in received:
        by_method[p.method] = by_method.get(p.method, 0) + p.amount_paise
        who = cashiers.setdefault(p.received_by, {"staff_id": p.received_by, "name": staff.get(p.received_by, "System"),
                                                  "collected_paise": 0, "by_method": dict.fromkeys(METHOD_LABELS, 0)})
        who["collected_paise"] += p.amount_paise
        who["by_method"][p.method] = who["by_method"].get(p.method, 0) + p.amount_paise
    paid_by_bill: dict[str, list[Payment]] = {}
    for p in of_day_bills:
        paid_by_bill.setdefault(p.bill_id, []).append(p)
    rows = []
    for b in bills:
        payments = paid_by_bill.get(b.id, [])
        paid = sum(p.amount_paise for p in payments)
        methods = sorted({p.method for p in payments}, key=list(METHOD_LABELS).index)
        rows.append({
            "bill_id": b.id, "receipt_number": numbers[b.id], "time": b.created_at.astimezone(tz).strftime("%H:%M"),
            "patient_name": patients.get(b.patient_id, ""), "total_paise": b.total_paise, "paid_paise": paid, "due_paise": b.total_paise - paid,
            "methods": [METHOD_LABELS[m] for m in methods],
            "status": "paid" if paid >= b.total_paise else ("part paid" if paid else "unpaid"),
        })
    collected = sum(by_method.values())
    return {
        "day": day,
        "timezone": db.settings.clinic_timezone,
        "clinic": clinic,
        "bills_count": len(bills),
        "gross_paise": sum(b.subtotal_paise for b in bills),
        "discount_paise": sum(b.discount_paise for b in bills),
        "net_paise": sum(b.total_paise for b in bills),
        "collected_paise": collected,
        "collected_by_method": by_method,
        "collected_for_earlier_bills_paise": sum(p.amount_paise for p in received if p.bill_id not in day_bill_ids),
        "outstanding_paise": sum(r["due_paise"] for r in rows),
        "by_cashier": sorted(cashiers.values(), key=lambda c: c["name"]),
        "bills": rows,
        # Printed on the summary: a copy of the audit chain's head outside the database (core/audit.py).
        "audit_head": audit_head,
    }
