"""What the status bar says about sync, in words a person at the desk can act on: whether this PC
shares its records, whether the hub is reachable and since when, what is waiting to go up, and what
needs a person (dead letters, possible duplicates), the last two opening the Sync screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.sync.times import local_moment

if TYPE_CHECKING:  # the window shows this bar before the agent (and its HTTP client) is loaded
    from sync.agent.run import SyncReport
    from sync.agent.state import SyncStatus

SHORT_REASON = 60  # characters of a problem shown in the bar; the tooltip has all of it


@dataclass(frozen=True)
class SyncWords:
    text: str
    tone: str  # the stylesheet's tones: "ok", "muted", "warning", "danger"
    tooltip: str


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def short_reason(error: str) -> str:
    """The first clause of a problem ("the hub at … cannot be reached (ConnectError: …)" → "the hub
    at … cannot be reached"), cut to fit the bar."""
    text = error.strip()
    for stop in (" (", ": ", "; ", ". "):
        at = text.find(stop)
        if 0 < at:
            text = text[:at]
    return text if len(text) <= SHORT_REASON else text[: SHORT_REASON - 1].rstrip() + "…"


def sync_words(status: SyncStatus | None, report: SyncReport | None, syncing: bool, offline_since: datetime | None,
               zone: ZoneInfo, now: datetime | None = None) -> SyncWords:
    if status is None:
        return SyncWords("Sync: starting…", "muted", "Nadi is reading this PC's sync state.")
    waiting = status.pending_changes
    if not status.enrolled:
        later = f" The {plural(waiting, 'change')} made here will go up when it joins." if waiting else ""
        return SyncWords("Not syncing · this PC only", "muted",
                         "This PC keeps its records to itself. The admin can join it to the clinic's hub on the "
                         f"Sync screen (F10), so the clinic's other PCs get them.{later}")
    if syncing:
        return SyncWords("Syncing…", "muted", f"Sending and fetching changes with the hub at {status.hub_url}.")
    if report is not None and not report.online:
        since = local_moment(offline_since or status.last_success_at or status.last_error_at, zone, now)
        text = f"Offline since {since}" + (f" · {plural(waiting, 'change')} waiting" if waiting else "")
        return SyncWords(text, "warning", f"{_sentence(report.error or 'the hub cannot be reached')}. Work carries on on this PC; "
                                          "what is waiting goes up by itself when the hub is back.")
    error = report.error if report is not None else _unresolved_error(status)
    if error:
        return SyncWords(f"Sync problem: {short_reason(error)}", "danger", f"{_sentence(error)}. (The Sync screen, F10, has the details.)")
    if status.last_success_at is None:
        return SyncWords("Not synced yet", "muted", f"This PC has joined the hub at {status.hub_url} and has not finished a round yet.")
    text = f"Online · synced {local_moment(status.last_success_at, zone, now)}" + (f" · {plural(waiting, 'change')} waiting" if waiting else "")
    return SyncWords(text, "ok", f"Connected to the hub at {status.hub_url}.")


def _unresolved_error(status: SyncStatus) -> str | None:
    # Without a round's report (the status was read at start-up), a problem newer than the last
    # success still stands.
    if status.last_error and (status.last_success_at is None or (status.last_error_at and status.last_error_at >= status.last_success_at)):
        return status.last_error
    return None


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def _count_button(name: str) -> QPushButton:
    button = QPushButton(objectName=name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F10 reaches the screen from the keyboard
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.hide()
    return button


class SyncStatusBar(QWidget):
    """The sync part of the window's status bar. `open_requested` carries "merges" or "dead_letters"
    when a count is clicked and the person's role has the Sync screen."""

    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_status")
        self.state = QLabel("Sync is not running in this window", objectName="sync_state")
        self.state.setProperty("tone", "muted")
        self.merges_button = _count_button("sync_merges_link")
        self.merges_button.clicked.connect(lambda: self._open("merges"))
        self.dead_button = _count_button("sync_dead_link")
        self.dead_button.clicked.connect(lambda: self._open("dead_letters"))
        self.openable = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.state)
        layout.addWidget(self.dead_button)
        layout.addWidget(self.merges_button)
        layout.addStretch(1)

    def show_sync(self, words: SyncWords, dead: int, merges: int) -> None:
        self.state.setText(words.text)
        self.state.setToolTip(words.tooltip)
        self.state.setProperty("tone", words.tone)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        self.dead_button.setText(plural(dead, "dead letter"))
        self.dead_button.setVisible(dead > 0)
        self.merges_button.setText(plural(merges, "possible duplicate"))
        self.merges_button.setVisible(merges > 0)
        self._describe_counts()

    def set_openable(self, openable: bool) -> None:
        """Whether the person logged in has the Sync screen the counts open."""
        self.openable = openable
        self._describe_counts()

    def _describe_counts(self) -> None:
        for button, kind, tip in ((self.dead_button, "dead", "Messages for the outside world that kept failing; the admin retries or dismisses them"),
                                  (self.merges_button, "merges", "Patients who may be registered twice; reception checks and merges them")):
            button.setProperty("kind", f"status_{kind}" if self.openable else f"status_{kind}_info")
            button.setToolTip(f"{tip}. " + ("Click to open the Sync screen (F10)." if self.openable else "They are handled on the Sync screen."))
            button.setCursor(Qt.CursorShape.PointingHandCursor if self.openable else Qt.CursorShape.ArrowCursor)
            button.style().unpolish(button)
            button.style().polish(button)

    def _open(self, part: str) -> None:
        if self.openable:
            self.open_requested.emit(part)
