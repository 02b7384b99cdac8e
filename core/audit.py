"""The audit trail: who did what to which record, and when, chained by hash.

Each event's hash is SHA-256 over its own fields and the previous event's hash, so editing,
removing or reordering an event breaks the chain at that point, and `verify_chain` finds it.
(Someone who can rewrite the whole database could also rewrite every later hash; publishing the
head hash elsewhere — on a printed day-end summary, or to the hub — closes that gap.)
Write transactions take SQLite's write lock at BEGIN, so two writers never chain from the same
predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.ids import uuid7
from core.storage.database import Database
from core.storage.outbox import WriteContext
from core.storage.models import AuditEvent
from core.storage.types import UtcDateTime, utcnow

GENESIS = "0" * 64
_LAST_HASH = "audit_last_hash"


def record(
    session: Session,
    action: str,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    patient_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event to the current write transaction."""
    ctx: WriteContext = session.info["write"]
    prev = session.info.get(_LAST_HASH)
    if prev is None:
        prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)) or GENESIS
    event = AuditEvent(
        id=uuid7(),
        at=utcnow(),
        node_id=ctx.node_id,
        actor_id=ctx.actor.staff_id,
        actor_label=ctx.actor.label,
        action=action,
        entity=entity,
        entity_id=entity_id,
        patient_id=patient_id,
        detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=prev,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.info[_LAST_HASH] = event.hash
    return event


def event_hash(event: AuditEvent) -> str:
    payload = json.dumps(
        [
            event.id,
            UtcDateTime().process_bind_param(event.at, None),
            event.node_id,
            event.actor_id,
            event.actor_label,
            event.action,
            event.entity,
            event.entity_id,
            event.patient_id,
            event.detail,
            event.prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head: str
    broken_at_seq: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "head": self.head, "broken_at_seq": self.broken_at_seq, "problem": self.problem}


def verify_chain(db: Database) -> ChainReport:
    """Walk every event in order and check each link and each hash."""
    prev = GENESIS
    count = 0
    with db.read() as session:
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)):
            count += 1
            if event.prev_hash != prev:
                return ChainReport(False, count, prev, event.seq, f"event {event.seq} does not follow the event before it (one was removed or reordered)")
            if event_hash(event) != event.hash:
                return ChainReport(False, count, prev, event.seq, f"event {event.seq} ({event.action}) was altered after it was written")
            prev = event.hash
    return ChainReport(True, count, prev)
