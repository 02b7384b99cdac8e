"""Bringing relayed callbacks to this PC: page through the hub's relay for the clinic, keep each
message as it arrived, and queue a job to process it.

Each page is one local transaction: the messages, their jobs and the advanced cursor commit
together or not at all, so a crash or a pulled cable between pages loses nothing and, on the next
run, duplicates nothing (a message already here is skipped; its job key is its id).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from core import audit
from core.errors import NadiError
from core.storage.database import Actor, Database
from core.storage.models import AuditEvent, RelayMessage, SyncState
from core.storage.types import UtcDateTime
from sync.agent.hub_client import HubClient
from sync.jobs import JobOutcome, PermanentJobError, enqueue

PAGE_SIZE = 100
PROCESS_KIND = "relay.process"
AGENT = Actor(None, "sync agent")

NOT_YET_HANDLED = {
    "abdm": "ABDM callbacks are not handled by this version of Nadi yet; the message is kept",
    "nhcx": "NHCX callbacks are not handled by this version of Nadi yet; the message is kept",
}


def fetch_relayed(db: Database, client: HubClient, state_row_id: int = 1, page_size: int = PAGE_SIZE) -> int:
    """Fetch every message the hub holds for this clinic past this PC's relay cursor. Returns how
    many were new here. Network trouble surfaces as HubUnreachable / HubRefused, with every page
    before it already kept."""
    new = 0
    while True:
        cursor = _cursor(db, state_row_id)
        page = client.call("GET", "/v1/relay", params={"after": cursor, "limit": page_size})
        messages = page.get("messages") or []
        if not messages:
            return new
        if max(m["relay_seq"] for m in messages) <= cursor:
            raise NadiError("the hub sent relay messages older than this PC's cursor; it may not be a Nadi hub of this version")
        new += _keep_page(db, state_row_id, cursor, messages)
        if messages[-1]["relay_seq"] >= page.get("head", 0):
            return new


def _cursor(db: Database, state_row_id: int) -> int:
    with db.read() as session:
        state = session.get(SyncState, state_row_id)
    if state is None:
        raise NadiError("this PC is not enrolled with a hub yet, so there are no relayed messages to fetch")
    return state.relay_cursor


def _keep_page(db: Database, state_row_id: int, cursor: int, messages: list[dict[str, Any]]) -> int:
    new = 0
    with db.write(AGENT) as session:
        state = session.get(SyncState, state_row_id)
        if state.relay_cursor != cursor:
            return 0  # another fetcher on this PC kept this page meanwhile; carry on from its cursor
        for message in messages:
            if session.get(RelayMessage, message["id"]) is not None:
                continue
            holder = session.scalar(select(RelayMessage.id).where(RelayMessage.relay_seq == message["relay_seq"]))
            if holder is not None:
                # Skipping it would lose the message; stopping keeps it on the hub until someone looks.
                raise NadiError(f"the hub's relay message {message['relay_seq']} is not the one this PC holds under that number; "
                                "the hub's relay was probably rebuilt: re-enrol this PC with the hub so its relay cursor starts afresh")
            row = RelayMessage(
                id=message["id"], relay_seq=message["relay_seq"], source=message["source"], request_id=message.get("request_id"),
                path=message["path"], headers=json.dumps(message.get("headers") or {}, ensure_ascii=False),
                body=base64.b64decode(message["body_b64"]), verified=message["verified"],
                received_at=UtcDateTime().process_result_value(message["received_at"], None),
            )
            session.add(row)
            job = enqueue(session, PROCESS_KIND, f"relay:{row.id}", {"message_id": row.id})
            row.job_id = job.id
            new += 1
        state.relay_cursor = max(cursor, max(m["relay_seq"] for m in messages))
    return new


def relay_handlers(db: Database) -> dict[str, Callable[[dict[str, Any]], JobOutcome | None]]:
    """Handlers for the job runner: what to do with each relayed message."""

    def process(payload: dict[str, Any]) -> None:
        message_id = payload.get("message_id")
        with db.read() as session:
            message = session.get(RelayMessage, message_id) if message_id else None
        if message is None:
            raise PermanentJobError(f"the relayed message {message_id} is not on this PC, so there is nothing to process")
        if message.source in NOT_YET_HANDLED:
            raise PermanentJobError(NOT_YET_HANDLED[message.source])
        if message.source != "webhook":
            raise PermanentJobError(f"relayed messages from {message.source!r} are not handled by this version of Nadi; the message is kept")
        _record_webhook(db, message)

    return {PROCESS_KIND: process}


def _record_webhook(db: Database, message: RelayMessage) -> None:
    with db.write(AGENT) as session:
        # Run twice (the runner died after this committed), the webhook is still recorded once.
        already = session.scalar(select(AuditEvent.id).where(AuditEvent.action == "relay.webhook_received", AuditEvent.entity_id == message.id))
        if already is None:
            audit.record(session, "relay.webhook_received", entity="relay_message", entity_id=message.id,
                         detail={"source": message.source, "name": message.path, "request_id": message.request_id, "relay_seq": message.relay_seq})
