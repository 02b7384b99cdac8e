"""ABDM health documents from the clinic record: FHIR R4 document bundles as the NRCeS
Implementation Guide for ABDM profiles them (shared/reference/ABDM.md, section 7).

  prescription_document(session, prescription_id)  PrescriptionRecord: the medicines of one prescription
  op_consult_document(session, encounter_id)       OPConsultRecord: one outpatient visit

Each returns the Bundle as a dict ready for json.dumps (encryption and sending are the ABDM
connector's job). Building only reads: it works in any session, a read-only one or a write
transaction that is rolled back afterwards, on a draft as on a signed record (a draft gives a
"preliminary" Composition and "draft" MedicationRequests).

The same record gives the same bundle: resource ids are derived from our row ids (bundle.py), the
order follows the record, and the only moving part is Bundle.timestamp, the moment of assembly
(`at`, now by default).

Every bundle is checked against fhir.resources' models before it is returned. Which models: that
library had R4 (4.0.1) as its default only up to 6.4.0, on pydantic v1 (6.5.0 moved to R4B); its
pydantic-v2 releases (7.1 on, 8.x pinned here) carry R5 at the top level and R4B (4.3.0) in
`fhir.resources.R4B`, and none has a plain R4 package. Nadi runs pydantic v2, so the check is
against R4B: the nearest to R4 on offer, and for the resources and elements these documents use
the two are the same (bundle.validate).

Only what the record holds goes in: a section appears when there is something for it, a code
when we have one (free text otherwise), a structured schedule when the prescription line has one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import RecordNotShareable
from core.fhir import codes as c
from core.fhir import resources as fhir
from core.fhir.bundle import Entries, document_bundle, full_url, instant, meta, stable_id
from core.services.common import get_or_fail
from core.settings import Settings
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
from core.storage.types import utcnow

DEFAULT_TIMEZONE = Settings.model_fields["clinic_timezone"].default


def prescription_document(session: Session, prescription_id: str, *, at: datetime | None = None) -> dict:
    """The PrescriptionRecord document for a prescription (draft or signed) and its live lines."""
    rx = get_or_fail(session, Prescription, prescription_id)
    items = _prescription_items(session, rx.id)
    if not items:
        raise RecordNotShareable(f"prescription {rx.id} has no medicines left (every line was voided): there is nothing to share")
    clinic = _clinic(session)
    patient = get_or_fail(session, Patient, rx.patient_id, live=False)
    prescriber = get_or_fail(session, Staff, rx.prescriber_id)
    record = _Record(session, clinic, patient)

    author = record.practitioner(prescriber)
    lines = [record.entries.section_entry(fhir.medication_request(item, rx, record.subject, author, None)) for item in items]
    record.saw(rx, *items, prescriber)
    section = _section(c.SECTION_PRESCRIPTION, lines)
    composition = _composition(
        "PrescriptionRecord", stable_id("Composition", "PrescriptionRecord", rx.id), rx, record,
        type_=c.PRESCRIPTION_RECORD, title="Prescription record", author=author, sections=[section],
    )
    return record.bundle(composition, stable_id("Bundle", "PrescriptionRecord", rx.id), at)


def op_consult_document(session: Session, encounter_id: str, *, at: datetime | None = None,
                        clinic_timezone: str = DEFAULT_TIMEZONE) -> dict:
    """The OPConsultRecord document for one visit: complaint, vitals, allergies, past conditions,
    tests ordered, medicines, follow-up and the doctor's note, each section only when recorded."""
    enc = get_or_fail(session, Encounter, encounter_id)
    clinic = _clinic(session)
    patient = get_or_fail(session, Patient, enc.patient_id, live=False)
    record = _Record(session, clinic, patient)
    doctor_row = _staff(session, enc.doctor_id or enc.signed_by)
    doctor = record.practitioner(doctor_row) if doctor_row else None
    author = doctor or record.custodian

    # The Encounter lists its diagnoses and they point back at it: the Encounter goes in first.
    diagnosis_rows = _live(session, Diagnosis, Diagnosis.encounter_id == enc.id, Diagnosis.is_primary.desc())
    visit_ref = {"reference": full_url({"id": stable_id("Encounter", enc.id)})}
    diagnoses = [fhir.diagnosis(row, record.subject, visit_ref) for row in diagnosis_rows]
    encounter = fhir.encounter(enc, record.subject, doctor, record.custodian, [{"reference": full_url(d)} for d in diagnoses])
    visit = record.entries.add(encounter)
    for condition in diagnoses:
        record.entries.add(condition)
    record.saw(enc, *diagnosis_rows)

    parts = _VisitParts(record, enc, visit, doctor, author, ZoneInfo(clinic_timezone))
    sections = [section for make in (parts.complaints, parts.examination, parts.allergies, parts.history, parts.investigations,
                                     parts.medications, parts.follow_up, parts.other_observations, parts.note)
                if (section := make()) is not None]
    if not sections:
        raise RecordNotShareable(f"visit {enc.id} has nothing recorded yet (no complaint, vitals, medicines or note): "
                                 "record the visit before sharing it")

    composition = _composition(
        "OPConsultRecord", stable_id("Composition", "OPConsultRecord", enc.id), enc, record,
        type_=c.OP_CONSULT_RECORD, title="OP consultation record", author=author, sections=sections, encounter=visit,
    )
    return record.bundle(composition, stable_id("Bundle", "OPConsultRecord", enc.id), at)


