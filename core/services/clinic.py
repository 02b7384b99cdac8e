"""Setting up the clinic and its staff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from sqlalchemy import func, select

from core import audit
from core.errors import InvalidInput
from core.storage.database import SYSTEM, Actor, Database
from core.services.common import get_or_fail
from core.storage.models import Clinic, Staff, StaffCredential
from core.validation import Input, Mobile, PersonName, Phone, Pincode, Text, parse

Role = Literal["admin", "doctor", "receptionist", "nurse"]

# The Health Facility Registry id and a UPI handle (VPA), as the registry and NPCI write them.
HFR_ID_PATTERN = r"^IN\d{10}$"
UPI_ID_PATTERN = r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$"


class ClinicInput(Input):
    name: Annotated[str, Field(min_length=2, max_length=200)]
    address_line: Text = None
    city: Text = None
    district: Text = None
    state: Text = None
    pincode: Pincode | None = None
    phone: Phone | None = None
    hfr_id: Annotated[str | None, Field(pattern=HFR_ID_PATTERN)] = None
    upi_id: Annotated[str | None, Field(pattern=UPI_ID_PATTERN)] = None


class StaffInput(Input):
    full_name: PersonName
    role: Role
    qualification: Text = None
    registration_council: Text = None
    registration_number: Text = None
    hpr_id: Text = None
    mobile: Mobile | None = None


def setup_clinic(db: Database, clinic: ClinicInput | dict, admin: StaffInput | dict) -> tuple[Clinic, Staff]:
    """Create the clinic and its first administrator (first start on a new PC)."""
    clinic_in = parse(ClinicInput, clinic, "clinic")
    admin_in = parse(StaffInput, admin, "admin")
    if admin_in.role != "admin":
        raise InvalidInput({"admin.role": "the first user must be an admin"})
    with db.write(SYSTEM) as session:
        if session.scalar(select(Clinic.id).order_by(Clinic.id).limit(1)):
            raise InvalidInput({"clinic": "this database already has a clinic"})
        row = Clinic(**clinic_in.model_dump())
        session.add(row)
        session.flush()
        staff = Staff(clinic_id=row.id, **admin_in.model_dump())
        session.add(staff)
        session.flush()
        audit.record(session, "clinic.create", entity="clinic", entity_id=row.id, detail={"name": row.name})
        audit.record(session, "staff.add", entity="staff", entity_id=staff.id, detail={"role": "admin"})
        return row, staff


def add_staff(db: Database, actor: Actor, data: StaffInput | dict) -> Staff:
    staff_in = parse(StaffInput, data, "staff")
    if staff_in.role == "doctor" and not (staff_in.registration_council and staff_in.registration_number):
        raise InvalidInput({"staff.registration_number": "a doctor needs a registration council and number (printed on every prescription)"})
    with db.write(actor) as session:
        clinic_id = session.scalar(select(Clinic.id).order_by(Clinic.id).limit(1))
        if clinic_id is None:
            raise InvalidInput({"clinic": "set up the clinic before adding staff"})
        staff = Staff(clinic_id=clinic_id, **staff_in.model_dump())
        session.add(staff)
        session.flush()
        audit.record(session, "staff.add", entity="staff", entity_id=staff.id, detail={"role": staff.role})
        return staff


def current_clinic(db: Database) -> Clinic | None:
    with db.read() as session:
        return session.scalar(select(Clinic).order_by(Clinic.id).limit(1))


def list_staff(db: Database, role: Role | None = None) -> list[Staff]:
    with db.read() as session:
        query = select(Staff).where(Staff.active.is_(True)).order_by(Staff.full_name)
        if role:
            query = query.where(Staff.role == role)
        return list(session.scalars(query))


# --- changing the clinic and its staff (the admin screen) ----------------------------------------


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _clinic_name(value: str) -> str:
    cleaned = " ".join(value.split())
    if len(cleaned) < 2:
        raise ValueError("the clinic needs a name (at least 2 letters), as it is printed on prescriptions and bills")
    if len(cleaned) > 200:
        raise ValueError("a clinic name is at most 200 characters")
    return cleaned


def _hfr_id(value: str) -> str:
    if not re.match(HFR_ID_PATTERN, value):
        raise ValueError(f"{value!r} is not an HFR id (IN followed by 10 digits, like IN2710000123)")
    return value


def _upi_id(value: str) -> str:
    if not re.match(UPI_ID_PATTERN, value):
        raise ValueError(f"{value!r} is not a UPI id (a name, then @ and the bank's handle, like shanticlinic@okhdfc)")
    return value


def _optional(kind):
    return Annotated[kind | None, BeforeValidator(_blank_to_none)]


class ClinicDetails(Input):
    """The clinic's details as the admin edits them: only fields given change; blank clears one
    (except the name). Same rules as ClinicInput, with messages a person can act on."""

    name: Annotated[str, BeforeValidator(lambda v: "" if v is None else v), AfterValidator(_clinic_name)] = None  # type: ignore[assignment]
    address_line: Text = None
    city: Text = None
    district: Text = None
    state: Text = None
    pincode: _optional(Pincode) = None
    phone: _optional(Phone) = None
    hfr_id: _optional(Annotated[str, AfterValidator(_hfr_id)]) = None
    upi_id: _optional(Annotated[str, AfterValidator(_upi_id)]) = None


def check_clinic_details(data: dict) -> dict[str, str]:
    """What is wrong with a new clinic's details, by field ({} when nothing is), without writing.

    The first-run wizard asks before it creates anything, so a slip is put right on the page
    where it was typed."""
    try:
        details = parse(ClinicDetails, data)
    except InvalidInput as exc:
        return exc.problems
    return {} if details.name else {"name": "the clinic needs a name (at least 2 letters), as it is printed on prescriptions and bills"}


def _admin_only(actor: Actor, what: str) -> None:
    if actor.role not in ("admin", "system"):
        raise InvalidInput({"actor": f"only the admin {what}; {actor.label} is signed in as {actor.role}"})


def update_clinic(db: Database, actor: Actor, changes: dict) -> Clinic:
    """Change the clinic's details. Only the fields in `changes` change; a blank value clears one."""
    _admin_only(actor, "changes the clinic's details")
    details = parse(ClinicDetails, changes, "clinic")
    given = details.model_dump(include=details.model_fields_set)
    with db.write(actor) as session:
        row = session.scalar(select(Clinic).order_by(Clinic.id).limit(1))
        if row is None:
            raise InvalidInput({"clinic": "set up the clinic first"})
        changed = {field: value for field, value in given.items() if getattr(row, field) != value}
        for field, value in changed.items():
            setattr(row, field, value)
        if changed:
            session.flush()
            audit.record(session, "clinic.update", entity="clinic", entity_id=row.id, detail={"changed": changed})
        return row


