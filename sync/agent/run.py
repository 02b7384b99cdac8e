"""One round of sync: push, pull and apply, fetch relayed callbacks, run due jobs.

Network trouble is the normal case for a clinic, not an error: the round stops where it is, notes
"offline" with the reason, and the next round starts from the committed cursors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.storage.database import Database
from sync import jobs
from sync.agent.apply import ApplyFailed, ApplyReport
from sync.agent.exchange import pull_and_apply, push_outbox
from sync.agent.hub_client import HubClient, HubRefused, HubUnreachable
from sync.agent.relay_inbox import fetch_relayed, relay_handlers
from sync.agent.state import note_error, note_success, require_state


@dataclass
class SyncReport:
    online: bool = True
    pushed: int = 0
    pulled: int = 0
    applied: ApplyReport = field(default_factory=ApplyReport)
    relayed: int = 0
    jobs_done: int = 0
    jobs_failed: int = 0
    jobs_dead: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["applied"] = {k: v for k, v in data["applied"].items() if v}
        return data


def sync_once(db: Database, *, client: HubClient | None = None, run_jobs: bool = True) -> SyncReport:
    state = require_state(db)
    own = client is None
    client = client or HubClient(state.hub_url, state.device_id, state.device_secret)
    report = SyncReport()
    try:
        report.pushed = push_outbox(db, client, db.settings.sync_batch)
        report.pulled, report.applied = pull_and_apply(db, client, db.settings.sync_batch)
        report.relayed = fetch_relayed(db, client)
    except HubUnreachable as exc:
        report.online, report.error = False, str(exc)
    except HubRefused as exc:
        report.error = _refusal(exc)
    except ApplyFailed as exc:
        report.error = str(exc)
    finally:
        if own:
            client.close()
    if run_jobs:
        ran = jobs.run_due(db, relay_handlers(db))
        report.jobs_done, report.jobs_failed, report.jobs_dead = len(ran.done), len(ran.failed), len(ran.dead)
    if report.error:
        note_error(db, report.error)
    else:
        note_success(db)
    return report


def _refusal(exc: HubRefused) -> str:
    if exc.status == 403:
        return f"the hub no longer accepts this PC: {exc.detail}. What was recorded here stays here; clinic IT decides what happens to this PC."
    if exc.status == 401:
        return f"the hub no longer accepts this PC: {exc.detail}. Ask clinic IT to enrol it again (nadi sync enroll)."
    return str(exc)

