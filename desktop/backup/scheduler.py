"""Scheduled backups while the app runs: is one due (core.backup.schedule.is_due, by this PC's plan
and its log)? Looked at a minute or two after start, so a PC switched on each morning backs up soon
after, and every ten minutes after that. A due backup is made and checked by core.backup, then sent
to the hub when this PC has one; "Back up now" on the admin's screen goes through here too, so two
never run at once.

Nothing here interrupts the person at the desk: the outcome goes to the status bar
(desktop.backup.status) and the admin's Backups section, and into `backups.json` for IT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from core.backup.schedule import BackupPlan, LogEntry, back_up_now, is_due, last_attempt, last_success, load_plan
from core.errors import NadiError
from desktop.backup.background import Background
from desktop.tasks import describe_error

if TYPE_CHECKING:
    from core.backup.archive import BackupInfo
    from core.settings import Settings
    from core.storage.database import Database
    from desktop.context import Desk

log = logging.getLogger("nadi.desktop")

FIRST_CHECK_S = 90.0
EVERY_S = 600.0


@dataclass(frozen=True)
class BackupLook:
    """This PC's plan and its last backups, as the data directory records them."""

    plan: BackupPlan
    destination: Path
    same_disk_only: bool
    last_success: LogEntry | None
    last_attempt: LogEntry | None


def read_look(data_dir: Path) -> BackupLook:
    plan = load_plan(data_dir)
    return BackupLook(plan, plan.destination(data_dir), plan.same_disk_only(data_dir), last_success(data_dir), last_attempt(data_dir))


@dataclass(frozen=True)
class BackupOutcome:
    reason: str  # "scheduled" or "manual"
    info: BackupInfo | None  # None when no backup was made
    error: str | None  # why not, in words for the desk
    uploaded: bool | None  # a copy sent to the hub; None when this PC has no hub
    hub_problem: str | None
    seconds: float


def make_backup(settings: Settings, db: Database | None, reason: str) -> BackupOutcome:
    """A verified backup by the plan (core.backup.schedule.back_up_now logs and prunes), then its
    copy on the hub when this PC has joined one. A failed upload is reported, not raised: the
    backup itself is made and checked either way. Run on a worker thread."""
    started = perf_counter()
    try:
        info = back_up_now(settings, reason)
    except NadiError as exc:
        return BackupOutcome(reason, None, describe_error(exc), None, None, perf_counter() - started)
    except OSError as exc:  # the backups folder could not even be made
        return BackupOutcome(reason, None, f"{exc.strerror or exc} ({exc.filename})", None, None, perf_counter() - started)
    uploaded = hub_problem = None
    if db is not None:
        from sync.agent.backups import send_to_hub  # noqa: PLC0415 - the HTTP client only when needed

        uploaded, hub_problem = send_to_hub(db, settings.data_dir, info.path)
        if hub_problem:
            hub_problem = hub_problem[:1].upper() + hub_problem[1:]  # it begins a line at the desk
    return BackupOutcome(reason, info, None, uploaded, hub_problem, perf_counter() - started)


class BackupScheduler(QObject):
    """This PC's backups while the app runs. Create on the UI thread.

    `look` is the plan and log as last read (None before the first read), `running` the reason of
    the backup under way (None when none is), `outcome` the last backup made in this session, and
    `problem` a failure to read the plan (a damaged backup.toml)."""

    changed = Signal()
    finished = Signal(object)  # BackupOutcome

    def __init__(self, desk: Desk, settings: Settings, first_check_s: float = FIRST_CHECK_S, every_s: float = EVERY_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.settings = settings
        self.zone = ZoneInfo(settings.clinic_timezone)
        self.look: BackupLook | None = None
        self.running: str | None = None
        self.outcome: BackupOutcome | None = None
        self.problem: str | None = None
        self.background = Background(self)
        self._checking = False
        self._closing = False
        self._every = QTimer(self, interval=int(every_s * 1000), timeout=self.check)
        self._first = QTimer(self, singleShot=True, interval=int(first_check_s * 1000), timeout=self._first_check)

    def start(self) -> None:
        self.refresh()
        self._first.start()

    def stop(self) -> None:
        """No more checks; a backup under way finishes on its own thread (never waited for)."""
        self._closing = True
        self._first.stop()
        self._every.stop()

    def refresh(self) -> None:
        """Read the plan and the log afresh (at start, after the plan changed)."""
        data_dir = self.settings.data_dir
        self.background.run(lambda: read_look(data_dir), self._take_look, self._plan_unreadable, name="nadi-backup-look")

    def _take_look(self, look: BackupLook) -> None:
        self.look = look
        self.problem = None
        self.changed.emit()

    def _plan_unreadable(self, message: str) -> None:
        self.problem = message
        self.changed.emit()

    def _first_check(self) -> None:
        self._every.start()
        self.check()

    def check(self) -> None:
        """Make a backup if the plan says one is due."""
        if self._closing or self.running or self._checking:
            return
        self._checking = True
        data_dir = self.settings.data_dir
        self.background.run(lambda: is_due(data_dir), self._due, self._check_failed, name="nadi-backup-due")

    def _due(self, due: bool) -> None:
        self._checking = False
        if due:
            self.back_up("scheduled")

    def _check_failed(self, message: str) -> None:
        self._checking = False
        self._plan_unreadable(message)

    def back_up(self, reason: str = "manual") -> bool:
        """Start a backup now; False when one is already under way (or the app is closing)."""
        if self.running or self._closing:
            return False
        self.running = reason
        self.changed.emit()
        settings, db = self.settings, self.desk.db

        def work():
            outcome = make_backup(settings, db, reason)
            try:
                look = read_look(settings.data_dir)
            except NadiError:
                look = None
            return outcome, look

        def crashed(message: str) -> None:
            self._backed_up((BackupOutcome(reason, None, message, None, None, 0.0), None))

        self.background.run(work, self._backed_up, crashed)
        return True

    def _backed_up(self, result) -> None:
        outcome, look = result
        self.running = None
        self.outcome = outcome
        if look is not None:
            self.look = look
            self.problem = None
        if outcome.error:
            log.warning("%s backup failed: %s", outcome.reason, outcome.error)
        self.changed.emit()
        self.finished.emit(outcome)