# --- the parts ------------------------------------------------------------------------------------


class _Record:
    """What every document of one patient shares: its entries, the patient, the clinic, the
    practitioners met so far, and the latest change among the rows it was built from."""

    def __init__(self, session: Session, clinic: Clinic, patient: Patient) -> None:
        self.session = session
        self.entries = Entries()
        others = _live(session, PatientIdentifier, PatientIdentifier.patient_id == patient.id)
        self.subject = self.entries.add(fhir.patient(patient, others), patient.full_name)
        self.custodian = self.entries.add(fhir.organization(clinic), clinic.name)
        self._changed = [clinic.updated_at, patient.updated_at, *(o.updated_at for o in others)]

    def practitioner(self, staff: Staff) -> dict:
        self.saw(staff)
        return self.entries.add(fhir.practitioner(staff), staff.full_name)

    def saw(self, *rows) -> None:
        self._changed += [row.updated_at for row in rows]

    @property
    def last_updated(self) -> datetime:
        return max(self._changed)

    def bundle(self, composition: dict, bundle_id: str, at: datetime | None) -> dict:
        return document_bundle(composition, self.entries, bundle_id=bundle_id, last_updated=self.last_updated,
                               timestamp=at or utcnow())


class _VisitParts:
    """The OPConsultRecord sections of one visit, in the IG's order; each None when the visit has
    nothing for it."""

    def __init__(self, record: _Record, enc: Encounter, visit: dict, doctor: dict | None, author: dict, zone: ZoneInfo) -> None:
        self.record, self.enc, self.visit, self.doctor, self.author, self.zone = record, enc, visit, doctor, author, zone
        self.session = record.session
        self.vitals = _current_vitals(self.session, enc.id)
        self.performer = None
        if self.vitals is not None:
            record.saw(self.vitals)
            recorder = _staff(self.session, self.vitals.recorded_by)
            self.performer = record.practitioner(recorder) if recorder else None

    def _section(self, kind: tuple[str, str, str], resources: list[dict]) -> dict | None:
        return _section(kind, [self.record.entries.section_entry(r) for r in resources]) if resources else None

    def complaints(self) -> dict | None:
        if not (self.enc.chief_complaint or "").strip():
            return None
        return self._section(c.SECTION_CHIEF_COMPLAINTS, [fhir.chief_complaint(self.enc, self.record.subject, self.visit)])

    def examination(self) -> dict | None:
        if self.vitals is None:
            return None
        return self._section(c.SECTION_PHYSICAL_EXAM, fhir.vital_signs(self.vitals, self.record.subject, self.visit, self.performer))

    def allergies(self) -> dict | None:
        rows = _live(self.session, Allergy, Allergy.patient_id == self.enc.patient_id)
        self.record.saw(*rows)
        return self._section(c.SECTION_ALLERGIES, [fhir.allergy(row, self.record.subject) for row in rows])

    def history(self) -> dict | None:
        rows = _live(self.session, ChronicCondition, ChronicCondition.patient_id == self.enc.patient_id)
        self.record.saw(*rows)
        return self._section(c.SECTION_MEDICAL_HISTORY, [fhir.chronic_condition(row, self.record.subject) for row in rows])

    def investigations(self) -> dict | None:
        requests = []
        for order in _live(self.session, LabOrder, LabOrder.encounter_id == self.enc.id):
            self.record.saw(order)
            orderer = _staff(self.session, order.ordered_by)
            requester = self.record.practitioner(orderer) if orderer else self.author
            requests.append(fhir.service_request(order, self.record.subject, self.visit, requester))
        return self._section(c.SECTION_INVESTIGATION_ADVICE, requests)

    def medications(self) -> dict | None:
        requests = []
        for rx in _live(self.session, Prescription, Prescription.encounter_id == self.enc.id):
            prescriber = self.record.practitioner(get_or_fail(self.session, Staff, rx.prescriber_id))
            items = _prescription_items(self.session, rx.id)
            self.record.saw(rx, *items)
            requests += [fhir.medication_request(item, rx, self.record.subject, prescriber, self.visit) for item in items]
        return self._section(c.SECTION_MEDICATIONS, requests)

    def follow_up(self) -> dict | None:
        if not self.enc.follow_up_on:
            return None
        return self._section(c.SECTION_FOLLOW_UP, [fhir.follow_up(self.enc, self.record.subject, self.doctor, self.zone)])

    def other_observations(self) -> dict | None:
        glucose = fhir.blood_glucose(self.vitals, self.record.subject, self.visit, self.performer) if self.vitals else None
        return self._section(c.SECTION_OTHER_OBSERVATIONS, [glucose] if glucose else [])

    def note(self) -> dict | None:
        when = self.enc.signed_at or self.record.last_updated
        note = fhir.consult_note(self.enc, self.record.subject, self.author, self.record.custodian, self.visit, when)
        return self._section(c.SECTION_DOCUMENT, [note] if note else [])


