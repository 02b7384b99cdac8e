"""Jobs for the outside world: run once, retried with jittered back-off, and never lost: what
cannot succeed lands on the dead-letter list, where a person retries or dismisses it."""

from __future__ import annotations

import json
import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.errors import InvalidInput, NadiError
from core.storage.database import SYSTEM
from core.storage.models import AuditEvent, Job
from sync.jobs import (
    AWAIT_CALLBACK,
    BACKOFF_CAP,
    PermanentJobError,
    backoff_bound,
    backoff_delay,
    dead_letters,
    dismiss_job,
    enqueue,
    job_counts,
    retry_job,
    run_due,
)

T0 = datetime(2025, 1, 10, 4, 45, tzinfo=UTC)


class GatewayDown(Exception):
    pass


def _add(db, kind="abdm.link", key="link:P1", payload=None, max_attempts=8, now=T0):
    with db.write(SYSTEM) as session:
        return enqueue(session, kind, key, payload or {"patient": "P1"}, max_attempts=max_attempts, now=now).id


def _job(db, job_id) -> Job:
    with db.read() as session:
        return session.get(Job, job_id)


def _audit(db, action):
    with db.read() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_same_idempotency_key_twice_makes_one_job(db):
    first = _add(db, key="link:P1", payload={"patient": "P1"})
    again = _add(db, key="link:P1", payload={"patient": "P1", "second": True})
    assert again == first
    assert job_counts(db)["queued"] == 1
    assert json.loads(_job(db, first).payload) == {"patient": "P1"}  # the first one's work stands


def test_enqueue_refuses_what_it_could_not_run(db):
    with pytest.raises(InvalidInput, match="payload"), db.write(SYSTEM) as session:
        enqueue(session, "abdm.link", "k1", {"when": datetime.now(UTC)})
    _add(db, kind="abdm.link", key="shared")
    with pytest.raises(NadiError, match="already belongs to a abdm.link job"), db.write(SYSTEM) as session:
        enqueue(session, "nhcx.claim", "shared", {})
    assert sum(job_counts(db).values()) == 1


def test_a_job_that_works_is_done_once(db):
    calls = []
    job_id = _add(db)
    report = run_due(db, {"abdm.link": calls.append}, now=T0)
    assert report.done == [job_id] and calls == [{"patient": "P1"}]
    assert _job(db, job_id).state == "done" and _job(db, job_id).finished_at == T0
    assert run_due(db, {"abdm.link": calls.append}, now=T0 + timedelta(days=1)).ran == 0
    assert len(calls) == 1


def test_a_job_not_due_yet_waits(db):
    job_id = _add(db, now=T0 + timedelta(minutes=5))
    assert run_due(db, {"abdm.link": lambda p: None}, now=T0).ran == 0
    assert run_due(db, {"abdm.link": lambda p: None}, now=T0 + timedelta(minutes=5)).done == [job_id]


def test_a_handler_can_leave_the_job_awaiting_its_callback(db):
    job_id = _add(db)
    report = run_due(db, {"abdm.link": lambda p: AWAIT_CALLBACK}, now=T0)
    assert report.awaiting_callback == [job_id]
    assert job_counts(db)["awaiting_callback"] == 1
    assert run_due(db, {"abdm.link": lambda p: None}, now=T0 + timedelta(hours=2)).ran == 0  # not run again


def test_back_off_grows_to_the_cap_and_is_jittered_within_its_bounds():
    rng = random.Random(7)
    means = []
    for attempts in range(1, 14):
        bound = backoff_bound(attempts).total_seconds()
        assert bound == min(5 * 2 ** (attempts - 1), 3600)
        samples = [backoff_delay(attempts, rng).total_seconds() for _ in range(400)]
        assert all(0 <= s <= bound for s in samples)
        assert len(set(samples)) == len(samples)  # jittered: no two PCs retry in lockstep
        assert 0.4 * bound < sum(samples) / len(samples) < 0.6 * bound  # spread over the whole range
        means.append(sum(samples) / len(samples))
    assert means[0] < means[3] < means[7] < means[10]
    assert backoff_bound(40) == BACKOFF_CAP


def test_failures_retry_after_jittered_back_off_then_go_dead(db):
    job_id = _add(db, max_attempts=4)
    seen = []

    def flaky(payload):
        raise GatewayDown("the ABDM gateway answered 503")

    now = T0
    rng = random.Random(3)
    for attempt in range(1, 4):
        report = run_due(db, {"abdm.link": flaky}, now=now, rng=rng)
        job = _job(db, job_id)
        assert report.failed == [job_id]
        assert job.state == "failed" and job.attempts == attempt
        wait = job.next_attempt_at - now
        assert timedelta(0) <= wait <= timedelta(seconds=5 * 2 ** (attempt - 1))
        assert f"attempt {attempt} of 4 failed: the ABDM gateway answered 503 (GatewayDown)" == job.last_error
        seen.append(wait)
        # Not before its time ...
        if wait > timedelta(0):
            assert run_due(db, {"abdm.link": flaky}, now=job.next_attempt_at - timedelta(microseconds=1), rng=rng).ran == 0
        now = job.next_attempt_at
    assert len(set(seen)) == 3
    report = run_due(db, {"abdm.link": flaky}, now=now, rng=rng)
    job = _job(db, job_id)
    assert report.dead == [job_id] and job.state == "dead" and job.attempts == 4
    assert job.last_error == "gave up after 4 attempts; the last one failed: the ABDM gateway answered 503 (GatewayDown)"
    assert [d.id for d in dead_letters(db)] == [job_id]


