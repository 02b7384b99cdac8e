"""The dead-letter list: work for the outside world (a relayed ABDM or NHCX message, a call to a
gateway) that kept failing or cannot succeed as it is. Nothing is dropped silently: the admin retries
it (it goes back to the queue and runs on the next sync round) or dismisses it with a reason (it
leaves the list and is kept, with who dismissed it and why). Others see the list, read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from core.storage.models import RelayMessage
from desktop.context import Desk
from desktop.sync.times import clinic_zone, local_moment
from desktop.widgets.feedback import error_label, mark_invalid, say
from sync.agent.relay_inbox import PROCESS_KIND
from sync.jobs import DeadLetter, dead_letters, dismiss_job, retry_job

SOURCE_NAMES = {"abdm": "ABDM", "nhcx": "NHCX", "webhook": "Webhook"}


@dataclass(frozen=True)
class DeadLetterRow:
    letter: DeadLetter
    what: str  # what the work was, in words


def read_dead_letters(db) -> list[DeadLetterRow]:
    letters = dead_letters(db)
    wanted = [str(l.payload.get("message_id")) for l in letters if l.kind == PROCESS_KIND and l.payload.get("message_id")]
    messages: dict[str, RelayMessage] = {}
    if wanted:
        with db.read() as session:
            messages = {m.id: m for m in session.scalars(select(RelayMessage).where(RelayMessage.id.in_(wanted)))}
    zone = clinic_zone(db)
    return [DeadLetterRow(letter, _what(letter, messages, zone)) for letter in letters]


def _what(letter: DeadLetter, messages: dict[str, RelayMessage], zone) -> str:
    if letter.kind == PROCESS_KIND:
        message = messages.get(str(letter.payload.get("message_id")))
        if message is None:
            return "A message relayed by the hub (no longer on this PC)"
        source = SOURCE_NAMES.get(message.source, message.source)
        return f"{source} message to {message.path}, received {local_moment(message.received_at, zone)}"
    return f"A “{letter.kind}” job"


def _in_words(text: str | None) -> str:
    text = (text or "no error was recorded").strip()
    return text[:1].upper() + text[1:]


class DeadLettersPanel(QWidget):
    """`changed` is emitted after a letter was retried or dismissed."""

    changed = Signal()
    counted = Signal(int)

    def __init__(self, desk: Desk, can_act: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dead_letters")
        self.desk = desk
        self.can_act = can_act
        self.rows: list[DeadLetterRow] = []

        self.table = QTableWidget(0, 4, objectName="dead_table")
        self.table.setHorizontalHeaderLabels(["What it was", "Tries", "Last error", "Stopped"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.Interactive, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(0, 380)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel("No dead letters: everything for the outside world went through or is still being tried.", objectName="dead_empty")
        self.empty.setProperty("tone", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.hide()  # until the list has been read
        self.detail = QLabel(objectName="dead_detail")
        self.detail.setProperty("tone", "muted")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.retry_button = QPushButton("Re&try", objectName="dead_retry")
        self.retry_button.setAutoDefault(True)
        self.retry_button.clicked.connect(self.retry)
        self.dismiss_ask = QPushButton("&Dismiss…", objectName="dead_dismiss")
        self.dismiss_ask.setProperty("kind", "danger")
        self.dismiss_ask.setAutoDefault(True)
        self.dismiss_ask.clicked.connect(self.ask_reason)
        self.actions = QWidget()
        buttons = QHBoxLayout(self.actions)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.dismiss_ask)
        if not can_act:
            note = QLabel("The admin retries or dismisses these.")
            note.setProperty("tone", "muted")
            buttons.addWidget(note)
            self.retry_button.hide()
            self.dismiss_ask.hide()
        buttons.addStretch(1)

        self.reason_box = QFrame(objectName="dead_reason_box")
        self.reason_box.setProperty("box", "panel")
        self.reason = QLineEdit(objectName="dead_dismiss_reason")
        self.reason.setPlaceholderText("Why give up on it? e.g. the patient withdrew consent; sent again by hand")
        self.reason.returnPressed.connect(self.dismiss)
        self.dismiss_button = QPushButton("Dismiss it", objectName="dead_dismiss_confirm")
        self.dismiss_button.setProperty("kind", "danger")
        self.dismiss_button.setAutoDefault(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        cancel = QPushButton("Cancel  (Esc)", objectName="dead_dismiss_cancel")
        cancel.setAutoDefault(True)
        cancel.clicked.connect(self._escape)
        self.reason_error = error_label("dead_dismiss_error")
        box = QVBoxLayout(self.reason_box)
        box.addWidget(QLabel("<b>Dismiss:</b> it leaves this list and is not tried again; it is kept with your reason."))
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.dismiss_button)
        row.addWidget(cancel)
        box.addLayout(row)
        box.addWidget(self.reason_error)
        self.reason_box.hide()

        self.outcome = error_label("dead_outcome")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.outcome)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.actions)
        layout.addWidget(self.reason_box)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._selection_changed()

    def focus_first(self) -> None:
        self.table.setFocus()

    # -- the list ---------------------------------------------------------------------------------

    def reload(self) -> None:
        self.desk.read(read_dead_letters, self._show, lambda message: say(self.outcome, message), key="sync.dead_letters")

    def _show(self, rows: list[DeadLetterRow]) -> None:
        chosen = self.current()
        self.rows = rows
        zone = clinic_zone(self.desk.db)
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            letter = row.letter
            for column, text in enumerate((row.what, str(letter.attempts), _in_words(letter.last_error), local_moment(letter.died_at, zone))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(number, column, item)
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()
        for shown_with_rows in (self.table, self.detail, self.actions):
            shown_with_rows.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        ids = [r.letter.id for r in rows]
        if rows:
            self.table.selectRow(ids.index(chosen.letter.id) if chosen and chosen.letter.id in ids else 0)
        self._selection_changed()
        self.counted.emit(len(rows))

    def current(self) -> DeadLetterRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) and self.table.selectedItems() else None

    def _selection_changed(self) -> None:
        row = self.current()
        for button in (self.retry_button, self.dismiss_ask):
            button.setEnabled(row is not None)
        if row is None:
            self.reason_box.hide()
            self.detail.clear()
            return
        zone = clinic_zone(self.desk.db)
        letter = row.letter
        self.detail.setText(f"Made {local_moment(letter.created_at, zone)} · kind {letter.kind} · key {letter.idempotency_key}")

    # -- retry and dismiss --------------------------------------------------------------------------

    def retry(self) -> None:
        row = self.current()
        if row is None or not self.can_act:
            return
        self.retry_button.setEnabled(False)
        self.desk.write(lambda db, actor: retry_job(db, actor, row.letter.id), lambda _job: self._done(f"Sent back to the queue: “{row.what}” is tried again on the next sync round."),
                        self._refused)

    def ask_reason(self) -> None:
        if self.current() is None or not self.can_act:
            return
        say(self.reason_error, "")
        mark_invalid(self.reason, False)
        self.reason_box.show()
        self.reason.setFocus()

    def dismiss(self) -> None:
        row = self.current()
        if row is None or not self.can_act or not self.reason_box.isVisible():
            return
        reason = self.reason.text()
        self.dismiss_button.setEnabled(False)
        self.desk.write(lambda db, actor: dismiss_job(db, actor, row.letter.id, reason), lambda _job: self._done(f"Dismissed: “{row.what}”. It is kept with your reason."),
                        self._dismiss_refused)

    def _done(self, text: str) -> None:
        self.reason_box.hide()
        self.reason.clear()
        self.dismiss_button.setEnabled(True)
        say(self.outcome, text, "ok")
        self.reload()
        self.table.setFocus()
        self.changed.emit()

    def _dismiss_refused(self, message: str) -> None:
        self.dismiss_button.setEnabled(True)
        mark_invalid(self.reason, True)
        say(self.reason_error, message)
        self.reason.setFocus()

    def _refused(self, message: str) -> None:
        say(self.outcome, f"Not done. {message}")
        self.reload()

    def _escape(self) -> None:
        self.reason_box.hide()
        self.reason.clear()
        say(self.reason_error, "")
        self.table.setFocus()
