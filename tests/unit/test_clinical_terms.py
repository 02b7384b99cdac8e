"""The shipped clinical vocabularies: every template reads cleanly, and search finds what a
doctor types."""

from __future__ import annotations

import pytest

from core.clinical.terms import (
    CODE_FORMAT,
    all_diagnoses,
    all_investigations,
    diagnosis_by_code,
    investigation,
    panel_components,
    reference_range,
    search_diagnoses,
    search_investigations,
)
from core.prescribing.catalogue import shipped_catalogue
from core.prescribing.expand import expand
from core.services.templates import shipped_templates

TEMPLATES = shipped_templates()


def test_the_shipped_templates_cover_the_common_visits():
    names = {t.key for t in TEMPLATES}
    assert {"fever", "urti", "hypertension", "diabetes", "gastritis", "gastroenteritis", "uti", "allergic_rhinitis",
            "low_back_pain", "asthma", "hypothyroidism", "tinea", "antenatal"} <= names
    assert len(names) == len(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.key)
def test_every_template_prescription_line_reads_without_ambiguity(template):
    catalogue = shipped_catalogue()
    for line in template.rx_lines:
        item = expand(line, catalogue)
        assert item.ambiguities == [], (line, item.ambiguities)
        assert item.warnings == [], (line, item.warnings)
        assert item.generic, line


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.key)
def test_every_template_names_known_tests_and_codes(template):
    for name in template.investigations:
        assert investigation(name) is not None and investigation(name).name == name, name
    for dx in template.diagnoses:
        assert diagnosis_by_code(dx.code).name == dx.text
    assert template.advice and template.follow_up_days


def test_every_diagnosis_code_is_a_well_formed_icd10_code_used_once():
    rows = all_diagnoses()
    assert 300 <= len(rows) <= 600
    assert all(CODE_FORMAT.match(d.code) for d in rows), [d.code for d in rows if not CODE_FORMAT.match(d.code)]
    assert len({d.code for d in rows}) == len(rows)


@pytest.mark.parametrize(("typed", "code"), [
    ("htn", "I10"), ("HTN", "I10"), ("dm", "E11.9"), ("dm2", "E11.9"), ("fever", "R50.9"), ("urti", "J06.9"),
    ("AGE", "A09.0"), ("e11.9", "E11.9"), ("E119", "E11.9"), ("back pain", "M54.5"), ("piles", "K64.9"), ("ANC", "Z34.9"),
])
def test_the_first_diagnosis_is_the_one_meant(typed, code):
    assert search_diagnoses(typed)[0].code == code


def test_a_code_prefix_lists_that_family_and_an_alias_says_what_matched():
    assert {d.code for d in search_diagnoses("E11", limit=50)} == {"E11.2", "E11.3", "E11.4", "E11.5", "E11.7", "E11.9"}
    hit = search_diagnoses("htn")[0]
    assert (hit.name, hit.matched) == ("Essential hypertension", "HTN")
    fevers = [d.name for d in search_diagnoses("fever", limit=6)]
    assert fevers[0] == "Fever" and "Viral fever" in fevers and "Dengue fever" in fevers
    assert search_diagnoses("type 2 diab")[0].name == "Type 2 diabetes mellitus"
    assert search_diagnoses("zzzz") == [] and search_diagnoses("   ") == []


def test_the_clinics_own_diagnoses_rank_in_and_free_text_is_offered():
    usage = [("Viral fever", "B34.9")] * 5 + [("Fever with chills and rigors", None)] * 2
    names = [d.name for d in search_diagnoses("fev", limit=4, extra=usage)]
    assert names[:2] == ["Viral fever", "Fever with chills and rigors"]
    assert [d.name for d in search_diagnoses("rigors", extra=usage)] == ["Fever with chills and rigors"]


def test_investigations_are_found_by_name_or_alias_and_aliases_are_unambiguous():
    assert investigation("cbc").name == "CBC"
    assert investigation("Glycated haemoglobin").name == "HbA1c"
    assert investigation("fbs").name == "Fasting blood sugar"
    assert investigation("USG abdomen").kind == "imaging"
    assert investigation("blood test of my own") is None
    labels = [label.lower() for inv in all_investigations() for label in (inv.name, *inv.aliases)]
    assert len(labels) == len(set(labels))
    assert [i.name for i in search_investigations("sugar", limit=10)][:1] and "Fasting blood sugar" in [i.name for i in search_investigations("sugar")]
    assert search_investigations("x-ray chest")[0].name == "X-ray chest PA view"


def test_every_test_the_demo_orders_is_known_with_its_parts():
    from core.demo.catalogue import LAB_TESTS

    for test in LAB_TESTS:
        assert investigation(test.name) is not None, test.name
    assert [c.name for c in panel_components("CBC")][:2] == ["Haemoglobin", "Total leucocyte count"]
    assert {c.name for c in panel_components("Lipid profile")} >= {"Total cholesterol", "Triglycerides", "HDL cholesterol", "LDL cholesterol"}


def test_reference_ranges_follow_the_patients_sex():
    hb = investigation("Hb")
    assert reference_range(hb, "male") == (13.0, 17.0)
    assert reference_range(hb, "female") == (12.0, 15.0)
    assert reference_range(hb, "unknown") == (12.0, 17.0)
    assert reference_range(investigation("LDL"), "female") == (None, 99.0)
    panels = {i.name for i in all_investigations() if not i.numeric}
    for inv in all_investigations():
        assert set(inv.panels) <= panels, inv.name
        for low, high in ((inv.low_male, inv.high_male), (inv.low_female, inv.high_female)):
            assert low is None or high is None or low < high, inv.name

