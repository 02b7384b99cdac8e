"""Jobs: work for the outside world, run until it succeeds or a person decides what to do with it.

A job moves queued -> sent (claimed by one runner) -> done | awaiting_callback, or -> failed (to be
tried again after a back-off) and, when it keeps failing or cannot succeed, -> dead: the
dead-letter list a person retries or dismisses. Nothing is ever dropped silently.

Claiming is a write transaction of its own (SQLite's write lock is taken at BEGIN), so two runners
(the desktop app's agent and a headless one on the same PC) never take the same job. A runner that
dies mid-job leaves it `sent`; once the lease runs out another runner takes it again. The attempt
is counted at the claim, so a job that kills its runner every time still ends on the list.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import InvalidInput, NadiError, NotFound
from core.storage.database import Actor, Database
from core.storage.models import Job
from core.storage.types import utcnow

STATES = ("queued", "sent", "awaiting_callback", "done", "failed", "dead", "dismissed")
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(hours=1)
LEASE = timedelta(minutes=10)

# The runner acts as itself; a person's retry or dismissal is recorded under their name.
RUNNER = Actor(None, "job runner")


class PermanentJobError(NadiError):
    """Raised by a handler when trying again cannot help: the job goes to the dead-letter list at once."""


@dataclass(frozen=True)
class JobOutcome:
    """What a handler may return. Returning None means the work is done."""

    awaiting_callback: bool = False


AWAIT_CALLBACK = JobOutcome(awaiting_callback=True)

Handler = Callable[[dict[str, Any]], "JobOutcome | None"]


@dataclass
class RunReport:
    """What one pass of the runner did, by job id."""

    done: list[str] = field(default_factory=list)
    awaiting_callback: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # will be tried again
    dead: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return len(self.done) + len(self.awaiting_callback) + len(self.failed) + len(self.dead)


@dataclass(frozen=True)
class DeadLetter:
    """A job that needs a person, as the dead-letter list shows it."""

    id: str
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None
    created_at: datetime
    died_at: datetime | None


def enqueue(session: Session, kind: str, idempotency_key: str, payload: dict[str, Any], max_attempts: int = 8, *, now: datetime | None = None) -> Job:
    """Add a job inside the caller's write transaction, due at once. The same idempotency key
    again returns the job already made, whatever its state."""
    kind = (kind or "").strip()
    idempotency_key = (idempotency_key or "").strip()
    problems = {}
    if not kind or len(kind) > 60:
        problems["kind"] = "a job needs a kind of at most 60 characters"
    if not idempotency_key or len(idempotency_key) > 200:
        problems["idempotency_key"] = "a job needs an idempotency key of at most 200 characters"
    if not 1 <= max_attempts <= 100:
        problems["max_attempts"] = "a job is tried between 1 and 100 times"
    try:
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems["payload"] = f"a job's payload must be plain JSON ({exc})"
    if problems:
        raise InvalidInput(problems)
    existing = session.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
    if existing is not None:
        if existing.kind != kind:
            raise NadiError(f"the idempotency key {idempotency_key!r} already belongs to a {existing.kind} job, not {kind}")
        return existing
    now = now or utcnow()
    job = Job(kind=kind, idempotency_key=idempotency_key, payload=text, state="queued", attempts=0, max_attempts=max_attempts,
              next_attempt_at=now, created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    return job


def backoff_delay(attempts: int, rng: random.Random) -> timedelta:
    """How long to wait after the given number of failed attempts: "full jitter", a uniform draw
    below an exponentially growing bound, so PCs that failed together do not retry together."""
    return timedelta(seconds=rng.uniform(0, backoff_bound(attempts).total_seconds()))


def backoff_bound(attempts: int) -> timedelta:
    exponent = min(max(attempts, 1) - 1, 20)  # 5 s * 2**20 is far past the cap already
    return min(BACKOFF_CAP, BACKOFF_BASE * (2**exponent))


def run_due(db: Database, handlers: Mapping[str, Handler], now: datetime | None = None, limit: int = 50,
            rng: random.Random | None = None, lease: timedelta = LEASE) -> RunReport:
    """Run up to `limit` due jobs, one at a time. Each state change is its own transaction; the
    handler runs outside any transaction of ours (it opens its own if it writes)."""
    clock = (lambda: now) if now is not None else utcnow
    rng = rng or random.Random()
    report = RunReport()
    tried: set[str] = set()
    while len(tried) < limit:
        claimed = _claim_next(db, clock(), lease, tried)
        if claimed is None:
            break
        job_id, kind, payload, claimed_at, exhausted = claimed
        tried.add(job_id)
        if exhausted:
            # Interrupted on its last allowed attempt (the runner died running it): a person decides.
            _finish(db, job_id, claimed_at, clock(), "dead", f"the job was interrupted on its last allowed attempt ({exhausted}); it was not finished", report)
            continue
        handler = handlers.get(kind)
        if handler is None:
            _finish(db, job_id, claimed_at, clock(), "dead", f"this version of Nadi has no handler for jobs of kind {kind!r}; the job is kept", report)
            continue
        try:
            outcome = handler(payload)
        except PermanentJobError as exc:
            _finish(db, job_id, claimed_at, clock(), "dead", str(exc), report)
        except Exception as exc:  # noqa: BLE001 - anything else may pass with time: try again later
            _fail(db, job_id, claimed_at, clock(), _in_words(exc), rng, report)
        else:
            state = "awaiting_callback" if isinstance(outcome, JobOutcome) and outcome.awaiting_callback else "done"
            _finish(db, job_id, claimed_at, clock(), state, None, report)
    return report


def _claim_next(db: Database, now: datetime, lease: timedelta, tried: set[str]):
    due = or_(
        and_(Job.state.in_(("queued", "failed")), Job.next_attempt_at <= now),
        and_(Job.state == "sent", Job.updated_at <= now - lease),
    )
    query = select(Job).where(due).order_by(Job.next_attempt_at, Job.id).limit(1)
    if tried:
        query = query.where(Job.id.not_in(tried))
    with db.write(RUNNER) as session:
        job = session.scalar(query)
        if job is None:
            return None
        exhausted = job.attempts if job.state == "sent" and job.attempts >= job.max_attempts else 0
        job.state = "sent"
        job.attempts = job.attempts if exhausted else job.attempts + 1
        job.updated_at = now
        return job.id, job.kind, json.loads(job.payload), now, exhausted


def _owned(session: Session, job_id: str, claimed_at: datetime) -> Job | None:
    """The job, if this runner still holds it (another may have taken it over after the lease)."""
    job = session.get(Job, job_id)
    if job is None or job.state != "sent" or job.updated_at != claimed_at:
        return None
    return job


def _finish(db: Database, job_id: str, claimed_at: datetime, now: datetime, state: str, error: str | None, report: RunReport) -> None:
    with db.write(RUNNER) as session:
        job = _owned(session, job_id, claimed_at)
        if job is None:
            return
        job.state = state
        job.last_error = error if error is not None else job.last_error
        job.updated_at = now
        if state in ("done", "dead"):
            job.finished_at = now
    getattr(report, state).append(job_id)


def _fail(db: Database, job_id: str, claimed_at: datetime, now: datetime, error: str, rng: random.Random, report: RunReport) -> None:
    with db.write(RUNNER) as session:
        job = _owned(session, job_id, claimed_at)
        if job is None:
            return
        job.updated_at = now
        if job.attempts >= job.max_attempts:
            job.state = "dead"
            job.finished_at = now
            job.last_error = f"gave up after {job.attempts} attempts; the last one failed: {error}"
            dead = True
        else:
            job.state = "failed"
            job.next_attempt_at = now + backoff_delay(job.attempts, rng)
            job.last_error = f"attempt {job.attempts} of {job.max_attempts} failed: {error}"
            dead = False
    (report.dead if dead else report.failed).append(job_id)


def _in_words(exc: Exception) -> str:
    text = str(exc).strip()
    if isinstance(exc, NadiError) and text:
        return text
    # An unexpected error: its type helps whoever reads the list tell a bug from an outage.
    return f"{text} ({type(exc).__name__})" if text else f"an unexpected {type(exc).__name__}"


# --- the dead-letter list ------------------------------------------------------------------------


def dead_letters(db: Database) -> list[DeadLetter]:
    """Jobs that need a person, oldest death first."""
    with db.read() as session:
        jobs = session.scalars(select(Job).where(Job.state == "dead").order_by(Job.finished_at, Job.id)).all()
    return [DeadLetter(j.id, j.kind, j.idempotency_key, json.loads(j.payload), j.attempts, j.last_error, j.created_at, j.finished_at) for j in jobs]


def retry_job(db: Database, actor: Actor, job_id: str, *, now: datetime | None = None) -> Job:
    """A person sends a dead (or waiting-to-retry) job round again, now, with its attempts reset."""
    now = now or utcnow()
    with db.write(actor) as session:
        job = _job_or_fail(session, job_id)
        if job.state not in ("dead", "failed"):
            raise NadiError(f"this {job.kind} job is {_state_words(job.state)}; only a job on the dead-letter list (or waiting to retry) can be retried")
        previous = job.state
        job.state = "queued"
        job.attempts = 0
        job.next_attempt_at = now
        job.finished_at = None
        job.updated_at = now
        audit.record(session, "job.retry", entity="job", entity_id=job.id, detail={"kind": job.kind, "was": previous, "last_error": job.last_error})
        return job


def dismiss_job(db: Database, actor: Actor, job_id: str, reason: str, *, now: datetime | None = None) -> Job:
    """A person gives up on a dead job, saying why; it leaves the list but is kept."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput({"reason": "say why this job is being dismissed"})
    now = now or utcnow()
    with db.write(actor) as session:
        job = _job_or_fail(session, job_id)
        if job.state not in ("dead", "failed"):
            raise NadiError(f"this {job.kind} job is {_state_words(job.state)}; only a job on the dead-letter list (or waiting to retry) can be dismissed")
        job.state = "dismissed"
        job.resolved_by = actor.label
        job.resolution = reason
        job.finished_at = now
        job.updated_at = now
        audit.record(session, "job.dismiss", entity="job", entity_id=job.id, detail={"kind": job.kind, "reason": reason, "last_error": job.last_error})
        return job


def job_counts(db: Database) -> dict[str, int]:
    """How many jobs are in each state (every state present, zero where none)."""
    with db.read() as session:
        rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: n for state, n in rows})
    return counts


def _job_or_fail(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"there is no job {job_id} on this PC")
    return job


def _state_words(state: str) -> str:
    return {"queued": "waiting to run", "sent": "running now", "awaiting_callback": "waiting for an answer",
            "done": "already done", "dismissed": "already dismissed"}.get(state, state)
