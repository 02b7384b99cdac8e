"""Sanity checks that keep the demo-data catalogue useful."""

from __future__ import annotations

import dataclasses
import re

import pytest

from core.demo import catalogue as cat

ICD10_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
PIN_RE = re.compile(r"^[1-9][0-9]{5}$")
LATIN_NAME_RE = re.compile(r"^[A-Z][A-Za-z'.\- ]*[A-Za-z]$")

# Postal zones as defined by India Post (first digit of the PIN code).
EXPECTED_ZONE = {
    "Delhi": 1, "Haryana": 1, "Punjab": 1, "Himachal Pradesh": 1,
    "Jammu and Kashmir": 1, "Chandigarh": 1,
    "Uttar Pradesh": 2, "Uttarakhand": 2,
    "Rajasthan": 3, "Gujarat": 3,
    "Maharashtra": 4, "Goa": 4, "Madhya Pradesh": 4, "Chhattisgarh": 4,
    "Andhra Pradesh": 5, "Telangana": 5, "Karnataka": 5,
    "Tamil Nadu": 6, "Kerala": 6, "Puducherry": 6, "Lakshadweep": 6,
    "West Bengal": 7, "Odisha": 7, "Assam": 7, "Manipur": 7, "Meghalaya": 7,
    "Nagaland": 7, "Sikkim": 7, "Andaman and Nicobar Islands": 7,
    "Bihar": 8, "Jharkhand": 8,
}

REQUIRED_STATES = {
    "Punjab", "Uttar Pradesh", "Bihar", "Rajasthan", "Gujarat", "Maharashtra",
    "Karnataka", "Tamil Nadu", "Kerala", "West Bengal", "Odisha", "Assam",
    "Goa", "Delhi",
}

REQUIRED_PROFILES = {
    "viral_fever", "urti", "acute_pharyngitis", "acute_gastroenteritis",
    "dengue_suspected", "typhoid_suspected", "uti", "t2dm_follow_up",
    "hypertension_follow_up", "hypothyroidism", "acid_peptic_disease",
    "allergic_rhinitis", "bronchial_asthma", "low_back_pain",
    "osteoarthritis_knee", "migraine", "iron_deficiency_anaemia",
    "vitamin_d_deficiency", "tinea", "scabies", "conjunctivitis",
    "otitis_media", "antenatal_check_up", "well_baby_immunisation", "anxiety",
    "dyslipidaemia", "copd",
}

REQUIRED_LAB_TESTS = {
    "CBC", "FBS", "PPBS", "HbA1c", "TSH", "Lipid profile", "LFT", "KFT",
    "Urine routine", "Dengue NS1", "Widal", "Vitamin D", "Serum ferritin",
}

ALL_ANALYTES = {a.name for t in cat.LAB_TESTS for a in t.analytes}
LANGUAGE_NAMES = {lang.name for lang in cat.LANGUAGES}


def _ids(items):
    return [getattr(i, "key", getattr(i, "name", str(i))) for i in items]


# ---------------------------------------------------------------------------
# Postal zones
# ---------------------------------------------------------------------------


def test_postal_zone_table_matches_india_post():
    for state, digit in EXPECTED_ZONE.items():
        assert cat.postal_zone_for_state(state) == digit, state


def test_postal_zone_table_has_no_state_twice():
    states = [s for _, group in cat.POSTAL_ZONES for s in group]
    assert len(states) == len(set(states))


def test_state_pin_prefixes_agree_with_zones():
    for state, prefixes in cat.STATE_PIN_PREFIXES:
        for prefix in prefixes:
            assert int(prefix[0]) == cat.postal_zone_for_state(state), (state, prefix)


def test_unknown_state_raises():
    with pytest.raises(KeyError):
        cat.postal_zone_for_state("Atlantis")


# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------


def test_region_keys_unique_and_lookup_works():
    keys = [r.key for r in cat.REGIONS]
    assert len(keys) == len(set(keys))
    for region in cat.REGIONS:
        assert cat.region_by_key(region.key) is region
    with pytest.raises(KeyError):
        cat.region_by_key("nowhere")


