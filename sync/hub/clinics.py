"""Clinics and their devices on the hub: creating a clinic, enrolment tokens, enrolling a PC,
authenticating every call, revoking a PC.

Secrets are random 32-byte values shown once; the hub keeps only their SHA-256. (They are
high-entropy, so a slow password hash would add nothing but latency on every call.)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, insert, select, update

from core.errors import NadiError
from core.ids import uuid7
from core.storage.types import utc_text, utcnow
from sync.hub.schema import clinic, device, enrolment_token

TOKEN_DAYS = 7


class HubAuthError(NadiError):
    """A call the hub refuses because of who is calling (401/403)."""

    status = 401


class DeviceRevoked(HubAuthError):
    status = 403


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewClinic:
    clinic_id: str
    enrolment_token: str
    relay_secret: str
    token_expires_at: str


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    clinic_id: str


def add_clinic(engine: Engine, name: str, token_days: int = TOKEN_DAYS) -> NewClinic:
    name = (name or "").strip()
    if not name:
        raise NadiError("a clinic needs a name")
    clinic_id = uuid7()
    relay_secret = secrets.token_hex(32)
    with engine.begin() as conn:
        conn.execute(insert(clinic).values(id=clinic_id, name=name, created_at=utc_text(), head_seq=0, relay_head=0, relay_secret=relay_secret))
        token, expires = _new_token(conn, clinic_id, token_days)
    return NewClinic(clinic_id, token, relay_secret, expires)


def new_enrolment_token(engine: Engine, clinic_id: str, token_days: int = TOKEN_DAYS) -> tuple[str, str]:
    """Another token for a clinic (the first expired, or IT wants one per PC). Returns (token, expiry)."""
    with engine.begin() as conn:
        if conn.execute(select(clinic.c.id).where(clinic.c.id == clinic_id)).first() is None:
            raise NadiError(f"there is no clinic {clinic_id} on this hub")
        return _new_token(conn, clinic_id, token_days)


def _new_token(conn, clinic_id: str, token_days: int) -> tuple[str, str]:
    if not 1 <= token_days <= 90:
        raise NadiError("an enrolment token lasts between 1 and 90 days")
    token = "nadi-enrol-" + secrets.token_urlsafe(24)
    expires = utc_text(utcnow() + timedelta(days=token_days))
    conn.execute(insert(enrolment_token).values(token_hash=_digest(token), clinic_id=clinic_id, created_at=utc_text(), expires_at=expires))
    return token, expires


def enrol_device(engine: Engine, token: str, device_id: str, name: str) -> tuple[DeviceIdentity, str, int]:
    """Join a PC (by its node id) to the clinic the token belongs to. Returns its identity, the
    secret it authenticates with from now on, and the highest change sequence of this PC the hub
    already holds (non-zero when a PC re-enrols after a reinstall of the same database)."""
    if not token or not device_id:
        raise HubAuthError("enrolment needs a token and the PC's node id")
    secret = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        row = conn.execute(select(enrolment_token).where(enrolment_token.c.token_hash == _digest(token))).first()
        if row is None or row.revoked_at is not None:
            raise HubAuthError("this enrolment token is not known to the hub (check it was copied whole, or ask for a new one)")
        if row.expires_at < utc_text():
            raise HubAuthError(f"this enrolment token expired at {row.expires_at}; ask the hub's administrator for a new one (nadi hub new-token)")
        existing = conn.execute(select(device).where(device.c.id == device_id)).first()
        if existing is not None:
            if existing.clinic_id != row.clinic_id:
                raise HubAuthError("this PC is already enrolled with another clinic on this hub")
            if existing.revoked_at is not None:
                raise DeviceRevoked("this PC was revoked on the hub; a revoked PC cannot enrol again with the same database")
            conn.execute(update(device).where(device.c.id == device_id).values(secret_hash=_digest(secret), name=name or existing.name))
            return DeviceIdentity(device_id, row.clinic_id), secret, existing.high_water
        conn.execute(
            insert(device).values(id=device_id, clinic_id=row.clinic_id, name=name or "PC", secret_hash=_digest(secret), enrolled_at=utc_text(), high_water=0)
        )
    return DeviceIdentity(device_id, row.clinic_id), secret, 0


def authenticate(engine: Engine, device_id: str, secret: str) -> DeviceIdentity:
    with engine.connect() as conn:
        row = conn.execute(select(device.c.clinic_id, device.c.secret_hash, device.c.revoked_at).where(device.c.id == device_id)).first()
        conn.rollback()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        raise HubAuthError("this PC's hub credentials are not valid; enrol it again")
    if row.revoked_at is not None:
        raise DeviceRevoked("this PC has been revoked on the hub; ask the clinic's administrator")
    return DeviceIdentity(device_id, row.clinic_id)


def revoke_device(engine: Engine, device_id: str) -> None:
    with engine.begin() as conn:
        done = conn.execute(update(device).where(device.c.id == device_id, device.c.revoked_at.is_(None)).values(revoked_at=utc_text()))
        if done.rowcount == 0:
            raise NadiError(f"there is no active device {device_id} on this hub")


def list_devices(engine: Engine, clinic_id: str | None = None) -> list[dict]:
    with engine.connect() as conn:
        query = select(device.c.id, device.c.clinic_id, device.c.name, device.c.enrolled_at, device.c.last_seen_at, device.c.revoked_at, device.c.high_water)
        if clinic_id:
            query = query.where(device.c.clinic_id == clinic_id)
        return [dict(r._mapping) for r in conn.execute(query.order_by(device.c.enrolled_at))]
