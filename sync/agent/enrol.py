"""Joining this PC to a clinic on a hub with the enrolment token clinic IT was given.

A PC that has been used on its own keeps everything: its records are pushed to the hub as they
are (they are just changes the hub has not seen), and the clinic's records come down to it.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from core import audit
from core.errors import NadiError
from core.storage.database import Actor, Database
from core.storage.models import SyncState
from sync.agent.hub_client import HubClient
from sync.protocol import EnrolAnswer


@dataclass(frozen=True)
class Enrolled:
    clinic_id: str
    clinic_name: str
    device_id: str
    hub_url: str


def enrol(db: Database, actor: Actor, hub_url: str, token: str, name: str | None = None, *, client: HubClient | None = None) -> Enrolled:
    hub_url = hub_url.strip().rstrip("/")
    if not hub_url.startswith(("http://", "https://")):
        raise NadiError(f"{hub_url!r} is not a hub address (it starts with https:// or http://)")
    name = (name or socket.gethostname() or "PC").strip()[:200]
    own = client is None
    client = client or HubClient(hub_url)
    try:
        answer = EnrolAnswer.model_validate(client.call("POST", "/v1/enrol", json_body={"token": token.strip(), "device_id": db.node_id, "name": name}))
    finally:
        if own:
            client.close()
    with db.write(actor) as session:
        state = session.get(SyncState, 1)
        if state is not None and state.clinic_id != answer.clinic_id:
            raise NadiError(
                f"this PC already syncs with another clinic ({state.clinic_id} at {state.hub_url}); "
                "a PC holds one clinic's record, so it cannot join a second one"
            )
        if state is None:
            state = SyncState(id=1, pushed_seq=0, pull_cursor=0, relay_cursor=0)
            session.add(state)
        elif state.hub_url != hub_url:
            # The same clinic at a new address (the hub moved): everything is re-sent and
            # re-checked by id, which is safe if slow.
            state.pushed_seq, state.pull_cursor, state.pull_cursor_change_id, state.relay_cursor = 0, 0, None, 0
        state.hub_url, state.clinic_id, state.device_id, state.device_secret = hub_url, answer.clinic_id, answer.device_id, answer.device_secret
        state.last_error = None
        session.flush()
        audit.record(session, "sync.enrolled", detail={"hub": hub_url, "clinic_id": answer.clinic_id, "clinic_name": answer.clinic_name, "device_name": name})
    return Enrolled(answer.clinic_id, answer.clinic_name, answer.device_id, hub_url)
