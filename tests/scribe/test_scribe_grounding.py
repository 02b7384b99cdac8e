"""Grounding: what the transcript does not support never enters the draft silently. Checked on our
reference consults (English and Hinglish), against a model that invents, and item by item."""

from __future__ import annotations

import re

import pytest

from core.prescribing.catalogue import shipped_catalogue
from core.prescribing.expand import expand
from core.scribe import draft_from_transcript
from core.scribe.draft import DraftMeta, build_draft
from core.scribe.eval import reference_consults, score_draft
from core.scribe.grounding import Grounding
from core.scribe.said import number_values, tokens
from tests.scribe.conftest import FEVER_CONSULT, local_config

CONSULTS = reference_consults()
CATALOGUE = shipped_catalogue()


def _medicine(transcript: str, line: str) -> str | None:
    return Grounding(transcript, CATALOGUE).medicine(line, "", expand(line, CATALOGUE))


@pytest.mark.parametrize("consult", CONSULTS, ids=lambda c: c.id)
def test_a_faithful_draft_of_each_reference_consult_is_accepted_whole(consult):
    draft = build_draft(consult.perfect_answer(), consult.transcript, CATALOGUE, DraftMeta("test", "perfect"))
    assert [(u.text, u.reason) for u in draft.unsupported] == []
    score = score_draft(draft, consult)
    assert score.total().coverage == 1.0 and score.total().unsupported_rate == 0.0


@pytest.mark.parametrize("consult", CONSULTS, ids=lambda c: c.id)
def test_what_each_reference_consult_does_not_say_is_caught(consult):
    g = Grounding(consult.transcript, CATALOGUE)
    for invented in ("Tab Azithromycin 500 mg OD x 3 days", "Tab Ciprofloxacin 500 mg BD x 5 days", "Tab Ibuprofen 400 mg TDS x 3 days"):
        assert "not mentioned in the consult" in g.medicine(invented, "", expand(invented, CATALOGUE))
    for expected in consult.medications:
        e = expand(expected.line, CATALOGUE)
        wrong_number = re.sub(r"\d+", lambda m: str(int(m.group()) * 2 + 1), expected.line, count=1)
        if wrong_number != expected.line:
            assert "not said in the consult" in g.medicine(wrong_number, "", expand(wrong_number, CATALOGUE)), wrong_number
        if e.per_day and not e.prn:
            wrong_often = re.sub(r"\b(OD|BD|TDS|HS|1-0-1|1-1-1)\b", "QID", expected.line)
            assert "frequency" in g.medicine(wrong_often, "", expand(wrong_often, CATALOGUE)), wrong_often
        if e.duration_days:
            wrong_long = re.sub(r"x \d+ (days|week|month)", "x 10 days", expected.line)
            assert "duration 10 days not said" in g.medicine(wrong_long, "", expand(wrong_long, CATALOGUE)), wrong_long
    for diagnosis in ("Typhoid fever", "Pneumonia", "Dengue fever", "Migraine", "Tuberculosis"):
        assert "is not what was said" in g.diagnosis(diagnosis)
    assert "not said in the consult" in g.vital("BP", "146/94", "mmHg")
    assert "not said in the consult" in g.vital("Weight", "57", "kg")
    assert "was not ordered" in g.investigation("MRI brain")


def test_an_invented_medicine_from_the_model_lands_in_unsupported(ollama):
    ollama.behaviour.misbehave.invent = "Tab Azithromycin 500 mg OD x 3 days"
    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    assert [m.expansion.generic for m in draft.medications] == ["Paracetamol"]
    listed, in_the_plan = draft.unsupported
    assert listed.as_dict() == {"text": "Tab Azithromycin 500 mg OD x 3 days", "field": "medications",
                                "reason": "Azithromycin is not mentioned in the consult"}
    # the model's plan repeated it in prose: that sentence is moved out too, the rest of the plan stays
    assert (in_the_plan.field, in_the_plan.text) == ("note.plan", "Tab Azithromycin 500 mg OD x 3 days")
    assert in_the_plan.reason == "mentions Azithromycin, which is not mentioned in the consult"
    assert "Azithromycin" not in draft.note["plan"] and "Paracetamol" in draft.note["plan"]