def test_a_permanent_error_goes_dead_at_once(db):
    job_id = _add(db)

    def refuse(payload):
        raise PermanentJobError("ABDM says this ABHA address does not exist (ABDM-1114)")

    report = run_due(db, {"abdm.link": refuse}, now=T0)
    job = _job(db, job_id)
    assert report.dead == [job_id] and job.attempts == 1
    [letter] = dead_letters(db)
    assert letter.last_error == "ABDM says this ABHA address does not exist (ABDM-1114)"
    assert letter.payload == {"patient": "P1"} and letter.kind == "abdm.link" and letter.died_at == T0


def test_a_job_with_no_handler_goes_dead_naming_its_kind(db):
    job_id = _add(db, kind="nhcx.claim", key="claim:C1")
    run_due(db, {"abdm.link": lambda p: None}, now=T0)
    assert _job(db, job_id).state == "dead"
    assert "'nhcx.claim'" in dead_letters(db)[0].last_error


def test_a_person_retries_a_dead_job_and_it_runs_again(db, team):
    job_id = _add(db)
    run_due(db, {"abdm.link": lambda p: (_ for _ in ()).throw(PermanentJobError("consent expired"))}, now=T0)
    later = T0 + timedelta(days=1)
    retry_job(db, team.admin, job_id, now=later)
    job = _job(db, job_id)
    assert (job.state, job.attempts, job.next_attempt_at, job.finished_at) == ("queued", 0, later, None)
    assert dead_letters(db) == []
    [event] = _audit(db, "job.retry")
    assert event.entity_id == job_id and event.actor_label == "Meena Joshi" and json.loads(event.detail)["last_error"] == "consent expired"
    assert run_due(db, {"abdm.link": lambda p: None}, now=later).done == [job_id]
    with pytest.raises(NadiError, match="already done"):
        retry_job(db, team.admin, job_id)


def test_a_person_dismisses_a_dead_job_with_a_reason(db, team):
    job_id = _add(db)
    run_due(db, {}, now=T0)
    with pytest.raises(InvalidInput, match="say why"):
        dismiss_job(db, team.admin, job_id, "  ")
    assert _job(db, job_id).state == "dead"  # a refused dismissal changes nothing
    dismiss_job(db, team.admin, job_id, "patient linked by hand at the ABDM counter", now=T0 + timedelta(hours=1))
    job = _job(db, job_id)
    assert (job.state, job.resolved_by, job.resolution) == ("dismissed", "Meena Joshi", "patient linked by hand at the ABDM counter")
    assert dead_letters(db) == []
    assert job_counts(db) == {"queued": 0, "sent": 0, "awaiting_callback": 0, "done": 0, "failed": 0, "dead": 0, "dismissed": 1}
    [event] = _audit(db, "job.dismiss")
    assert event.entity_id == job_id and json.loads(event.detail)["reason"] == "patient linked by hand at the ABDM counter"
    assert run_due(db, {"abdm.link": lambda p: None}, now=T0 + timedelta(days=9)).ran == 0


class RunnerKilled(BaseException):
    """Stands for the process dying mid-job: nothing after it in run_due gets to run."""


def test_a_job_left_sent_by_a_crash_is_taken_again_after_its_lease(db):
    job_id = _add(db)

    def die(payload):
        raise RunnerKilled

    with pytest.raises(RunnerKilled):
        run_due(db, {"abdm.link": die}, now=T0)
    assert _job(db, job_id).state == "sent"
    done = []
    assert run_due(db, {"abdm.link": done.append}, now=T0 + timedelta(minutes=9)).ran == 0  # still leased
    assert run_due(db, {"abdm.link": done.append}, now=T0 + timedelta(minutes=10)).done == [job_id]
    assert done == [{"patient": "P1"}] and _job(db, job_id).attempts == 2


def test_a_job_that_kills_its_runner_every_time_still_reaches_a_person(db):
    job_id = _add(db, max_attempts=2)

    def die(payload):
        raise RunnerKilled

    now = T0
    for _ in range(2):
        with pytest.raises(RunnerKilled):
            run_due(db, {"abdm.link": die}, now=now)
        now += timedelta(minutes=11)
    run_due(db, {"abdm.link": die}, now=now)
    assert _job(db, job_id).state == "dead"
    assert "interrupted on its last allowed attempt" in dead_letters(db)[0].last_error


def test_two_runners_never_run_the_same_job(db):
    first = _add(db, key="link:P1")
    second = _add(db, key="link:P2", payload={"patient": "P2"}, now=T0 + timedelta(seconds=1))
    inside, release = threading.Event(), threading.Event()
    runs = []

    def slow(payload):
        runs.append(payload["patient"])
        if payload["patient"] == "P1":
            inside.set()
            assert release.wait(10)

    result = {}
    other = threading.Thread(target=lambda: result.update(report=run_due(db, {"abdm.link": slow}, now=T0 + timedelta(seconds=1), limit=1)))
    other.start()
    try:
        assert inside.wait(10)
        # The other runner holds P1 right now: this one must take P2 only.
        mine = run_due(db, {"abdm.link": slow}, now=T0 + timedelta(seconds=1))
    finally:
        release.set()
        other.join(10)
    assert mine.done == [second] and result["report"].done == [first]
    assert sorted(runs) == ["P1", "P2"]