def test_required_states_covered():
    states = {r.state for r in cat.REGIONS}
    assert REQUIRED_STATES <= states
    assert {"Andhra Pradesh", "Telangana"} & states
    assert {"Manipur", "Meghalaya", "Nagaland"} & states


def test_religious_naming_traditions_present():
    by_religion = {}
    for region in cat.REGIONS:
        assert region.religion in cat.RELIGIONS, region.key
        by_religion.setdefault(region.religion, set()).add(region.state)
    assert "Punjab" in by_religion["Sikh"]
    assert "Kerala" in by_religion["Christian"]
    assert "Maharashtra" in by_religion["Zoroastrian"]
    assert {"Telangana", "Uttar Pradesh"} & by_religion["Muslim"]


@pytest.mark.parametrize("region", cat.REGIONS, ids=_ids(cat.REGIONS))
def test_region_has_enough_unique_names(region):
    assert len(region.male_given_names) >= 25
    assert len(region.female_given_names) >= 25
    assert len(region.surnames) >= 15
    for names in (region.male_given_names, region.female_given_names,
                  region.surnames, region.locality_suffixes):
        assert len(names) == len(set(names)), region.key
    assert len(region.locality_suffixes) >= 3


@pytest.mark.parametrize("region", cat.REGIONS, ids=_ids(cat.REGIONS))
def test_names_are_clean_latin_script(region):
    every = (region.male_given_names + region.female_given_names
             + region.surnames + region.male_middle_names
             + region.female_middle_names + region.male_only_surnames
             + region.female_only_surnames)
    for name in every:
        assert name == name.strip() and "  " not in name, name
        assert LATIN_NAME_RE.match(name), (region.key, name)


@pytest.mark.parametrize("region", cat.REGIONS, ids=_ids(cat.REGIONS))
def test_given_names_tell_sex_unless_middle_name_does(region):
    shared = set(region.male_given_names) & set(region.female_given_names)
    if region.middle_name_required:
        assert region.male_middle_names and region.female_middle_names
        assert not set(region.male_middle_names) & set(region.female_middle_names)
    else:
        assert not shared, (region.key, shared)


@pytest.mark.parametrize("region", cat.REGIONS, ids=_ids(cat.REGIONS))
def test_region_places_and_pincodes(region):
    assert len(region.places) >= 3
    pairs = [(p.district, p.city) for p in region.places]
    assert len(pairs) == len(set(pairs))
    prefixes = dict(cat.STATE_PIN_PREFIXES)[region.state]
    zone = cat.postal_zone_for_state(region.state)
    for place in region.places:
        assert PIN_RE.match(place.pincode), place
        assert int(place.pincode[0]) == zone == EXPECTED_ZONE[region.state], place
        assert place.pincode.startswith(prefixes), place
        assert place.district and place.city


@pytest.mark.parametrize("region", cat.REGIONS, ids=_ids(cat.REGIONS))
def test_region_languages_known(region):
    assert region.languages
    assert set(region.languages) <= LANGUAGE_NAMES, region.key
    assert region.weight >= 1


def test_language_codes_unique():
    assert len({lang.code for lang in cat.LANGUAGES}) == len(cat.LANGUAGES)
    assert len(LANGUAGE_NAMES) == len(cat.LANGUAGES)


def test_naming_conventions_represented():
    assert cat.region_by_key("tamil_nadu").uses_initials
    assert cat.region_by_key("tamil_nadu").surname_often_absent
    assert any(r.surname_first for r in cat.REGIONS)
    assert any(r.patronymic_middle for r in cat.REGIONS)
    sikh = cat.region_by_key("punjab_sikh")
    assert sikh.male_middle_names == ("Singh",)
    assert sikh.female_middle_names == ("Kaur",)


def test_common_spelling_variants_present():
    all_names = [n for r in cat.REGIONS
                 for n in r.male_given_names + r.female_given_names]
    words = {w for n in all_names for w in n.split()}
    for variant in ("Lakshmi", "Laxmi", "Mohammed", "Mohd", "Mohammad", "Muhammed",
                    "Fatima", "Fathima"):
        assert variant in words, variant


