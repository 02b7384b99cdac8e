"""The agent running in the background: in the desktop app (its own thread, its own database
connection from the pool) or in `nadi sync run`.

APScheduler 3.x drives it, with settings chosen for a clinic PC:
- max_instances=1: two rounds never run at once on one database (they would only queue for the
  write lock and double the network traffic);
- coalesce=True: after the PC sleeps or hibernates, the missed rounds run once, not once each;
- misfire_grace_time=None: a round that is late still runs, however late; sync is always worth
  doing, and dropping a late round would leave the PC offline until the next one.
`sync_now()` moves the next round to now (after a write at the desk, or the person's "Sync now").
Listeners are told after every round; they are called on the agent's thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from core.storage.database import Database
from sync.agent.run import SyncReport, sync_once
from sync.agent.state import SyncStatus, load_state, sync_status

log = logging.getLogger("nadi.sync")

DEFAULT_INTERVAL_S = 15
OFFLINE_INTERVAL_S = 60  # while the hub cannot be reached, knock less often


class SyncService:
    def __init__(self, db: Database, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self.db = db
        self.interval_s = interval_s
        self._scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None})
        self._listeners: list[Callable[[SyncReport | None, SyncStatus], None]] = []
        self._lock = threading.Lock()
        self.last_report: SyncReport | None = None
        self.online: bool | None = None  # None until the first round has tried
        self._round_over = threading.Event()
        self._round_over.set()

    def add_listener(self, listener: Callable[[SyncReport | None, SyncStatus], None]) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        self._scheduler.add_job(self._round, "interval", seconds=self.interval_s, id="sync", next_run_time=datetime.now(timezone.utc))
        self._scheduler.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop the rounds and wait (at most `timeout` seconds) for one in flight; True once none runs."""
        if self._scheduler.running:
            # Not shutdown(wait=True): it holds the scheduler's job-store lock while it waits, and a
            # round in flight takes that lock in _pace (get_job), so neither would ever finish.
            self._scheduler.shutdown(wait=False)
        return self._round_over.wait(timeout)

    def sync_now(self) -> None:
        if self._scheduler.running:
            self._scheduler.modify_job("sync", next_run_time=datetime.now(timezone.utc))

    def status(self) -> SyncStatus:
        return sync_status(self.db)

    def _round(self) -> None:
        self._round_over.clear()
        try:
            self._run_round()
        finally:
            self._round_over.set()

    def _run_round(self) -> None:
        report: SyncReport | None = None
        try:
            if load_state(self.db) is not None:
                report = sync_once(self.db)
                self.online = report.online
                self.last_report = report
                self._pace(report.online)
        except Exception:  # noqa: BLE001 - the agent must outlive any one bad round; the status shows it
            log.exception("sync round failed")
        status = sync_status(self.db)
        for listener in list(self._listeners):
            try:
                listener(report, status)
            except Exception:  # noqa: BLE001
                log.exception("sync listener failed")

    def _pace(self, online: bool) -> None:
        if not self._scheduler.running:
            return  # stopping: no more rounds to pace
        wanted = self.interval_s if online else max(self.interval_s, OFFLINE_INTERVAL_S)
        job = self._scheduler.get_job("sync")
        if job is not None and job.trigger.interval != timedelta(seconds=wanted):
            self._scheduler.reschedule_job("sync", trigger="interval", seconds=wanted)
