"""Setting up the clinic and its staff."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from sqlalchemy import select

from core import audit
from core.errors import InvalidInput
from core.storage.database import SYSTEM, Actor, Database
from core.storage.models import Clinic, Staff
from core.validation import Input, Mobile, PersonName, Phone, Pincode, Text, parse

Role = Literal["admin", "doctor", "receptionist", "nurse"]


class ClinicInput(Input):
    name: Annotated[str, Field(min_length=2, max_length=200)]
    address_line: Text = None
    city: Text = None
    district: Text = None
    state: Text = None
    pincode: Pincode | None = None
    phone: Phone | None = None
    hfr_id: Annotated[str | None, Field(pattern=r"^IN\d{10}$")] = None
    upi_id: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$")] = None


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
        if session.scalar(select(Clinic.id).limit(1)):
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
        clinic_id = session.scalar(select(Clinic.id).limit(1))
        if clinic_id is None:
            raise InvalidInput({"clinic": "set up the clinic before adding staff"})
        staff = Staff(clinic_id=clinic_id, **staff_in.model_dump())
        session.add(staff)
        session.flush()
        audit.record(session, "staff.add", entity="staff", entity_id=staff.id, detail={"role": staff.role})
        return staff


def current_clinic(db: Database) -> Clinic | None:
    with db.read() as session:
        return session.scalar(select(Clinic).limit(1))


def list_staff(db: Database, role: Role | None = None) -> list[Staff]:
    with db.read() as session:
        query = select(Staff).where(Staff.active.is_(True)).order_by(Staff.full_name)
        if role:
            query = query.where(Staff.role == role)
        return list(session.scalars(query))