def _composition(profile_name: str, composition_id: str, row: Prescription | Encounter, record: _Record, *, type_: tuple[str, str],
                 title: str, author: dict, sections: list[dict], encounter: dict | None = None) -> dict:
    out = {
        "resourceType": "Composition",
        "id": composition_id,
        "meta": meta(profile_name, row.updated_at),
        "language": "en-IN",
        "identifier": {"system": c.URI_SYSTEM, "value": f"urn:uuid:{composition_id}"},
        "status": "final" if row.signed_at else "preliminary",
        "type": c.concept(c.SNOMED, *type_),
        "subject": record.subject,
    }
    if encounter:
        out["encounter"] = encounter
    out |= {"date": instant(row.signed_at or record.last_updated), "author": [author], "title": title}
    signer = _staff(record.session, row.signed_by) if row.signed_at else None
    if signer is not None:
        out["attester"] = [{"mode": "legal", "time": instant(row.signed_at), "party": record.practitioner(signer)}]
    out["custodian"] = record.custodian
    if row.amends_id:
        # A correction of a signed record: the document it replaces, by that document's identifier.
        replaced = stable_id("Composition", profile_name, row.amends_id)
        out["relatesTo"] = [{"code": "replaces", "targetIdentifier": {"system": c.URI_SYSTEM, "value": f"urn:uuid:{replaced}"}}]
    out["section"] = sections
    return out


def _section(kind: tuple[str, str, str], entries: list[dict]) -> dict:
    code, display, title = kind
    return {"title": title, "code": c.concept(c.SNOMED, code, display), "entry": entries}


def _clinic(session: Session) -> Clinic:
    clinic = session.scalar(select(Clinic).order_by(Clinic.id).limit(1))
    if clinic is None:
        raise RecordNotShareable("the clinic is not set up yet: set up the clinic's name and address before sharing records")
    return clinic


def _staff(session: Session, staff_id: str | None) -> Staff | None:
    return session.get(Staff, staff_id) if staff_id else None


def _live(session: Session, model, condition, *first) -> list:
    """The rows not voided, in a fixed order (so the document is the same every time)."""
    query = select(model).where(condition, model.voided_at.is_(None)).order_by(*first, model.created_at, model.id)
    return list(session.scalars(query))


def _prescription_items(session: Session, prescription_id: str) -> list[PrescriptionItem]:
    return _live(session, PrescriptionItem, PrescriptionItem.prescription_id == prescription_id, PrescriptionItem.position)


def _current_vitals(session: Session, encounter_id: str) -> Vitals | None:
    """The visit's reading: the latest not voided (the editor keeps one, corrected in place)."""
    query = (select(Vitals).where(Vitals.encounter_id == encounter_id, Vitals.voided_at.is_(None))
             .order_by(Vitals.recorded_at.desc(), Vitals.id.desc()))
    return session.scalars(query).first()
