"""Pieces every service uses: loading a row or failing clearly, and voiding with a reason."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from core import audit
from core.errors import InvalidInput, NotFound
from core.storage.database import Actor, Database
from core.storage.models import Base, Voidable
from core.storage.types import utcnow

T = TypeVar("T", bound=Base)


def get_or_fail(session: Session, model: type[T], row_id: str, *, live: bool = True) -> T:
    row = session.get(model, row_id)
    name = model.__tablename__.replace("_", " ")
    if row is None:
        raise NotFound(f"no {name} with id {row_id}")
    if live and isinstance(row, Voidable) and row.voided_at is not None:
        raise NotFound(f"{name} {row_id} was voided ({row.void_reason})")
    return row


def patient_of(row: Base) -> str | None:
    return getattr(row, "patient_id", None) or (row.id if row.__tablename__ == "patient" else None)


def void(db: Database, actor: Actor, model: type[T], row_id: str, reason: str) -> T:
    """Void a record with a reason: it stays in the record, marked, and drops out of use."""
    if not issubclass(model, Voidable):
        raise InvalidInput({"record": f"{model.__tablename__.replace('_', ' ')} records are not voided"})
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput({"reason": "say why this record is being voided"})
    with db.write(actor) as session:
        row = get_or_fail(session, model, row_id)
        row.voided_at = utcnow()
        row.voided_by = actor.staff_id
        row.void_reason = reason
        audit.record(session, "void", entity=model.__tablename__, entity_id=row_id, patient_id=patient_of(row), detail={"reason": reason})
        return row
