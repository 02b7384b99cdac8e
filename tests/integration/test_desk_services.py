"""The services under the desks: log-in, the visit saved whole, autosave drafts, the summary, the queue board."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import ImmutableRecord, InvalidInput, NadiError
from core.services import consult, drafts
from core.services.patient_summary import patient_summary
from core.services.patients import register_patient
from core.services.prescriptions import prescribe, sign_prescription
from core.services.staff_access import LoginRefused, MAX_FAILURES, log_in, login_choices, needs_first_secret, set_credential, set_first_credential
from core.services.visits import add_to_queue, queue_board
from core.stats import record_counts


@pytest.fixture
def patient(db, team):
    return register_patient(db, team.receptionist, {"full_name": "Kavita Deshmukh", "gender": "F", "age_years": 52, "mobile": "9822012345",
                                                   "allergies": [{"substance": "Penicillin", "reaction": "rash"}],
                                                   "conditions": [{"name": "Type 2 diabetes mellitus", "code": "E11.9", "code_system": "ICD-10"}]})


def test_a_pin_logs_in_and_a_wrong_one_is_refused_naming_the_person(db, team):
    assert needs_first_secret(login_choices(db))
    set_credential(db, team.admin, team.doctor.staff_id, "4826")
    actor = log_in(db, team.doctor.staff_id, "4826")
    assert (actor.staff_id, actor.role) == (team.doctor.staff_id, "doctor")
    with pytest.raises(LoginRefused, match="wrong PIN for Dr Anand Kulkarni"):
        log_in(db, team.doctor.staff_id, "4825")
    with pytest.raises(LoginRefused, match="no PIN yet"):
        log_in(db, team.receptionist.staff_id, "4826")


def test_guessing_is_paused_after_repeated_wrong_pins_and_survives_a_restart(db, team, settings):
    set_credential(db, team.admin, team.receptionist.staff_id, "7351")
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            log_in(db, team.receptionist.staff_id, "0000")
    from core.storage.database import open_database

    db.close()
    reopened, _ = open_database(settings)
    try:
        with pytest.raises(LoginRefused, match="too many wrong tries"):
            log_in(reopened, team.receptionist.staff_id, "7351")  # even the right PIN waits out the pause
    finally:
        reopened.close()


def test_weak_pins_and_other_peoples_pins_are_refused(db, team):
    with pytest.raises(InvalidInput, match="too easy"):
        set_credential(db, team.admin, team.doctor.staff_id, "1234")
    with pytest.raises(InvalidInput, match="4 to 8 digits"):
        set_credential(db, team.admin, team.doctor.staff_id, "12a4")
    with pytest.raises(InvalidInput, match="only the admin"):
        set_credential(db, team.receptionist, team.doctor.staff_id, "4826")


def test_the_first_pin_of_an_old_clinic_is_the_admins_and_only_once(db, team):
    with pytest.raises(InvalidInput, match="admin sets the first"):
        set_first_credential(db, team.doctor.staff_id, "4826")
    set_first_credential(db, team.admin.staff_id, "5937")
    assert log_in(db, team.admin.staff_id, "5937").role == "admin"
    with pytest.raises(InvalidInput, match="already set up"):
        set_first_credential(db, team.admin.staff_id, "6048")


def test_the_credential_crosses_machines_only_as_a_hash(db, team):
    set_credential(db, team.admin, team.doctor.staff_id, "4826")
    from sqlalchemy import select

    from core.storage.models import Change

    with db.read() as session:
        data = [c.data for c in session.scalars(select(Change).where(Change.entity == "staff_credential"))]
    assert data and not any("4826" in d for d in data)


def test_a_visit_is_saved_whole_and_its_draft_goes_with_the_save(db, team, patient):
    enc = consult.open_consult(db, team.doctor, patient.id)
    assert consult.open_consult(db, team.doctor, patient.id) == enc  # a second click reopens, never a second visit
    drafts.save_draft(db, team.doctor, enc, {"form": {"chief_complaint": "fever"}})
    form = {"chief_complaint": "Fever x 3 days", "vitals": {"systolic": 150, "diastolic": 95, "weight_kg": 70, "height_cm": 165},
            "diagnoses": [{"text": "Viral fever", "code": "B34.9", "code_system": "ICD-10", "is_primary": True}],
            "investigations": ["CBC", "Dengue NS1 antigen"]}
    state = consult.save_visit(db, team.doctor, enc, form)
    assert state.form["vitals"]["systolic"] == 150
    assert state.form["diagnoses"][0]["text"] == "Viral fever" and state.form["investigations"] == ["CBC", "Dengue NS1 antigen"]
    assert drafts.load_draft(db, enc) is None
    # A diagnosis and a test taken off are voided, not lost; nothing duplicated on a second save.
    consult.save_visit(db, team.doctor, enc, form | {"diagnoses": [], "investigations": ["CBC"]})
    again = consult.load_visit(db, team.doctor, enc)
    assert again.form["diagnoses"] == [] and again.form["investigations"] == ["CBC"]
    assert record_counts(db)["diagnoses"] == 0


def test_a_bad_value_anywhere_leaves_the_visit_as_it_was(db, team, patient):
    enc = consult.open_consult(db, team.doctor, patient.id)
    consult.save_visit(db, team.doctor, enc, {"chief_complaint": "Cough"})
    with pytest.raises(InvalidInput) as refused:
        consult.save_visit(db, team.doctor, enc, {"chief_complaint": "Cough and fever", "vitals": {"systolic": 80, "diastolic": 120}})
    assert "systolic" in str(refused.value)
    assert consult.load_visit(db, team.doctor, enc).form["chief_complaint"] == "Cough"


def test_finishing_signs_the_note_and_closes_the_queue_entry(db, team, patient):
    appt = add_to_queue(db, team.receptionist, {"patient_id": patient.id, "doctor_id": team.doctor.staff_id})
    enc = consult.open_consult(db, team.doctor, patient.id, appt.id)
    assert [e.status for e in queue_board(db)] == ["in_consult"]
    with pytest.raises(InvalidInput, match="complaint or a diagnosis"):
        consult.finish_visit(db, team.doctor, enc, {})
    state = consult.finish_visit(db, team.doctor, enc, {"chief_complaint": "Sugar review"})
    assert state.signed and [e.status for e in queue_board(db)] == ["done"]
    with pytest.raises(ImmutableRecord):
        consult.save_visit(db, team.doctor, enc, {"chief_complaint": "changed later"})


def test_clinical_notes_are_closed_to_reception(db, team, patient):
    with pytest.raises(NadiError, match="clinical notes are open to doctors and nurses only"):
        consult.open_consult(db, team.receptionist, patient.id)
    with pytest.raises(NadiError, match="doctors and nurses only"):
        patient_summary(db, team.admin, patient.id)


def test_the_summary_shows_allergies_conditions_current_medicines_and_vitals_trend(db, team, patient):
    first = consult.open_consult(db, team.doctor, patient.id)
    consult.finish_visit(db, team.doctor, first, {"chief_complaint": "Sugar review", "vitals": {"systolic": 150, "diastolic": 92, "weight_kg": 80}})
    rx = prescribe(db, team.doctor, first, ["Tab Glycomet 500 1-0-1 PC x 30 days", "Tab Dolo 650 SOS x 3 days"])
    sign_prescription(db, team.doctor, rx.id)
    second = consult.open_consult(db, team.doctor, patient.id)
    consult.save_visit(db, team.doctor, second, {"vitals": {"systolic": 132, "diastolic": 84, "weight_kg": 80.4}})
    s = patient_summary(db, team.doctor, patient.id)
    assert s.allergies == ["Penicillin (rash)"] and s.conditions == ["Type 2 diabetes mellitus"]
    assert len(s.current_medicines) == 1 and s.current_medicines[0].startswith("Glycomet") and "d left" in s.current_medicines[0]
    bp = next(v for v in s.vitals if v.key == "bp")
    assert (bp.text, bp.trend, bp.previous, bp.flag) == ("132/84", "down", "150/92", None)
    weight = next(v for v in s.vitals if v.key == "weight_kg")
    assert weight.trend == "steady"
    assert s.last_prescription == ["Tab Glycomet 500 1-0-1 PC x 30 days", "Tab Dolo 650 SOS x 3 days"]
    later = patient_summary(db, team.doctor, patient.id, today=date.today() + timedelta(days=31))
    assert later.current_medicines == []  # the 30-day course has run out


def test_the_queue_board_names_each_entry_in_token_order(db, team, patient):
    other = register_patient(db, team.receptionist, {"full_name": "Imran Qureshi", "gender": "M", "age_years": 33})
    add_to_queue(db, team.receptionist, {"patient_id": patient.id, "doctor_id": team.doctor.staff_id, "reason": "BP"})
    add_to_queue(db, team.receptionist, {"patient_id": other.id})
    board = queue_board(db)
    assert [(e.token, e.name, e.doctor, e.status) for e in board] == [
        (1, "Kavita Deshmukh", "Dr Anand Kulkarni", "checked_in"), (2, "Imran Qureshi", None, "checked_in")]


def test_a_reports_values_are_saved_together_or_not_at_all(db, team, patient):
    from core.services.labs import order_lab, record_lab_results

    enc = consult.open_consult(db, team.doctor, patient.id)
    order = order_lab(db, team.doctor, enc, {"test_name": "Lipid profile"})
    before = record_counts(db)
    with pytest.raises(InvalidInput, match="range"):
        record_lab_results(db, team.doctor, order.id, [{"value": "190", "unit": "mg/dL", "reference_high": 200},
                                                      {"value": "45", "unit": "mg/dL", "reference_low": 60, "reference_high": 40}])
    assert record_counts(db) == before
    rows = record_lab_results(db, team.doctor, order.id, [{"value": "190", "unit": "mg/dL", "reference_high": 200},
                                                          {"value": "35", "unit": "mg/dL", "reference_low": 40}])
    assert [r.flag for r in rows] == ["normal", "low"]


def test_a_bill_imported_from_a_past_visit_counts_on_that_visits_day_not_today(db, team, patient):
    from datetime import UTC, datetime

    from core.services.billing import collection_summary
    from core.services.history import import_past_visits
    from core.services.visits import clinic_day

    import_past_visits(db, team.admin, [{"patient_id": patient.id, "doctor_id": team.doctor.staff_id,
                                         "started_at": datetime(2025, 3, 4, 5, 30, tzinfo=UTC), "note": {"chief_complaint": "Cough"},
                                         "bill": {"items": [{"description": "Consultation", "unit_price": 400}], "paid_by": "cash"}}],
                       source="test")
    assert collection_summary(db, clinic_day(db))["bills_count"] == 0
    assert collection_summary(db, date(2025, 3, 4))["bills_count"] == 1
