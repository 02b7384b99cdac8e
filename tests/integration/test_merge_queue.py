"""The duplicate-patient merge queue: one person registered on two PCs becomes one record again."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from core.errors import InvalidInput
from core.search.query import search_patients
from core.services import billing, labs, merges, patients, prescriptions, visits
from core.services.common import void
from core.storage.database import SYSTEM, Actor
from core.storage.models import (
    Allergy,
    Appointment,
    AuditEvent,
    Bill,
    Change,
    ChronicCondition,
    Diagnosis,
    Encounter,
    LabOrder,
    LabResult,
    MergeCandidate,
    Patient,
    PatientIdentifier,
    Prescription,
    Vitals,
)

FAMILY_MOBILE = "9822012345"
# The same man, registered at the front desk PC and again at the doctor's PC while the LAN was down.
RAMESH_DESK = {"full_name": "Ramesh Kumar Patil", "gender": "male", "date_of_birth": "1984-06-02", "mobile": FAMILY_MOBILE,
               "city": "Pune", "allergies": [{"substance": "Penicillin", "severity": "severe"}]}
RAMESH_DOCTOR = {"full_name": "Ramesh Patil", "gender": "male", "age_years": date.today().year - 1985, "mobile": FAMILY_MOBILE,
                 "abha_number": "91-1234-5678-9012", "address_line": "14, Shivaji Nagar", "pincode": "411005",
                 "conditions": [{"name": "Type 2 diabetes"}], "identifiers": [{"system": "previous-clinic-opd", "value": "OPD/2019/00417"}]}
# Same phone, different people: his father (same name, thirty years older) and his son.
RAMESH_FATHER = {"full_name": "Ramesh Patil", "gender": "male", "date_of_birth": "1955-01-20", "mobile": FAMILY_MOBILE}
ROHAN_SON = {"full_name": "Rohan Ramesh Patil", "gender": "male", "date_of_birth": "2012-09-11", "mobile": FAMILY_MOBILE}


def register(db, team, data):
    return patients.register_patient(db, team.receptionist, data)


def detect(db, *ids):
    with db.write(SYSTEM) as session:
        return [(c.id, c.patient_a_id, c.patient_b_id, c.reason) for c in merges.detect_candidates(session, ids)]


def follow(db):
    with db.write(SYSTEM) as session:
        return merges.follow_merges(session)


def marks(db):
    with db.read() as s:
        return (s.scalar(select(func.coalesce(func.max(Change.seq), 0))), s.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))))


def found_by_search(db, text):
    with db.read() as s:
        return {hit.id for hit in search_patients(s.connection(), text, limit=50)}


def test_a_pair_gets_the_same_queue_id_whichever_order_and_whichever_pc_spots_it():
    a, b = "0190a1b2-0000-7000-8000-000000000001", "0190a1b2-0000-7000-8000-000000000002"
    assert merges.candidate_id(a, b) == merges.candidate_id(b, a)
    assert len(merges.candidate_id(a, b)) == 36 and merges.candidate_id(a, b).count("-") == 4
    assert merges.candidate_id(a, b) != merges.candidate_id(a, "0190a1b2-0000-7000-8000-000000000003")


def test_a_shared_abha_number_or_address_is_queued_whatever_the_names_say(db, team):
    first = register(db, team, {"full_name": "Lakshmi Narayanan", "gender": "F", "age_years": 52, "abha_number": "91 1111 2222 3333"})
    second = register(db, team, {"full_name": "S. Lakshmi", "gender": "F", "age_years": 49, "abha_number": "91-1111-2222-3333"})
    third = register(db, team, {"full_name": "Anjali Deshmukh", "gender": "F", "age_years": 30, "abha_address": "anjali.d@sbx"})
    fourth = register(db, team, {"full_name": "Anjali Rao", "gender": "F", "age_years": 31, "abha_address": "Anjali.D@sbx"})

    found = detect(db, second.id, fourth.id)

    reasons = {frozenset((a, b)): reason for _id, a, b, reason in found}
    assert reasons == {
        frozenset((first.id, second.id)): "same ABHA number 91-1111-2222-3333",
        frozenset((third.id, fourth.id)): "same ABHA address anjali.d@sbx",
    }
    # The row id is the pair's id: a second PC spotting the same pair writes the same row.
    assert {cid for cid, a, b, _r in found} == {merges.candidate_id(first.id, second.id), merges.candidate_id(fourth.id, third.id)}
    assert merges.count_open(db) == 2


def test_same_mobile_close_name_and_age_is_queued_but_a_family_sharing_the_phone_is_not(db, team):
    father = register(db, team, RAMESH_FATHER)
    son = register(db, team, ROHAN_SON)
    desk = register(db, team, RAMESH_DESK)
    doctor = register(db, team, RAMESH_DOCTOR)

    found = detect(db, father.id, son.id, desk.id, doctor.id)

    assert len(found) == 1
    _id, a, b, reason = found[0]
    assert {a, b} == {desk.id, doctor.id} and a < b
    years = {desk.id: "1984", doctor.id: "about 1985"}
    assert reason == f"same mobile {FAMILY_MOBILE} and a close name, born {years[a]}/{years[b]}"
    # Detecting again (the next sync batch) adds nothing: the pair is already queued.
    assert detect(db, desk.id, doctor.id) == []
    assert merges.count_open(db) == 1


def test_the_queue_shows_both_registrations_side_by_side_oldest_first(db, team):
    desk = register(db, team, RAMESH_DESK)
    doctor = register(db, team, RAMESH_DOCTOR)
    visit = visits.start_encounter(db, team.doctor, doctor.id, team.doctor.staff_id)
    visits.complete_encounter(db, team.doctor, visit.id)
    detect(db, doctor.id)
    later_a = register(db, team, {"full_name": "Fatima Begum", "gender": "F", "age_years": 60, "abha_number": "91-9999-8888-7777"})
    later_b = register(db, team, {"full_name": "Fatema Begam", "gender": "F", "age_years": 61, "abha_number": "91-9999-8888-7777"})
    detect(db, later_b.id)

    queue = merges.open_candidates(db)

    assert [frozenset((c.a.patient_id, c.b.patient_id)) for c in queue] == [frozenset((desk.id, doctor.id)), frozenset((later_a.id, later_b.id))]
    sides = {s.patient_id: s for s in (queue[0].a, queue[0].b)}
    assert sides[doctor.id].name == "Ramesh Patil" and sides[doctor.id].visits == 1 and sides[desk.id].visits == 0
    assert sides[doctor.id].abha_number == "91-1234-5678-9012" and sides[desk.id].abha_number is None
    assert sides[desk.id].date_of_birth == date(1984, 6, 2) and not sides[desk.id].birth_date_estimated
    assert sides[doctor.id].birth_date_estimated and sides[doctor.id].age == date.today().year - 1985
    assert sides[desk.id].mobile == FAMILY_MOBILE and sides[desk.id].gender == "male"
    assert sides[desk.id].registered_at <= sides[doctor.id].registered_at
    assert queue[0].reason.startswith("same mobile 9822012345")
    assert merges.count_open(db) == 2


def test_a_pair_marked_as_different_people_is_never_asked_again(db, team):
    father = register(db, team, {**RAMESH_FATHER, "date_of_birth": "1982-01-20"})  # close enough in age to be queued
    desk = register(db, team, RAMESH_DESK)
    [(cid, *_)] = detect(db, desk.id)

    with pytest.raises(InvalidInput, match="say why"):
        merges.dismiss_candidate(db, team.receptionist, cid, "  ")
    merges.dismiss_candidate(db, team.receptionist, cid, "cousins; both live at the same address")

    assert merges.count_open(db) == 0 and merges.open_candidates(db) == []
    assert detect(db, desk.id, father.id) == []
    with db.read() as s:
        row = s.get(MergeCandidate, cid)
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "patient.merge_dismissed"))
    assert (row.status, row.resolved_by) == ("dismissed", team.receptionist.staff_id) and row.resolved_at is not None
    assert row.reason.startswith("same mobile")  # the detection reason stays; the desk's reason is in the audit
    assert json.loads(event.detail)["reason"] == "cousins; both live at the same address"
    with pytest.raises(merges.MergeRefused, match="already marked as two different people"):
        merges.merge_patients(db, team.receptionist, cid, desk.id)


def give_history(db, team, patient_id):
    """A visit's worth of rows for one registration: queue, note, vitals, diagnosis, prescription,
    lab order and result, bill."""
    appt = visits.add_to_queue(db, team.receptionist, {"patient_id": patient_id, "doctor_id": team.doctor.staff_id})
    enc = visits.start_encounter(db, team.doctor, patient_id, team.doctor.staff_id, appt.id)
    visits.update_note(db, team.doctor, enc.id, {"chief_complaint": "Fever for 3 days"})
    visits.record_vitals(db, team.doctor, enc.id, {"systolic": 128, "diastolic": 82, "temperature_c": 38.4})
    visits.add_diagnosis(db, team.doctor, enc.id, {"text": "Viral fever"})
    rx = prescriptions.create_prescription(db, team.doctor, enc.id, [{"drug_name": "Paracetamol", "strength": "650 mg", "frequency": "TDS", "duration_days": 3}])
    order = labs.order_lab(db, team.doctor, enc.id, {"test_name": "CBC"})
    labs.record_lab_result(db, team.doctor, order.id, {"value": "11.2", "unit": "g/dL", "reference_low": 13})
    visits.complete_encounter(db, team.doctor, enc.id)
    bill = billing.create_bill(db, team.receptionist, {"patient_id": patient_id, "encounter_id": enc.id, "items": [{"description": "Consultation", "unit_price": "400"}]})
    return {"appointment": appt.id, "encounter": enc.id, "prescription": rx.id, "lab_order": order.id, "bill": bill.id}


def merged_pair(db, team):
    desk = register(db, team, RAMESH_DESK)
    doctor = register(db, team, RAMESH_DOCTOR)
    [(cid, *_)] = detect(db, doctor.id)
    return desk, doctor, cid


def test_a_merge_moves_the_whole_history_to_the_survivor_and_fills_what_it_lacked(db, team):
    desk, doctor, cid = merged_pair(db, team)
    history = give_history(db, team, doctor.id)

    result = merges.merge_patients(db, team.receptionist, cid, desk.id)

    assert (result.survivor_id, result.duplicate_id) == (desk.id, doctor.id)
    assert result.moved == {"appointment": 1, "encounter": 1, "vitals": 1, "diagnosis": 1, "prescription": 1, "lab_order": 1,
                            "lab_result": 1, "bill": 1, "chronic_condition": 1, "patient_identifier": 1}
    record = patients.open_patient_record(db, team.doctor, desk.id)
    assert [v.encounter.id for v in record.visits] == [history["encounter"]]
    visit = record.visits[0]
    assert visit.vitals[0].systolic == 128 and visit.diagnoses[0].text == "Viral fever"
    assert visit.prescriptions[0][1][0].drug_name == "Paracetamol" and visit.lab_orders[0][1][0].value_text == "11.2"
    assert [a.substance for a in record.allergies] == ["Penicillin"]
    assert [c.name for c in record.conditions] == ["Type 2 diabetes"]
    assert [i.value for i in record.identifiers] == ["OPD/2019/00417"]
    assert [q.patient_id for q in visits.todays_queue(db)] == [desk.id]
    with db.read() as s:
        assert s.get(Bill, history["bill"]).patient_id == desk.id
        survivor, dup = s.get(Patient, desk.id), s.get(Patient, doctor.id)
        for model in merges.PATIENT_REFERENCES:
            assert s.scalar(select(func.count()).select_from(model).where(model.patient_id == doctor.id)) == 0, model.__tablename__
    # What the survivor lacked came from the duplicate; what it had stayed.
    assert (survivor.abha_number, survivor.address_line, survivor.pincode) == ("91-1234-5678-9012", "14, Shivaji Nagar", "411005")
    assert (survivor.full_name, survivor.city, survivor.date_of_birth) == ("Ramesh Kumar Patil", "Pune", date(1984, 6, 2))
    assert set(result.filled) == {"abha_number", "address_line", "pincode"}
    assert dup.merged_into_id == desk.id and dup.voided_at is not None
    assert dup.void_reason == f"merged into Ramesh Kumar Patil ({desk.id})"
    assert merges.count_open(db) == 0
    with db.read() as s:
        cand = s.get(MergeCandidate, cid)
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "patient.merged"))
    assert (cand.status, cand.survivor_id, cand.resolved_by) == ("merged", desk.id, team.receptionist.staff_id)
    detail = json.loads(event.detail)
    assert (detail["survivor"], detail["duplicate"], detail["rows_moved"]) == (desk.id, doctor.id, 10)


def test_an_exact_birth_date_replaces_an_estimated_one(db, team):
    desk, doctor, cid = merged_pair(db, team)
    merges.merge_patients(db, team.doctor, cid, doctor.id)
    with db.read() as s:
        survivor = s.get(Patient, doctor.id)
    assert (survivor.date_of_birth, survivor.birth_date_estimated) == (date(1984, 6, 2), False)
    assert (survivor.abha_number, survivor.city) == ("91-1234-5678-9012", "Pune")  # kept, and filled


def test_the_merge_and_every_moved_row_are_change_records_for_the_other_pcs(db, team):
    desk, doctor, cid = merged_pair(db, team)
    history = give_history(db, team, doctor.id)
    merges.merge_patients(db, team.receptionist, cid, desk.id)

    with db.read() as s:
        tx = s.scalar(select(Change.tx_id).where(Change.entity == "patient", Change.row_id == doctor.id, Change.op == "update")
                      .order_by(Change.seq.desc()).limit(1))
        changes: dict[tuple[str, str], dict] = {}
        for c in s.scalars(select(Change).where(Change.tx_id == tx).order_by(Change.seq)):
            changes.setdefault((c.entity, c.row_id), {}).update(json.loads(c.data))
    dup = changes[("patient", doctor.id)]
    assert dup["merged_into_id"] == desk.id and dup["voided_at"] and dup["void_reason"].startswith("merged into Ramesh Kumar Patil")
    assert changes[("patient", desk.id)]["abha_number"] == "91-1234-5678-9012"
    assert changes[("merge_candidate", cid)]["status"] == "merged" and changes[("merge_candidate", cid)]["survivor_id"] == desk.id
    for table in ("appointment", "encounter", "prescription", "lab_order", "bill"):
        assert changes[(table, history[table])]["patient_id"] == desk.id, table
    repointed = [k for k, v in changes.items() if v.get("patient_id") == desk.id]
    assert len(repointed) == 10 and all(op_data.keys() <= {"patient_id", "updated_at"} for k, op_data in changes.items() if k in repointed)


def test_a_merged_registration_is_no_longer_found_by_search(db, team):
    desk, doctor, cid = merged_pair(db, team)
    assert doctor.id in found_by_search(db, "Ramesh Patil") and doctor.id in found_by_search(db, "OPD/2019/00417")

    merges.merge_patients(db, team.receptionist, cid, desk.id)

    assert doctor.id not in found_by_search(db, "Ramesh Patil")
    # The survivor is found by what it took over: the ABHA number and the old clinic's OPD number.
    assert found_by_search(db, "91-1234-5678-9012") == {desk.id}
    assert found_by_search(db, "OPD/2019/00417") == {desk.id}


def test_a_row_made_before_another_pc_saw_the_merge_follows_it_down_the_chain(db, team):
    desk, doctor, cid = merged_pair(db, team)
    third = register(db, team, {"full_name": "Ramesh K Patil", "gender": "male", "date_of_birth": "1984-06-02", "abha_number": "91-1234-5678-9012"})
    merges.merge_patients(db, team.receptionist, cid, desk.id)  # doctor -> desk
    [view] = merges.open_candidates(db)  # desk now carries the ABHA number, so it pairs with the third
    assert {view.a.patient_id, view.b.patient_id} == {desk.id, third.id}
    merges.merge_patients(db, team.receptionist, view.id, third.id)  # desk -> third
    # A walk-in booked on a PC that had seen neither merge, arriving now by sync.
    with db.write(SYSTEM) as s:
        late = Appointment(patient_id=doctor.id, kind="walk_in", clinic_date=date.today(), token_number=7, status="checked_in")
        s.add(late)

    assert follow(db) == 1

    with db.read() as s:
        assert s.get(Appointment, late.id).patient_id == third.id
    assert [q.patient_id for q in visits.todays_queue(db)] == [third.id]
    assert follow(db) == 0


def test_follow_merges_writes_nothing_when_nothing_was_merged(db, team):
    desk = register(db, team, RAMESH_DESK)
    visits.add_to_queue(db, team.receptionist, {"patient_id": desk.id})
    before = marks(db)
    assert follow(db) == 0
    assert marks(db) == before


def test_a_pair_merged_opposite_ways_on_two_pcs_at_once_ends_as_one_record(db, team):
    desk, doctor, _cid = merged_pair(db, team)
    a_visit = visits.add_to_queue(db, team.receptionist, {"patient_id": desk.id})
    b_visit = visits.add_to_queue(db, team.receptionist, {"patient_id": doctor.id})
    # What sync leaves when one PC merged desk into doctor and the other doctor into desk.
    with db.write(SYSTEM) as s:
        for went, kept, appt in ((desk.id, doctor.id, a_visit.id), (doctor.id, desk.id, b_visit.id)):
            p = s.get(Patient, went)
            p.merged_into_id, p.voided_at, p.void_reason = kept, p.created_at, "merged"
            s.get(Appointment, appt).patient_id = kept

    follow(db)

    keep, gone = sorted((desk.id, doctor.id))
    with db.read() as s:
        kept, merged = s.get(Patient, keep), s.get(Patient, gone)
        appts = {s.get(Appointment, a).patient_id for a in (a_visit.id, b_visit.id)}
    assert (kept.merged_into_id, kept.voided_at) == (None, None) and merged.merged_into_id == keep
    assert appts == {keep}
    assert keep in found_by_search(db, "9822012345") and gone not in found_by_search(db, "9822012345")


def test_a_pair_with_one_side_voided_on_another_pc_leaves_the_queue(db, team):
    desk, doctor, cid = merged_pair(db, team)
    void(db, team.admin, Patient, doctor.id, "registered by mistake")
    assert merges.count_open(db) == 0  # nothing the desk could do with it

    follow(db)

    with db.read() as s:
        cand = s.get(MergeCandidate, cid)
    assert (cand.status, cand.survivor_id, cand.resolved_by) == ("merged", None, team.admin.staff_id)


@pytest.mark.parametrize("case", ["not_open", "survivor_outside_pair", "side_voided", "not_desk_role"])
def test_a_refused_merge_says_why_and_changes_nothing(db, team, case):
    desk, doctor, cid = merged_pair(db, team)
    outsider = register(db, team, {"full_name": "Kavita Joshi", "gender": "F", "age_years": 33})
    give_history(db, team, doctor.id)
    actor, survivor, expected = team.receptionist, desk.id, ""
    if case == "not_open":
        merges.dismiss_candidate(db, team.receptionist, cid, "different people, checked their Aadhaar")
        expected = "already marked as two different people"
    elif case == "survivor_outside_pair":
        survivor, expected = outsider.id, r"must be one of the pair \(Ramesh"
    elif case == "side_voided":
        void(db, team.admin, Patient, doctor.id, "registered by mistake")
        expected = r"voided \(registered by mistake\)"
    else:
        actor, expected = Actor(None, "nightly import", "system"), "signed in as system"
    before = marks(db)

    with pytest.raises(merges.MergeRefused, match=expected):
        merges.merge_patients(db, actor, cid, survivor)

    assert marks(db) == before
    with db.read() as s:
        assert s.get(Patient, doctor.id).merged_into_id is None
        assert s.scalar(select(func.count()).select_from(Encounter).where(Encounter.patient_id == doctor.id)) == 1


def test_signed_notes_and_prescriptions_follow_the_merge(db, team):
    desk, doctor, cid = merged_pair(db, team)
    history = give_history(db, team, doctor.id)
    prescriptions.sign_prescription(db, team.doctor, history["prescription"])
    visits.sign_encounter(db, team.doctor, history["encounter"])

    merges.merge_patients(db, team.receptionist, cid, desk.id)

    record = patients.open_patient_record(db, team.doctor, desk.id)
    assert [v.encounter.id for v in record.visits] == [history["encounter"]]
    assert record.visits[0].encounter.signed_at is not None and record.visits[0].prescriptions[0][0].signed_at is not None
    with db.read() as s:
        for model in (Encounter, Prescription, Vitals, Diagnosis, LabOrder, LabResult, Allergy, ChronicCondition, PatientIdentifier):
            assert s.scalar(select(func.count()).select_from(model).where(model.patient_id == doctor.id)) == 0
