"""Visit templates (shipped, the clinic's, a doctor's favourites) and a patient's lab history,
on a real encrypted database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.errors import InvalidInput
from core.services import labs, visits
from core.services.history import import_past_visits
from core.services.lab_history import lab_series, open_lab_orders
from core.services.patients import register_patient
from core.services.templates import list_templates, remove_template, save_template, template_body
from core.storage.models import AuditEvent, VisitTemplate
from core.storage.types import utcnow

BODY = {
    "chief_complaint": "Fever with chills",
    "advice": "Drink plenty of fluids.",
    "diagnoses": [{"text": "Viral fever", "code": "B34.9"}],
    "investigations": ["CBC", "Malaria antigen (rapid)"],
    "rx_lines": ["Tab Dolo 650 1-1-1 PC x 3d"],
    "follow_up_days": 3,
}


def _admin_adds_second_doctor(db, team):
    from core.services.clinic import add_staff
    from core.storage.database import Actor

    other = add_staff(db, team.admin, {"full_name": "Dr Rekha Iyer", "role": "doctor", "registration_council": "MMC", "registration_number": "MMC-2015-1"})
    return Actor(other.id, other.full_name, "doctor")


def test_a_doctor_sees_their_favourites_then_the_clinics_then_the_shipped_ones(db, team):
    other = _admin_adds_second_doctor(db, team)
    save_template(db, team.doctor, "Malaria season fever", BODY, favourite=True)
    save_template(db, team.admin, "Clinic fever", BODY, favourite=False)
    save_template(db, other, "Rekha's fever", BODY, favourite=True)

    mine = list_templates(db, team.doctor.staff_id)
    assert [(t.name, t.source) for t in mine[:2]] == [("Malaria season fever", "favourite"), ("Clinic fever", "clinic")]
    assert {t.source for t in mine[2:]} == {"shipped"} and len(mine) == 2 + 13
    assert "Rekha's fever" not in {t.name for t in mine}
    assert mine[0].favourite and mine[0].diagnoses == ("Viral fever",)

    fever = next(t for t in mine if t.id == "shipped:fever")
    body = template_body(db, fever.id)
    assert body.rx_lines and body.investigations == ["CBC"] and fever.body["follow_up_days"] == 3
    assert template_body(db, mine[0].id).investigations == ["CBC", "Malaria antigen (rapid)"]


def test_saving_under_the_same_name_replaces_and_removing_voids(db, team):
    first = save_template(db, team.doctor, "BP review", BODY, favourite=True)
    again = save_template(db, team.doctor, "bp review", {**BODY, "follow_up_days": 30}, favourite=True)
    assert again.id == first.id
    assert template_body(db, first.id).follow_up_days == 30

    remove_template(db, team.doctor, first.id)
    assert "BP review" not in {t.name for t in list_templates(db, team.doctor.staff_id)}
    with db.read() as session:
        row = session.get(VisitTemplate, first.id)
        assert row.voided_at is not None and row.voided_by == team.doctor.staff_id
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == first.id)))
    assert actions == ["template.save", "template.save", "void"]


def test_bad_templates_and_forbidden_changes_are_refused_and_nothing_is_written(db, team):
    other = _admin_adds_second_doctor(db, team)
    with pytest.raises(InvalidInput) as bad_key:
        save_template(db, team.doctor, "Typo", {**BODY, "folow_up_days": 3}, favourite=True)
    assert bad_key.value.problems == {"template.folow_up_days": "is not a field Nadi knows"}
    with pytest.raises(InvalidInput):
        save_template(db, team.doctor, "Empty", {}, favourite=True)
    with pytest.raises(InvalidInput):
        save_template(db, team.doctor, "   ", BODY, favourite=True)
    with pytest.raises(InvalidInput, match="only a doctor"):
        save_template(db, team.receptionist, "Mine", BODY, favourite=True)
    with pytest.raises(InvalidInput, match="cannot be removed"):
        remove_template(db, team.doctor, "shipped:fever")
    theirs = save_template(db, other, "Rekha's", BODY, favourite=True)
    with pytest.raises(InvalidInput, match="another doctor's favourite"):
        remove_template(db, team.doctor, theirs.id)
    with db.read() as session:
        assert [t.name for t in session.scalars(select(VisitTemplate))] == ["Rekha's"]
        assert session.get(VisitTemplate, theirs.id).voided_at is None


@pytest.fixture
def patient(db, team):
    return register_patient(db, team.receptionist, {"full_name": "Farida Begum", "gender": "F", "age_years": 52})


def test_lab_series_follows_a_test_over_visits_oldest_first(db, team, patient):
    now = utcnow()
    past = [
        {"patient_id": patient.id, "doctor_id": team.doctor.staff_id, "started_at": now - timedelta(days=days),
         "lab_orders": [{"test_name": "HbA1c", "results": [{"value": value, "unit": "%", "reference_low": 4, "reference_high": 5.6}]}]}
        for days, value in ((180, "9.1"), (90, "8.0"))
    ]
    # A demo-style CBC and lipid profile: several results on one order, none naming its part.
    past.append({"patient_id": patient.id, "doctor_id": team.doctor.staff_id, "started_at": now - timedelta(days=60), "lab_orders": [
        {"test_name": "CBC", "results": [{"value": "10.9", "unit": "g/dL", "reference_low": 12, "reference_high": 15},
                                         {"value": "7400", "unit": "cells/cumm", "reference_low": 4000, "reference_high": 11000}]},
        {"test_name": "Lipid profile", "results": [{"value": "212", "unit": "mg/dL", "reference_low": 125, "reference_high": 199},
                                                   {"value": "180", "unit": "mg/dL", "reference_low": 50, "reference_high": 149},
                                                   {"value": "44", "unit": "mg/dL", "reference_low": 50, "reference_high": 70},
                                                   {"value": "131", "unit": "mg/dL", "reference_low": 50, "reference_high": 99}]},
        {"test_name": "Urine culture and sensitivity", "results": [{"value": "No growth"}]},
    ]})
    import_past_visits(db, team.doctor, past, "test")
    today = visits.start_encounter(db, team.doctor, patient.id, doctor_id=team.doctor.staff_id)
    order = labs.order_lab(db, team.doctor, today.id, {"test_name": "hba1c"})
    labs.record_lab_result(db, team.receptionist, order.id, {"value": "7.2", "unit": "%", "reference_low": 4, "reference_high": 5.6})
    hb = labs.order_lab(db, team.doctor, today.id, {"test_name": "Haemoglobin"})
    labs.record_lab_result(db, team.receptionist, hb.id, {"value": "11.8", "unit": "g/dL", "reference_low": 12, "reference_high": 15})

    series = lab_series(db, patient.id)
    assert [p.value for p in series["HbA1c"]] == [9.1, 8.0, 7.2]
    assert [p.flag for p in series["HbA1c"]] == ["high", "high", "high"]
    assert [p.value for p in series["Haemoglobin"]] == [10.9, 11.8]  # the CBC's and the one ordered alone
    assert series["Haemoglobin"][0].low == 12 and series["Haemoglobin"][0].unit == "g/dL"
    assert [series[name][0].value for name in ("Total cholesterol", "Triglycerides", "HDL cholesterol", "LDL cholesterol")] == [212, 180, 44, 131]
    assert [p.value for p in series["Total leucocyte count"]] == [7400]
    assert "Urine culture and sensitivity" not in series  # text results are not charted


def test_open_orders_are_those_without_a_result_newest_first(db, team, patient):
    visit = visits.start_encounter(db, team.doctor, patient.id, doctor_id=team.doctor.staff_id)
    tsh = labs.order_lab(db, team.doctor, visit.id, {"test_name": "TSH"})
    cbc = labs.order_lab(db, team.doctor, visit.id, {"test_name": "CBC"})
    usg = labs.order_lab(db, team.doctor, visit.id, {"test_name": "USG abdomen"})
    assert [o.test_name for o in open_lab_orders(db, patient.id)] == ["USG abdomen", "CBC", "TSH"]

    labs.record_lab_result(db, team.receptionist, cbc.id, {"value": "12.9", "unit": "g/dL"})
    assert [o.id for o in open_lab_orders(db, patient.id)] == [usg.id, tsh.id]
