"""The Sync screen's connection part: which hub and clinic this PC syncs with, as which device, when it
last synced, what is waiting, the last problem, and "Sync now"; on a PC that has not joined a hub, the
admin's form to join one with the enrolment token clinic IT gives.

Joining talks to the hub, so it runs on the write lane like any other write (never on the UI
thread); a refusal is shown under the form in the hub's own words, with what to do.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from core.storage.models import AuditEvent
from desktop.context import Desk
from desktop.sync.status_bar import plural, sync_words
from desktop.sync.times import clinic_zone, local_moment
from desktop.widgets.feedback import error_label, mark_invalid, say
from sync.agent.enrol import Enrolled, enrol
from sync.agent.hub_client import HubRefused, HubUnreachable
from sync.agent.state import SyncStatus, load_state, sync_status

SYNC_NOW_KEY = "Ctrl+Shift+Y"


@dataclass(frozen=True)
class Connection:
    status: SyncStatus
    device_id: str | None
    hub_clinic_name: str | None  # as the hub named it when this PC joined
    pc_name: str | None
    joined_at: datetime | None


def read_connection(db) -> Connection:
    status = sync_status(db)
    state = load_state(db)
    if state is None:
        return Connection(status, None, None, None, None)
    with db.read() as session:
        detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "sync.enrolled").order_by(AuditEvent.seq.desc()).limit(1))
    joined = json.loads(detail) if detail else {}
    return Connection(status, state.device_id, joined.get("clinic_name"), joined.get("device_name"), state.enrolled_at)


@dataclass(frozen=True)
class JoinFailed:
    """The hub could not be reached or said no: nothing was written, the form says why."""

    message: str


def join_hub(db, actor, hub_url: str, token: str, pc_name: str) -> Enrolled | JoinFailed:
    try:
        return enrol(db, actor, hub_url, token, pc_name or None)
    except HubRefused as exc:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc)
        return JoinFailed(f"The hub said no: {detail.rstrip('.')}. Check the token with clinic IT, or ask them for a new one.")
    except HubUnreachable as exc:
        text = str(exc)
        return JoinFailed(f"{text[:1].upper()}{text[1:]}. Check the address, and that this PC is on the network the hub is on; then try again.")


def _value(name: str) -> QLabel:
    label = QLabel("—", objectName=name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # IT may need to copy the ids
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("tone", "muted")
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return label


class ConnectionPanel(QGroupBox):
    """`joined` is emitted when this PC has just joined a hub."""

    joined = Signal()

    def __init__(self, desk: Desk, can_join: bool, parent: QWidget | None = None) -> None:
        super().__init__("Connection", parent)
        self.setObjectName("sync_connection")
        self.desk = desk
        self.can_join = can_join
        self.connection: Connection | None = None
        self.showing = "nothing yet"  # then "joined" (the hub's details) or "alone" (not syncing)

        # Shown one at a time, not stacked: a stack is as tall as its tallest page.
        self.joined_page = self._joined_page()
        self.alone_page = self._not_joined_page()
        self.joined_page.hide()
        self.alone_page.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 6)
        layout.addWidget(self.joined_page)
        layout.addWidget(self.alone_page)

    # -- a PC that syncs --------------------------------------------------------------------------

    def _joined_page(self) -> QWidget:
        page = QWidget()
        self.hub = _value("sync_hub")
        self.clinic = _value("sync_clinic")
        self.device = _value("sync_device")
        self.last_sync = _value("sync_last_sync")
        self.waiting = _value("sync_waiting")
        self.problem = _value("sync_problem")
        self.sync_button = QPushButton(f"&Sync now  ({SYNC_NOW_KEY})", objectName="sync_now")
        self.sync_button.setAutoDefault(True)
        self.sync_button.clicked.connect(self.sync_now)
        self.agent_state = QLabel(objectName="sync_agent_state")
        self.agent_state.setWordWrap(True)
        self.agent_state.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        for row, (left, left_value, right, right_value) in enumerate((
            ("Hub:", self.hub, "Last sync:", self.last_sync),
            ("Clinic:", self.clinic, "Changes waiting:", self.waiting),
            ("This PC:", self.device, "Last problem:", self.problem),
        )):
            grid.addWidget(_caption(left), row, 0)
            grid.addWidget(left_value, row, 1)
            grid.addWidget(_caption(right), row, 2)
            grid.addWidget(right_value, row, 3)
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(3, 5)
        now = QVBoxLayout()
        now.addWidget(self.sync_button)
        now.addWidget(self.agent_state)
        now.addStretch(1)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid, 5)
        layout.addLayout(now, 1)
        return page

    # -- a PC on its own --------------------------------------------------------------------------

    def _not_joined_page(self) -> QWidget:
        page = QWidget()
        self.alone = QLabel(objectName="sync_alone")
        self.alone.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.alone)
        if not self.can_join:
            ask = QLabel("The admin (or clinic IT) joins this PC to the clinic's hub, with the enrolment token clinic IT gives.")
            ask.setProperty("tone", "muted")
            ask.setWordWrap(True)
            layout.addWidget(ask)
            return page

        form_box = QFrame()
        form_box.setProperty("box", "panel")
        form = QFormLayout(form_box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        heading = QLabel("<b>Join a hub</b>")
        self.join_hub_url = QLineEdit(objectName="join_hub_url")
        self.join_hub_url.setPlaceholderText("e.g. http://192.168.1.10:8765 or https://hub.example.in (clinic IT has it)")
        self.join_token = QLineEdit(objectName="join_token")
        self.join_token.setPlaceholderText("The enrolment token clinic IT gave for this clinic")
        self.join_name = QLineEdit(socket.gethostname() or "", objectName="join_pc_name")
        self.join_name.setPlaceholderText("How the hub lists this PC, e.g. Reception PC")
        for edit in (self.join_hub_url, self.join_token, self.join_name):
            edit.returnPressed.connect(self.join)
        self.join_button = QPushButton("&Join the hub", objectName="join_button")
        self.join_button.setProperty("kind", "primary")
        self.join_button.setAutoDefault(True)
        self.join_button.clicked.connect(self.join)
        self.join_error = error_label("join_error")
        form.addRow(heading)
        form.addRow("Hub address:", self.join_hub_url)
        form.addRow("Enrolment token:", self.join_token)
        form.addRow("Name of this PC:", self.join_name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.join_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        form.addRow("", self.join_error)
        row = QHBoxLayout()
        row.addWidget(form_box, 3)
        row.addStretch(2)
        layout.addLayout(row)
        return page

    def focus_first(self) -> bool:
        """Put the cursor in the join form when there is one to fill; False when there is not."""
        if self.showing == "alone" and self.can_join:
            self.join_hub_url.setFocus()
            return True
        return False

    # -- reading and showing ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read everything afresh (on opening the screen, after joining). Each round's news comes
        through `show_agent`, without re-reading what only joining changes."""
        self.desk.read(read_connection, self._show, lambda message: say(self.problem, message), key="sync.connection")

    def _show(self, connection: Connection) -> None:
        self.connection = connection
        self._show_status(connection.status)
        self._show_live()

    def _show_status(self, status: SyncStatus) -> None:
        connection = self.connection
        zone = clinic_zone(self.desk.db)
        if not status.enrolled:
            waiting = f" The {plural(status.pending_changes, 'change')} made here go up when it joins." if status.pending_changes else ""
            self.alone.setText("<b>This PC is not syncing.</b> Its records stay on this PC: the clinic's other PCs do not see them, "
                               f"and there is no copy off this PC.{waiting}")
            self._show_page("alone")
            return
        self._show_page("joined")
        self.hub.setText(status.hub_url or "—")
        clinic = connection.hub_clinic_name or "this clinic"
        self.clinic.setText(f"{clinic}  ·  id {status.clinic_id}")
        self.device.setText(f"{connection.pc_name}  ·  id {connection.device_id}" if connection.pc_name else (connection.device_id or "—"))
        self.last_sync.setText(local_moment(status.last_success_at, zone) if status.last_success_at else "never yet")
        self.waiting.setText(str(status.pending_changes) if status.pending_changes else "none")
        if status.last_error:
            problem = status.last_error[:1].upper() + status.last_error[1:]
            say(self.problem, f"{problem} ({local_moment(status.last_error_at, zone)})", "danger")
        else:
            say(self.problem, "none", "muted")

    def _show_page(self, showing: str) -> None:
        self.showing = showing
        self.joined_page.setVisible(showing == "joined")
        self.alone_page.setVisible(showing == "alone")

    def show_agent(self) -> None:
        """News from the agent (after each round, on "Sync now"): the live line and the status."""
        self._show_live()
        agent = self.desk.sync
        status = agent.status if agent is not None else None
        if status is None or self.connection is None:
            return
        known = self.connection.status
        if (status.enrolled, status.hub_url, status.clinic_id) != (known.enrolled, known.hub_url, known.clinic_id):
            self.reload()  # joined (here, or with `nadi sync enroll`): the hub's names and this PC's id are new
            return
        self.connection = replace(self.connection, status=status)
        self._show_status(status)

    def _show_live(self) -> None:
        """The line beside "Sync now": what the agent is doing."""
        agent = self.desk.sync
        if agent is None or not agent.running:
            self.sync_button.setEnabled(False)
            self.sync_button.setToolTip("Sync does not run in this window")
            say(self.agent_state, "Sync does not run in this window.", "muted")
            return
        self.sync_button.setEnabled(not agent.syncing)
        self.sync_button.setToolTip(SYNC_NOW_KEY)
        words = sync_words(agent.status, agent.report, agent.syncing, agent.offline_since, clinic_zone(self.desk.db))
        say(self.agent_state, words.text, words.tone)
        self.agent_state.setToolTip(words.tooltip)

    # -- actions ----------------------------------------------------------------------------------

    def sync_now(self) -> None:
        agent = self.desk.sync
        if agent is not None and agent.running and self.showing == "joined":
            agent.sync_now()

    def join(self) -> None:
        if not self.can_join or self.showing != "alone":
            return
        hub_url, token, name = self.join_hub_url.text().strip(), self.join_token.text().strip(), self.join_name.text().strip()
        mark_invalid(self.join_hub_url, not hub_url)
        mark_invalid(self.join_token, not token)
        if not hub_url or not token:
            missing = "the hub's address" if not hub_url else "the enrolment token"
            say(self.join_error, f"Type {missing} (clinic IT has it).")
            (self.join_hub_url if not hub_url else self.join_token).setFocus()
            return
        say(self.join_error, "Asking the hub…", "muted")
        self.join_button.setEnabled(False)
        self.desk.write(lambda db, actor: join_hub(db, actor, hub_url, token, name), self._joined, self._join_failed)

    def _joined(self, result: Enrolled | JoinFailed) -> None:
        self.join_button.setEnabled(True)
        if isinstance(result, JoinFailed):
            self._join_failed(result.message)
            return
        say(self.join_error, "")
        self.join_token.clear()  # it was for one use
        self.desk.info(f"This PC joined {result.clinic_name} at {result.hub_url}. The first sync is starting.")
        agent = self.desk.sync
        if agent is not None:
            agent.refresh()
            agent.sync_now()
        self.reload()
        self.joined.emit()

    def _join_failed(self, message: str) -> None:
        self.join_button.setEnabled(True)
        say(self.join_error, message)
        self.join_hub_url.setFocus()
