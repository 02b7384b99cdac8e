"""ABDM health documents (FHIR R4 bundles) built from a real clinic database: they validate
against the FHIR models, hang together (Composition first, every reference resolves, every
resource carries its NRCeS profile), say what the record says, and are the same for the same record.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import NotFound, RecordNotShareable
from core.fhir import op_consult_document, prescription_document
from core.services import clinic as clinic_service
from core.services import consult, patients, prescriptions, visits
from core.services.common import void
from core.storage.database import SYSTEM
from core.storage.models import AuditEvent, Change, Encounter, Patient, Prescription, PrescriptionItem

PROFILE = "https://nrces.in/ndhm/fhir/r4/StructureDefinition/"
FIXED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

# Which NRCeS profile each resource must carry; Observations by their LOINC code.
PROFILE_OF = {"Patient": "Patient", "Practitioner": "Practitioner", "Organization": "Organization", "Encounter": "Encounter",
              "Condition": "Condition", "AllergyIntolerance": "AllergyIntolerance", "MedicationRequest": "MedicationRequest",
              "ServiceRequest": "ServiceRequest", "Appointment": "Appointment", "DocumentReference": "DocumentReference"}
OBSERVATION_PROFILE = {"85354-9": "ObservationVitalSigns", "8867-4": "ObservationVitalSigns", "8310-5": "ObservationVitalSigns",
                       "9279-1": "ObservationVitalSigns", "2708-6": "ObservationVitalSigns", "29463-7": "ObservationBodyMeasurement",
                       "8302-2": "ObservationBodyMeasurement", "39156-5": "ObservationBodyMeasurement", "2339-0": "Observation"}
# OPConsultRecord sections (SNOMED CT) and what their entries may be.
OP_SECTIONS = {"422843007": {"Condition"}, "425044008": {"Observation"}, "722446000": {"AllergyIntolerance"},
               "371529009": {"Condition"}, "721963009": {"ServiceRequest"}, "721912009": {"MedicationRequest"},
               "390906007": {"Appointment"}, "404684003": {"Observation"}, "371530004": {"DocumentReference"}}


# --- checks every document must pass -----------------------------------------------------------------


def validate_with_fhir_models(bundle: dict) -> None:
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)


def all_references(value) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "reference"] + [r for k, v in value.items() if k != "reference" for r in all_references(v)]
    if isinstance(value, list):
        return [r for item in value for r in all_references(item)]
    return []


def resources(bundle: dict, kind: str | None = None) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if kind is None or e["resource"]["resourceType"] == kind]


def by_url(bundle: dict) -> dict[str, dict]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def check_document(bundle: dict, composition_profile: str, composition_type: str) -> dict:
    """The shape the IG asks of every document; returns the Composition."""
    validate_with_fhir_models(bundle)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "document"
    assert bundle["meta"]["versionId"] and bundle["meta"]["lastUpdated"]
    assert bundle["meta"]["profile"] == [PROFILE + "DocumentBundle"]
    assert bundle["identifier"]["system"] and bundle["identifier"]["value"]
    assert bundle["timestamp"]
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls)), "a resource appears twice"
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition", "the Composition must be the first entry"
    assert composition["meta"]["profile"] == [PROFILE + composition_profile]
    assert composition["type"]["coding"][0] == {"system": "http://snomed.info/sct", "code": composition_type,
                                                 "display": composition["type"]["coding"][0]["display"]}
    dangling = set(all_references(bundle["entry"])) - set(urls)
    assert not dangling, f"references to resources not in the bundle: {dangling}"
    for resource in resources(bundle)[1:]:
        kind = resource["resourceType"]
        if kind == "Observation":
            expected = OBSERVATION_PROFILE[resource["code"]["coding"][0]["code"]]
        else:
            expected = PROFILE_OF[kind]
        assert resource["meta"]["profile"] == [PROFILE + expected], f"{kind} {resource['id']} has profile {resource['meta']['profile']}"
    assert composition["section"], "a document needs at least one section"
    return composition


def section_resources(bundle: dict, section: dict) -> list[dict]:
    lookup = by_url(bundle)
    return [lookup[entry["reference"]] for entry in section["entry"]]


def sections_by_code(composition: dict) -> dict[str, dict]:
    return {s["code"]["coding"][0]["code"]: s for s in composition["section"]}


# --- a demo clinic, made once for the read-only tests -----------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from core.demo.generate import add_demo_data
    from core.settings import load_settings
    from core.storage.database import open_database

    root = tmp_path_factory.mktemp("fhir")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NADI_KEY_DIR", str(root / "keys"))
        mp.delenv("NADI_DB_KEY", raising=False)
        database, _ = open_database(load_settings(root / "clinic"), create=True)
        add_demo_data(database, 40, seed=11)
        yield database
        database.close()


def test_every_prescription_in_the_demo_clinic_makes_a_valid_prescription_record(demo):
    with demo.read() as session:
        ids = list(session.scalars(select(Prescription.id).order_by(Prescription.id)))
        assert len(ids) > 20
        for rx_id in ids:
            bundle = prescription_document(session, rx_id)
            composition = check_document(bundle, "PrescriptionRecord", "440545006")
            assert [s["code"]["coding"][0]["code"] for s in composition["section"]] == ["440545006"]
            lines = section_resources(bundle, composition["section"][0])
            live = session.scalar(select(func.count()).select_from(PrescriptionItem)
                                  .where(PrescriptionItem.prescription_id == rx_id, PrescriptionItem.voided_at.is_(None)))
            assert len(lines) == live == len(resources(bundle, "MedicationRequest"))
            assert all(r["resourceType"] == "MedicationRequest" and r["dosageInstruction"][0]["text"] for r in lines)
            assert all(e["type"] == "MedicationRequest" for e in composition["section"][0]["entry"])
            rx = session.get(Prescription, rx_id)
            (practitioner,) = resources(bundle, "Practitioner")
            assert {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{rx.prescriber_id}"} in [
                {k: i[k] for k in ("system", "value")} for i in practitioner["identifier"] if "system" in i]
            assert composition["author"][0]["reference"] == f"urn:uuid:{practitioner['id']}"
            assert len(resources(bundle, "Organization")) == 1 and len(resources(bundle, "Patient")) == 1


def test_every_visit_in_the_demo_clinic_makes_a_valid_op_consult_record(demo):
    with demo.read() as session:
        ids = list(session.scalars(select(Encounter.id).order_by(Encounter.id)))
        assert len(ids) > 40
        seen_sections = set()
        for encounter_id in ids:
            bundle = op_consult_document(session, encounter_id)
            composition = check_document(bundle, "OPConsultRecord", "371530004")
            (encounter,) = resources(bundle, "Encounter")
            assert composition["encounter"]["reference"] == f"urn:uuid:{encounter['id']}"
            for code, section in sections_by_code(composition).items():
                kinds = {r["resourceType"] for r in section_resources(bundle, section)}
                assert kinds <= OP_SECTIONS[code], f"section {code} holds {kinds}"
                seen_sections.add(code)
        # The demo history has complaints, vitals, conditions, tests, medicines, follow-ups and notes.
        assert {"422843007", "425044008", "371529009", "721963009", "721912009", "390906007", "371530004"} <= seen_sections


def test_a_patients_abha_number_and_address_identify_them_beside_our_own_record_id(demo):
    with demo.read() as session:
        with_abha = session.scalars(select(Patient).where(Patient.abha_number.is_not(None), Patient.abha_address.is_not(None))).first()
        without = session.scalars(select(Patient).where(Patient.abha_number.is_(None), Patient.abha_address.is_(None))).first()
        for person in (with_abha, without):
            encounter_id = session.scalar(select(Encounter.id).where(Encounter.patient_id == person.id).limit(1))
            if encounter_id is None:
                continue
            (patient,) = resources(op_consult_document(session, encounter_id), "Patient")
            values = {(i.get("system"), i["value"]) for i in patient["identifier"]}
            assert ("urn:ietf:rfc:3986", f"urn:uuid:{person.id}") in values
            assert patient["name"] == [{"text": person.full_name}] and patient["gender"] == person.gender
            if person is with_abha:
                assert ("https://healthid.ndhm.gov.in", person.abha_number) in values
                assert ("https://healthid.ndhm.gov.in", person.abha_address) in values
                assert patient["identifier"][0]["type"]["coding"][0]["code"] == "ABHA"
            else:
                assert not any(system == "https://healthid.ndhm.gov.in" for system, _ in values)


def test_the_same_record_gives_the_same_bytes_and_the_same_ids_across_documents(demo):
    with demo.read() as session:
        rx = session.scalars(select(Prescription).where(Prescription.signed_document.is_not(None))).first()
        first = json.dumps(prescription_document(session, rx.id, at=FIXED), ensure_ascii=False)
    with demo.read() as session:
        second = json.dumps(prescription_document(session, rx.id, at=FIXED), ensure_ascii=False)
        later = prescription_document(session, rx.id, at=FIXED + timedelta(hours=5))
        visit = op_consult_document(session, rx.encounter_id, at=FIXED)
    assert first.encode() == second.encode()
    earlier = json.loads(first)
    assert later["timestamp"] != earlier["timestamp"]
    assert {k: v for k, v in later.items() if k != "timestamp"} == {k: v for k, v in earlier.items() if k != "timestamp"}
    # The patient, doctor, clinic and medicines are the same resources in both kinds of document.
    shared = {e["fullUrl"] for e in earlier["entry"][1:]}
    assert shared <= {e["fullUrl"] for e in visit["entry"]}


def test_building_a_document_loads_no_fhir_models_at_start_up():
    code = "import sys, core.fhir; assert 'fhir.resources' not in sys.modules and 'fhir_core' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- visits made here, for what a document must say -------------------------------------------------


@pytest.fixture
def patient(db, team):
    return patients.register_patient(db, team.receptionist, {
        "full_name": "Lakshmi Narayanan", "gender": "female", "date_of_birth": "1968-07-04", "mobile": "9840012345",
        "abha_number": "91-1234-5678-9012", "abha_address": "lakshmi68@sbx", "city": "Chennai", "state": "Tamil Nadu",
        "allergies": [{"substance": "Penicillin", "reaction": "Hives", "severity": "severe"}],
        "conditions": [{"name": "Type 2 diabetes mellitus", "code": "E11.9", "code_system": "ICD-10"}],
    })


def written(db) -> tuple[int, int]:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Change)), s.scalar(select(func.count()).select_from(AuditEvent))


def test_vitals_become_observations_with_loinc_codes_values_and_units(db, team, patient):
    encounter_id = consult.open_consult(db, team.doctor, patient.id)
    consult.save_visit(db, team.doctor, encounter_id, {
        "chief_complaint": "Fever and body ache x 2 days",
        "vitals": {"systolic": 142, "diastolic": 92, "pulse": 88, "temperature_c": 38.4, "spo2": 96, "respiratory_rate": 18,
                   "weight_kg": 72.5, "height_cm": 165, "blood_glucose_mg_dl": 186, "glucose_context": "random"},
    })
    with db.read() as session:
        bundle = op_consult_document(session, encounter_id)
    composition = check_document(bundle, "OPConsultRecord", "371530004")
    exam = section_resources(bundle, sections_by_code(composition)["425044008"])

    def reading(code):
        (found,) = [o for o in exam if o["code"]["coding"][0]["code"] == code]
        assert found["code"]["coding"][0]["system"] == "http://loinc.org" and found["code"]["coding"][0]["display"]
        assert found["status"] == "final" and found["category"][0]["coding"][0]["code"] == "vital-signs"
        return found

    def value(code):
        quantity = reading(code)["valueQuantity"]
        assert quantity["system"] == "http://unitsofmeasure.org"
        return quantity["value"], quantity["code"]

    pressure = {c["code"]["coding"][0]["code"]: (c["valueQuantity"]["value"], c["valueQuantity"]["code"]) for c in reading("85354-9")["component"]}
    assert pressure == {"8480-6": (142, "mm[Hg]"), "8462-4": (92, "mm[Hg]")}
    assert value("8867-4") == (88, "/min")
    assert value("8310-5") == (38.4, "Cel")
    assert value("2708-6") == (96, "%")
    assert value("9279-1") == (18, "/min")
    assert value("29463-7") == (72.5, "kg")
    assert value("8302-2") == (165, "cm")
    assert value("39156-5") == (26.6, "kg/m2")
    assert len(exam) == 8
    (glucose,) = section_resources(bundle, sections_by_code(composition)["404684003"])
    assert glucose["code"]["coding"][0]["code"] == "2339-0" and "random" in glucose["code"]["text"]
    assert (glucose["valueQuantity"]["value"], glucose["valueQuantity"]["code"]) == (186, "mg/dL")


def test_a_finished_visit_has_every_section_it_recorded(db, team, patient):
    encounter_id = consult.open_consult(db, team.doctor, patient.id)
    follow_up = date(2026, 3, 9)
    consult.finish_visit(db, team.doctor, encounter_id, {
        "chief_complaint": "Cough x 1 week", "history": "Dry cough, worse at night", "examination": "Chest clear",
        "advice": "Steam inhalation", "follow_up_on": follow_up,
        "diagnoses": [{"text": "Acute bronchitis", "code": "J20.9", "code_system": "ICD-10", "is_primary": True}],
        "investigations": ["CBC", "Chest X-ray"],
    })
    with db.read() as session:
        bundle = op_consult_document(session, encounter_id)
    composition = check_document(bundle, "OPConsultRecord", "371530004")
    sections = sections_by_code(composition)
    assert list(sections) == ["422843007", "722446000", "371529009", "721963009", "390906007", "371530004"]
    assert composition["status"] == "final" and composition["attester"][0]["mode"] == "legal"

    (complaint,) = section_resources(bundle, sections["422843007"])
    assert complaint["code"]["text"] == "Cough x 1 week"
    (allergy,) = section_resources(bundle, sections["722446000"])
    assert allergy["code"]["text"] == "Penicillin" and allergy["reaction"][0] == {"manifestation": [{"text": "Hives"}], "severity": "severe"}
    (history,) = section_resources(bundle, sections["371529009"])
    assert history["code"]["coding"] == [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "E11.9", "display": history["code"]["coding"][0]["display"]}]
    tests = {r["code"]["text"]: r["category"][0]["coding"][0]["code"] for r in section_resources(bundle, sections["721963009"])}
    assert tests == {"CBC": "108252007", "Chest X-ray": "363679005"}
    (visit_again,) = section_resources(bundle, sections["390906007"])
    assert visit_again["resourceType"] == "Appointment" and visit_again["start"] == "2026-03-09T00:00:00+05:30"
    (note,) = section_resources(bundle, sections["371530004"])
    text = base64.b64decode(note["content"][0]["attachment"]["data"]).decode("utf-8")
    assert "History: Dry cough, worse at night" in text and "Advice: Steam inhalation" in text and "Follow-up: 09 Mar 2026" in text

    (encounter,) = resources(bundle, "Encounter")
    assert encounter["status"] == "finished"
    (diagnosis,) = [by_url(bundle)[d["condition"]["reference"]] for d in encounter["diagnosis"]]
    assert diagnosis["code"]["coding"][0]["code"] == "J20.9" and diagnosis["code"]["text"] == "Acute bronchitis"


def test_a_draft_prescription_makes_a_preliminary_document_without_writing_anything(db, team, patient):
    encounter_id = consult.open_consult(db, team.doctor, patient.id)
    rx = prescriptions.prescribe(db, team.doctor, encounter_id, ["Tab Dolo 650 1-1-1 x 3 days after food", "Tab Cetirizine 10 mg HS x 5 days"])
    before = written(db)
    with db.read() as session:
        draft = prescription_document(session, rx.id, at=FIXED)

    class Rollback(Exception):
        pass

    # As `nadi selftest` does it: inside a write transaction that is then rolled back.
    with pytest.raises(Rollback):
        with db.write(team.doctor) as session:
            in_transaction = prescription_document(session, rx.id, at=FIXED)
            raise Rollback
    assert written(db) == before
    assert in_transaction == draft

    composition = check_document(draft, "PrescriptionRecord", "440545006")
    assert composition["status"] == "preliminary" and "attester" not in composition
    dolo, cetirizine = section_resources(draft, composition["section"][0])
    assert {dolo["status"], cetirizine["status"]} == {"draft"}
    assert dolo["medicationCodeableConcept"]["text"].startswith("Dolo 650")
    dose = dolo["dosageInstruction"][0]
    assert dose["text"] == "1 tablet morning, afternoon and night, after food, for 3 days."
    assert dose["timing"]["repeat"] == {"boundsDuration": {"value": 3, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"},
                                        "frequency": 3, "period": 1, "periodUnit": "d", "when": ["MORN", "AFT", "NIGHT"]}
    assert dose["route"]["coding"][0]["code"] == "26643006"
    assert dose["doseAndRate"] == [{"doseQuantity": {"value": 1, "unit": "tab"}}]
    assert dolo["dispenseRequest"]["quantity"] == {"value": 9, "unit": "tab"}
    assert cetirizine["dosageInstruction"][0]["timing"]["repeat"]["when"] == ["HS"]

    prescriptions.sign_prescription(db, team.doctor, rx.id)
    with db.read() as session:
        signed = prescription_document(session, rx.id, at=FIXED)
    composition = check_document(signed, "PrescriptionRecord", "440545006")
    assert composition["status"] == "final"
    assert composition["attester"][0]["party"] == composition["author"][0]
    assert {r["status"] for r in resources(signed, "MedicationRequest")} == {"active"}
    # The same document, a new version of it.
    assert signed["identifier"] == draft["identifier"] and signed["id"] == draft["id"]
    assert signed["meta"]["versionId"] != draft["meta"]["versionId"]


def test_voided_lines_are_left_out_and_a_prescription_with_none_left_is_refused(db, team, patient):
    encounter_id = consult.open_consult(db, team.doctor, patient.id)
    rx = prescriptions.create_prescription(db, team.doctor, encounter_id, [
        {"drug_name": "Amoxicillin", "strength": "500 mg", "form": "cap", "frequency": "TDS", "duration_days": 5},
        {"drug_name": "Paracetamol", "strength": "500 mg", "form": "tab", "frequency": "SOS"},
        {"drug_name": "ORS", "form": "sachet", "dose": "1 sachet in 1 L water", "frequency": "after every loose stool"},
    ])
    with db.read() as session:
        items = list(session.scalars(select(PrescriptionItem).where(PrescriptionItem.prescription_id == rx.id).order_by(PrescriptionItem.position)))
        whole = prescription_document(session, rx.id)
    check_document(whole, "PrescriptionRecord", "440545006")
    amoxicillin, paracetamol, ors = resources(whole, "MedicationRequest")
    # Words from past records are read with the prescribing vocabulary; what it does not know stays words.
    assert amoxicillin["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 3
    assert paracetamol["dosageInstruction"][0]["asNeededBoolean"] is True
    assert "timing" not in ors["dosageInstruction"][0]
    assert ors["dosageInstruction"][0]["text"] == "1 sachet in 1 L water, after every loose stool."

    void(db, team.doctor, PrescriptionItem, items[1].id, "prescribed in error")
    with db.read() as session:
        fewer = prescription_document(session, rx.id)
    assert [r["medicationCodeableConcept"]["text"] for r in resources(fewer, "MedicationRequest")] == ["Amoxicillin 500 mg cap", "ORS sachet"]

    void(db, team.doctor, PrescriptionItem, items[0].id, "prescribed in error")
    void(db, team.doctor, PrescriptionItem, items[2].id, "prescribed in error")
    with db.read() as session, pytest.raises(RecordNotShareable, match="no medicines left"):
        prescription_document(session, rx.id)


def test_unknown_or_voided_records_and_empty_visits_are_refused_clearly(db, team, patient):
    with db.read() as session:
        with pytest.raises(NotFound, match="no prescription with id nope"):
            prescription_document(session, "nope")
        with pytest.raises(NotFound, match="no encounter with id nope"):
            op_consult_document(session, "nope")
    empty = visits.start_encounter(db, team.doctor, patient.id, team.doctor.staff_id)
    with db.read() as session:
        # The patient's allergies and conditions are on file, so even a bare visit has something.
        check_document(op_consult_document(session, empty.id), "OPConsultRecord", "371530004")
    rx = prescriptions.create_prescription(db, team.doctor, empty.id, [{"drug_name": "Cetirizine", "strength": "10 mg"}])
    void(db, team.doctor, Prescription, rx.id, "wrong patient")
    with db.read() as session, pytest.raises(NotFound, match="was voided"):
        prescription_document(session, rx.id)

    bare = patients.register_patient(db, team.receptionist, {"full_name": "Arun Kumar", "gender": "male", "age_years": 30})
    nothing = visits.start_encounter(db, team.doctor, bare.id, team.doctor.staff_id)
    with db.read() as session, pytest.raises(RecordNotShareable, match="nothing recorded yet"):
        op_consult_document(session, nothing.id)


def test_a_database_without_a_clinic_cannot_share_records(db):
    person = patients.register_patient(db, SYSTEM, {"full_name": "Arun Kumar", "gender": "male", "age_years": 30})
    visit = visits.start_encounter(db, SYSTEM, person.id, note={"chief_complaint": "Headache"})
    with db.read() as session, pytest.raises(RecordNotShareable, match="clinic is not set up"):
        op_consult_document(session, visit.id)


def test_the_clinic_is_known_by_its_hfr_id_once_it_has_one(db, team, patient):
    encounter_id = visits.start_encounter(db, team.doctor, patient.id, team.doctor.staff_id, note={"chief_complaint": "Headache"}).id
    with db.read() as session:
        (before,) = resources(op_consult_document(session, encounter_id), "Organization")
    assert [i["system"] for i in before["identifier"]] == ["urn:ietf:rfc:3986"]
    clinic_service.update_clinic(db, team.admin, {"hfr_id": "IN2710000123"})
    with db.read() as session:
        (after,) = resources(op_consult_document(session, encounter_id), "Organization")
    assert after["identifier"][0]["system"] == "https://facility.ndhm.gov.in" and after["identifier"][0]["value"] == "IN2710000123"
    assert after["name"] == "Shanti Clinic"


def test_an_amended_note_says_which_document_it_replaces(db, team, patient):
    encounter_id = consult.open_consult(db, team.doctor, patient.id)
    consult.finish_visit(db, team.doctor, encounter_id, {"chief_complaint": "Knee pain"})
    amended = visits.amend_encounter(db, team.doctor, encounter_id, "wrong knee recorded")
    with db.read() as session:
        original = op_consult_document(session, encounter_id)
        correction = op_consult_document(session, amended.id)
    check_document(correction, "OPConsultRecord", "371530004")
    replaced = correction["entry"][0]["resource"]["relatesTo"]
    assert replaced == [{"code": "replaces", "targetIdentifier": original["entry"][0]["resource"]["identifier"]}]
