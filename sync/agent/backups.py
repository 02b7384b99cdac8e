"""Sending this PC's backup files to the hub, and listing or fetching the clinic's copies there.

A backup is already encrypted with the clinic's database key, so it goes to the hub as it is. The
upload is one PUT under the file's own name with its SHA-256, so an upload retried after a cut
connection replaces the half-sent one rather than adding a second.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from core.backup.schedule import mark_uploaded
from core.errors import NadiError
from core.storage.database import Database
from sync.agent.hub_client import HubClient, HubRefused
from sync.agent.state import load_state, require_state

# A 100 MB file over a slow clinic uplink: the write may take minutes, the connect must not.
UPLOAD_TIMEOUT = httpx.Timeout(600.0, connect=5.0)


def hub_configured(db: Database) -> bool:
    return load_state(db) is not None


def upload_backup(db: Database, path: Path, client: HubClient | None = None) -> dict:
    state = require_state(db)
    data = path.read_bytes()
    client = client or HubClient(state.hub_url, state.device_id, state.device_secret, timeout=UPLOAD_TIMEOUT)
    with client:
        return client.call("PUT", f"/v1/backups/{path.name}", content=data, headers={
            "content-type": "application/octet-stream", "x-content-sha256": hashlib.sha256(data).hexdigest(),
        })


def send_to_hub(db: Database, data_dir: Path, path: Path) -> tuple[bool | None, str | None]:
    """Send a just-made backup to the hub when this PC has one, and note the outcome in the backup
    log. Returns (None, None) with no hub, else (sent, problem). A failed send is reported, not
    raised: the backup itself is made and verified either way, and the next one is sent."""
    if not hub_configured(db):
        return None, None
    try:
        upload_backup(db, path)
    except (NadiError, OSError) as exc:
        mark_uploaded(data_dir, path, False)
        return False, str(exc) if isinstance(exc, NadiError) else f"{path.name} could not be read ({exc.strerror or exc})"
    mark_uploaded(data_dir, path, True)
    return True, None


def hub_backups(db: Database) -> list[dict]:
    state = require_state(db)
    with HubClient(state.hub_url, state.device_id, state.device_secret) as client:
        return client.call("GET", "/v1/backups")["backups"]


def fetch_hub_backup(db: Database, name: str, dest_dir: Path) -> Path:
    """Download one of the clinic's backups from the hub into `dest_dir` (written under a temporary
    name, checked against the hub's SHA-256, then renamed)."""
    state = require_state(db)
    with HubClient(state.hub_url, state.device_id, state.device_secret, timeout=UPLOAD_TIMEOUT) as client:
        listed = {b["name"]: b for b in client.call("GET", "/v1/backups")["backups"]}
        if name not in listed:
            raise HubRefused(404, f"the hub holds no backup named {name} for this clinic")
        data = client.call("GET", f"/v1/backups/{name}", raw=True)
    if hashlib.sha256(data).hexdigest() != listed[name]["sha256"]:
        raise HubRefused(422, f"{name} arrived damaged (its SHA-256 does not match the hub's); fetch it again")
    partial = dest_dir / (name + ".partial")
    partial.write_bytes(data)
    target = dest_dir / name
    partial.replace(target)
    return target