def test_compose_name_orders():
    tn = cat.region_by_key("tamil_nadu")
    assert cat.compose_name(tn, "Senthil Kumar", initials="R.") == "R. Senthil Kumar"
    sikh = cat.region_by_key("punjab_sikh")
    assert cat.compose_name(sikh, "Harpreet", "Gill", middle="Kaur") == "Harpreet Kaur Gill"
    meitei = cat.region_by_key("manipur_meitei")
    assert (cat.compose_name(meitei, "Ibomcha", "Thokchom", middle="Singh")
            == "Thokchom Ibomcha Singh")


# ---------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------


def test_address_vocabulary():
    for collection in (cat.HOUSE_NUMBER_FORMATS, cat.BUILDING_NAMES,
                       cat.LOCALITY_PREFIXES, cat.STREET_NAMES,
                       cat.NUMBERED_STREET_FORMATS, cat.LANDMARKS,
                       cat.ADDRESS_LINE_FORMATS):
        assert len(collection) >= 5
        assert len(collection) == len(set(collection))
    sample = dict(num=12, sub=3, floor=3, unit=2, block="B", n=4, ordinal="2nd")
    for fmt in cat.HOUSE_NUMBER_FORMATS + cat.NUMBERED_STREET_FORMATS:
        assert fmt.format(**sample)
    for fmt in cat.ADDRESS_LINE_FORMATS:
        line = fmt.format(house="12", building="Sai Residency", street="MG Road",
                          locality="Gandhi Nagar", landmark="Near Post Office")
        assert line.startswith("12, ")


# ---------------------------------------------------------------------------
# Labs
# ---------------------------------------------------------------------------


def test_required_lab_tests_present_and_unique():
    names = [t.name for t in cat.LAB_TESTS]
    assert len(names) == len(set(names))
    assert REQUIRED_LAB_TESTS <= set(names)
    assert cat.lab_test_by_name("CBC").analytes
    with pytest.raises(KeyError):
        cat.lab_test_by_name("MRI brain")


def test_analyte_names_unique():
    names = [a.name for t in cat.LAB_TESTS for a in t.analytes]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "analyte", [a for t in cat.LAB_TESTS for a in t.analytes],
    ids=lambda a: a.name)
def test_lab_ranges_are_ordered(analyte):
    assert analyte.normal_low < analyte.normal_high
    assert analyte.abnormal_low <= analyte.normal_low
    assert analyte.abnormal_high >= analyte.normal_high
    assert analyte.abnormal_low < analyte.abnormal_high
    assert analyte.decimals >= 0
    if analyte.female_normal_low is not None or analyte.female_normal_high is not None:
        assert analyte.female_normal_low is not None
        assert analyte.female_normal_high is not None
        assert analyte.female_normal_low < analyte.female_normal_high
        assert analyte.abnormal_low <= analyte.female_normal_low
        assert analyte.female_normal_high <= analyte.abnormal_high


# ---------------------------------------------------------------------------
# Complaint profiles
# ---------------------------------------------------------------------------


def test_profiles_count_keys_and_coverage():
    keys = [p.key for p in cat.COMPLAINT_PROFILES]
    assert len(cat.COMPLAINT_PROFILES) >= 25
    assert len(keys) == len(set(keys))
    assert REQUIRED_PROFILES <= set(keys)
    assert cat.profile_by_key("migraine").key == "migraine"


@pytest.mark.parametrize("profile", cat.COMPLAINT_PROFILES, ids=_ids(cat.COMPLAINT_PROFILES))
def test_profile_is_sane(profile):
    assert ICD10_RE.match(profile.icd10_code), profile.icd10_code
    assert profile.code_system == "ICD-10"
    assert 0 <= profile.age_min <= profile.age_max <= 100
    assert profile.sex in {"any", "F", "M"}
    for text in (profile.chief_complaint, profile.history, profile.examination,
                 profile.diagnosis, profile.advice):
        assert text.strip() and text == text.strip()
    assert profile.review_after_days > 0


