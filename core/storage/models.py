"""The clinic record as tables.

Rows that can cross machines (`Synced`) carry a UUIDv7 text id made locally; every insert or update
of them produces a change record in the same transaction (see `outbox.py`). Clinical rows are
`Voidable`: never deleted, voided with a reason, who and when. Rows with `signed_at` are frozen
once signed, except for voiding. Money is integer paise.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.ids import uuid7
from core.storage.types import UtcDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _fk(target: str, nullable: bool = False, index: bool = True) -> Mapped:
    return mapped_column(String(36), ForeignKey(target), nullable=nullable, index=index)


class Synced:
    """A row that is shipped to other nodes: UUIDv7 id and its own timestamps."""

    __synced__ = True
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=uuid7)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Voidable:
    """Clinical rows are voided, never deleted."""

    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    voided_by: Mapped[str | None] = mapped_column(String(36))
    void_reason: Mapped[str | None] = mapped_column(Text)


class Signable:
    """Frozen once `signed_at` is set; only the void fields may change after that."""

    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    signed_by: Mapped[str | None] = mapped_column(String(36))


# --- the clinic and its people -------------------------------------------------------------------


class Clinic(Synced, Base):
    __tablename__ = "clinic"
    name: Mapped[str] = mapped_column(String(200))
    address_line: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    pincode: Mapped[str | None] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(16))
    hfr_id: Mapped[str | None] = mapped_column(String(32))
    upi_id: Mapped[str | None] = mapped_column(String(100))


class Staff(Synced, Base):
    __tablename__ = "staff"
    clinic_id: Mapped[str] = _fk("clinic.id")
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin | doctor | receptionist | nurse
    qualification: Mapped[str | None] = mapped_column(String(100))
    registration_council: Mapped[str | None] = mapped_column(String(200))
    registration_number: Mapped[str | None] = mapped_column(String(50))
    hpr_id: Mapped[str | None] = mapped_column(String(32))
    mobile: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# --- patients ------------------------------------------------------------------------------------


class Patient(Synced, Voidable, Base):
    __tablename__ = "patient"
    full_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(String(8))  # male | female | other | unknown
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # True when the date of birth was worked out from an age the patient told us.
    birth_date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    mobile: Mapped[str | None] = mapped_column(String(10), index=True)  # 10 digits, no +91
    address_line: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    pincode: Mapped[str | None] = mapped_column(String(6))
    preferred_language: Mapped[str | None] = mapped_column(String(40))
    abha_number: Mapped[str | None] = mapped_column(String(17), index=True)  # XX-XXXX-XXXX-XXXX
    abha_address: Mapped[str | None] = mapped_column(String(80), index=True)
    # Set when this registration was found to be a duplicate and merged into another (see
    # core/services/merges.py); the row is voided too, and references move to the survivor.
    merged_into_id: Mapped[str | None] = _fk("patient.id", nullable=True)


class MergeCandidate(Synced, Base):
    """Two registrations that look like the same person (made on two PCs while offline, say),
    waiting for someone at the desk to merge them or say they are different people.

    The id is made from the pair, so two PCs that spot the same pair write the same row, and the
    decision taken on one PC closes it on all of them.
    """

    __tablename__ = "merge_candidate"
    patient_a_id: Mapped[str] = _fk("patient.id")  # the two ids in sorted order
    patient_b_id: Mapped[str] = _fk("patient.id")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | merged | dismissed
    survivor_id: Mapped[str | None] = mapped_column(String(36))
    resolved_by: Mapped[str | None] = mapped_column(String(36))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PatientIdentifier(Synced, Voidable, Base):
    """An id the patient carries in another system (old clinic MRN, hospital UHID, insurer)."""

    __tablename__ = "patient_identifier"
    patient_id: Mapped[str] = _fk("patient.id")
    system: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(80), index=True)


class Allergy(Synced, Voidable, Base):
    __tablename__ = "allergy"
    patient_id: Mapped[str] = _fk("patient.id")
    substance: Mapped[str] = mapped_column(String(200))
    reaction: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(16))  # mild | moderate | severe


class ChronicCondition(Synced, Voidable, Base):
    __tablename__ = "chronic_condition"
    patient_id: Mapped[str] = _fk("patient.id")
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(20))
    code_system: Mapped[str | None] = mapped_column(String(40))
    since: Mapped[date | None] = mapped_column(Date)


# --- the day's work --------------------------------------------------------------------------------


class Appointment(Synced, Voidable, Base):
    """A booking or a walk-in, and its place in the day's queue (token)."""

    __tablename__ = "appointment"
    patient_id: Mapped[str] = _fk("patient.id")
    doctor_id: Mapped[str | None] = _fk("staff.id", nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # booked | walk_in
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime)
    clinic_date: Mapped[date] = mapped_column(Date, index=True)  # the day in the clinic's time zone
    token_number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # booked | checked_in | in_consult | done | no_show | cancelled
    reason: Mapped[str | None] = mapped_column(Text)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Encounter(Synced, Voidable, Signable, Base):
    __tablename__ = "encounter"
    patient_id: Mapped[str] = _fk("patient.id")
    doctor_id: Mapped[str | None] = _fk("staff.id", nullable=True)
    appointment_id: Mapped[str | None] = _fk("appointment.id", nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # in_progress | completed
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    chief_complaint: Mapped[str | None] = mapped_column(Text)
    history: Mapped[str | None] = mapped_column(Text)
    examination: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    amends_id: Mapped[str | None] = _fk("encounter.id", nullable=True)


class Vitals(Synced, Voidable, Base):
    __tablename__ = "vitals"
    encounter_id: Mapped[str] = _fk("encounter.id")
    patient_id: Mapped[str] = _fk("patient.id")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(36))
    systolic: Mapped[int | None] = mapped_column(Integer)
    diastolic: Mapped[int | None] = mapped_column(Integer)
    pulse: Mapped[int | None] = mapped_column(Integer)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    spo2: Mapped[int | None] = mapped_column(Integer)
    respiratory_rate: Mapped[int | None] = mapped_column(Integer)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    height_cm: Mapped[float | None] = mapped_column(Float)
    bmi: Mapped[float | None] = mapped_column(Float)  # derived from weight and height when both given
    blood_glucose_mg_dl: Mapped[float | None] = mapped_column(Float)
    glucose_context: Mapped[str | None] = mapped_column(String(16))  # fasting | random | post_meal


