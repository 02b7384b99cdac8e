"""The codes, systems and profile names ABDM documents are written with.

Facts from public specifications: the NRCeS FHIR Implementation Guide for ABDM (6.5.0; profile
and section codes as its StructureDefinitions fix them), SNOMED CT, LOINC, UCUM and the HL7
terminology. Displays are the ones the profiles fix "exactly" where they fix one, so a validator
that checks display text accepts them.
"""

from __future__ import annotations

PROFILE_BASE = "https://nrces.in/ndhm/fhir/r4/StructureDefinition/"

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
NDHM_IDENTIFIER_TYPE = "https://nrces.in/ndhm/fhir/r4/CodeSystem/ndhm-identifier-type-code"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
# An identifier whose value is itself a URI (here urn:uuid:<our row id>): the FHIR way to give an
# identifier that is globally unique without inventing a namespace URL for the clinic.
URI_SYSTEM = "urn:ietf:rfc:3986"

# The national registries' identifier systems (reference/ABDM.md, section 7).
ABHA_SYSTEM = "https://healthid.ndhm.gov.in"
HPR_SYSTEM = "https://doctor.ndhm.gov.in"
HFR_SYSTEM = "https://facility.ndhm.gov.in"


def profile(name: str) -> str:
    return PROFILE_BASE + name


def coding(system: str, code: str, display: str) -> dict:
    return {"system": system, "code": code, "display": display}


def concept(system: str, code: str, display: str, text: str | None = None) -> dict:
    return {"coding": [coding(system, code, display)], "text": text or display}


# Document types (Composition.type) and their sections: (code, display, title).
PRESCRIPTION_RECORD = ("440545006", "Prescription record")
OP_CONSULT_RECORD = ("371530004", "Clinical consultation report")

SECTION_CHIEF_COMPLAINTS = ("422843007", "Chief complaint section", "Chief complaints")
SECTION_PHYSICAL_EXAM = ("425044008", "Physical exam section", "Physical examination")
SECTION_ALLERGIES = ("722446000", "Allergy record", "Allergies")
SECTION_MEDICAL_HISTORY = ("371529009", "History and physical report", "Medical history")
SECTION_INVESTIGATION_ADVICE = ("721963009", "Order document", "Investigation advice")
SECTION_MEDICATIONS = ("721912009", "Medication summary document", "Medications")
# The profile's FollowUp slice (2.0.1 and 6.5) is 390906007; the 6.5 example alone uses 736271009.
SECTION_FOLLOW_UP = ("390906007", "Follow-up encounter", "Follow up")
SECTION_OTHER_OBSERVATIONS = ("404684003", "Clinical finding", "Other observations")
SECTION_DOCUMENT = ("371530004", "Clinical consultation report", "Document reference")
SECTION_PRESCRIPTION = ("440545006", "Prescription record", "Prescription record")

# Identifier types.
TYPE_MRN = coding(V2_0203, "MR", "Medical record number")
TYPE_LICENCE = coding(V2_0203, "MD", "Medical License number")
TYPE_PROVIDER = coding(V2_0203, "PRN", "Provider number")
TYPE_ORGANIZATION = coding(V2_0203, "XX", "Organization identifier")
TYPE_ABHA = coding(NDHM_IDENTIFIER_TYPE, "ABHA", "Ayushman Bharat Health Account (ABHA) ID")
TYPE_OTHER = coding(NDHM_IDENTIFIER_TYPE, "OIN", "Other identifier")

VERY_RESTRICTED = coding(CONFIDENTIALITY, "V", "very restricted")
AMBULATORY = coding(ACT_CODE, "AMB", "ambulatory")
CLINICAL_DIAGNOSIS = concept(SNOMED, "39154008", "Clinical diagnosis")
FOLLOW_UP_VISIT = concept(SNOMED, "185389009", "Follow-up visit")

# Vital signs as the desk records them: field -> (LOINC code, display, UCUM unit, unit shown, profile).
# Height, weight and BMI are body measurements in the IG (its BodyMeasurement value set); the rest
# are in its VitalSigns value set, except body temperature: the set lists 61008-9 (body *surface*
# temperature), but the desk takes oral or axillary temperature, which is 8310-5 (binding extensible).
VITAL_SIGNS = "ObservationVitalSigns"
BODY_MEASUREMENT = "ObservationBodyMeasurement"
VITALS = {
    "pulse": ("8867-4", "Heart rate", "/min", "beats/minute", VITAL_SIGNS),
    "temperature_c": ("8310-5", "Body temperature", "Cel", "°C", VITAL_SIGNS),
    "respiratory_rate": ("9279-1", "Respiratory rate", "/min", "breaths/minute", VITAL_SIGNS),
    "spo2": ("2708-6", "Oxygen saturation in Arterial blood", "%", "%", VITAL_SIGNS),
    "weight_kg": ("29463-7", "Body weight", "kg", "kg", BODY_MEASUREMENT),
    "height_cm": ("8302-2", "Body height", "cm", "cm", BODY_MEASUREMENT),
    "bmi": ("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", "kg/m2", BODY_MEASUREMENT),
}
# The reading is by pulse oximeter: its own code goes beside the one the value set names.
SPO2_BY_OXIMETRY = coding(LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
BLOOD_GLUCOSE = ("2339-0", "Glucose [Mass/volume] in Blood")
GLUCOSE_CONTEXT = {"fasting": "fasting", "random": "random", "post_meal": "after a meal"}

# Routes as the prescribing vocabulary names them -> SNOMED CT route of administration.
# Inhalation and "injection" (route not said) stay as text.
ROUTES = {
    "oral": ("26643006", "Oral route"),
    "iv": ("47625008", "Intravenous route"),
    "im": ("78421000", "Intramuscular route"),
    "sc": ("34206005", "Subcutaneous route"),
    "sublingual": ("37839007", "Sublingual route"),
    "topical": ("6064005", "Topical route"),
    "rectal": ("37161004", "Per rectum"),
    "vaginal": ("16857009", "Per vagina"),
    "ophthalmic": ("54485002", "Ophthalmic route"),
    "otic": ("10547007", "Otic route"),
    "nasal": ("46713006", "Nasal route"),
    "transdermal": ("45890007", "Transdermal route"),
}
ROUTE_WORDS = {"iv": "intravenous", "im": "intramuscular", "sc": "subcutaneous"}

# When a dose is taken, from the vocabulary's timings and the slots of a 1-0-1 pattern
# (FHIR EventTiming codes).
TIMING_EVENTS = {
    "bedtime": "HS", "morning": "MORN", "before food": "AC", "after food": "PC", "with food": "C",
    "before breakfast": "ACM", "after breakfast": "PCM", "before dinner": "ACV", "after dinner": "PCV",
}
PATTERN_SLOTS = {3: ("MORN", "AFT", "NIGHT"), 4: ("MORN", "NOON", "EVE", "NIGHT")}

# What kind of investigation (core/clinical/data/investigations.csv "kind") -> ServiceRequest category.
INVESTIGATION_CATEGORIES = {
    "lab": ("108252007", "Laboratory procedure"),
    "imaging": ("363679005", "Imaging"),
}
