"""Prescriptions as records: written from shorthand, checked for safety, signed with the doctor's key.

The flow the consult desk follows:
  read_lines()        expand what the doctor typed (shown inline as they type)
  check_lines()       safety alerts for the lines against the patient's allergies and conditions
  prescribe()         save the draft; every line must be unambiguous
  override_alert()    go ahead despite an alert, with a reason (audited)
  sign_prescription() freeze it, sign the canonical document with the doctor's Ed25519 key
  prescription_code() the QR payload for the print; verify_code() what a pharmacist's check runs
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Annotated

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import ImmutableRecord, InvalidInput
from core.ids import uuid7
from core.prescribing import signing
from core.prescribing.expand import Expansion, UnreadableLine, expand
from core.prescribing.safety import Alert, ItemFacts, check_prescription
from core.services import signing_keys
from core.services.common import get_or_fail
from core.services.medicines import clinic_catalogue
from core.storage.database import Actor, Database
from core.storage.models import (
    Allergy,
    AlertOverride,
    ChronicCondition,
    Clinic,
    Diagnosis,
    Encounter,
    Patient,
    Prescription,
    PrescriptionItem,
    Staff,
    Vitals,
)
from core.storage.types import utcnow
from core.validation import Input, Text, age_on, parse

DOCUMENT_VERSION = 1


class PrescriptionItemInput(Input):
    drug_name: Annotated[str, Field(min_length=1, max_length=200)]
    strength: Text = None
    form: Text = None
    dose: Text = None
    frequency: Text = None
    timing: Text = None
    route: Text = None
    duration_days: Annotated[int | None, Field(ge=1, le=365)] = None
    quantity: Annotated[float | None, Field(gt=0, le=10000)] = None
    instructions: Text = None
    source_text: Text = None
    generic: Text = None
    brand: Text = None
    dose_value: Annotated[float | None, Field(gt=0, le=100000)] = None
    dose_unit: Text = None
    per_day: Annotated[float | None, Field(gt=0, le=24)] = None
    pattern: Text = None
    prn: bool = False
    stat: bool = False


# -- reading what the doctor typed ---------------------------------------------------------


def read_lines(db: Database, lines: list[str]) -> list[Expansion | UnreadableLine]:
    """Each line expanded against the shipped catalogue and the clinic's own list."""
    catalogue = clinic_catalogue(db)
    out: list[Expansion | UnreadableLine] = []
    for line in lines:
        try:
            out.append(expand(line, catalogue))
        except UnreadableLine as exc:
            out.append(exc)
    return out


def _facts(expansions: list[Expansion]) -> list[ItemFacts]:
    return [ItemFacts.of(e.drug_label, e.generic, e.route) for e in expansions]


def _patient_context(session: Session, patient_id: str) -> tuple[list[str], list[tuple[str, str | None]]]:
    allergies = list(session.scalars(select(Allergy.substance).where(Allergy.patient_id == patient_id, Allergy.voided_at.is_(None))))
    conditions = [(name, code) for name, code in session.execute(
        select(ChronicCondition.name, ChronicCondition.code).where(ChronicCondition.patient_id == patient_id, ChronicCondition.voided_at.is_(None)))]
    return allergies, conditions


def check_lines(db: Database, patient_id: str, expansions: list[Expansion], only_item: int | None = None) -> list[Alert]:
    """Safety alerts for these lines and this patient (what the pad shows as each line is added)."""
    catalogue = clinic_catalogue(db)
    with db.read() as session:
        allergies, conditions = _patient_context(session, patient_id)
    return check_prescription(_facts(expansions), allergies, conditions, catalogue, only_item=only_item)


def item_from_expansion(e: Expansion) -> dict:
    return {
        "drug_name": e.brand or e.generic or e.input.strip()[:200],
        "strength": e.strength,
        "form": e.form,
        "dose": e.dose_text(),
        "frequency": e.pattern or e.frequency_text,
        "timing": e.timing,
        "route": e.route,
        "duration_days": e.duration_days,
        "quantity": e.quantity_value,
        "instructions": e.instructions,
        "source_text": e.input,
        "generic": e.generic,
        "brand": e.brand,
        "dose_value": float(e.dose_value) if e.dose_value is not None else None,
        "dose_unit": e.dose_unit,
        "per_day": float(e.per_day) if e.per_day is not None else None,
        "pattern": e.pattern,
        "prn": e.prn,
        "stat": e.stat,
    }


