"""Who may use Nadi and for what: PINs and passwords, logging in, and what each role may open.

A secret is kept only as a salted scrypt hash (RFC 7914). A PIN is short, so guessing is slowed
twice over: scrypt makes each try cost tens of milliseconds, and after MAX_FAILURES wrong tries in a
row a person's log-in is refused for LOCKOUT_SECONDS. Failures are audit events, so the count holds
across restarts and the admin can see who was guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from typing import Literal

from sqlalchemy import select

from core import audit
from core.errors import InvalidInput, NadiError
from core.services.common import get_or_fail
from core.storage.database import SYSTEM, Actor, Database
from core.storage.first_look import LoginChoice, needs_first_secret  # noqa: F401  (re-exported)
from core.storage.models import AuditEvent, Staff, StaffCredential
from core.storage.types import utcnow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCHEME = f"scrypt:n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 60

# What each role works on. Clinical notes are for clinicians: reception and the admin see
# registration, the queue and bills, never a consultation note.
AREAS: dict[str, frozenset[str]] = {
    "doctor": frozenset({"reception", "consult", "billing"}),
    "nurse": frozenset({"reception", "consult"}),
    "receptionist": frozenset({"reception", "billing"}),
    "admin": frozenset({"reception", "billing", "admin"}),
}
CLINICAL_ROLES = frozenset({"doctor", "nurse"})


class LoginRefused(NadiError):
    """Wrong PIN, unknown person, or locked out for a while; the message says which."""


def may(role: str, area: str) -> bool:
    return area in AREAS.get(role, frozenset())


def require_clinician(actor: Actor) -> None:
    if actor.role not in CLINICAL_ROLES and actor.staff_id is not None:
        raise NadiError(f"{actor.label} is signed in as {actor.role}; clinical notes are open to doctors and nurses only")


def check_secret(kind: str, secret: str) -> str:
    """The problem with a proposed PIN or password, in words; empty when it is acceptable."""
    if kind == "pin":
        if not (secret.isdigit() and 4 <= len(secret) <= 8):
            return "a PIN is 4 to 8 digits"
        if len(set(secret)) == 1 or secret in "0123456789" or secret in "9876543210":
            return f"{secret} is too easy to guess; avoid repeated or running digits"
        return ""
    if kind == "password":
        return "" if len(secret) >= 8 and secret.strip() == secret else "a password is at least 8 characters, without spaces at either end"
    return "the kind of secret is a pin or a password"


def _digest(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=32)


def set_credential(db: Database, actor: Actor, staff_id: str, secret: str, kind: Literal["pin", "password"] = "pin") -> None:
    """Set (or change) a person's PIN or password. The admin may set anyone's; others only their own."""
    if actor.role != "admin" and actor.staff_id != staff_id:
        raise InvalidInput({"staff": "only the admin can set another person's PIN"})
    _store(db, actor, staff_id, secret, kind)


def set_first_credential(db: Database, staff_id: str, secret: str) -> None:
    """A clinic set up before log-in existed has no secrets at all: its admin chooses the first
    PIN at the log-in screen. Refused once anyone has one."""
    with db.read() as session:
        staff = get_or_fail(session, Staff, staff_id)
        if session.scalar(select(StaffCredential.id).limit(1)):
            raise InvalidInput({"pin": "PINs are already set up; ask the admin to set yours"})
    if staff.role != "admin":
        raise InvalidInput({"pin": "the admin sets the first PIN"})
    _store(db, Actor(staff.id, staff.full_name, staff.role), staff_id, secret, "pin")


def credential_id(staff_id: str) -> str:
    return str(uuid.uuid5(_CREDENTIAL_NAMESPACE, staff_id))


_CREDENTIAL_NAMESPACE = uuid.UUID("6f1d3c52-7a0e-4c55-9a53-2f4f0e8f1a10")


def _store(db: Database, actor: Actor, staff_id: str, secret: str, kind: str) -> None:
    problem = check_secret(kind, secret)
    if problem:
        raise InvalidInput({kind: problem})
    salt = os.urandom(16)
    digest = _digest(secret, salt)
    with db.write(actor) as session:
        staff = get_or_fail(session, Staff, staff_id)
        row = session.scalar(select(StaffCredential).where(StaffCredential.staff_id == staff_id))
        if row is None:
            # The id follows from the person: two PCs that each set someone's first PIN while
            # offline write the same row, and sync keeps the later one (not two rows for one person).
            row = StaffCredential(id=credential_id(staff_id), staff_id=staff_id)
            session.add(row)
        row.kind, row.scheme, row.salt, row.hash = kind, SCHEME, salt, digest
        session.flush()
        audit.record(session, "staff.credential", entity="staff", entity_id=staff.id, detail={"kind": kind})


def login_choices(db: Database) -> list[LoginChoice]:
    with db.read() as session:
        rows = session.execute(
            select(Staff.id, Staff.full_name, Staff.role, StaffCredential.kind)
            .outerjoin(StaffCredential, StaffCredential.staff_id == Staff.id)
            .where(Staff.active.is_(True))
            .order_by(Staff.full_name)
        )
        return [LoginChoice(*row) for row in rows]


def log_in(db: Database, staff_id: str, secret: str) -> Actor:
    """The person, as the actor every later write is recorded against; LoginRefused if not."""
    with db.read() as session:
        staff = session.get(Staff, staff_id)
        cred = session.scalar(select(StaffCredential).where(StaffCredential.staff_id == staff_id))
        recent = list(session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "staff", AuditEvent.entity_id == staff_id,
                                     AuditEvent.action.in_(("login", "login.failed")))
            .order_by(AuditEvent.seq.desc()).limit(MAX_FAILURES)
        ))
    if staff is None or not staff.active:
        raise LoginRefused("that person is not on the clinic's staff list")
    if cred is None:
        raise LoginRefused(f"{staff.full_name} has no PIN yet; the admin sets one under Admin → Staff")
    failures = [e for e in _leading(recent, "login.failed")]
    if len(failures) >= MAX_FAILURES:
        wait = LOCKOUT_SECONDS - (utcnow() - failures[0].at).total_seconds()
        if wait > 0:
            raise LoginRefused(f"too many wrong tries for {staff.full_name}; try again in {int(wait) + 1} s, or ask the admin")
    actor = Actor(staff.id, staff.full_name, staff.role)
    ok = cred.scheme == SCHEME and hmac.compare_digest(_digest(secret, cred.salt), cred.hash)
    with db.write(actor if ok else SYSTEM) as session:
        audit.record(session, "login" if ok else "login.failed", entity="staff", entity_id=staff.id)
    if not ok:
        left = MAX_FAILURES - len(failures) - 1
        hint = f"{left} more tries before a {LOCKOUT_SECONDS} s pause" if left > 0 else f"log-in paused for {LOCKOUT_SECONDS} s"
        raise LoginRefused(f"wrong {'PIN' if cred.kind == 'pin' else 'password'} for {staff.full_name} ({hint})")
    return actor


def _leading(events: list[AuditEvent], action: str):
    for e in events:
        if e.action != action:
            return
        yield e
