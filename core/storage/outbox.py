"""Change capture: the outbox written in the same transaction as the rows it describes.

Listeners on `RecordSession` see every flush of a write transaction:
- before the flush, they refuse what the record never allows: deleting a row, touching a signed
  record (other than voiding it) or the children of one, and writing outside a service's
  transaction; they also stamp ids and timestamps so the change record holds final values;
- after the flush, they write one `Change` per inserted or updated synced row, with the changed
  fields and their new values, stamped with the node's hybrid logical clock.

Because this hangs off the session rather than off each service, no service can forget it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from core.errors import ForbiddenDelete, ImmutableRecord, NadiError
from core.hlc import HybridLogicalClock
from core.ids import uuid7
from core.storage.models import (
    AuditEvent,
    Change,
    Diagnosis,
    Encounter,
    Patient,
    Prescription,
    PrescriptionItem,
    Signable,
    Vitals,
)
from core.storage.types import UtcDateTime, utcnow


@dataclass(frozen=True)
class Actor:
    """Who a write is done by: a staff member, or the system on someone's behalf (label says which)."""

    staff_id: str | None
    label: str
    role: str = "system"


SYSTEM = Actor(None, "system")


@dataclass
class WriteContext:
    """What every write transaction carries: who, which transaction, and the clock to stamp with."""

    actor: Actor
    tx_id: str
    node_id: str
    clock: HybridLogicalClock


class ReadSession(Session):
    """Sessions from Database.read(): looking only."""


@event.listens_for(ReadSession, "before_flush")
def _refuse_writes_when_reading(session: Session, _flush_context, _instances) -> None:
    raise NadiError("a change was made in a read-only session and refused (writes go through a service)")


class RecordSession(Session):
    """The session class change capture and search indexing listen on (see outbox.py)."""




VOID_FIELDS = frozenset({"voided_at", "voided_by", "void_reason", "updated_at"})
# Rows that belong to a signed parent and freeze with it: (parent class, foreign key attribute).
SIGNED_PARENT = {
    PrescriptionItem: (Prescription, "prescription_id"),
    Vitals: (Encounter, "encounter_id"),
    Diagnosis: (Encounter, "encounter_id"),
    # Lab orders are not frozen with the note: their results arrive after the visit is signed.
}
_APPEND_ONLY = (AuditEvent, Change)


def _is_synced(obj: object) -> bool:
    return getattr(type(obj), "__synced__", False)


def _context(session: Session) -> WriteContext:
    ctx = session.info.get("write")
    if ctx is None:
        raise NadiError("a write outside a service transaction was refused (use Database.write)")
    return ctx


@event.listens_for(RecordSession, "do_orm_execute")
def _refuse_bulk_writes(state) -> None:
    # A bulk UPDATE or DELETE skips the flush, and with it change records and the signed-record guard.
    if state.is_update or state.is_delete:
        raise NadiError("bulk UPDATE/DELETE statements are refused on the clinic record; change rows one by one through a service")


@event.listens_for(RecordSession, "before_flush")
def _guard_and_stamp(session: Session, _flush_context, _instances) -> None:
    _context(session)
    for obj in session.deleted:
        if _is_synced(obj) or isinstance(obj, _APPEND_ONLY):
            raise ForbiddenDelete(f"{type(obj).__tablename__} rows are never deleted; void them with a reason")
    now = utcnow()
    for obj in session.new:
        if _is_synced(obj):
            obj.id = obj.id or uuid7()
            obj.created_at = obj.created_at or now
            obj.updated_at = obj.updated_at or now
            _refuse_if_parent_signed(session, obj)
    for obj in session.dirty:
        if isinstance(obj, _APPEND_ONLY) and session.is_modified(obj):
            raise ImmutableRecord(f"{type(obj).__tablename__} rows are append-only")
        if not (_is_synced(obj) and session.is_modified(obj)):
            continue
        # A row following its patient's merge to the surviving registration is the same person's
        # record under the id that survived: a signed one may follow (core/services/merges.py).
        follows_merge = _follows_merge(session, obj)
        changed = _changed_fields(obj) - ({"patient_id"} if follows_merge else set())
        if isinstance(obj, Signable) and _committed(obj, "signed_at") is not None and not changed <= VOID_FIELDS:
            raise ImmutableRecord(
                f"{type(obj).__tablename__} {obj.id} is signed and cannot change "
                f"({', '.join(sorted(changed - VOID_FIELDS))}); record an amendment instead"
            )
        if not (follows_merge and changed <= {"updated_at"}):
            _refuse_if_parent_signed(session, obj)
        obj.updated_at = now