# -- writing ---------------------------------------------------------------------------------


def create_prescription(db: Database, actor: Actor, encounter_id: str, items: list[PrescriptionItemInput | dict], notes: str | None = None) -> Prescription:
    """A draft from structured items (the pad's edited rows, or an import)."""
    if actor.role != "doctor":
        raise InvalidInput({"actor": "only a doctor can write a prescription"})
    parsed = [parse(PrescriptionItemInput, item, f"items[{n}]") for n, item in enumerate(items)]
    if not parsed:
        raise InvalidInput({"items": "a prescription needs at least one medicine"})
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        rx = Prescription(id=uuid7(), encounter_id=enc.id, patient_id=enc.patient_id, prescriber_id=actor.staff_id, status="draft", notes=notes)
        session.add(rx)
        session.flush()  # the parent row first; children reference it
        for n, item in enumerate(parsed, start=1):
            session.add(PrescriptionItem(prescription_id=rx.id, position=n, **item.model_dump()))
        session.flush()
        audit.record(session, "prescription.create", entity="prescription", entity_id=rx.id, patient_id=rx.patient_id, detail={"items": len(parsed)})
        return rx


def prescribe(db: Database, actor: Actor, encounter_id: str, lines: list[str], overrides: dict[str, str] | None = None,
              notes: str | None = None) -> Prescription:
    """A draft from shorthand lines. Every line must read without ambiguity: the doctor resolves
    each one first (the message names the line and what is unclear). Overrides given here are for
    alerts the doctor saw on the pad; each needs a reason."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise InvalidInput({"lines": "a prescription needs at least one medicine"})
    expansions: list[Expansion] = []
    problems: dict[str, str] = {}
    for n, result in enumerate(read_lines(db, lines)):
        if isinstance(result, UnreadableLine):
            problems[f"line {n + 1}"] = str(result)
        elif result.ambiguities:
            problems[f"line {n + 1}"] = f"{lines[n].strip()!r}: " + "; ".join(a.message for a in result.ambiguities)
        else:
            expansions.append(result)
    if problems:
        raise InvalidInput(problems)
    rx = create_prescription(db, actor, encounter_id, [item_from_expansion(e) for e in expansions], notes)
    for key, reason in (overrides or {}).items():
        override_alert(db, actor, rx.id, key, reason)
    return rx


def prescription_items(db: Database, prescription_id: str) -> list[PrescriptionItem]:
    with db.read() as session:
        return _items(session, prescription_id)


def _items(session: Session, prescription_id: str) -> list[PrescriptionItem]:
    return list(session.scalars(
        select(PrescriptionItem)
        .where(PrescriptionItem.prescription_id == prescription_id, PrescriptionItem.voided_at.is_(None))
        .order_by(PrescriptionItem.position)
    ))


def _label(item: PrescriptionItem) -> str:
    if item.brand and item.generic:
        return f"{item.brand} ({item.generic})"
    return f"{item.drug_name} {item.strength}" if item.strength and not item.brand else item.drug_name


@dataclass(frozen=True)
class AlertStatus:
    alert: Alert
    override_reason: str | None

    @property
    def blocking(self) -> bool:
        return self.alert.needs_override and self.override_reason is None

    def as_dict(self) -> dict:
        return self.alert.as_dict() | {"override_reason": self.override_reason, "blocking": self.blocking}


def _alerts(session: Session, rx: Prescription, catalogue) -> list[AlertStatus]:
    items = _items(session, rx.id)
    allergies, conditions = _patient_context(session, rx.patient_id)
    alerts = check_prescription([ItemFacts.of(_label(i), i.generic, i.route) for i in items], allergies, conditions, catalogue)
    overrides = {o.alert_key: o.reason for o in session.scalars(select(AlertOverride).where(AlertOverride.prescription_id == rx.id))}
    return [AlertStatus(a, overrides.get(a.key)) for a in alerts]


def prescription_alerts(db: Database, prescription_id: str) -> list[AlertStatus]:
    catalogue = clinic_catalogue(db)
    with db.read() as session:
        return _alerts(session, get_or_fail(session, Prescription, prescription_id), catalogue)


def override_alert(db: Database, actor: Actor, prescription_id: str, alert_key: str, reason: str) -> AlertOverride:
    """Go ahead despite an alert. The reason is kept with the prescription and in the audit trail."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput({"reason": "say why it is safe to go ahead despite this alert (a few words at least)"})
    catalogue = clinic_catalogue(db)
    with db.write(actor) as session:
        rx = get_or_fail(session, Prescription, prescription_id)
        if actor.staff_id != rx.prescriber_id:
            raise InvalidInput({"actor": "only the prescribing doctor can override this prescription's alerts"})
        if rx.signed_at is not None:
            raise ImmutableRecord(f"prescription {rx.id} is signed; its alerts were settled at signing")
        current = {s.alert.key: s for s in _alerts(session, rx, catalogue)}
        status = current.get(alert_key)
        if status is None:
            raise InvalidInput({"alert": f"no alert {alert_key!r} on this prescription (alerts now: {', '.join(current) or 'none'})"})
        if status.override_reason is not None:
            raise InvalidInput({"alert": f"alert {alert_key!r} was already overridden: {status.override_reason}"})
        row = AlertOverride(prescription_id=rx.id, alert_key=alert_key, severity=status.alert.severity, message=status.alert.message,
                            reason=reason, overridden_by=actor.staff_id)
        session.add(row)
        audit.record(session, "prescription.alert_override", entity="prescription", entity_id=rx.id, patient_id=rx.patient_id,
                     detail={"alert": alert_key, "severity": status.alert.severity, "message": status.alert.message, "reason": reason})
        return row


