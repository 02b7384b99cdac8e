"""With AI_NO_RAW_PATIENT_DATA=true nothing that identifies the patient reaches the model; the doctor
still sees the real details in the draft. And the patient's record feeds the safety checks."""

from __future__ import annotations

import json
import re

import pytest

from core.prescribing.safety import ItemFacts
from core.scribe import PatientContext, draft_from_transcript
from core.scribe.config import ScribeConfig
from core.scribe.privacy import Deidentifier
from tests.scribe.conftest import local_config

PATIENT = PatientContext(
    patient_id="01a1fc9e-0000-7000-8000-000000000001", name="Ramesh Kumar Yadav", mobile="9876543210",
    abha_number="91-2345-6789-0123", abha_address="ramesh.yadav@abdm",
    address=("14, Gandhi Nagar, Near Water Tank", "Nashik", "422001"), other_ids=("UHID/2023/004512",), age=46, sex="male",
    allergies=("Penicillin",), conditions=(("Type 2 diabetes mellitus", "E11.9"),),
    current_medicines=(ItemFacts.of("Warfarin, already taking", "Warfarin", "oral"),),
)
AADHAAR = "4821 7736 9012"
OTHER_MOBILE = "99887 76655"

CONSULT = f"""\
Doctor: Namaste Ramesh ji, baithiye. Aap Ramesh Kumar Yadav hain na?
Patient: Haan doctor, main Ramesh Kumar Yadav. Mera number 98765 43210 hai, ABHA 91-2345-6789-0123 aur ramesh.yadav@abdm.
Patient: Aadhaar {AADHAAR} bhi le lijiye. Ghar 14, Gandhi Nagar, near water tank, Nashik 422001 mein hai.
Patient: Mere bete ka number +91 {OTHER_MOBILE} hai. UHID/2023/004512 purani file ka hai. Yadav ji ne bheja.
Patient: Teen din se bukhar hai aur gala kharab hai.
Doctor: Temperature 100.4. Tonsils are big and red. Ye acute tonsillitis hai.
Doctor: Amoxicillin 500 mg din mein teen baar, saat din.
Doctor: Ibuprofen 400 mg din mein do baar khane ke baad, teen din.
Doctor: Paanch din baad aana.
"""

SECRETS = ["Ramesh", "Yadav", "Ramesh Kumar Yadav", "9876543210", "98765 43210", "91-2345-6789-0123", "91234567890123",
           "ramesh.yadav@abdm", AADHAAR, AADHAAR.replace(" ", ""), "Gandhi Nagar", "water tank", "Nashik", "422001", OTHER_MOBILE,
           "9988776655", "UHID/2023/004512"]


def test_nothing_that_identifies_the_patient_is_sent_and_it_comes_back_in_the_draft(ollama):
    config = local_config(ollama, AI_NO_RAW_PATIENT_DATA="true")
    draft = draft_from_transcript(CONSULT, patient=PATIENT, config=config)

    sent = ollama.all_bytes().decode("utf-8").lower()
    decoded = " ".join(json.dumps(r.json) for r in ollama.requests if r.json).lower()
    for secret in SECRETS:
        assert secret.lower() not in sent and secret.lower() not in decoded, secret
    assert re.search(r"\d{4}\s?\d{4}\s?\d{4}", sent) is None  # no Aadhaar-like number in any form
    user = ollama.chats()[0].json["messages"][1]["content"]
    assert "[PATIENT]" in user and "[MOBILE-1]" in user and "[ABHA-NUMBER-1]" in user and "[ABHA-ADDRESS-1]" in user
    assert "[AADHAAR-1]" in user and "[ADDRESS-" in user
    assert "Patient: 46-year-old man." in user  # age and sex only

    told = draft.note["subjective"]
    for real in ("Ramesh Kumar Yadav", "9876543210", "91-2345-6789-0123", "ramesh.yadav@abdm", AADHAAR, "14, Gandhi Nagar, Near Water Tank",
                 "Nashik", "422001", OTHER_MOBILE, "UHID/2023/004512"):
        assert real in told, real
    assert "[" not in told
    assert draft.meta.deidentified and draft.meta.redacted["name"] >= 3 and draft.meta.redacted["aadhaar"] == 1
    assert draft.meta.patient_id == PATIENT.patient_id
    assert "Ramesh" not in json.dumps(draft.meta.as_dict())  # the metadata counts, it never holds values


