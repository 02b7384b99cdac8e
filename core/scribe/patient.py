"""The patient in the chair, as the scribe needs them: what identifies them (to keep it from the
model when the privacy switch is on) and what the safety checks weigh (allergies, conditions,
medicines still running).

`load_patient_context` only reads. It writes no audit event: the desk that asks for a draft has
already opened, and so audited, the record; `nadi scribe --patient` reads as clinic IT would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.errors import NotFound
from core.prescribing.safety import ItemFacts
from core.storage.database import Database
from core.storage.models import Allergy, ChronicCondition, Patient, PatientIdentifier, Prescription, PrescriptionItem
from core.validation import age_on


@dataclass(frozen=True)
class PatientContext:
    patient_id: str | None = None
    name: str | None = None
    mobile: str | None = None
    abha_number: str | None = None
    abha_address: str | None = None
    address: tuple[str, ...] = ()  # address line, city, district, PIN code: each as recorded
    other_ids: tuple[str, ...] = ()  # ids in other systems (hospital UHID, an Aadhaar number typed in)
    age: int | None = None
    sex: str | None = None  # male | female | other | unknown
    allergies: tuple[str, ...] = ()
    conditions: tuple[tuple[str, str | None], ...] = ()  # (name, ICD-10 code)
    current_medicines: tuple[ItemFacts, ...] = field(default_factory=tuple)

    def described(self) -> str | None:
        """What the model is told about the patient: age and sex only, never who they are."""
        parts = []
        if self.age is not None:
            parts.append(f"{self.age}-year-old")
        if self.sex in ("male", "female"):
            parts.append({"male": "man" if (self.age or 18) >= 18 else "boy", "female": "woman" if (self.age or 18) >= 18 else "girl"}[self.sex])
        return " ".join(parts) or None


def load_patient_context(db: Database, patient_id: str, today: date | None = None) -> PatientContext:
    """The patient's identifying details, allergies, chronic conditions and the medicines of signed
    prescriptions whose course has not run out (read-only)."""
    zone = ZoneInfo(db.settings.clinic_timezone)
    today = today or date.today()
    with db.read() as session:
        patient = session.get(Patient, patient_id)
        if patient is None or patient.voided_at is not None:
            raise NotFound(f"no patient with id {patient_id} in {db.settings.data_dir} (find one with `nadi search NAME`)")
        allergies = tuple(a for a in session.scalars(
            select(Allergy.substance).where(Allergy.patient_id == patient_id, Allergy.voided_at.is_(None))))
        conditions = tuple((name, code) for name, code in session.execute(
            select(ChronicCondition.name, ChronicCondition.code).where(ChronicCondition.patient_id == patient_id,
                                                                       ChronicCondition.voided_at.is_(None))))
        other_ids = tuple(v for v in session.scalars(
            select(PatientIdentifier.value).where(PatientIdentifier.patient_id == patient_id, PatientIdentifier.voided_at.is_(None))))
        running = session.execute(
            select(Prescription.signed_at, PrescriptionItem)
            .join(PrescriptionItem, PrescriptionItem.prescription_id == Prescription.id)
            .where(Prescription.patient_id == patient_id, Prescription.voided_at.is_(None), Prescription.signed_at.is_not(None),
                   PrescriptionItem.voided_at.is_(None))
        ).all()
    current: dict[str, ItemFacts] = {}
    for signed_at, item in running:
        if item.prn or item.stat or not item.duration_days or not item.generic:
            continue
        if signed_at.astimezone(zone).date() + timedelta(days=item.duration_days) > today:
            label = f"{item.brand} ({item.generic})" if item.brand else item.generic
            current.setdefault(item.generic, ItemFacts.of(f"{label}, already taking", item.generic, item.route))
    return PatientContext(
        patient_id=patient.id, name=patient.full_name, mobile=patient.mobile, abha_number=patient.abha_number,
        abha_address=patient.abha_address,
        address=tuple(p for p in (patient.address_line, patient.city, patient.district, patient.pincode) if p),
        other_ids=other_ids, age=age_on(patient.date_of_birth, today) if patient.date_of_birth else None, sex=patient.gender,
        allergies=allergies, conditions=conditions, current_medicines=tuple(current.values()),
    )
