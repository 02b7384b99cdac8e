"""Every write leaves its audit event and change records; a failed write leaves nothing."""

import json

import pytest
from sqlalchemy import func, select, text

from core.errors import ForbiddenDelete, ImmutableRecord, InvalidInput, NotFound
from core.services import billing, labs, patients, prescriptions, visits
from core.services.common import void
from core.storage.models import AuditEvent, Change, Patient, Prescription


def snapshot(db):
    """Row counts of every table: equal snapshots mean nothing was written."""
    with db.read() as s:
        tables = [r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'patient_search%' AND name NOT LIKE 'sqlite_%'"))]
        return {t: s.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


def new_since(db, before_seq):
    with db.read() as s:
        changes = s.execute(select(Change.entity, Change.op, Change.data).where(Change.seq > before_seq[0])).all()
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.seq > before_seq[1])).all()
    return changes, events


def marks(db):
    with db.read() as s:
        return (s.scalar(select(func.coalesce(func.max(Change.seq), 0))), s.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))))


RAVI = {"full_name": "Ravi Shankar Prasad", "gender": "male", "date_of_birth": "1979-03-14", "mobile": "+91 94310 22334", "pincode": "800001", "state": "Bihar", "abha_number": "91-4455-6677-8899"}


def test_a_whole_visit_leaves_audit_events_and_change_records_for_every_write(db, team):
    steps = []

    def step(name, fn):
        before = marks(db)
        result = fn()
        changes, events = new_since(db, before)
        steps.append((name, changes, events))
        assert changes, f"{name} wrote no change record"
        assert events, f"{name} wrote no audit event"
        return result

    p = step("register", lambda: patients.register_patient(db, team.receptionist, {**RAVI, "allergies": [{"substance": "Sulfonamides", "severity": "severe"}]}))
    q = step("queue", lambda: visits.add_to_queue(db, team.receptionist, {"patient_id": p.id, "doctor_id": team.doctor.staff_id}))
    e = step("start", lambda: visits.start_encounter(db, team.doctor, p.id, team.doctor.staff_id, q.id))
    step("note", lambda: visits.update_note(db, team.doctor, e.id, {"chief_complaint": "Burning micturition x 2 days"}))
    step("vitals", lambda: visits.record_vitals(db, team.doctor, e.id, {"systolic": 130, "diastolic": 84, "temperature_c": 37.9}))
    step("diagnosis", lambda: visits.add_diagnosis(db, team.doctor, e.id, {"text": "Urinary tract infection", "code": "N39.0", "code_system": "ICD-10"}))
    rx = step("prescribe", lambda: prescriptions.create_prescription(db, team.doctor, e.id, [{"drug_name": "Nitrofurantoin", "strength": "100 mg", "frequency": "BD", "duration_days": 5}]))
    step("sign rx", lambda: prescriptions.sign_prescription(db, team.doctor, rx.id))
    o = step("order lab", lambda: labs.order_lab(db, team.doctor, e.id, {"test_name": "Urine routine"}))
    step("lab result", lambda: labs.record_lab_result(db, team.receptionist, o.id, {"value": "12", "unit": "pus cells/hpf", "reference_high": 5}))
    step("complete", lambda: visits.complete_encounter(db, team.doctor, e.id))
    b = step("bill", lambda: billing.create_bill(db, team.receptionist, {"patient_id": p.id, "encounter_id": e.id, "items": [{"description": "Consultation", "unit_price": "400"}]}))
    step("pay", lambda: billing.record_payment(db, team.receptionist, b.id, {"amount": "400", "method": "upi", "reference": "UPI-1234"}))

    name, changes, events = steps[0]
    entities = {c.entity for c in changes}
    assert {"patient", "allergy"} <= entities
    patient_change = next(json.loads(c.data) for c in changes if c.entity == "patient")
    assert patient_change["mobile"] == "9431022334" and patient_change["id"] == p.id
    # Every change record carries the origin node and a clock stamp, strictly increasing.
    with db.read() as s:
        stamps = s.scalars(select(Change.hlc).order_by(Change.seq)).all()
        nodes = set(s.scalars(select(Change.node_id)))
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert nodes == {db.node_id}
    with db.read() as s:
        assert s.get(type(b), b.id).status == "paid"