@pytest.mark.parametrize("profile", cat.COMPLAINT_PROFILES, ids=_ids(cat.COMPLAINT_PROFILES))
def test_profile_prescription(profile):
    assert 1 <= len(profile.prescription) <= 4
    for item in profile.prescription:
        assert item.frequency in cat.FREQUENCY_CODES, item
        assert item.form in cat.DOSAGE_FORMS, item
        assert item.timing in cat.TIMINGS, item
        assert item.duration_days > 0, item
        assert item.generic_name and item.strength and item.dose
        if item.form in {"Cream", "Oint", "Gel", "Lotion"}:
            assert item.timing in {"external use", "bedtime"}, item


@pytest.mark.parametrize("profile", cat.COMPLAINT_PROFILES, ids=_ids(cat.COMPLAINT_PROFILES))
def test_profile_labs(profile):
    test_names = {t.name for t in cat.LAB_TESTS}
    assert len(profile.lab_orders) == len(set(profile.lab_orders))
    assert set(profile.lab_orders) <= test_names
    ordered_analytes = {a.name for name in profile.lab_orders
                        for a in cat.lab_test_by_name(name).analytes}
    for finding in profile.lab_findings:
        assert finding.direction in {"low", "high"}
        assert finding.analyte in ordered_analytes, finding


@pytest.mark.parametrize("profile", cat.COMPLAINT_PROFILES, ids=_ids(cat.COMPLAINT_PROFILES))
def test_profile_vitals(profile):
    vitals = profile.vitals
    base = cat.NORMAL_CHILD_VITALS if profile.age_max <= 12 else cat.NORMAL_ADULT_VITALS
    for name in cat.VITAL_FIELDS:
        rng = getattr(vitals, name)
        if rng is None:
            assert name in {"systolic_mmhg", "diastolic_mmhg"}
            continue
        assert rng[0] <= rng[1], (name, rng)
    assert 35.0 <= vitals.temperature_c[0] and vitals.temperature_c[1] <= 41.0
    assert 40 <= vitals.pulse_bpm[0] and vitals.pulse_bpm[1] <= 180
    assert 80 <= vitals.spo2_pct[0] and vitals.spo2_pct[1] <= 100
    if vitals.systolic_mmhg is not None:
        assert vitals.diastolic_mmhg is not None
        assert vitals.diastolic_mmhg[1] < vitals.systolic_mmhg[0]
    for name in profile.abnormal_vitals:
        assert name in cat.VITAL_FIELDS
        assert getattr(vitals, name) != getattr(base, name), name


def test_specific_clinical_expectations():
    fever = cat.profile_by_key("viral_fever")
    assert fever.vitals.temperature_c[0] >= 38.0
    assert "temperature_c" in fever.abnormal_vitals
    dengue = cat.profile_by_key("dengue_suspected")
    assert {"CBC", "Dengue NS1"} <= set(dengue.lab_orders)
    assert all("Ibuprofen" not in i.generic_name for i in dengue.prescription)
    dm = cat.profile_by_key("t2dm_follow_up")
    assert any("Metformin" in i.generic_name for i in dm.prescription)
    htn = cat.profile_by_key("hypertension_follow_up")
    drugs = {i.generic_name for i in htn.prescription}
    assert {"Amlodipine", "Telmisartan"} <= drugs
    thyroid = cat.profile_by_key("hypothyroidism")
    assert thyroid.prescription[0].timing == "empty stomach"
    assert cat.profile_by_key("antenatal_check_up").sex == "F"
    assert cat.profile_by_key("well_baby_immunisation").age_max <= 1


def test_frequencies_well_formed():
    codes = cat.FREQUENCY_CODES
    assert len(codes) == len(set(codes))
    assert {"1-0-1", "BD", "TDS", "OD", "HS", "SOS"} <= set(codes)
    for freq in cat.FREQUENCIES:
        if re.match(r"^[01]-[01]-[01]$", freq.code):
            assert freq.times_per_day == sum(int(x) for x in freq.code.split("-"))