def set_staff_active(db: Database, actor: Actor, staff_id: str, active: bool) -> Staff:
    """Take someone off the log-in list (they left) or put them back. Their past work keeps their
    name. The last active admin stays: without one, nobody could add staff or reset a PIN."""
    _admin_only(actor, "changes who is on the staff list")
    with db.write(actor) as session:
        staff = get_or_fail(session, Staff, staff_id)
        if staff.active == active:
            return staff
        if not active and staff.role == "admin":
            admins = session.scalar(select(func.count()).select_from(Staff).where(Staff.role == "admin", Staff.active.is_(True)))
            if admins <= 1:
                raise InvalidInput({"staff.active": f"{staff.full_name} is the only active admin; add another admin before deactivating them"})
        staff.active = active
        session.flush()
        audit.record(session, "staff.reactivate" if active else "staff.deactivate", entity="staff", entity_id=staff.id)
        return staff


@dataclass(frozen=True)
class StaffEntry:
    """One person on the admin's staff list, active or not."""

    staff_id: str
    name: str
    role: str
    qualification: str | None
    registration: str | None  # council and number, for doctors
    mobile: str | None
    active: bool
    secret_kind: str | None  # pin | password | None when nothing is set yet


def staff_roster(db: Database) -> list[StaffEntry]:
    """Everyone on the staff list, including those deactivated, active first, then by name."""
    with db.read() as session:
        rows = session.execute(
            select(Staff, StaffCredential.kind)
            .outerjoin(StaffCredential, StaffCredential.staff_id == Staff.id)
            .order_by(Staff.active.desc(), Staff.full_name)
        )
        return [
            StaffEntry(s.id, s.full_name, s.role, s.qualification,
                       " ".join(p for p in (s.registration_council, s.registration_number) if p) or None,
                       s.mobile, bool(s.active), kind)
            for s, kind in rows
        ]
