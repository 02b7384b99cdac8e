"""This PC's sync agent inside the desks: one `SyncService` for the PC, started once the database is
open, asked for a round soon after each write at the desk, and stopped without holding up closing.

The service tells its listeners on its own thread; `changed` brings the news to the UI thread (a
signal emitted on another thread is queued by Qt to the thread its receiver lives in).

Closing never waits for the network: a round stuck on a hub that accepted the connection and went
quiet can take the HTTP client's whole time-out, so `stop_soon` ends the service on a thread of its
own and the window goes at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from core.storage.types import utcnow
from sync.agent.run import SyncReport
from sync.agent.service import DEFAULT_INTERVAL_S, SyncService
from sync.agent.state import SyncStatus, sync_status

if TYPE_CHECKING:
    from desktop.context import Desk

log = logging.getLogger("nadi.desktop")

INTERVAL_ENV = "NADI_SYNC_INTERVAL"
# A registration is usually followed at once by queueing the patient: the first write starts a round
# straight away, later ones within this gap share one round at its end.
WRITE_GAP_S = 5.0


def sync_interval() -> float:
    """Seconds between rounds: NADI_SYNC_INTERVAL when set to a positive number (tests use a short
    one), else the service's default."""
    raw = os.environ.get(INTERVAL_ENV, "").strip()
    if not raw:
        return DEFAULT_INTERVAL_S
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        log.warning("%s=%r is not a number of seconds; syncing every %s s", INTERVAL_ENV, raw, DEFAULT_INTERVAL_S)
        return DEFAULT_INTERVAL_S
    return value


class DeskSync(QObject):
    """The agent as the desks see it. Create and use on the UI thread.

    `status` is the latest SyncStatus (None until first read), `report` the last round's SyncReport
    (None before any round, and for a round that did nothing because the PC is not enrolled),
    `syncing` whether a round asked for has not reported yet, `offline_since` since when the hub has
    not been reached (None while online)."""

    changed = Signal()  # status, report, syncing or offline_since moved
    brought_changes = Signal()  # a round applied records made on another PC
    _reported = Signal(object, object)  # (report, status), emitted on the agent's thread

    def __init__(self, desk: Desk, interval_s: float | None = None, write_gap_s: float = WRITE_GAP_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.interval_s = interval_s if interval_s is not None else sync_interval()
        self.write_gap_s = write_gap_s
        self.status: SyncStatus | None = None
        self.report: SyncReport | None = None
        self.syncing = False
        self.offline_since: datetime | None = None
        self._service: SyncService | None = None
        self._stopper: threading.Thread | None = None
        self._closing = False
        self._last_asked: float | None = None  # time.monotonic() of the last round asked for
        self._after_writes = QTimer(self, singleShot=True, timeout=self.sync_now)
        self._reported.connect(self._take_report)

    @property
    def running(self) -> bool:
        return self._service is not None and not self._closing

    # -- starting and stopping --------------------------------------------------------------------

    def start(self) -> None:
        """Start the service once the database is open. At start-up the database opens on the write
        lane (desktop.app), so this queues behind it there and starts when it is done."""
        self.desk.tasks.run(lambda: self.desk.db, self._db_ready, lambda _message: None, lane="write")

    def _db_ready(self, db) -> None:
        if db is None or self._service is not None or self._closing:
            return  # the database did not open (the log-in screen says so), or the window closed first
        service = SyncService(db, self.interval_s)
        service.add_listener(self._listen)
        self._service = service
        self._last_asked = time.monotonic()
        self.syncing = True  # its first round starts now (and does nothing on a PC on its own)
        service.start()
        self.refresh()

    def stop_soon(self) -> None:
        """Stop the service without waiting: a round in flight finishes (or times out) on its own."""
        self._closing = True
        self._after_writes.stop()
        service = self._service
        if service is None or self._stopper is not None:
            return
        self._stopper = threading.Thread(target=service.stop, name="nadi-sync-stop", daemon=True)
        self._stopper.start()

    def wait_stopped(self, timeout_s: float) -> bool:
        """After `stop_soon`: whether the service has stopped, waiting at most `timeout_s`."""
        if self._stopper is None:
            return self._service is None
        self._stopper.join(timeout_s)
        return not self._stopper.is_alive()

    # -- asking for rounds ------------------------------------------------------------------------

    def sync_now(self) -> None:
        """A round now ("Sync now", a new enrolment, writes at the desk)."""
        if not self.running:
            return
        self._after_writes.stop()
        self._last_asked = time.monotonic()
        self.syncing = True
        self._service.sync_now()
        self.changed.emit()

    def after_write(self) -> None:
        """Something was saved at this desk: send it up soon, without a round per keystroke-sized write."""
        if not self.running or (self.status is not None and not self.status.enrolled):
            return
        wait = 0.0 if self._last_asked is None else self.write_gap_s - (time.monotonic() - self._last_asked)
        if wait <= 0:
            self.sync_now()
        elif not self._after_writes.isActive():
            self._after_writes.start(int(wait * 1000) + 1)

    def refresh(self) -> None:
        """Read the status afresh (after the desk changed what it counts: a merge, a dead letter retried)."""
        if self.desk.db is not None and not self._closing:
            self.desk.read(sync_status, self._take_status, lambda _message: None, key="sync.status")

    # -- news from the agent ------------------------------------------------------------------------

    def _listen(self, report: SyncReport | None, status: SyncStatus) -> None:
        # On the agent's thread: hand over to the UI thread and nothing else.
        if not self._closing:
            self._reported.emit(report, status)

    def _take_report(self, report: SyncReport | None, status: SyncStatus) -> None:
        self.report = report
        self.status = status
        self.syncing = False
        if report is not None:
            if report.online:
                self.offline_since = None
            elif self.offline_since is None:
                # Nothing has reached the hub since the last good round.
                self.offline_since = status.last_success_at or utcnow()
        self.changed.emit()
        if report is not None and (report.applied.rows_inserted or report.applied.rows_updated):
            self.brought_changes.emit()

    def _take_status(self, status: SyncStatus) -> None:
        self.status = status
        if not status.enrolled:
            self.syncing = False  # its rounds do nothing until it joins a hub
        self.changed.emit()
