"""This PC's sync state (the one `sync_state` row) and what the status bar shows of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from core.errors import NadiError
from core.storage.database import Database
from core.storage.models import Change, Job, MergeCandidate, SyncState
from core.storage.types import utcnow
from sync.agent.apply import SYNC_ACTOR


class NotEnrolled(NadiError):
    def __init__(self) -> None:
        super().__init__("this PC is not enrolled with a hub yet; run `nadi sync enroll --hub URL --token TOKEN` (clinic IT has the token)")


def load_state(db: Database) -> SyncState | None:
    with db.read() as session:
        return session.get(SyncState, 1)


def require_state(db: Database) -> SyncState:
    state = load_state(db)
    if state is None:
        raise NotEnrolled()
    return state


def note_success(db: Database) -> None:
    with db.write(SYNC_ACTOR) as session:
        state = session.get(SyncState, 1)
        state.last_success_at = utcnow()
        state.last_error = None
        state.last_error_at = None


def note_error(db: Database, message: str) -> None:
    with db.write(SYNC_ACTOR) as session:
        state = session.get(SyncState, 1)
        if state is not None:
            state.last_error = message
            state.last_error_at = utcnow()


def pending_changes(session, node_id: str, pushed_seq: int) -> int:
    return session.scalar(select(func.count()).select_from(Change).where(Change.node_id == node_id, Change.seq > pushed_seq)) or 0


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hub_url: str | None
    clinic_id: str | None
    pending_changes: int  # made here, not yet acknowledged by the hub
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    dead_jobs: int
    open_merges: int


def sync_status(db: Database) -> SyncStatus:
    with db.read() as session:
        state = session.get(SyncState, 1)
        dead = session.scalar(select(func.count()).select_from(Job).where(Job.state == "dead")) or 0
        merges = session.scalar(select(func.count()).select_from(MergeCandidate).where(MergeCandidate.status == "open")) or 0
        if state is None:
            pending = session.scalar(select(func.count()).select_from(Change).where(Change.node_id == db.node_id)) or 0
            return SyncStatus(False, None, None, pending, None, None, None, dead, merges)
        return SyncStatus(
            True, state.hub_url, state.clinic_id, pending_changes(session, db.node_id, state.pushed_seq),
            state.last_success_at, state.last_error, state.last_error_at, dead, merges,
        )