class Diagnosis(Synced, Voidable, Base):
    __tablename__ = "diagnosis"
    encounter_id: Mapped[str] = _fk("encounter.id")
    patient_id: Mapped[str] = _fk("patient.id")
    text: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(20))
    code_system: Mapped[str | None] = mapped_column(String(40))  # ICD-10 | SNOMED-CT | ...
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Prescription(Synced, Voidable, Signable, Base):
    __tablename__ = "prescription"
    encounter_id: Mapped[str] = _fk("encounter.id")
    patient_id: Mapped[str] = _fk("patient.id")
    prescriber_id: Mapped[str] = _fk("staff.id")
    status: Mapped[str] = mapped_column(String(16))  # draft | signed
    notes: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    amends_id: Mapped[str | None] = _fk("prescription.id", nullable=True)
    # The exact bytes signed (canonical JSON) and the key that signed them; see core/prescribing/signing.py.
    signed_document: Mapped[str | None] = mapped_column(Text)
    signing_key_id: Mapped[str | None] = _fk("signing_key.id", nullable=True)


class PrescriptionItem(Synced, Voidable, Base):
    __tablename__ = "prescription_item"
    prescription_id: Mapped[str] = _fk("prescription.id")
    position: Mapped[int] = mapped_column(Integer)
    drug_name: Mapped[str] = mapped_column(String(200))
    strength: Mapped[str | None] = mapped_column(String(60))
    form: Mapped[str | None] = mapped_column(String(30))
    dose: Mapped[str | None] = mapped_column(String(60))
    frequency: Mapped[str | None] = mapped_column(String(60))
    timing: Mapped[str | None] = mapped_column(String(60))
    route: Mapped[str | None] = mapped_column(String(30))
    duration_days: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[float | None] = mapped_column(Float)
    instructions: Mapped[str | None] = mapped_column(Text)
    # From the prescribing engine: what was typed, and what it was read as.
    source_text: Mapped[str | None] = mapped_column(Text)
    generic: Mapped[str | None] = mapped_column(String(300))  # the composition: "Amoxicillin + Clavulanic acid"
    brand: Mapped[str | None] = mapped_column(String(200))
    dose_value: Mapped[float | None] = mapped_column(Float)
    dose_unit: Mapped[str | None] = mapped_column(String(20))
    per_day: Mapped[float | None] = mapped_column(Float)
    pattern: Mapped[str | None] = mapped_column(String(20))
    prn: Mapped[bool] = mapped_column(Boolean, default=False)
    stat: Mapped[bool] = mapped_column(Boolean, default=False)