def test_the_notes_free_text_is_held_to_what_was_said():
    from core.scribe.answer import DiagnosisMentioned, ScribeAnswer, SoapNote
    from core.scribe.patient import PatientContext

    soap = SoapNote(subjective="46-year-old man with fever for 3 days. Took Crocin once.",
                    objective="Temperature 101 F. BP 150/90. Throat normal.",
                    assessment="Viral fever, possibly dengue. Rule out typhoid fever. No signs of pneumonia.",
                    plan="Paracetamol 650 mg three times a day. Start Azithromycin. Review after 3 days.")
    answer = ScribeAnswer(note=soap, vitals=[], diagnoses=[], medications=[], investigations=[], advice=[], follow_up="")
    said = ("Patient: Fever since three days. I took one Crocin.\nDoctor: Temperature is 101. Throat normal.\n"
            "Doctor: Viral fever, possibly dengue. Paracetamol 650 mg three times a day. Come after three days.")
    answer.diagnoses = [DiagnosisMentioned(text="Typhoid fever", quote="")]
    draft = build_draft(answer, said, CATALOGUE, DraftMeta("t", "m"), patient=PatientContext(age=46, sex="male"))
    assert draft.note == {"subjective": "46-year-old man with fever for 3 days. Took Crocin once.",
                          "objective": "Temperature 101 F. Throat normal.", "assessment": "Viral fever, possibly dengue.",
                          "plan": "Paracetamol 650 mg three times a day. Review after 3 days."}
    assert [(u.field, u.text, u.reason) for u in draft.unsupported] == [
        ("diagnoses", "Typhoid fever", "diagnosis 'Typhoid fever' is not what was said in the consult (typhoid not mentioned)"),
        ("note.objective", "BP 150/90.", "150 is not said in the consult"),
        ("note.assessment", "Rule out typhoid fever.", "repeats 'Typhoid fever', which the transcript does not support"),
        ("note.assessment", "No signs of pneumonia.", "names 'pneumonia', which is not said in the consult"),
        ("note.plan", "Start Azithromycin.", "mentions Azithromycin, which is not mentioned in the consult")]


def test_a_wrong_dose_from_the_model_lands_in_unsupported_with_the_number_named(ollama):
    ollama.behaviour.misbehave.change = ("650 mg", "500 mg")
    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    assert draft.medications == []
    assert [(u.field, u.text, u.reason) for u in draft.unsupported] == [
        ("medications", "Tab Paracetamol 500 mg TDS x 3 days after food", "strength 500 mg not said in the consult (for Paracetamol)"),
        ("note.plan", "Tab Paracetamol 500 mg TDS x 3 days after food", "500 is not said in the consult")]
    assert draft.note["plan"] == ""


@pytest.mark.parametrize("said, line", [
    ("Doctor: Dolo six fifty, teen baar, paanch din.", "Tab Dolo 650 TDS x 5 days"),
    ("Doctor: Dolo 650 de raha hoon, din mein teen baar, paanch din.", "Tab Paracetamol 650 mg 1-1-1 x 5 days"),  # brand said, generic written
    ("Doctor: Take paracitamol 500 twice a day for a week.", "Tab Paracetamol 500 mg BD x 7 days"),  # speech-to-text spelling
    ("Doctor: Augmentin 625 twice daily for five days.", "Tab Amoxicillin + Clavulanic acid 500 mg + 125 mg BD x 5 days"),
    ("Doctor: Amoxicillin with clavulanic acid, 625, twice a day, five days.", "Tab Augmentin 625 BD x 5 days"),
    ("Doctor: Pan 40 roz subah khali pet, do hafte.", "Tab Pan 40 OD before breakfast x 2 weeks"),
    ("Doctor: Metformin 500 subah shaam khane ke baad.", "Tab Metformin 500 mg 1-0-1 after food"),
    ("Doctor: Syrup Digene do chammach din mein teen baar.", "Syp Digene 2 tsp TDS"),
    ("Doctor: Paracetamol 650.\nPatient: Kitni baar lena hai?\nDoctor: Teen baar, teen din.", "Tab Paracetamol 650 mg TDS x 3 days"),
    ("Doctor: Montelukast 10 mg at bedtime for 14 days.", "Tab Montelukast 10 mg HS x 14 days"),
])
def test_ways_of_saying_a_prescription_are_understood(said, line):
    assert _medicine(said, line) is None