# -- signing -------------------------------------------------------------------------------


def sign_prescription(db: Database, actor: Actor, prescription_id: str) -> Prescription:
    """Freeze the prescription and sign its canonical document with the prescriber's Ed25519 key
    (made on this PC on first use). Refused while a serious alert has no override."""
    catalogue = clinic_catalogue(db)
    with db.write(actor) as session:
        rx = get_or_fail(session, Prescription, prescription_id)
        if rx.signed_at is not None:
            raise ImmutableRecord(f"prescription {rx.id} is already signed")
        if actor.staff_id != rx.prescriber_id:
            raise InvalidInput({"actor": "only the prescribing doctor can sign this prescription"})
        blocking = [s.alert for s in _alerts(session, rx, catalogue) if s.blocking]
        if blocking:
            raise InvalidInput({f"alert {a.key}": f"{a.severity}: {a.message} — override it with a reason, or change the prescription" for a in blocking})
        key, private = signing_keys.ensure_key(session, rx.prescriber_id)
        signed_at = utcnow().replace(microsecond=0)
        document_bytes = signing.canonical(_document(session, rx, key.fingerprint, signed_at))
        # Every signing field in one flush: once signed_at reaches the database the row is frozen.
        rx.status, rx.signed_at, rx.signed_by = "signed", signed_at, actor.staff_id
        rx.signed_document = document_bytes.decode("utf-8")
        rx.signature = signing.sign(document_bytes, private)
        rx.signing_key_id = key.id
        audit.record(session, "prescription.sign", entity="prescription", entity_id=rx.id, patient_id=rx.patient_id,
                     detail={"key": key.fingerprint})
        return rx


def _number(value: float | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 6)