class AlertOverride(Synced, Base):
    """A safety alert the prescribing doctor saw and went ahead with, and why."""

    __tablename__ = "alert_override"
    prescription_id: Mapped[str] = _fk("prescription.id")
    alert_key: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    overridden_by: Mapped[str] = mapped_column(String(36))


class SigningKey(Synced, Base):
    """A doctor's Ed25519 public key. Synced, so every PC and the hub can verify; never deleted, so
    old prescriptions keep verifying after the key is retired. The private half is `SigningSecret`."""

    __tablename__ = "signing_key"
    staff_id: Mapped[str] = _fk("staff.id")
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(32), index=True)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)


class SigningSecret(Base):
    """The private half of a signing key. Local to this PC (not synced, no change records): it lives
    only inside this encrypted database and whatever encrypted backup is made of it."""

    __tablename__ = "signing_secret"
    key_id: Mapped[str] = mapped_column(String(36), ForeignKey("signing_key.id"), primary_key=True)
    private_key: Mapped[bytes] = mapped_column(LargeBinary)


class ClinicMedicine(Synced, Voidable, Base):
    """A row of the clinic's own medicine list (imported CSV), searched alongside the shipped catalogue."""

    __tablename__ = "clinic_medicine"
    brand: Mapped[str] = mapped_column(String(200), index=True)
    composition: Mapped[str] = mapped_column(String(300))
    strength: Mapped[str | None] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(30))
    manufacturer: Mapped[str | None] = mapped_column(String(200))


class LabOrder(Synced, Voidable, Base):
    __tablename__ = "lab_order"
    encounter_id: Mapped[str] = _fk("encounter.id")
    patient_id: Mapped[str] = _fk("patient.id")
    ordered_by: Mapped[str | None] = mapped_column(String(36))
    test_name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # ordered | resulted


class LabResult(Synced, Voidable, Base):
    __tablename__ = "lab_result"
    lab_order_id: Mapped[str] = _fk("lab_order.id")
    patient_id: Mapped[str] = _fk("patient.id")
    recorded_by: Mapped[str | None] = mapped_column(String(36))
    resulted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    value_text: Mapped[str] = mapped_column(String(200))
    value_number: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(30))
    reference_low: Mapped[float | None] = mapped_column(Float)
    reference_high: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(8))  # low | high | normal


class Bill(Synced, Voidable, Base):
    __tablename__ = "bill"
    patient_id: Mapped[str] = _fk("patient.id")
    encounter_id: Mapped[str | None] = _fk("encounter.id", nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))  # open | paid
    subtotal_paise: Mapped[int] = mapped_column(Integer, default=0)
    discount_paise: Mapped[int] = mapped_column(Integer, default=0)
    total_paise: Mapped[int] = mapped_column(Integer, default=0)


class BillItem(Synced, Voidable, Base):
    __tablename__ = "bill_item"
    bill_id: Mapped[str] = _fk("bill.id")
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_paise: Mapped[int] = mapped_column(Integer)
    amount_paise: Mapped[int] = mapped_column(Integer)


class Payment(Synced, Voidable, Base):
    __tablename__ = "payment"
    bill_id: Mapped[str] = _fk("bill.id")
    amount_paise: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(8))  # cash | card | upi
    reference: Mapped[str | None] = mapped_column(String(80))
    received_by: Mapped[str | None] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StaffCredential(Synced, Base):
    """How a staff member logs in: a PIN or a password, kept only as a salted scrypt hash.

    Synced, so a person uses the same PIN on every PC of the clinic; the hash crosses machines,
    never the secret. `scheme` holds the scrypt cost so it can be raised later without a migration.
    """

    __tablename__ = "staff_credential"
    staff_id: Mapped[str] = mapped_column(String(36), ForeignKey("staff.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # pin | password
    scheme: Mapped[str] = mapped_column(String(40))  # "scrypt:n=16384,r=8,p=1"
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class PriceItem(Synced, Voidable, Base):
    """One line of the clinic's price list: what reception picks when billing a visit."""

    __tablename__ = "price_item"
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))  # consultation | procedure | test | other
    amount_paise: Mapped[int] = mapped_column(Integer)


