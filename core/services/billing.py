"""Bills and payments. Amounts come in as rupees (text or number) and are kept as integer paise."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from sqlalchemy import func, select

from core import audit
from core.errors import InvalidInput
from core.ids import uuid7
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import Bill, BillItem, Encounter, Patient, Payment
from core.storage.types import utcnow
from core.validation import Input, Text, parse


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
    bill_in = parse(BillInput, data, "bill")
    subtotal = sum(item.quantity * item.unit_price for item in bill_in.items)
    if bill_in.discount > subtotal:
        raise InvalidInput({"bill.discount": f"₹{bill_in.discount / 100:.2f} is more than the bill (₹{subtotal / 100:.2f})"})
    with db.write(actor) as session:
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


def record_payment(db: Database, actor: Actor, bill_id: str, data: PaymentInput | dict) -> Payment:
    payment = parse(PaymentInput, data, "payment")
    if payment.amount == 0:
        raise InvalidInput({"payment.amount": "a payment must be more than ₹0"})
    with db.write(actor) as session:
        bill = get_or_fail(session, Bill, bill_id)
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