def _document(session: Session, rx: Prescription, fingerprint: str, signed_at=None) -> dict:
    """What is signed and carried in the QR code: what a pharmacist needs to dispense, and no more.
    Anyone holding the paper can read the code, so the diagnosis, vitals and notes stay out of it;
    the print takes those from the record (print_context)."""
    signed_at = signed_at or rx.signed_at
    clinic = session.scalars(select(Clinic).order_by(Clinic.id)).first()
    doctor = session.get(Staff, rx.prescriber_id)
    patient = session.get(Patient, rx.patient_id)
    encounter = session.get(Encounter, rx.encounter_id)
    assert doctor is not None and patient is not None and encounter is not None and signed_at is not None
    address = ", ".join(p for p in (clinic.address_line, clinic.city, clinic.state, clinic.pincode) if p) if clinic else ""
    return {
        "v": DOCUMENT_VERSION,
        "id": rx.id,
        "issued_at": signed_at.isoformat().replace("+00:00", "Z"),
        "key": fingerprint,
        "clinic": {"name": clinic.name if clinic else "", "address": address, "phone": clinic.phone if clinic else None,
                   "hfr_id": clinic.hfr_id if clinic else None},
        "doctor": {"name": doctor.full_name, "qualification": doctor.qualification,
                   "registration": " ".join(p for p in (doctor.registration_council, doctor.registration_number) if p) or None},
        "patient": {"name": patient.full_name, "sex": patient.gender[:1].upper(),
                    "age": age_on(patient.date_of_birth, signed_at.date()) if patient.date_of_birth else None},
        "items": [
            _compact({"n": item.position, "drug": item.drug_name, "generic": item.generic if item.generic != item.drug_name else None,
                      "strength": item.strength, "form": item.form, "dose_value": _number(item.dose_value), "dose_unit": item.dose_unit,
                      "pattern": item.pattern, "per_day": _number(item.per_day),
                      "frequency": None if (item.pattern or item.per_day) else item.frequency, "timing": item.timing,
                      "prn": item.prn, "stat": item.stat, "days": item.duration_days, "quantity": _number(item.quantity),
                      "instructions": item.instructions})
            for item in _items(session, rx.id)
        ],
        "follow_up": encounter.follow_up_on.isoformat() if encounter.follow_up_on else None,
    }


def _compact(values: dict) -> dict:
    """Leave out what is unknown or false: the QR code has to stay small enough to scan from paper."""
    return {k: v for k, v in values.items() if v not in (None, False, "")}


def print_context(db: Database, prescription_id: str) -> dict:
    """The clinical context the print shows beside the signed document: vitals, diagnoses, advice,
    and the patient's language for the instructions."""
    with db.read() as session:
        rx = get_or_fail(session, Prescription, prescription_id, live=False)
        patient = session.get(Patient, rx.patient_id)
        encounter = session.get(Encounter, rx.encounter_id)
        vitals = session.scalars(select(Vitals).where(Vitals.encounter_id == rx.encounter_id, Vitals.voided_at.is_(None))
                                 .order_by(Vitals.recorded_at.desc())).first()
        diagnoses = [d.text + (f" ({d.code})" if d.code else "") for d in session.scalars(
            select(Diagnosis).where(Diagnosis.encounter_id == rx.encounter_id, Diagnosis.voided_at.is_(None))
            .order_by(Diagnosis.is_primary.desc(), Diagnosis.created_at))]
        return {"vitals": _vitals_text(vitals), "diagnoses": diagnoses, "advice": encounter.advice if encounter else None,
                "language": patient.preferred_language if patient else None}


def _vitals_text(v: Vitals | None) -> str | None:
    if v is None:
        return None
    parts = []
    if v.systolic and v.diastolic:
        parts.append(f"BP {v.systolic}/{v.diastolic} mmHg")
    if v.pulse:
        parts.append(f"Pulse {v.pulse}/min")
    if v.temperature_c:
        parts.append(f"Temp {v.temperature_c:.1f} °C")
    if v.spo2:
        parts.append(f"SpO₂ {v.spo2}%")
    if v.weight_kg:
        parts.append(f"Wt {v.weight_kg:g} kg")
    if v.bmi:
        parts.append(f"BMI {v.bmi:.1f}")
    return ", ".join(parts) or None


@dataclass(frozen=True)
class SignedPrescription:
    document: dict
    payload: str  # what the QR code holds
    fingerprint: str


def prescription_code(db: Database, prescription_id: str) -> SignedPrescription:
    """The signed document and the QR payload for printing."""
    with db.read() as session:
        rx = get_or_fail(session, Prescription, prescription_id, live=False)
        if rx.signed_at is None:
            raise InvalidInput({"prescription": "this prescription is not signed yet: sign it before printing the verifiable copy"})
        if rx.signed_document is None or rx.signature is None or rx.signing_key_id is None:
            raise InvalidInput({"prescription": "this prescription came from past records (imported, signed on paper): it has no "
                                                "digital signature, so there is no verifiable copy to print"})
        key = session.get(signing_keys.SigningKey, rx.signing_key_id)
        assert key is not None
        document_bytes = rx.signed_document.encode("utf-8")
        return SignedPrescription(json.loads(document_bytes), signing.qr_payload(document_bytes, rx.signature, key.public_key), key.fingerprint)