def test_an_update_records_only_the_fields_that_changed(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    before = marks(db)
    patients.update_patient(db, team.receptionist, p.id, {"mobile": "9123456789", "city": "Patna"})
    changes, events = new_since(db, before)
    assert len(changes) == 1 and changes[0].op == "update"
    data = json.loads(changes[0].data)
    assert set(data) == {"mobile", "city", "updated_at"} and data["mobile"] == "9123456789"
    assert events == ["patient.update"]


def test_a_batch_with_one_bad_patient_registers_none_and_names_the_field(db, team):
    before = snapshot(db)
    batch = [RAVI, {**RAVI, "full_name": "Sita Devi", "mobile": "12345"}]
    with pytest.raises(InvalidInput) as err:
        patients.register_patients(db, team.receptionist, batch)
    assert "patient[1].mobile" in err.value.problems
    assert "not an Indian mobile number" in err.value.problems["patient[1].mobile"]
    assert snapshot(db) == before


def test_a_write_that_fails_inside_the_transaction_leaves_the_database_as_it_was(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    before = snapshot(db)
    with pytest.raises(NotFound):
        # The encounter row is added, then the doctor id turns out to be unknown: all rolls back.
        visits.start_encounter(db, team.doctor, p.id, doctor_id="01234567-0000-7000-8000-000000000000")
    with pytest.raises(RuntimeError):
        with db.write(team.receptionist) as s:
            s.add(Patient(full_name="Half Written", gender="male"))
            s.flush()
            raise RuntimeError("power cut in the middle")
    assert snapshot(db) == before


def test_validation_messages_name_the_field_and_the_problem(db, team):
    cases = [
        ({**RAVI, "abha_number": "1234-5678"}, "abha_number", "not an ABHA number (14 digits"),
        ({**RAVI, "abha_address": "ravi@gmail.com"}, "abha_address", "@abdm"),
        ({**RAVI, "date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({**RAVI, "date_of_birth": "14/03/1979"}, "date_of_birth", "date"),
        ({**RAVI, "pincode": "0800001"}, "pincode", "PIN code"),
        ({"full_name": "Ravi", "gender": "male"}, "date_of_birth", "give a date of birth or an age"),
        ({**RAVI, "religion": "x"}, "religion", "not a field"),
    ]
    for data, field, words in cases:
        with pytest.raises(InvalidInput) as err:
            patients.register_patient(db, team.receptionist, data)
        assert f"patient.{field}" in err.value.problems, (field, err.value.problems)
        assert words in err.value.problems[f"patient.{field}"]
    e = visits.start_encounter(db, team.doctor, patients.register_patient(db, team.receptionist, RAVI).id)
    with pytest.raises(InvalidInput) as err:
        visits.record_vitals(db, team.doctor, e.id, {"pulse": 720, "spo2": 97})
    assert err.value.problems == {"vitals.pulse": "720 beats/min is outside the plausible range 20–250 beats/min"}


def test_vitals_derive_bmi_and_take_fahrenheit(db, team):
    e = visits.start_encounter(db, team.doctor, patients.register_patient(db, team.receptionist, RAVI).id)
    v = visits.record_vitals(db, team.doctor, e.id, {"weight_kg": 72, "height_cm": 168, "temperature_f": 100.4})
    assert v.bmi == 25.5 and v.temperature_c == 38.0


def test_records_are_voided_not_deleted_and_deleting_is_refused(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    with pytest.raises(ForbiddenDelete):
        with db.write(team.admin) as s:
            s.delete(s.get(Patient, p.id))
    with pytest.raises(InvalidInput, match="reason"):
        void(db, team.admin, Patient, p.id, "")
    void(db, team.admin, Patient, p.id, "registered twice by mistake")
    with db.read() as s:
        row = s.get(Patient, p.id)
        assert row.voided_at is not None and row.void_reason == "registered twice by mistake" and row.voided_by == team.admin.staff_id
    with pytest.raises(NotFound, match="voided"):
        visits.start_encounter(db, team.doctor, p.id)


def test_a_signed_prescription_cannot_change_but_can_be_voided(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    e = visits.start_encounter(db, team.doctor, p.id)
    rx = prescriptions.create_prescription(db, team.doctor, e.id, [{"drug_name": "Amlodipine", "strength": "5 mg", "frequency": "OD"}])
    prescriptions.sign_prescription(db, team.doctor, rx.id)
    before = snapshot(db)
    with pytest.raises(ImmutableRecord, match="signed"):
        with db.write(team.doctor) as s:
            s.get(Prescription, rx.id).notes = "changed after signing"
    item = prescriptions.prescription_items(db, rx.id)[0]
    with pytest.raises(ImmutableRecord):
        with db.write(team.doctor) as s:
            s.get(type(item), item.id).dose = "2 tabs"
    assert snapshot(db) == before
    void(db, team.doctor, Prescription, rx.id, "wrong patient selected")
    with db.read() as s:
        assert s.get(Prescription, rx.id).voided_at is not None


def test_a_signed_note_is_corrected_by_an_amendment_that_points_at_it(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    e = visits.start_encounter(db, team.doctor, p.id, note={"assessment": "Viral fever"})
    visits.sign_encounter(db, team.doctor, e.id)
    with pytest.raises(ImmutableRecord):
        visits.update_note(db, team.doctor, e.id, {"assessment": "Dengue fever"})
    with pytest.raises(ImmutableRecord):
        visits.record_vitals(db, team.doctor, e.id, {"pulse": 80})
    amended = visits.amend_encounter(db, team.doctor, e.id, "NS1 came back positive")
    visits.update_note(db, team.doctor, amended.id, {"assessment": "Dengue fever"})
    assert amended.amends_id == e.id


def test_opening_a_patient_record_is_audited_with_who_opened_it(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    record = patients.open_patient_record(db, team.doctor, p.id)
    assert record.patient.full_name == "Ravi Shankar Prasad"
    with db.read() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "patient.record.open")).one()
    assert (ev.actor_id, ev.patient_id) == (team.doctor.staff_id, p.id)


def test_queue_tokens_count_up_through_the_day_and_moves_are_checked(db, team):
    a = patients.register_patient(db, team.receptionist, RAVI)
    b = patients.register_patient(db, team.receptionist, {**RAVI, "full_name": "Kavita Sinha", "gender": "F"})
    t1 = visits.add_to_queue(db, team.receptionist, {"patient_id": a.id})
    t2 = visits.add_to_queue(db, team.receptionist, {"patient_id": b.id})
    assert (t1.token_number, t2.token_number) == (1, 2)
    visits.move_in_queue(db, team.receptionist, t2.id, "no_show")
    with pytest.raises(InvalidInput, match="no show cannot become done"):
        visits.move_in_queue(db, team.receptionist, t2.id, "done")
    assert [x.status for x in visits.todays_queue(db)] == ["checked_in", "no_show"]


def test_payments_cannot_exceed_what_is_due(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    bill = billing.create_bill(db, team.receptionist, {"patient_id": p.id, "items": [{"description": "Consultation", "unit_price": "300"}, {"description": "Dressing", "unit_price": 75.50}], "discount": "25.50"})
    assert (bill.subtotal_paise, bill.total_paise) == (37550, 35000)
    billing.record_payment(db, team.receptionist, bill.id, {"amount": "200", "method": "cash"})
    with pytest.raises(InvalidInput, match="more than the ₹150.00 still due"):
        billing.record_payment(db, team.receptionist, bill.id, {"amount": "200", "method": "card"})


def test_likely_duplicates_need_more_than_a_shared_family_mobile(db, team):
    patients.register_patient(db, team.receptionist, {"full_name": "Mohammed Irfan Shaikh", "gender": "M", "age_years": 40, "mobile": "9820098200"})
    patients.register_patient(db, team.receptionist, {"full_name": "Ayesha Shaikh", "gender": "F", "age_years": 12, "mobile": "9820098200"})
    found = patients.likely_duplicates(db, {"full_name": "Mohd Irfan Sheikh", "gender": "M", "age_years": 41, "mobile": "98200 98200"})
    assert [d.patient.full_name for d in found] == ["Mohammed Irfan Shaikh"]
    assert found[0].reason == "same mobile, similar name and age"


def test_many_threads_writing_at_once_lose_nothing_and_keep_the_chain(db, team):
    import threading

    from core.audit import verify_chain

    errors = []

    def desk(n):
        try:
            for i in range(8):
                patients.register_patient(db, team.receptionist, {"full_name": f"Thread {n} Patient {i}", "gender": "F", "age_years": 30})
                with db.read() as s:
                    s.scalar(select(func.count()).select_from(Patient))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 80
    assert verify_chain(db).ok


def test_two_programs_on_one_database_never_tie_or_reverse_clock_stamps(db, team):
    from core.storage.database import open_database

    other, _ = open_database(db.settings)  # e.g. the headless sync agent beside the desk
    try:
        other.clock._wall_ms = lambda: 1_000  # its PC clock is far behind
        for i in range(5):
            patients.register_patient(db if i % 2 else other, team.receptionist, {**RAVI, "full_name": f"Alternating {i}"})
    finally:
        other.close()
    with db.read() as s:
        stamps = s.scalars(select(Change.hlc).order_by(Change.seq)).all()
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_reads_cannot_write_and_bulk_statements_are_refused(db, team):
    from sqlalchemy import update

    from core.errors import NadiError

    p = patients.register_patient(db, team.receptionist, RAVI)
    before = snapshot(db)
    with pytest.raises(NadiError, match="read-only"):
        with db.read() as s:
            s.get(Patient, p.id).mobile = "9000000000"
            s.flush()
    with pytest.raises(NadiError, match="bulk UPDATE"):
        with db.write(team.admin) as s:
            s.execute(update(Patient).values(mobile="9000000000"))
    assert snapshot(db) == before
    with db.read() as s:
        assert s.get(Patient, p.id).mobile == "9431022334"


def test_an_item_cannot_be_moved_off_a_signed_prescription(db, team):
    from core.storage.models import PrescriptionItem

    e = visits.start_encounter(db, team.doctor, patients.register_patient(db, team.receptionist, RAVI).id)
    signed = prescriptions.create_prescription(db, team.doctor, e.id, [{"drug_name": "Metformin", "strength": "500 mg", "frequency": "BD"}])
    prescriptions.sign_prescription(db, team.doctor, signed.id)
    draft = prescriptions.create_prescription(db, team.doctor, e.id, [{"drug_name": "Vitamin D3", "frequency": "once weekly"}])
    item = prescriptions.prescription_items(db, signed.id)[0]
    with pytest.raises(ImmutableRecord):
        with db.write(team.doctor) as s:
            s.get(PrescriptionItem, item.id).prescription_id = draft.id
    assert [i.drug_name for i in prescriptions.prescription_items(db, signed.id)] == ["Metformin"]


def test_lab_results_can_arrive_after_the_note_is_signed(db, team):
    e = visits.start_encounter(db, team.doctor, patients.register_patient(db, team.receptionist, RAVI).id)
    order = labs.order_lab(db, team.doctor, e.id, {"test_name": "HbA1c"})
    visits.sign_encounter(db, team.doctor, e.id)
    result = labs.record_lab_result(db, team.receptionist, order.id, {"value": "8.1", "unit": "%", "reference_high": 5.6})
    assert result.flag == "high"


def test_not_a_number_and_absurd_amounts_are_refused_clearly(db, team):
    p = patients.register_patient(db, team.receptionist, RAVI)
    e = visits.start_encounter(db, team.doctor, p.id)
    order = labs.order_lab(db, team.doctor, e.id, {"test_name": "Haemoglobin"})
    assert labs.record_lab_result(db, team.receptionist, order.id, {"value": "nan", "reference_low": 12, "reference_high": 16}).flag is None
    with pytest.raises(InvalidInput, match="reference_low"):
        labs.record_lab_result(db, team.receptionist, order.id, {"value": "13", "reference_low": "inf"})
    for price, words in [("NaN", "not an amount"), ("Infinity", "not an amount"), ("1e20", "more than a clinic bill")]:
        with pytest.raises(InvalidInput) as err:
            billing.create_bill(db, team.receptionist, {"patient_id": p.id, "items": [{"description": "Consultation", "unit_price": price}]})
        assert words in err.value.problems["bill.items.0.unit_price"]


def test_bills_stay_with_their_patient_and_staff_are_not_voided(db, team):
    from core.storage.models import Staff

    a = patients.register_patient(db, team.receptionist, RAVI)
    b = patients.register_patient(db, team.receptionist, {**RAVI, "full_name": "Other Person"})
    e = visits.start_encounter(db, team.doctor, a.id)
    with pytest.raises(InvalidInput, match="another patient"):
        billing.create_bill(db, team.receptionist, {"patient_id": b.id, "encounter_id": e.id, "items": [{"description": "Consultation", "unit_price": 300}]})
    with pytest.raises(InvalidInput, match="not voided"):
        void(db, team.admin, Staff, team.doctor.staff_id, "left the clinic")


def test_an_imported_visit_cannot_carry_a_discount_above_its_bill(db, team):
    from datetime import UTC, datetime, timedelta

    from core.services.history import import_past_visits

    p = patients.register_patient(db, team.receptionist, RAVI)
    visit = {"patient_id": p.id, "doctor_id": team.doctor.staff_id, "started_at": datetime.now(UTC) - timedelta(days=3),
             "bill": {"items": [{"description": "Consultation", "unit_price": "100"}], "discount": "500", "paid_by": "cash"}}
    with pytest.raises(InvalidInput, match="discount is more than the bill"):
        import_past_visits(db, team.admin, [visit], source="test")


def test_an_opened_record_holds_each_visit_with_its_medicines_and_results(db, team):
    p = patients.register_patient(db, team.receptionist, {**RAVI, "allergies": [{"substance": "Penicillin"}]})
    first = visits.start_encounter(db, team.doctor, p.id, note={"chief_complaint": "Fever"})
    second = visits.start_encounter(db, team.doctor, p.id, note={"chief_complaint": "Follow-up"})
    rx = prescriptions.create_prescription(db, team.doctor, first.id, [{"drug_name": "Paracetamol"}, {"drug_name": "Cetirizine"}, {"drug_name": "ORS"}])
    voided = prescriptions.create_prescription(db, team.doctor, second.id, [{"drug_name": "Wrong drug"}])
    void(db, team.doctor, Prescription, voided.id, "entered in error")
    order = labs.order_lab(db, team.doctor, first.id, {"test_name": "CBC"})
    labs.record_lab_result(db, team.receptionist, order.id, {"value": "10.2", "unit": "g/dL", "reference_low": 13})
    record = patients.open_patient_record(db, team.doctor, p.id)
    by_complaint = {v.encounter.chief_complaint: v for v in record.visits}
    fever = by_complaint["Fever"]
    assert [(r.id, [i.drug_name for i in items]) for r, items in fever.prescriptions] == [(rx.id, ["Paracetamol", "Cetirizine", "ORS"])]
    assert [(o.test_name, [r.flag for r in results]) for o, results in fever.lab_orders] == [("CBC", ["low"])]
    assert by_complaint["Follow-up"].prescriptions == []  # the voided one is not shown
    assert [a.substance for a in record.allergies] == ["Penicillin"]
