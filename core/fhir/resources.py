"""Rows of the clinic record as FHIR resources, each with its NRCeS profile.

Plain functions from rows (and the references they point at) to resource dicts. Which rows go
into which document, and in what order, is documents.py's business.
"""

from __future__ import annotations

import base64
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.clinical.terms import diagnosis_by_code, investigation
from core.fhir import codes as c
from core.fhir.bundle import day, instant, meta, number, stable_id
from core.fhir.dosage import dosage
from core.storage.models import (
    Allergy,
    ChronicCondition,
    Clinic,
    Diagnosis,
    Encounter,
    LabOrder,
    Patient,
    PatientIdentifier,
    Prescription,
    PrescriptionItem,
    Staff,
    Vitals,
)


def _own_id(row_id: str) -> dict:
    return {"system": c.URI_SYSTEM, "value": f"urn:uuid:{row_id}"}


def _address(row: Patient | Clinic) -> list[dict]:
    address = {"line": [row.address_line] if row.address_line else None, "city": row.city, "district": row.district,
               "state": row.state, "postalCode": row.pincode}
    address = {k: v for k, v in address.items() if v}
    return [address | {"country": "IN"}] if address else []


# --- who ------------------------------------------------------------------------------------------


def patient(row: Patient, others: list[PatientIdentifier]) -> dict:
    """The patient, known by ABHA number and address where we have them, and by our own record id."""
    identifiers = []
    if row.abha_number:
        identifiers.append({"type": {"coding": [c.TYPE_ABHA], "text": "ABHA number"}, "system": c.ABHA_SYSTEM, "value": row.abha_number})
    if row.abha_address:
        identifiers.append({"type": {"coding": [c.TYPE_ABHA], "text": "ABHA address"}, "system": c.ABHA_SYSTEM, "value": row.abha_address})
    identifiers.append({"type": {"coding": [c.TYPE_MRN]}, **_own_id(row.id)})
    # Ids from other systems (an old clinic's OPD number): their "system" is a label typed at
    # registration, not a URI, so it is the type's text.
    identifiers += [{"type": {"coding": [c.TYPE_OTHER], "text": other.system}, "value": other.value} for other in others]
    out = {
        "resourceType": "Patient",
        "id": stable_id("Patient", row.id),
        "meta": meta("Patient", row.updated_at),
        "identifier": identifiers,
        "name": [{"text": row.full_name}],
        "gender": row.gender,
    }
    if row.mobile:
        out["telecom"] = [{"system": "phone", "value": f"+91{row.mobile}", "use": "mobile"}]
    if row.date_of_birth:
        out["birthDate"] = day(row.date_of_birth)
    if address := _address(row):
        out["address"] = address
    if row.preferred_language:
        out["communication"] = [{"language": {"text": row.preferred_language}, "preferred": True}]
    return out


def practitioner(row: Staff) -> dict:
    identifiers = []
    if row.hpr_id:
        identifiers.append({"type": {"coding": [c.TYPE_LICENCE], "text": "HPR id"}, "system": c.HPR_SYSTEM, "value": row.hpr_id})
    if row.registration_number:
        council = f"Registration, {row.registration_council}" if row.registration_council else "Registration"
        identifiers.append({"type": {"coding": [c.TYPE_LICENCE], "text": council}, "value": row.registration_number})
    identifiers.append({"type": {"coding": [c.TYPE_PROVIDER]}, **_own_id(row.id)})
    out = {
        "resourceType": "Practitioner",
        "id": stable_id("Practitioner", row.id),
        "meta": meta("Practitioner", row.updated_at),
        "identifier": identifiers,
        "name": [{"text": row.full_name}],
    }
    if row.qualification:
        out["qualification"] = [{"code": {"text": row.qualification}}]
    return out


def organization(row: Clinic) -> dict:
    """The clinic: by its Health Facility Registry id when it has one, and by our own id."""
    identifiers = []
    if row.hfr_id:
        identifiers.append({"type": {"coding": [c.TYPE_PROVIDER], "text": "HFR id"}, "system": c.HFR_SYSTEM, "value": row.hfr_id})
    identifiers.append({"type": {"coding": [c.TYPE_ORGANIZATION]}, **_own_id(row.id)})
    out = {
        "resourceType": "Organization",
        "id": stable_id("Organization", row.id),
        "meta": meta("Organization", row.updated_at),
        "identifier": identifiers,
        "name": row.name,
    }
    if row.phone:
        out["telecom"] = [{"system": "phone", "value": row.phone, "use": "work"}]
    if address := _address(row):
        out["address"] = address
    return out