@dataclass
class VerificationReport:
    ok: bool
    message: str
    document: dict | None = None
    fingerprint: str | None = None
    key_status: str | None = None  # active | retired | revoked | unknown
    doctor_on_record: str | None = None
    voided: str | None = None

    def as_dict(self) -> dict:
        return {"ok": self.ok, "message": self.message, "key": signing.display_fingerprint(self.fingerprint) if self.fingerprint else None,
                "key_status": self.key_status, "doctor_on_record": self.doctor_on_record, "voided": self.voided, "document": self.document}


def verify_code(db: Database | None, payload: str) -> VerificationReport:
    """What a pharmacist's check runs on a scanned QR code: the signature must hold, and the key
    must be one this clinic issued to the doctor named, not revoked."""
    try:
        opened = signing.open_payload(payload)
    except signing.VerificationError as exc:
        return VerificationReport(False, str(exc))
    if opened.problems:
        return VerificationReport(False, "; ".join(opened.problems), opened.document, opened.fingerprint)
    doc = opened.document
    if db is None:
        return VerificationReport(False, "the signature holds, but without the clinic's key register nobody can say whose key signed it "
                                  "(run the check with --data-dir of a clinic PC)", doc, opened.fingerprint, "unknown")
    with db.read() as session:
        key = signing_keys.key_by_fingerprint(session, opened.fingerprint)
        if key is None or key.public_key != opened.public_key:
            return VerificationReport(False, "the signature holds, but the key is not one this clinic issued: do not dispense",
                                      doc, opened.fingerprint, "unknown")
        doctor = session.get(Staff, key.staff_id)
        name = doctor.full_name if doctor else None
        rx = session.get(Prescription, doc.get("id"))
        voided = f"voided on {rx.voided_at:%d %b %Y}: {rx.void_reason}" if rx is not None and rx.voided_at else None
    status = "revoked" if key.revoked_at else "retired" if key.retired_at else "active"
    if key.revoked_at:
        return VerificationReport(False, f"the key that signed this was revoked on {key.revoked_at:%d %b %Y} ({key.revoke_reason}): do not dispense",
                                  doc, opened.fingerprint, status, name)
    issued = doc.get("issued_at", "")
    try:
        issued_at = datetime.fromisoformat(issued.replace("Z", "+00:00"))
    except ValueError:
        return VerificationReport(False, "the signed document has no valid date: do not dispense", doc, opened.fingerprint, "unknown", name)
    if key.retired_at and issued_at > key.retired_at:
        return VerificationReport(False, "the document claims a date after its key was retired: do not dispense", doc, opened.fingerprint, status, name)
    if name != (doc.get("doctor") or {}).get("name"):
        return VerificationReport(False, f"the key belongs to {name}, not to the doctor named on the prescription", doc, opened.fingerprint, status, name)
    if voided:
        return VerificationReport(False, f"genuine, but the prescription was {voided}", doc, opened.fingerprint, status, name, voided)
    return VerificationReport(True, f"genuine: signed by {name} on {issued[:10]}", doc, opened.fingerprint, status, name)


def verify_stored(db: Database, prescription_id: str) -> VerificationReport:
    """Check a stored prescription: the signature over its document holds, and the document still
    matches the rows (so an edit made behind the application's back is found)."""
    code = prescription_code(db, prescription_id)
    report = verify_code(db, code.payload)
    if not report.ok:
        return report
    with db.read() as session:
        rx = get_or_fail(session, Prescription, prescription_id, live=False)
        rebuilt = signing.canonical(_document(session, rx, code.fingerprint))
    if rebuilt != signing.canonical(code.document):
        return VerificationReport(False, "the stored rows no longer match what was signed: the record was changed after signing",
                                  code.document, code.fingerprint, report.key_status, report.doctor_on_record)
    return report


def schedule_of(item: dict):
    """The parts of a signed item the patient instruction sentence is built from."""
    from core.prescribing.instructions import ItemSchedule

    def fraction(value):
        return Fraction(str(value)).limit_denominator(60) if value is not None else None

    return ItemSchedule(fraction(item.get("dose_value")), item.get("dose_unit"), item.get("pattern"), fraction(item.get("per_day")),
                        item.get("timing"), bool(item.get("prn")), bool(item.get("stat")), item.get("days"))


def follow_up_date(document: dict) -> date | None:
    value = document.get("follow_up")
    return date.fromisoformat(value) if value else None
