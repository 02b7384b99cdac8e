"""Doctors' signing keys: made, used, rotated and revoked.

Each doctor gets an Ed25519 key pair per PC the first time they sign there. The public half is a
synced record (`signing_key`), so every PC of the clinic (and the hub) can verify; the private half
(`signing_secret`) stays in this PC's encrypted database and never syncs. Rotating retires the
current key (old prescriptions still verify against it) and makes a new one; revoking marks a key
as compromised: prescriptions signed with it no longer verify as trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import InvalidInput, NotFound
from core.prescribing import signing
from core.storage.database import Actor, Database
from core.storage.models import SigningKey, SigningSecret, Staff
from core.storage.types import utcnow


@dataclass(frozen=True)
class KeyInfo:
    id: str
    staff_id: str
    doctor: str
    fingerprint: str
    created_at: datetime
    retired_at: datetime | None
    revoked_at: datetime | None
    revoke_reason: str | None
    on_this_pc: bool

    @property
    def status(self) -> str:
        return "revoked" if self.revoked_at else "retired" if self.retired_at else "active"

    def as_dict(self) -> dict:
        return {"id": self.id, "doctor": self.doctor, "staff_id": self.staff_id,
                "fingerprint": signing.display_fingerprint(self.fingerprint), "status": self.status,
                "created_at": self.created_at.isoformat(), "retired_at": self.retired_at and self.retired_at.isoformat(),
                "revoked_at": self.revoked_at and self.revoked_at.isoformat(), "revoke_reason": self.revoke_reason,
                "private_key_on_this_pc": self.on_this_pc}


def _may_manage(actor: Actor, staff_id: str) -> None:
    if actor.staff_id != staff_id and actor.role != "admin":
        raise InvalidInput({"actor": "only the doctor themself or an admin can manage a doctor's signing key"})


def active_key(session: Session, staff_id: str) -> tuple[SigningKey, bytes] | None:
    """The doctor's current key whose private half is on this PC."""
    row = session.execute(
        select(SigningKey, SigningSecret.private_key)
        .join(SigningSecret, SigningSecret.key_id == SigningKey.id)
        .where(SigningKey.staff_id == staff_id, SigningKey.retired_at.is_(None), SigningKey.revoked_at.is_(None))
        .order_by(SigningKey.created_at.desc())
    ).first()
    return (row[0], row[1]) if row else None


def create_key(session: Session, staff: Staff) -> tuple[SigningKey, bytes]:
    if staff.role != "doctor":
        raise InvalidInput({"staff": f"{staff.full_name} is not a doctor; only doctors sign prescriptions"})
    private, public = signing.new_key_pair()
    key = SigningKey(staff_id=staff.id, public_key=public, fingerprint=signing.fingerprint(public))
    session.add(key)
    session.flush()
    session.add(SigningSecret(key_id=key.id, private_key=private))
    audit.record(session, "signing_key.create", entity="signing_key", entity_id=key.id, detail={"staff_id": staff.id, "fingerprint": key.fingerprint})
    return key, private


def ensure_key(session: Session, staff_id: str) -> tuple[SigningKey, bytes]:
    """The doctor's signing key on this PC, made on first use."""
    found = active_key(session, staff_id)
    if found:
        return found
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(f"no staff member with id {staff_id}")
    return create_key(session, staff)


def rotate_key(db: Database, actor: Actor, staff_id: str) -> KeyInfo:
    """Retire the doctor's current key on this PC and make a new one."""
    _may_manage(actor, staff_id)
    with db.write(actor) as session:
        staff = session.get(Staff, staff_id)
        if staff is None:
            raise NotFound(f"no staff member with id {staff_id}")
        current = active_key(session, staff_id)
        if current:
            current[0].retired_at = utcnow()
            audit.record(session, "signing_key.retire", entity="signing_key", entity_id=current[0].id, detail={"staff_id": staff_id})
        key, _ = create_key(session, staff)
        return _info(key, staff.full_name, True)


def revoke_key(db: Database, actor: Actor, key_id: str, reason: str) -> KeyInfo:
    """Mark a key compromised (a stolen PC, say). Its private half is wiped from this PC."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput({"reason": "say why the key is being revoked"})
    with db.write(actor) as session:
        key = session.get(SigningKey, key_id)
        if key is None:
            raise NotFound(f"no signing key with id {key_id}")
        _may_manage(actor, key.staff_id)
        if key.revoked_at is not None:
            raise InvalidInput({"key": f"key {key_id} was already revoked on {key.revoked_at:%Y-%m-%d}"})
        key.revoked_at, key.revoke_reason = utcnow(), reason
        secret = session.get(SigningSecret, key.id)
        if secret is not None:
            secret.private_key = b""
        audit.record(session, "signing_key.revoke", entity="signing_key", entity_id=key.id, detail={"reason": reason})
        staff = session.get(Staff, key.staff_id)
        return _info(key, staff.full_name if staff else "?", False)


def list_keys(db: Database, staff_id: str | None = None) -> list[KeyInfo]:
    with db.read() as session:
        query = select(SigningKey, Staff.full_name, func.length(SigningSecret.private_key) > 0).join(Staff, Staff.id == SigningKey.staff_id).outerjoin(
            SigningSecret, SigningSecret.key_id == SigningKey.id)
        if staff_id:
            query = query.where(SigningKey.staff_id == staff_id)
        return [_info(key, name, bool(usable)) for key, name, usable in session.execute(query.order_by(SigningKey.created_at))]


def key_by_fingerprint(session: Session, fp: str) -> SigningKey | None:
    return session.scalars(select(SigningKey).where(SigningKey.fingerprint == fp)).first()


def _info(key: SigningKey, doctor: str, on_this_pc: bool) -> KeyInfo:
    return KeyInfo(key.id, key.staff_id, doctor, key.fingerprint, key.created_at, key.retired_at, key.revoked_at, key.revoke_reason, on_this_pc)
