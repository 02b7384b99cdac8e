"""Registering patients, keeping their details, and opening their record (which is audited)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import InvalidInput
from core.ids import uuid7
from core.search.names import edit_distance, fold, name_tokens, phonetic_key
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import (
    Allergy,
    ChronicCondition,
    Diagnosis,
    Encounter,
    LabOrder,
    LabResult,
    Patient,
    PatientIdentifier,
    Prescription,
    PrescriptionItem,
    Vitals,
)
from core.validation import AllergyInput, ConditionInput, IdentifierInput, PatientInput, PatientUpdate, parse


def register_patient(db: Database, actor: Actor, data: PatientInput | dict) -> Patient:
    """Register one patient with any identifiers, allergies and chronic conditions given."""
    return register_patients(db, actor, [data])[0]


def register_patients(db: Database, actor: Actor, batch: Iterable[PatientInput | dict]) -> list[Patient]:
    """Register several patients in one transaction (imports, demo data): all or none."""
    inputs = []
    problems: dict[str, str] = {}
    for n, item in enumerate(batch):
        try:
            inputs.append(parse(PatientInput, item, "patient" if n == 0 else f"patient[{n}]"))
        except InvalidInput as exc:
            problems.update(exc.problems)
    if problems:
        raise InvalidInput(problems)
    with db.write(actor) as session:
        patients = [_add_patient(session, p) for p in inputs]
        session.flush()  # parents first: without ORM relationships the flush does not order by foreign key
        for patient, p in zip(patients, inputs, strict=True):
            _add_patient_details(session, patient, p)
        session.flush()
        for patient in patients:
            audit.record(session, "patient.register", entity="patient", entity_id=patient.id, patient_id=patient.id)
        return patients


def _add_patient(session: Session, data: PatientInput) -> Patient:
    fields = data.model_dump(exclude={"identifiers", "allergies", "conditions", "age_years"})
    if data.date_of_birth is None:
        fields["date_of_birth"] = birth_date_from_age(data.age_years or 0, date.today())
        fields["birth_date_estimated"] = True
    patient = Patient(id=uuid7(), **fields)
    session.add(patient)
    return patient


def _add_patient_details(session: Session, patient: Patient, data: PatientInput) -> None:
    for ident in data.identifiers:
        session.add(PatientIdentifier(patient_id=patient.id, **ident.model_dump()))
    for allergy in data.allergies:
        session.add(Allergy(patient_id=patient.id, **allergy.model_dump()))
    for condition in data.conditions:
        session.add(ChronicCondition(patient_id=patient.id, **condition.model_dump()))


def birth_date_from_age(age_years: int, today: date) -> date:
    """An estimated birth date for "about N years old": N years before today (28 Feb for 29 Feb)."""
    year = today.year - age_years
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def update_patient(db: Database, actor: Actor, patient_id: str, changes: PatientUpdate | dict) -> Patient:
    """Change demographic details; only the fields given change, and the audit says which."""
    update = parse(PatientUpdate, changes, "patient")
    given = update.model_dump(exclude_unset=True)
    if not given:
        raise InvalidInput({"patient": "no field to change was given"})
    if "full_name" in given and given["full_name"] is None:
        raise InvalidInput({"patient.full_name": "a patient's name cannot be removed"})
    if "gender" in given and given["gender"] is None:
        raise InvalidInput({"patient.gender": "is required"})
    with db.write(actor) as session:
        patient = get_or_fail(session, Patient, patient_id)
        changed = sorted(k for k, v in given.items() if getattr(patient, k) != v)
        for key in changed:
            setattr(patient, key, given[key])
        if "date_of_birth" in changed:
            patient.birth_date_estimated = False
        audit.record(session, "patient.update", entity="patient", entity_id=patient.id, patient_id=patient.id, detail={"fields": changed})
        return patient


def add_identifier(db: Database, actor: Actor, patient_id: str, data: IdentifierInput | dict) -> PatientIdentifier:
    ident = parse(IdentifierInput, data, "identifier")
    with db.write(actor) as session:
        get_or_fail(session, Patient, patient_id)
        row = PatientIdentifier(patient_id=patient_id, **ident.model_dump())
        session.add(row)
        session.flush()
        audit.record(session, "patient.identifier.add", entity="patient_identifier", entity_id=row.id, patient_id=patient_id, detail={"system": row.system})
        return row


def record_allergy(db: Database, actor: Actor, patient_id: str, data: AllergyInput | dict) -> Allergy:
    allergy = parse(AllergyInput, data, "allergy")
    with db.write(actor) as session:
        get_or_fail(session, Patient, patient_id)
        row = Allergy(patient_id=patient_id, **allergy.model_dump())
        session.add(row)
        session.flush()
        audit.record(session, "allergy.record", entity="allergy", entity_id=row.id, patient_id=patient_id, detail={"substance": row.substance})
        return row


def record_condition(db: Database, actor: Actor, patient_id: str, data: ConditionInput | dict) -> ChronicCondition:
    condition = parse(ConditionInput, data, "condition")
    with db.write(actor) as session:
        get_or_fail(session, Patient, patient_id)
        row = ChronicCondition(patient_id=patient_id, **condition.model_dump())
        session.add(row)
        session.flush()
        audit.record(session, "condition.record", entity="chronic_condition", entity_id=row.id, patient_id=patient_id, detail={"name": row.name})
        return row


@dataclass
class VisitRecord:
    encounter: Encounter
    vitals: list[Vitals] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    prescriptions: list[tuple[Prescription, list[PrescriptionItem]]] = field(default_factory=list)
    lab_orders: list[tuple[LabOrder, list[LabResult]]] = field(default_factory=list)


@dataclass
class PatientRecord:
    """Everything a clinician sees when they open a patient: demographics and clinical history."""

    patient: Patient
    identifiers: list[PatientIdentifier]
    allergies: list[Allergy]
    conditions: list[ChronicCondition]
    visits: list[VisitRecord]  # newest first


def open_patient_record(db: Database, actor: Actor, patient_id: str, purpose: str = "consult") -> PatientRecord:
    """Load a patient's clinical record. Opening it is itself an audited event."""
    with db.write(actor) as session:
        patient = get_or_fail(session, Patient, patient_id, live=False)
        if db.settings.audit_record_opens:
            audit.record(session, "patient.record.open", entity="patient", entity_id=patient_id, patient_id=patient_id, detail={"purpose": purpose})
        return _load_record(session, patient)


