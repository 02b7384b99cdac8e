"""Billing at the desk, on a real encrypted database: a bill and its payment are kept together or
not at all, the receipt holds what the patient is shown, and the day-end summary adds up."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from core.errors import InvalidInput
from core.services import patients
from core.services.billing import bill_and_pay, collection_summary, receipt_context, record_payment, rupees
from core.services.common import void
from core.services.visits import clinic_day, start_encounter
from core.storage.models import AuditEvent, Bill, Change, Payment


@pytest.fixture
def kamla(db, team):
    return patients.register_patient(db, team.receptionist, {"full_name": "Kamla Devi Sharma", "gender": "female", "date_of_birth": "1958-01-20",
                                                             "mobile": "9876501234"})


@pytest.fixture
def ravi(db, team):
    return patients.register_patient(db, team.receptionist, {"full_name": "Ravi Kumar", "gender": "male", "age_years": 34})


def _bill(patient_id, *items, discount=0, encounter_id=None):
    return {"patient_id": patient_id, "encounter_id": encounter_id, "discount": discount,
            "items": [{"description": d, "quantity": q, "unit_price": p} for d, q, p in items]}


def _counts(db):
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Bill)), s.scalar(select(func.count()).select_from(Payment)),
                s.scalar(select(func.count()).select_from(AuditEvent)), s.scalar(select(func.count()).select_from(Change)))


def test_a_bill_and_its_payment_are_one_transaction(db, team, kamla):
    visit = start_encounter(db, team.doctor, kamla.id, team.doctor.staff_id)
    bill = bill_and_pay(db, team.receptionist, _bill(kamla.id, ("Consultation", 1, 500), ("Dressing", 2, "150"), discount="50", encounter_id=visit.id),
                        {"amount": "750", "method": "upi", "reference": "412345678901"})
    assert (bill.subtotal_paise, bill.discount_paise, bill.total_paise, bill.status) == (80000, 5000, 75000, "paid")
    with db.read() as s:
        payment = s.scalar(select(Payment).where(Payment.bill_id == bill.id))
        tx_of = {row.entity: row.tx_id for row in s.scalars(select(Change).where(Change.row_id.in_([bill.id, payment.id])))}
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2))]
    assert (payment.amount_paise, payment.method, payment.reference, payment.received_by) == (75000, "upi", "412345678901", team.receptionist.staff_id)
    assert tx_of["bill"] == tx_of["payment"]  # shipped together, as one change set
    assert actions == ["payment.record", "bill.create"]


REFUSALS = [  # (changes to the bill, the payment, the field refused, what the message says)
    ({"discount": "600"}, {"amount": "0.01", "method": "cash"}, "bill.discount", "₹600.00 is more than the bill (₹500.00)"),
    ({}, {"amount": "500.01", "method": "cash"}, "payment.amount", "more than the ₹500.00 still due"),
    ({}, {"amount": "0", "method": "card"}, "payment.amount", "more than ₹0"),
    ({}, {"amount": "100", "method": "cheque"}, "payment.method", ""),
]


def test_a_refused_bill_or_payment_leaves_nothing_behind(db, team, kamla):
    before = _counts(db)
    for bill_changes, payment, field, says in REFUSALS:  # one database for all: each refusal must leave it as it was
        with pytest.raises(InvalidInput) as refused:
            bill_and_pay(db, team.receptionist, {**_bill(kamla.id, ("Consultation", 1, 500)), **bill_changes}, payment)
        assert says in refused.value.problems[field]
        assert _counts(db) == before


def test_a_part_payment_leaves_the_bill_open_for_the_balance(db, team, kamla):
    bill = bill_and_pay(db, team.receptionist, _bill(kamla.id, ("Consultation", 1, 500)), {"amount": 200, "method": "cash"})
    assert bill.status == "open"
    receipt = receipt_context(db, bill.id)
    assert (receipt["paid_paise"], receipt["due_paise"]) == (20000, 30000)
    record_payment(db, team.receptionist, bill.id, {"amount": 300, "method": "card", "reference": "4821"})
    receipt = receipt_context(db, bill.id)
    assert (receipt["due_paise"], receipt["status"]) == (0, "paid")
    assert [(p["method_label"], p["amount_paise"], p["reference"]) for p in receipt["payments"]] == [("Cash", 20000, None), ("Card", 30000, "4821")]


def test_the_receipt_holds_clinic_patient_items_payments_and_a_stable_number(db, team, kamla, ravi):
    first = bill_and_pay(db, team.receptionist, _bill(ravi.id, ("Consultation", 1, 300)), None)
    second = bill_and_pay(db, team.receptionist, _bill(kamla.id, ("Consultation", 1, 500), ("ECG", 1, 300), discount="80"),
                          {"amount": "720", "method": "upi", "reference": "412345678901"})
    receipt = receipt_context(db, second.id)
    today = clinic_day(db)
    assert receipt["receipt_number"] == f"{today:%Y%m%d}-002"
    assert receipt_context(db, first.id)["receipt_number"] == f"{today:%Y%m%d}-001"
    void(db, team.admin, Bill, first.id, "Entered twice by mistake")
    assert receipt_context(db, second.id)["receipt_number"] == f"{today:%Y%m%d}-002"  # a void renumbers nothing
    assert receipt_context(db, first.id)["voided"] is True

    assert receipt["issued_at"].utcoffset() == timedelta(hours=5, minutes=30)  # the clinic's time, not the PC's or UTC
    assert receipt["clinic"]["name"] == "Shanti Clinic" and receipt["clinic"]["upi_id"] == "shanticlinic@okhdfc"
    assert "Pune 411001" in receipt["clinic"]["address"]
    assert receipt["patient"] == {"id": kamla.id, "name": "Kamla Devi Sharma", "sex": "Female", "age": receipt["patient"]["age"], "mobile": "9876501234"}
    assert receipt["patient"]["age"] >= 68
    assert [(i["description"], i["quantity"], i["amount_paise"]) for i in receipt["items"]] == [("Consultation", 1, 50000), ("ECG", 1, 30000)]
    assert (receipt["subtotal_paise"], receipt["discount_paise"], receipt["total_paise"], receipt["due_paise"]) == (80000, 8000, 72000, 0)
    assert receipt["payments"][0]["reference"] == "412345678901" and receipt["payments"][0]["received_by"] == "Sunita Pawar"
    assert receipt["cashier"] == "Sunita Pawar"


def _make_yesterdays(db, bill_id):
    """Move a bill to the previous clinic day (what a PC left running overnight would hold). Set
    directly: no service back-dates a bill, and that is as it should be."""
    with db.engine.begin() as conn:
        stamp = conn.execute(text("SELECT created_at FROM bill WHERE id = :id"), {"id": bill_id}).scalar_one()
        earlier = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(days=1)
        conn.execute(text("UPDATE bill SET created_at = :at WHERE id = :id"), {"id": bill_id, "at": earlier.strftime("%Y-%m-%dT%H:%M:%S.%fZ")})


def test_the_day_end_summary_adds_up_by_method_and_by_cashier(db, team, kamla, ravi):
    old = bill_and_pay(db, team.receptionist, _bill(ravi.id, ("Dressing", 1, 150)), None)
    _make_yesterdays(db, old.id)
    bill_and_pay(db, team.receptionist, _bill(kamla.id, ("Consultation", 1, 500)), {"amount": 500, "method": "cash"})
    bill_and_pay(db, team.receptionist, _bill(ravi.id, ("Consultation", 1, 500), ("ECG", 1, 300), discount=100), {"amount": 700, "method": "upi", "reference": "1"})
    part = bill_and_pay(db, team.admin, _bill(kamla.id, ("Nebulisation", 2, 150)), {"amount": 100, "method": "card", "reference": "4821"})
    unpaid = bill_and_pay(db, team.admin, _bill(ravi.id, ("Blood sugar", 1, 80)), None)
    gone = bill_and_pay(db, team.receptionist, _bill(kamla.id, ("Consultation", 1, 999)), {"amount": 999, "method": "cash"})
    void(db, team.admin, Bill, gone.id, "Wrong patient")
    record_payment(db, team.receptionist, old.id, {"amount": 150, "method": "cash"})  # yesterday's bill, paid today

    s = collection_summary(db, clinic_day(db))
    assert s["bills_count"] == 4
    assert (s["gross_paise"], s["discount_paise"], s["net_paise"]) == (168000, 10000, 158000)
    assert s["collected_by_method"] == {"cash": 65000, "card": 10000, "upi": 70000}
    assert s["collected_paise"] == sum(s["collected_by_method"].values()) == 145000
    assert s["collected_for_earlier_bills_paise"] == 15000
    assert s["outstanding_paise"] == 20000 + 8000
    assert s["net_paise"] == s["collected_paise"] - s["collected_for_earlier_bills_paise"] + s["outstanding_paise"]
    by_cashier = {c["name"]: (c["collected_paise"], c["by_method"]) for c in s["by_cashier"]}
    assert by_cashier == {"Meena Joshi": (10000, {"cash": 0, "card": 10000, "upi": 0}), "Sunita Pawar": (135000, {"cash": 65000, "card": 0, "upi": 70000})}
    assert sum(c["collected_paise"] for c in s["by_cashier"]) == s["collected_paise"]
    rows = {b["bill_id"]: b for b in s["bills"]}
    assert gone.id not in rows and old.id not in rows
    assert (rows[part.id]["status"], rows[part.id]["paid_paise"], rows[part.id]["methods"]) == ("part paid", 10000, ["Card"])
    assert (rows[unpaid.id]["status"], rows[unpaid.id]["methods"], rows[unpaid.id]["patient_name"]) == ("unpaid", [], "Ravi Kumar")
    assert [b["receipt_number"][-3:] for b in s["bills"]] == ["001", "002", "003", "004"]  # the voided fifth keeps its number, unlisted
    assert re.fullmatch(r"[0-9a-f]{64}", s["audit_head"])

    yesterday = collection_summary(db, clinic_day(db) - timedelta(days=1))
    assert (yesterday["bills_count"], yesterday["net_paise"], yesterday["collected_paise"]) == (1, 15000, 0)
    assert yesterday["outstanding_paise"] == 15000  # as that day ended: today's payment comes later
    assert rupees(s["net_paise"]) == "₹1,580.00"