# --- the visit ------------------------------------------------------------------------------------


def encounter(row: Encounter, subject: dict, doctor: dict | None, provider: dict, diagnoses: list[dict]) -> dict:
    """The visit. `diagnoses` are references to its Conditions, primary first."""
    period = {"start": instant(row.started_at)}
    if row.ended_at:
        period["end"] = instant(row.ended_at)
    out = {
        "resourceType": "Encounter",
        "id": stable_id("Encounter", row.id),
        "meta": meta("Encounter", row.updated_at),
        "identifier": [_own_id(row.id)],
        "status": "finished" if row.status == "completed" else "in-progress",
        "class": c.AMBULATORY,
        "subject": subject,
        "period": period,
        "serviceProvider": provider,
    }
    if doctor:
        out["participant"] = [{"individual": doctor}]
    if diagnoses:
        out["diagnosis"] = [{"condition": ref, "use": c.CLINICAL_DIAGNOSIS, "rank": n} for n, ref in enumerate(diagnoses, start=1)]
    return out


def _condition(resource_id: str, subject: dict, code: dict, *, category: str | None = None, encounter_ref: dict | None = None,
               active: bool = True, last_updated: datetime | None = None) -> dict:
    out = {"resourceType": "Condition", "id": resource_id, "meta": meta("Condition", last_updated)}
    if active:
        out["clinicalStatus"] = c.concept(c.CONDITION_CLINICAL, "active", "Active")
    if category:
        display = {"problem-list-item": "Problem List Item", "encounter-diagnosis": "Encounter Diagnosis"}[category]
        out["category"] = [c.concept(c.CONDITION_CATEGORY, category, display)]
    out |= {"code": code, "subject": subject}
    if encounter_ref:
        out["encounter"] = encounter_ref
    return out


def coded_condition(text: str, code: str | None, system: str | None) -> dict:
    """A diagnosis as a CodeableConcept: ICD-10 and SNOMED CT codes as codings (the IG's Condition
    allows only those two), any other code kept in the text."""
    if code and system == "ICD-10":
        term = diagnosis_by_code(code)
        return {"coding": [c.coding(c.ICD10, code, term.name if term else text)], "text": text}
    if code and system == "SNOMED-CT":
        return {"coding": [c.coding(c.SNOMED, code, text)], "text": text}
    if code:
        return {"text": f"{text} ({system or 'code'} {code})"}
    return {"text": text}


def chief_complaint(row: Encounter, subject: dict, encounter_ref: dict) -> dict:
    return _condition(stable_id("Condition", row.id, "chief_complaint"), subject, {"text": row.chief_complaint.strip()},
                      encounter_ref=encounter_ref, last_updated=row.updated_at)


def diagnosis(row: Diagnosis, subject: dict, encounter_ref: dict) -> dict:
    # No clinical status: whether a past visit's diagnosis is still active is not recorded.
    return _condition(stable_id("Condition", row.id), subject, coded_condition(row.text, row.code, row.code_system),
                      category="encounter-diagnosis", encounter_ref=encounter_ref, active=False, last_updated=row.updated_at)


def chronic_condition(row: ChronicCondition, subject: dict) -> dict:
    out = _condition(stable_id("Condition", row.id), subject, coded_condition(row.name, row.code, row.code_system),
                     category="problem-list-item", last_updated=row.updated_at)
    if row.since:
        out["onsetDateTime"] = day(row.since)
    return out


def allergy(row: Allergy, subject: dict) -> dict:
    out = {
        "resourceType": "AllergyIntolerance",
        "id": stable_id("AllergyIntolerance", row.id),
        "meta": meta("AllergyIntolerance", row.updated_at),
        "clinicalStatus": c.concept(c.ALLERGY_CLINICAL, "active", "Active"),
        "code": {"text": row.substance},
        "patient": subject,
        "recordedDate": instant(row.created_at),
    }
    if row.reaction:
        reaction = {"manifestation": [{"text": row.reaction}]}
        out["reaction"] = [reaction | ({"severity": row.severity} if row.severity else {})]
    elif row.severity:
        out["note"] = [{"text": f"Severity: {row.severity}"}]
    return out