class VisitTemplate(Synced, Voidable, Base):
    """A ready-made visit (complaints, examination, advice, investigations, prescription lines).

    `owner_id` null: the clinic's own template; set: one doctor's favourite.
    """

    __tablename__ = "visit_template"
    owner_id: Mapped[str | None] = _fk("staff.id", nullable=True)
    name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)  # JSON: note fields, diagnoses, investigations, rx lines


# --- bookkeeping that stays on this PC -------------------------------------------------------------


class LocalNode(Base):
    """This installation's identity (one row). Not synced."""

    __tablename__ = "local_node"
    node_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VisitDraft(Base):
    """What a doctor has typed into a visit and not yet saved: autosaved every few seconds so a
    power cut loses at most that much. Local (typing in progress does not travel); it is folded
    into the visit through the services when the doctor saves, and removed then."""

    __tablename__ = "visit_draft"
    encounter_id: Mapped[str] = mapped_column(String(36), ForeignKey("encounter.id"), primary_key=True)
    staff_id: Mapped[str | None] = mapped_column(String(36))
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)  # JSON


class SyncState(Base):
    """This PC's place in the clinic's sync (one row, id 1, once enrolled). Not synced.

    `pushed_seq`: the last local change sequence the hub has acknowledged. `pull_cursor`: the last
    server sequence applied here. Both move only in the transaction that did the work, so a crash
    resumes exactly where it stopped.
    """

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hub_url: Mapped[str] = mapped_column(String(300))
    clinic_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(36))
    device_secret: Mapped[str] = mapped_column(String(100))
    pushed_seq: Mapped[int] = mapped_column(Integer, default=0)
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)
    # The change id the hub had at `pull_cursor`: if the hub answers with another (it was restored
    # from an older copy and has numbered new changes differently since), we read it again from 0.
    pull_cursor_change_id: Mapped[str | None] = mapped_column(String(36))
    relay_cursor: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Job(Base):
    """Work for the outside world (processing a relayed callback, an ABDM or NHCX call), retried
    with back-off until it succeeds or lands on the dead-letter list for a person. Not synced: a
    job belongs to the PC that runs it.

    state: queued | sent | awaiting_callback | done | failed (will retry) | dead (needs a person)
    | dismissed (a person gave up on it, with a reason).
    """

    __tablename__ = "job"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(Text)


class RelayMessage(Base):
    """A callback the hub received for this clinic (ABDM, NHCX, a webhook), as it arrived: headers
    and body kept raw (still encrypted where it came encrypted). Not synced; processed by a job."""

    __tablename__ = "relay_message"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the hub's id for it
    relay_seq: Mapped[int] = mapped_column(Integer, unique=True)
    source: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(300))
    headers: Mapped[str] = mapped_column(Text)  # JSON
    body: Mapped[bytes] = mapped_column(LargeBinary)
    verified: Mapped[str] = mapped_column(String(200))  # how the hub checked it, in words
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    job_id: Mapped[str | None] = mapped_column(String(36))


class Change(Base):
    """The outbox: one row per changed synced row, written in the transaction that changed it.

    `seq` is local only (the order this node made changes; with node_id it makes pushes
    idempotent). `data` holds the changed fields and their new values as JSON.
    """

    __tablename__ = "change"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=uuid7)
    tx_id: Mapped[str] = mapped_column(String(36), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(8))  # insert | update
    data: Mapped[str] = mapped_column(Text)
    hlc: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(36))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    # hlc indexed: every write transaction reads max(hlc) so its stamps follow everything seen,
    # including changes another process applied from other PCs.
    __table_args__ = (Index("ix_change_entity_row", "entity", "row_id"), Index("ix_change_hlc", "hlc"))


class AuditEvent(Base):
    """Who did what to which record, when; each event's hash covers the one before it."""

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=uuid7)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    node_id: Mapped[str] = mapped_column(String(36))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(36))
    patient_id: Mapped[str | None] = mapped_column(String(36), index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class SearchTerm(Base):
    """Spelling-correction index: each name word, and each way of dropping one letter from it.

    Two words within one typo of each other share an entry, so a slip like "Rmaesh" finds the
    real word "ramesh" with one indexed lookup per variant of the query word.
    """

    __tablename__ = "search_term"
    variant: Mapped[str] = mapped_column(String(60), primary_key=True)
    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    __table_args__ = {"sqlite_with_rowid": False}


SYNCED_MODELS: tuple[type[Base], ...] = tuple(
    m.class_ for m in Base.registry.mappers if getattr(m.class_, "__synced__", False)
)