# ---------------------------------------------------------------------------
# Allergies and chronic conditions
# ---------------------------------------------------------------------------


def test_allergies():
    names = [a.name for a in cat.ALLERGIES]
    assert len(names) >= 10 and len(names) == len(set(names))
    categories = {a.category for a in cat.ALLERGIES}
    assert categories <= set(cat.ALLERGY_CATEGORIES)
    assert {"drug", "food"} <= categories
    assert any("Penicillin" in n for n in names)
    assert any("Sulfonamide" in n for n in names)
    assert any("NSAID" in n for n in names)
    assert any("Latex" in n for n in names)


def test_chronic_conditions():
    names = [c.name for c in cat.CHRONIC_CONDITIONS]
    assert len(names) >= 10 and len(names) == len(set(names))
    for cond in cat.CHRONIC_CONDITIONS:
        assert ICD10_RE.match(cond.icd10_code), cond
        assert cond.code_system == "ICD-10"
        assert cond.sex in {"any", "F", "M"}
        assert 0 <= cond.min_age <= 100


# ---------------------------------------------------------------------------
# Clinic and staff
# ---------------------------------------------------------------------------


def test_clinic_is_fictitious_and_well_formed():
    clinic = cat.CLINIC
    assert re.match(r"^IN[0-9]{10}$", clinic.hfr_facility_id)
    assert clinic.hfr_facility_id.startswith("IN00")
    assert PIN_RE.match(clinic.pincode)
    assert int(clinic.pincode[0]) == cat.postal_zone_for_state(clinic.state)
    assert re.match(r"^[a-z0-9.\-_]+@[a-z]+$", clinic.upi_id)
    assert clinic.upi_id.split("@")[1] not in {
        "okaxis", "okhdfcbank", "okicici", "oksbi", "ybl", "paytm", "upi", "ibl"}
    assert clinic.email.endswith(".example")
    assert set(clinic.languages) <= LANGUAGE_NAMES


def test_demo_staff_composition():
    roles = [s.role for s in cat.DEMO_STAFF]
    assert roles.count("admin") == 1
    assert roles.count("doctor") == 2
    assert roles.count("nurse") == 1
    assert roles.count("receptionist") == 2
    assert set(roles) <= set(cat.STAFF_ROLES)
    for field_name in ("key", "username"):
        values = [getattr(s, field_name) for s in cat.DEMO_STAFF]
        assert len(values) == len(set(values))
    doctors = [s for s in cat.DEMO_STAFF if s.role == "doctor"]
    quals = [set(d.qualifications) for d in doctors]
    assert any("MBBS" in q and any(x.startswith("MD") for x in q) for q in quals)
    assert any("BAMS" in q for q in quals)


@pytest.mark.parametrize("member", cat.DEMO_STAFF, ids=_ids(cat.DEMO_STAFF))
def test_staff_registration_details(member):
    assert set(member.languages) <= LANGUAGE_NAMES
    if member.role in {"doctor", "nurse"}:
        assert member.registration_council
        assert member.registration_number and "DEMO" in member.registration_number
        assert member.hpr_id and re.match(r"^[0-9]{14}$", member.hpr_id)
        assert member.hpr_id.startswith("0000")
    else:
        assert member.registration_number is None
        assert member.hpr_id is None


def test_hpr_ids_unique():
    ids = [s.hpr_id for s in cat.DEMO_STAFF if s.hpr_id]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------------------
# Immutability
# ---------------------------------------------------------------------------


def test_catalogue_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.REGIONS[0].name = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.COMPLAINT_PROFILES[0].prescription[0].dose = "2 tabs"  # type: ignore[misc]
    for constant in (cat.REGIONS, cat.COMPLAINT_PROFILES, cat.LAB_TESTS,
                     cat.ALLERGIES, cat.CHRONIC_CONDITIONS, cat.DEMO_STAFF):
        assert isinstance(constant, tuple)