@event.listens_for(RecordSession, "after_flush")
def _write_changes(session: Session, _flush_context) -> None:
    ctx = _context(session)
    rows: list[dict[str, Any]] = []
    for obj, op in [(o, "insert") for o in session.new] + [(o, "update") for o in session.dirty]:
        if not _is_synced(obj):
            continue
        mapper = inspect(obj).mapper
        if op == "insert":
            fields = {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}
        else:
            keys = _changed_fields(obj)
            if not keys:
                continue
            fields = {key: getattr(obj, key) for key in keys}
        rows.append(
            {
                "id": uuid7(),
                "tx_id": ctx.tx_id,
                "entity": mapper.local_table.name,
                "row_id": obj.id,
                "op": op,
                "data": json.dumps({k: _to_json(mapper, k, v) for k, v in fields.items()}, sort_keys=True, ensure_ascii=False, allow_nan=False),
                "hlc": ctx.clock.now(),
                "node_id": ctx.node_id,
                "recorded_at": utcnow(),
            }
        )
    rows += _restatements(session, ctx)
    if rows:
        session.connection().execute(insert(Change), rows)


def _restatements(session: Session, ctx: WriteContext) -> list[dict[str, Any]]:
    """At the moment a note or prescription is signed, the whole of it as signed: the row and every
    row that freezes with it (items; vitals and diagnoses), all fields, as `restate` changes in the
    signing transaction. Another PC may have been editing the draft while this one signed; with the
    full picture in the signing transaction, sync settles on exactly what the signer saw and signed
    (sync/fold.py), whatever the clocks say."""
    signed = [o for o in session.new | session.dirty if isinstance(o, Signable) and o.signed_at is not None and _committed(o, "signed_at") is None]
    out: list[dict[str, Any]] = []
    for parent in signed:
        table = inspect(parent).mapper.local_table
        rows = [(table, {attr.key: getattr(parent, attr.key) for attr in inspect(parent).mapper.column_attrs})]
        for child, (parent_cls, fk) in SIGNED_PARENT.items():
            if isinstance(parent, parent_cls):
                child_table = child.__table__
                found = session.connection().execute(select(child_table).where(child_table.c[fk] == parent.id)).mappings()
                rows += [(child_table, dict(r)) for r in found]
        for row_table, values in rows:
            out.append(
                {
                    "id": uuid7(),
                    "tx_id": ctx.tx_id,
                    "entity": row_table.name,
                    "row_id": values["id"],
                    "op": "restate",
                    "data": json.dumps({k: _value_json(row_table.name, k, v) for k, v in values.items()}, sort_keys=True, ensure_ascii=False, allow_nan=False),
                    "hlc": ctx.clock.now(),
                    "node_id": ctx.node_id,
                    "recorded_at": utcnow(),
                }
            )
    return out


def _changed_fields(obj: object) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


def _follows_merge(session: Session, obj: object) -> bool:
    """True when the row's patient_id moved from a patient to the one it was merged into (down a
    chain of merges, A -> B -> C, too)."""
    state = inspect(obj)
    if "patient_id" not in state.mapper.column_attrs:
        return False
    history = state.attrs["patient_id"].history
    if not (history.deleted and history.added):
        return False
    old, new, seen = history.deleted[0], history.added[0], set()
    while old is not None and old not in seen:
        seen.add(old)
        patient = session.get(Patient, old)
        old = patient.merged_into_id if patient is not None else None
        if old == new:
            return True
    return False


def _committed(obj: object, key: str) -> Any:
    history = inspect(obj).attrs[key].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


def _refuse_if_parent_signed(session: Session, obj: object) -> None:
    rule = SIGNED_PARENT.get(type(obj))
    if rule is None:
        return
    parent_cls, fk = rule
    # The parent it belongs to now, and the one it belonged to before (moving a row off a signed
    # prescription changes that prescription as much as editing it would).
    for parent_id in {getattr(obj, fk), _committed(obj, fk)} - {None}:
        parent = session.get(parent_cls, parent_id)
        if parent is not None and _committed(parent, "signed_at") is not None:
            raise ImmutableRecord(
                f"{parent_cls.__tablename__} {parent.id} is signed; its {type(obj).__tablename__} rows cannot change"
            )


def _to_json(mapper, key: str, value: Any) -> Any:
    return _value_json(mapper.local_table.name, key, value)


def _value_json(table: str, key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return UtcDateTime().process_bind_param(value, None)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{table}.{key}: cannot record a {type(value).__name__} in a change")