def vital_signs(row: Vitals, subject: dict, encounter_ref: dict, performer: dict | None) -> list[dict]:
    """Each reading as an Observation with its LOINC code: blood pressure as one panel with the
    two pressures as components, the way FHIR's vital-signs pattern has it."""
    common = {"status": "final", "category": [c.concept(c.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")]}
    tail = {"subject": subject, "encounter": encounter_ref, "effectiveDateTime": instant(row.recorded_at)}
    if performer:
        tail["performer"] = [performer]
    out = []
    if row.systolic is not None and row.diastolic is not None:
        components = [{"code": c.concept(c.LOINC, code, display), "valueQuantity": _quantity(value, "mm[Hg]", "mmHg")}
                      for (code, display), value in ((c.SYSTOLIC, row.systolic), (c.DIASTOLIC, row.diastolic))]
        out.append({"resourceType": "Observation", "id": stable_id("Observation", row.id, "blood_pressure"),
                    "meta": meta(c.VITAL_SIGNS, row.updated_at), **common,
                    "code": c.concept(c.LOINC, *c.BP_PANEL, "Blood pressure"), **tail, "component": components})
    for field, (code, display, ucum, shown, profile_name) in c.VITALS.items():
        value = getattr(row, field)
        if value is None:
            continue
        concept = c.concept(c.LOINC, code, display)
        if field == "spo2":
            concept["coding"].append(c.SPO2_BY_OXIMETRY)
        out.append({"resourceType": "Observation", "id": stable_id("Observation", row.id, field), "meta": meta(profile_name, row.updated_at),
                    **common, "code": concept, **tail, "valueQuantity": _quantity(value, ucum, shown)})
    return out


def blood_glucose(row: Vitals, subject: dict, encounter_ref: dict, performer: dict | None) -> dict | None:
    """A glucometer reading at the desk: not a vital sign, so an Observation of its own."""
    if row.blood_glucose_mg_dl is None:
        return None
    context = c.GLUCOSE_CONTEXT.get(row.glucose_context or "")
    out = {
        "resourceType": "Observation",
        "id": stable_id("Observation", row.id, "blood_glucose"),
        "meta": meta("Observation", row.updated_at),
        "status": "final",
        "category": [c.concept(c.OBSERVATION_CATEGORY, "laboratory", "Laboratory")],
        "code": c.concept(c.LOINC, *c.BLOOD_GLUCOSE, f"Blood glucose ({context})" if context else "Blood glucose"),
        "subject": subject,
        "encounter": encounter_ref,
        "effectiveDateTime": instant(row.recorded_at),
        "valueQuantity": _quantity(row.blood_glucose_mg_dl, "mg/dL", "mg/dL"),
    }
    if performer:
        out["performer"] = [performer]
    return out


def _quantity(value: float | int, ucum: str, shown: str) -> dict:
    return {"value": number(value), "unit": shown, "system": c.UCUM, "code": ucum}


def service_request(row: LabOrder, subject: dict, encounter_ref: dict, requester: dict) -> dict:
    out = {
        "resourceType": "ServiceRequest",
        "id": stable_id("ServiceRequest", row.id),
        "meta": meta("ServiceRequest", row.updated_at),
        "status": "completed" if row.status == "resulted" else "active",
        "intent": "order",
    }
    known = investigation(row.test_name)
    if known and known.kind in c.INVESTIGATION_CATEGORIES:
        out["category"] = [c.concept(c.SNOMED, *c.INVESTIGATION_CATEGORIES[known.kind])]
    return out | {
        "code": {"text": f"{row.test_name} ({row.code})" if row.code else row.test_name},
        "subject": subject,
        "encounter": encounter_ref,
        "authoredOn": instant(row.created_at),
        "requester": requester,
    }


def follow_up(row: Encounter, subject: dict, doctor: dict | None, zone: ZoneInfo) -> dict:
    """The follow-up the doctor asked for: a day, not a booked slot. The IG needs a start, so the
    proposed appointment spans that day in the clinic's time zone."""
    assert row.follow_up_on is not None
    start = datetime.combine(row.follow_up_on, time(0), zone)
    participants = [{"actor": subject, "status": "needs-action"}]
    if doctor:
        participants.append({"actor": doctor, "status": "needs-action"})
    return {
        "resourceType": "Appointment",
        "id": stable_id("Appointment", row.id, "follow_up"),
        "meta": meta("Appointment", row.updated_at),
        "status": "proposed",
        "appointmentType": c.FOLLOW_UP_VISIT,
        "description": f"Follow-up visit on {row.follow_up_on:%d %b %Y}",
        # In the clinic's own offset, so the day reads as the day ("…T00:00:00+05:30").
        "start": start.isoformat(timespec="seconds"),
        "end": (start + timedelta(days=1)).isoformat(timespec="seconds"),
        "requestedPeriod": [{"start": day(row.follow_up_on), "end": day(row.follow_up_on)}],
        "participant": participants,
    }


NOTE_FIELDS = (("chief_complaint", "Chief complaint"), ("history", "History"), ("examination", "Examination"),
               ("assessment", "Assessment"), ("plan", "Plan"), ("advice", "Advice"))


def note_text(row: Encounter) -> str:
    lines = [f"{label}: {getattr(row, field).strip()}" for field, label in NOTE_FIELDS if (getattr(row, field) or "").strip()]
    if row.follow_up_on:
        lines.append(f"Follow-up: {row.follow_up_on:%d %b %Y}")
    return "\n".join(lines)


def consult_note(row: Encounter, subject: dict, author: dict, custodian: dict, encounter_ref: dict, when: datetime) -> dict | None:
    """The doctor's note as written (history, examination, assessment, plan, advice have no coded
    home in the IG's sections), as a plain-text document."""
    if not any((getattr(row, field) or "").strip() for field, _ in NOTE_FIELDS[1:]):
        return None  # a complaint alone is the Chief complaints section already
    text = note_text(row)
    return {
        "resourceType": "DocumentReference",
        "id": stable_id("DocumentReference", row.id, "note"),
        "meta": meta("DocumentReference", row.updated_at),
        "status": "current",
        "docStatus": "final" if row.signed_at else "preliminary",
        "type": c.concept(c.SNOMED, *c.OP_CONSULT_RECORD),
        "subject": subject,
        "date": instant(when),
        "author": [author],
        "custodian": custodian,
        "content": [{"attachment": {"contentType": "text/plain", "language": "en-IN", "title": "Consultation note",
                                    "data": base64.b64encode(text.encode("utf-8")).decode("ascii")}}],
        "context": {"encounter": [encounter_ref]},
    }


# --- medicines ------------------------------------------------------------------------------------


def medicine_name(item: PrescriptionItem) -> str:
    """What was prescribed, in words: 'Dolo 650 650 mg tab (Paracetamol)'."""
    parts = [item.drug_name]
    if item.strength and item.strength not in item.drug_name:
        parts.append(item.strength)
    if item.form:
        parts.append(item.form)
    if item.generic and item.generic.lower() != item.drug_name.lower():
        parts.append(f"({item.generic})")
    return " ".join(parts)


def medication_request(item: PrescriptionItem, rx: Prescription, subject: dict, requester: dict, encounter_ref: dict | None) -> dict:
    out = {
        "resourceType": "MedicationRequest",
        "id": stable_id("MedicationRequest", item.id),
        "meta": meta("MedicationRequest", item.updated_at),
        "status": "active" if rx.signed_at else "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": medicine_name(item)},
        "subject": subject,
    }
    if encounter_ref:
        out["encounter"] = encounter_ref
    out |= {"authoredOn": instant(rx.signed_at or rx.created_at), "requester": requester, "dosageInstruction": [dosage(item)]}
    if rx.notes:
        out["note"] = [{"text": rx.notes}]
    if item.quantity is not None:
        quantity = {"value": number(item.quantity)}
        if item.dose_unit:
            quantity["unit"] = item.dose_unit
        out["dispenseRequest"] = {"quantity": quantity}
    return out