def _live(model, patient_id: str):
    return select(model).where(model.patient_id == patient_id, model.voided_at.is_(None))


def _load_record(session: Session, patient: Patient) -> PatientRecord:
    pid = patient.id
    visits = {}
    for enc in session.scalars(_live(Encounter, pid).order_by(Encounter.started_at.desc())):
        visits[enc.id] = VisitRecord(enc)
    for v in session.scalars(_live(Vitals, pid).order_by(Vitals.recorded_at)):
        if v.encounter_id in visits:
            visits[v.encounter_id].vitals.append(v)
    for d in session.scalars(_live(Diagnosis, pid)):
        if d.encounter_id in visits:
            visits[d.encounter_id].diagnoses.append(d)
    # One query per kind of row, whatever the number of visits: a long history opens as fast as a short one.
    prescriptions = list(session.scalars(_live(Prescription, pid).order_by(Prescription.created_at)))
    items: dict[str, list[PrescriptionItem]] = {rx.id: [] for rx in prescriptions}
    if items:
        query = select(PrescriptionItem).where(PrescriptionItem.prescription_id.in_(items), PrescriptionItem.voided_at.is_(None))
        for item in session.scalars(query.order_by(PrescriptionItem.position)):
            items[item.prescription_id].append(item)
    for rx in prescriptions:
        if rx.encounter_id in visits:
            visits[rx.encounter_id].prescriptions.append((rx, items[rx.id]))
    results: dict[str, list[LabResult]] = {}
    for result in session.scalars(_live(LabResult, pid).order_by(LabResult.resulted_at)):
        results.setdefault(result.lab_order_id, []).append(result)
    for order in session.scalars(_live(LabOrder, pid).order_by(LabOrder.created_at)):
        if order.encounter_id in visits:
            visits[order.encounter_id].lab_orders.append((order, results.get(order.id, [])))
    return PatientRecord(
        patient=patient,
        identifiers=list(session.scalars(_live(PatientIdentifier, pid))),
        allergies=list(session.scalars(_live(Allergy, pid))),
        conditions=list(session.scalars(_live(ChronicCondition, pid))),
        visits=list(visits.values()),
    )


