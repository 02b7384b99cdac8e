"""The prescribing journey on a real encrypted record: shorthand in, alerts seen and overridden with a
reason (audited), signed with the doctor's Ed25519 key, verified from the QR payload; a tampered
code, a revoked key and an edit behind the application's back all fail verification."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from sqlalchemy import select, text

from core.audit import verify_chain
from core.errors import ImmutableRecord, InvalidInput
from core.services import patients, prescriptions, signing_keys, visits
from core.storage.models import AuditEvent, PrescriptionItem, SigningSecret

ASHA = {"full_name": "Asha Verma", "gender": "female", "date_of_birth": "1968-07-02", "mobile": "98220 11223", "preferred_language": "Hindi"}


@pytest.fixture
def visit(db, team):
    patient = patients.register_patient(db, team.receptionist, {**ASHA, "allergies": [{"substance": "Penicillin", "severity": "severe"}]})
    patients.record_condition(db, team.doctor, patient.id, {"name": "Chronic kidney disease", "code": "N18.9"})
    encounter = visits.start_encounter(db, team.doctor, patient.id, team.doctor.staff_id)
    visits.record_vitals(db, team.doctor, encounter.id, {"systolic": 142, "diastolic": 90, "pulse": 84})
    visits.add_diagnosis(db, team.doctor, encounter.id, {"text": "Acute pharyngitis", "code": "J02.9", "code_system": "ICD-10"})
    return patient, encounter


def test_ambiguous_or_unreadable_lines_are_refused_naming_the_line_and_nothing_is_written(db, team, visit):
    _, encounter = visit
    with db.read() as session:
        before = session.execute(text("select count(*) from prescription")).scalar()
    with pytest.raises(InvalidInput) as refused:
        prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Dolo 650 1-0-1 x 5d", "Tab Telma OD", "???"])
    assert "line 2" in refused.value.problems and "several strengths" in refused.value.problems["line 2"]
    assert "line 3" in refused.value.problems
    with db.read() as session:
        assert session.execute(text("select count(*) from prescription")).scalar() == before


def test_alerts_block_signing_until_overridden_with_a_reason_and_the_override_is_audited(db, team, visit):
    _, encounter = visit
    rx = prescriptions.prescribe(db, team.doctor, encounter.id, ["Cap Amoxicillin 500 TDS x 5 days", "Tab Brufen 400 TDS x 3 days PC"])
    statuses = prescriptions.prescription_alerts(db, rx.id)
    kinds = {s.alert.kind for s in statuses}
    assert {"allergy", "condition"} <= kinds, statuses  # penicillin allergy; NSAID in kidney disease
    allergy = next(s for s in statuses if s.alert.kind == "allergy")
    assert allergy.alert.severity == "contraindicated" and "Amoxicillin" in allergy.alert.message and allergy.alert.source
    blocking = [s for s in statuses if s.blocking]
    with pytest.raises(InvalidInput) as refused:
        prescriptions.sign_prescription(db, team.doctor, rx.id)
    assert all(any(s.alert.key in k for k in refused.value.problems) for s in blocking)

    with pytest.raises(InvalidInput):
        prescriptions.override_alert(db, team.doctor, rx.id, allergy.alert.key, "ok")  # a reason of a few words is required
    with pytest.raises(InvalidInput):
        prescriptions.override_alert(db, team.receptionist, rx.id, allergy.alert.key, "Patient insists, tolerated before")
    for status in blocking:
        prescriptions.override_alert(db, team.doctor, rx.id, status.alert.key, "Tolerated this course in 2024 without reaction")
    signed = prescriptions.sign_prescription(db, team.doctor, rx.id)
    assert signed.signature and len(signed.signature) == 64

    with db.read() as session:
        overrides = [json.loads(e.detail) for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "prescription.alert_override"))]
    assert {o["alert"] for o in overrides} == {s.alert.key for s in blocking}
    assert all(o["reason"] == "Tolerated this course in 2024 without reaction" for o in overrides)
    assert verify_chain(db).ok


def test_a_signed_prescription_verifies_from_its_code_and_a_tampered_code_does_not(db, team, visit):
    _, encounter = visit
    rx = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Dolo 650 1-0-1 x 5 days", "Tab Cetirizine 10 mg HS x 5 days"])
    prescriptions.sign_prescription(db, team.doctor, rx.id)
    code = prescriptions.prescription_code(db, rx.id)

    report = prescriptions.verify_code(db, code.payload)
    assert report.ok, report.message
    assert report.document["patient"]["name"] == "Asha Verma" and report.doctor_on_record == "Dr Anand Kulkarni"
    assert [i["quantity"] for i in report.document["items"]] == [10, 5]

    # change the quantity inside the code and re-pack it: the signature no longer holds
    prefix, packed, signature, key = code.payload.split(".")
    document = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
    forged = document.replace(b'"quantity":10', b'"quantity":100')
    assert forged != document
    repacked = base64.urlsafe_b64encode(zlib.compress(forged)).rstrip(b"=").decode()
    tampered = prescriptions.verify_code(db, ".".join((prefix, repacked, signature, key)))
    assert not tampered.ok and "altered" in tampered.message

    assert not prescriptions.verify_code(db, "NRX1.garbage").ok
    assert not prescriptions.verify_code(None, code.payload).ok  # without the key register nobody can vouch for the key


def test_a_code_signed_with_a_key_the_clinic_never_issued_is_refused(db, team, visit):
    from core.prescribing import signing

    _, encounter = visit
    rx = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Dolo 650 SOS x 3 days"])
    prescriptions.sign_prescription(db, team.doctor, rx.id)
    document = dict(prescriptions.prescription_code(db, rx.id).document)
    private, public = signing.new_key_pair()  # a forger's own key, signing a perfectly formed document
    document["key"] = signing.fingerprint(public)
    body = signing.canonical(document)
    forged = signing.qr_payload(body, signing.sign(body, private), public)
    report = prescriptions.verify_code(db, forged)
    assert not report.ok and "not one this clinic issued" in report.message


def test_signed_prescriptions_are_frozen_and_an_edit_behind_the_application_is_found(db, team, visit):
    _, encounter = visit
    rx = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Pan 40 OD AC x 14 days"])
    prescriptions.sign_prescription(db, team.doctor, rx.id)
    with pytest.raises(ImmutableRecord):
        prescriptions.sign_prescription(db, team.doctor, rx.id)
    with pytest.raises(ImmutableRecord), db.write(team.doctor) as session:
        item = session.scalars(select(PrescriptionItem).where(PrescriptionItem.prescription_id == rx.id)).one()
        item.duration_days = 30
    assert prescriptions.verify_stored(db, rx.id).ok
    # someone edits the file with a SQL tool, bypassing every guard
    with db.engine.begin() as conn:
        conn.execute(text("update prescription_item set duration_days = 30 where prescription_id = :id"), {"id": rx.id})
    report = prescriptions.verify_stored(db, rx.id)
    assert not report.ok and "changed after signing" in report.message


def test_rotated_keys_keep_old_prescriptions_valid_and_revoked_keys_do_not(db, team, visit):
    _, encounter = visit
    first = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Dolo 650 SOS x 3 days"])
    prescriptions.sign_prescription(db, team.doctor, first.id)
    old_code = prescriptions.prescription_code(db, first.id)
    new_key = signing_keys.rotate_key(db, team.doctor, team.doctor.staff_id)
    assert new_key.fingerprint != old_code.fingerprint
    second = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Cetirizine 10 mg HS x 5 days"])
    prescriptions.sign_prescription(db, team.doctor, second.id)
    assert prescriptions.prescription_code(db, second.id).fingerprint == new_key.fingerprint
    assert prescriptions.verify_code(db, old_code.payload).ok  # retired, not revoked: still genuine

    keys = {k.fingerprint: k for k in signing_keys.list_keys(db)}
    assert keys[old_code.fingerprint].status == "retired" and keys[new_key.fingerprint].status == "active"
    with pytest.raises(InvalidInput):
        signing_keys.revoke_key(db, team.receptionist, keys[new_key.fingerprint].id, "laptop stolen")
    signing_keys.revoke_key(db, team.admin, keys[new_key.fingerprint].id, "Consult PC stolen on 20 Nov")
    report = prescriptions.verify_code(db, prescriptions.prescription_code(db, second.id).payload)
    assert not report.ok and "revoked" in report.message
    with db.read() as session:
        assert session.get(SigningSecret, keys[new_key.fingerprint].id).private_key == b""  # the private half is wiped
    third = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Cetirizine 10 mg HS x 3 days"])
    prescriptions.sign_prescription(db, team.doctor, third.id)  # a fresh key is made for the next signature
    assert prescriptions.verify_code(db, prescriptions.prescription_code(db, third.id).payload).ok


def test_the_private_key_never_enters_the_change_records(db, team, visit):
    _, encounter = visit
    rx = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Dolo 650 SOS x 3 days"])
    prescriptions.sign_prescription(db, team.doctor, rx.id)
    with db.read() as session:
        secret = session.scalars(select(SigningSecret)).one().private_key
        entities = set(session.scalars(text("select distinct entity from change")))
        blobs = " ".join(session.scalars(text("select data from change")))
    assert "signing_key" in entities and "signing_secret" not in entities
    assert base64.b64encode(secret).decode() not in blobs and secret.hex() not in blobs