def test_without_a_patient_in_context_aadhaar_and_mobile_numbers_are_still_scrubbed(ollama):
    config = local_config(ollama, AI_NO_RAW_PATIENT_DATA="true")
    draft = draft_from_transcript(CONSULT, config=config)
    sent = ollama.all_bytes().decode("utf-8")
    for secret in (AADHAAR, "98765 43210", OTHER_MOBILE, "91-2345-6789-0123", "ramesh.yadav@abdm"):
        assert secret not in sent
    assert AADHAAR in draft.note["subjective"]


def test_readings_and_doses_are_not_mistaken_for_numbers_to_hide():
    scrubber = Deidentifier(None)
    text = "BP 130/80, pulse 98, SpO2 98 100 120 80. Dolo 650 1-0-1 x 5 days. Sugar 168. Weight 82 kg. Review on 12/05/2025."
    assert scrubber.scrub(text) == text


def test_other_spellings_of_the_name_are_caught_but_ordinary_words_are_not():
    scrubber = Deidentifier(PatientContext(name="Lakshmi Narayanan"))
    out = scrubber.scrub("Laxmi ji, kamar dard kab se hai? Narayanan sahab ne bataya.")
    assert "Laxmi" not in out and "Narayanan" not in out and "kamar dard" in out
    assert scrubber.restore(out).startswith("Lakshmi ji")


def test_the_switch_is_off_for_the_local_model_unless_asked_and_on_for_cloud_models():
    assert ScribeConfig.from_settings(None, env={}).no_raw_patient_data is False
    assert ScribeConfig.from_settings(None, env={"AI_NO_RAW_PATIENT_DATA": "true"}).no_raw_patient_data is True
    cloud = ScribeConfig.from_settings(None, env={"AI_PROVIDER": "openai", "OPENAI_API_KEY": "k"})
    assert cloud.no_raw_patient_data is True
    assert ScribeConfig.from_settings(None, env={"AI_PROVIDER": "openai", "OPENAI_API_KEY": "k",
                                                 "AI_NO_RAW_PATIENT_DATA": "false"}).no_raw_patient_data is False
    from core.scribe import ScribeSetupError

    with pytest.raises(ScribeSetupError, match="AI_NO_RAW_PATIENT_DATA must be true or false"):
        ScribeConfig.from_settings(None, env={"AI_NO_RAW_PATIENT_DATA": "maybe"})


def test_with_the_switch_off_the_local_model_gets_the_transcript_as_spoken(ollama):
    draft_from_transcript(CONSULT, patient=PATIENT, config=local_config(ollama))
    assert "Ramesh Kumar Yadav" in ollama.chats()[0].json["messages"][1]["content"]


def test_medicines_are_checked_against_the_patients_allergies_and_current_medicines(ollama):
    draft = draft_from_transcript(CONSULT, patient=PATIENT, config=local_config(ollama, AI_NO_RAW_PATIENT_DATA="true"))
    by_generic = {m.expansion.generic: m for m in draft.medications}
    assert set(by_generic) == {"Amoxicillin", "Ibuprofen"}
    allergy = [a for a in by_generic["Amoxicillin"].alerts if a.kind == "allergy"]
    assert allergy and allergy[0].severity == "contraindicated" and "Penicillin" in allergy[0].message
    bleeding = [a for a in by_generic["Ibuprofen"].alerts if "Warfarin" in a.message]
    assert bleeding and bleeding[0].severity in ("major", "contraindicated")
    assert all(max(a.items) < len(draft.medications) for a in draft.alerts)  # indexes point into the drafted medicines
    printed = draft.as_dict()
    assert printed["medications"][0]["alerts"] and printed["alerts"]