@dataclass(frozen=True)
class DuplicateCandidate:
    patient: Patient
    reason: str


def likely_duplicates(db: Database, data: PatientInput | dict) -> list[DuplicateCandidate]:
    """Patients already registered who are probably the same person as `data`.

    Same ABHA number or address: almost certainly the same person. Same mobile is weaker (a family
    often shares one phone), so it also needs a close name and a birth year within two years.
    """
    # While reception is still typing, the age may not be there yet: compare on the rest.
    birth_known = isinstance(data, PatientInput) or bool(data.get("date_of_birth")) or data.get("age_years") is not None
    p = parse(PatientInput, data if birth_known else {**data, "age_years": 0}, "patient")
    birth = (p.date_of_birth or birth_date_from_age(p.age_years or 0, date.today())) if birth_known else None
    clauses = []
    if p.abha_number:
        clauses.append(Patient.abha_number == p.abha_number)
    if p.abha_address:
        clauses.append(Patient.abha_address == p.abha_address)
    if p.mobile:
        clauses.append(Patient.mobile == p.mobile)
    if not clauses:
        return []
    words = {"abha_number": "same ABHA number", "abha_address": "same ABHA address",
             "mobile": "same mobile, similar name and age" if birth else "same mobile, similar name"}
    found: list[DuplicateCandidate] = []
    with db.read() as session:
        for other in session.scalars(select(Patient).where(or_(*clauses), Patient.voided_at.is_(None)).limit(200)):
            evidence = duplicate_evidence(p.full_name, birth.year if birth else None, p.mobile, p.abha_number, p.abha_address,
                                          other, birth_pending=birth is None)
            if evidence:
                found.append(DuplicateCandidate(other, words[evidence]))
    return found


# An age told at the desk is often a year or two out, so birth years this far apart still agree.
BIRTH_YEARS_APART = 2


class RegisteredPerson(Protocol):
    """What duplicate judgement reads of a registration: a Patient, or a row of just these columns."""

    full_name: str
    date_of_birth: date | None
    mobile: str | None
    abha_number: str | None
    abha_address: str | None


def duplicate_evidence(
    full_name: str,
    birth_year: int | None,
    mobile: str | None,
    abha_number: str | None,
    abha_address: str | None,
    other: RegisteredPerson,
    *,
    birth_pending: bool = False,
) -> str | None:
    """What says `other` is the person described: "abha_number", "abha_address" or "mobile"; None
    when nothing does. Shared by registration (warn while typing) and the merge queue (after sync).

    Same ABHA number or address: almost certainly the same person. Same mobile is weaker (a family
    often shares one phone), so it also needs a close name and birth years within BIRTH_YEARS_APART;
    a birth year missing on either side does not count as close. `birth_pending`: the birth is not
    typed yet, so compare on the rest.
    """
    if abha_number and other.abha_number == abha_number:
        return "abha_number"
    if abha_address and other.abha_address == abha_address:
        return "abha_address"
    if not mobile or other.mobile != mobile:
        return None
    if not birth_pending and (birth_year is None or other.date_of_birth is None or abs(other.date_of_birth.year - birth_year) > BIRTH_YEARS_APART):
        return None
    # The name last: it is the costly comparison, and a shared family phone usually fails on age first.
    return "mobile" if names_close(full_name, other.full_name) else None


def names_close(a: str, b: str) -> bool:
    """Two registrations of one name: same first word by sound or within a typo, and overall near."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    first_close = phonetic_key(ta[0]) == phonetic_key(tb[0]) or edit_distance(ta[0], tb[0], 1) <= 1
    whole = edit_distance(fold(a).replace(" ", ""), fold(b).replace(" ", ""), 3) <= 3
    shorter, longer = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return first_close and (whole or all(any(_tokens_close(s, t) for t in longer) for s in shorter))


def _tokens_close(a: str, b: str) -> bool:
    """One word of a name written two ways: same sound, one slip, or one cut short (Narayan for
    Narayanan, Venkat for Venkatesh)."""
    if phonetic_key(a) == phonetic_key(b) or edit_distance(a, b, 1) <= 1:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short)