@pytest.mark.parametrize("said, line, reason", [
    ("Doctor: Levocetirizine raat ko. Paracetamol 500 teen baar.", "Tab Levocetirizine 5 mg HS", "strength 5 mg"),
    ("Doctor: Levocetirizine 5 mg raat ko.\nDoctor: Paracetamol 500 din mein teen baar.", "Tab Levocetirizine 5 mg TDS", "frequency"),
    ("Doctor: Dolo, teen baar, teen din.", "Tab Dolo 650 TDS x 3 days", "strength 650"),
    ("Doctor: Syrup paracetamol 10 ml teen baar.", "Syp Paracetamol 250 mg/5 ml 10 ml TDS x 10 days", "duration 10 days"),
])
def test_a_number_said_for_another_medicine_or_another_purpose_does_not_count(said, line, reason):
    assert reason in (_medicine(said, line) or "accepted")


def test_an_unreadable_medicine_line_is_not_entered():
    from core.scribe.answer import MedicationLine, ScribeAnswer, SoapNote

    answer = ScribeAnswer(note=SoapNote(subjective="", objective="", assessment="", plan=""), vitals=[], diagnoses=[],
                          medications=[MedicationLine(line="as discussed", quote="")], investigations=[], advice=[], follow_up="")
    draft = build_draft(answer, "Doctor: as discussed", CATALOGUE, DraftMeta("t", "m"))
    assert draft.medications == [] and "not a prescription line Nadi can read" in draft.unsupported[0].reason


@pytest.mark.parametrize("diagnosis, said", [
    ("Acute gastroenteritis", "Mother: Kal se patle dast ho rahe hain."),  # an alias in the diagnosis list, said in Hindi
    ("Type 2 diabetes mellitus", "Doctor: Aapki sugar control mein nahi hai."),
    ("Essential hypertension", "Doctor: Aapka BP badha hua hai, dawai leni padegi."),
    ("Urinary tract infection", "Patient: Peshab mein jalan ho rahi hai."),
    ("Acute exacerbation of asthma", "Doctor: Your asthma has got worse this week."),
])
def test_diagnoses_said_in_other_words_are_supported(diagnosis, said):
    assert Grounding(said, CATALOGUE).diagnosis(diagnosis) is None


def test_a_measured_bp_is_not_a_diagnosis_of_hypertension():
    g = Grounding("Doctor: BP 120 by 80, normal.", CATALOGUE)
    assert "hypertension" in g.diagnosis("Essential hypertension")


@pytest.mark.parametrize("text, value", [
    ("six fifty", 650), ("one thirty over eighty", 130), ("ninety nine point eight", 99.8), ("one hundred and two", 102),
    ("paanch din", 5), ("do baar", 2), ("saade teen", 3.5), ("dedh goli", 1.5), ("ek hafta", 7), ("two weeks", 14),
    ("chaudah din", 14), ("5 sau", 500),
])
def test_numbers_are_read_however_they_are_said(text, value):
    assert value in {v for _, v in number_values(tokens(text))}


def test_a_hindi_word_that_is_also_an_english_word_is_not_a_number():
    assert number_values(tokens("do you have fever")) == []
    assert number_values(tokens("ke saath lena")) == []
