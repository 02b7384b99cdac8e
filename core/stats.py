"""Counts of what the record holds, for people (`nadi stats`) and for checks."""

from __future__ import annotations

from sqlalchemy import func, select

from core.storage.database import Database
from core.storage.models import (
    Allergy,
    Appointment,
    AuditEvent,
    Bill,
    Change,
    ChronicCondition,
    Diagnosis,
    Encounter,
    LabOrder,
    LabResult,
    Patient,
    Payment,
    Prescription,
    PrescriptionItem,
    Staff,
    Vitals,
)

COUNTED = {
    "patients": Patient,
    "staff": Staff,
    "appointments": Appointment,
    "encounters": Encounter,
    "vitals": Vitals,
    "diagnoses": Diagnosis,
    "prescriptions": Prescription,
    "prescription_items": PrescriptionItem,
    "lab_orders": LabOrder,
    "lab_results": LabResult,
    "allergies": Allergy,
    "chronic_conditions": ChronicCondition,
    "bills": Bill,
    "payments": Payment,
}


def record_counts(db: Database) -> dict[str, int]:
    """Live (not voided) records of each kind, plus the audit events and pending change records."""
    counts: dict[str, int] = {}
    with db.read() as session:
        for name, model in COUNTED.items():
            query = select(func.count()).select_from(model)
            if hasattr(model, "voided_at"):
                query = query.where(model.voided_at.is_(None))
            counts[name] = session.scalar(query)
        counts["audit_events"] = session.scalar(select(func.count()).select_from(AuditEvent))
        counts["change_records"] = session.scalar(select(func.count()).select_from(Change))
    return counts
