"""What the status bar says about backups: when the last good one was, that one is being made, or
that the last one failed and why, in words someone at the desk can act on ("plug in the USB drive").
The whole story (where, how big, the hub's copy) is in the tooltip and on Admin → Backups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QLabel

from desktop.backup.scheduler import BackupLook, BackupOutcome, BackupScheduler
from desktop.sync.times import local_moment

LONGEST = 150  # characters of a failure shown in the bar; the tooltip has all of it


@dataclass(frozen=True)
class BackupWords:
    text: str
    tone: str  # the stylesheet's tones: "ok", "muted", "warning", "danger"
    tooltip: str


def _capital(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def _when(entry, zone: ZoneInfo, now: datetime | None) -> str:
    return local_moment(datetime.fromisoformat(entry.at), zone, now) if entry is not None else "never"


def backup_words(look: BackupLook | None, running: str | None, outcome: BackupOutcome | None, problem: str | None,
                 zone: ZoneInfo, now: datetime | None = None) -> BackupWords | None:
    """None before anything is known (the bar then shows nothing about backups)."""
    where = f" to {look.destination}" if look is not None else ""
    if running:
        return BackupWords("Backing up…", "muted", f"A backup is being written{where}, then read back and checked.")
    last = look.last_success if look is not None else None
    failure = problem or (outcome.error if outcome is not None else None)
    if failure is None and look is not None and look.last_attempt is not None and not look.last_attempt.ok and (
            last is None or look.last_attempt.at >= last.at):
        failure = look.last_attempt.error or "no reason was recorded"
    if failure:
        shown = _capital(failure)
        if " (" in shown:  # a detail in brackets waits for the tooltip: the bar keeps what to do
            shown = shown[: shown.index(" (")]
        if len(shown) > LONGEST:
            shown = shown[: LONGEST - 1].rstrip() + "…"
        return BackupWords(f"Backup failed: {shown}", "danger",
                           f"{_capital(failure)}. The last good backup: {_when(last, zone, now)}. "
                           "Nadi tries again within minutes; Admin → Backups has the plan and Back up now.")
    if look is None:
        return None
    if last is None:
        if look.plan.every_hours == 0:
            return BackupWords("No backups: scheduled backups are off", "warning", "Turn them on under Admin → Backups.")
        return BackupWords("No backup yet", "warning", f"The first is made within minutes{where}.")
    text = f"Last backup {_when(last, zone, now)}"
    tone = "muted"
    tips = [f"The last good backup was written{where} and checked at {_when(last, zone, now)}."]
    if last.uploaded:
        tips.append("A copy is on the hub.")
    elif last.uploaded is False:
        text += " · not on the hub"
        tone = "warning"
        tips.append("Its copy did not reach the hub; the next backup tries again.")
    if look.same_disk_only:
        tips.append("Backups are on the same disk as the data: choose a USB drive or another disk under Admin → Backups.")
    if look.plan.every_hours == 0:
        text += " · scheduled backups off"
        tone = "warning"
    return BackupWords(text, tone, " ".join(tips))


class BackupStatus(QLabel):
    """The backups part of the window's status bar, kept up to date by the scheduler."""

    def __init__(self, scheduler: BackupScheduler) -> None:
        super().__init__(objectName="backup_status")
        self.scheduler = scheduler
        self.setProperty("tone", "muted")
        self.hide()
        scheduler.changed.connect(self.show_state)
        self.show_state()

    def show_state(self) -> None:
        s = self.scheduler
        words = backup_words(s.look, s.running, s.outcome, s.problem, s.zone)
        if words is None:
            self.hide()
            return
        self.setText(words.text)
        self.setToolTip(words.tooltip)
        self.setProperty("tone", words.tone)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
