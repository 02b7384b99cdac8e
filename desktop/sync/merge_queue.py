"""The merge queue at the desk: patients who may have been registered twice (on two PCs while the
network was down, usually), shown side by side so the person at the desk can tell one person from two.

"Keep left" / "Keep right" merge the other registration into the kept one, after a confirmation that
names who is kept and what moves; "Not the same person" needs a reason (father and son sharing a
phone) and takes the pair off the queue for good. Both are ordinary synced writes: every PC of the
clinic sees the same decision.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
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

from core.services.merges import CandidateSide, CandidateView, MergeResult, dismiss_candidate, merge_patients, open_candidates
from desktop.context import Desk
from desktop.sync.status_bar import plural
from desktop.sync.times import clinic_zone, local_day, local_moment
from desktop.widgets.feedback import error_label, mark_invalid, say

GENDER_WORDS = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Not known"}
COMPARED = ("Name", "Sex", "Age", "Born", "Mobile", "ABHA", "Registered", "Visits")


def side_values(side: CandidateSide, zone) -> list[str]:
    """One registration's details in the order of COMPARED, as the desk reads them."""
    if side.date_of_birth is None:
        born = "—"
    elif side.birth_date_estimated:
        born = f"about {side.date_of_birth.year} (age told)"
    else:
        born = local_day(side.date_of_birth)
    abha = " · ".join(v for v in (side.abha_number, side.abha_address) if v) or "—"
    registered = f"{local_day(side.registered_at, zone)}, {side.registered_at.astimezone(zone):%H:%M}"
    return [side.name, GENDER_WORDS.get(side.gender, side.gender), "—" if side.age is None else str(side.age), born,
            side.mobile or "—", abha, registered, str(side.visits)]


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    return table


def _button(name: str, text: str, kind: str | None = None) -> QPushButton:
    button = QPushButton(text, objectName=name)
    if kind:
        button.setProperty("kind", kind)
    button.setAutoDefault(True)  # Enter presses the focused button, as in a dialog
    return button


class MergeQueuePanel(QWidget):
    """`decided` is emitted after a pair was merged or dismissed (the queue and counts changed)."""

    decided = Signal()
    counted = Signal(int)  # how many pairs the list shows, after each reload

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("merge_queue")
        self.desk = desk
        self.pairs: list[CandidateView] = []
        self.pending: tuple[str, str] | None = None  # (candidate id, survivor id) awaiting confirmation

        self.table = _table("merge_pairs", ["Left", "Right", "Found"])
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel("No possible duplicates: nobody seems to be registered twice.", objectName="merge_empty")
        self.empty.setProperty("tone", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.hide()  # until the list has been read

        # The two registrations side by side, a row per detail; what differs is in bold.
        self.reason = QLabel(objectName="merge_reason")
        self.reason.setWordWrap(True)
        compare_box = QFrame(objectName="merge_compare")
        compare_box.setProperty("box", "panel")
        grid = QGridLayout(compare_box)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(3)
        grid.addWidget(QLabel("<b>Left</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Right</b>"), 0, 2)
        self.compare_cells: dict[str, tuple[QLabel, QLabel]] = {}
        for row, name in enumerate(COMPARED, start=1):
            caption = QLabel(f"{name}:")
            caption.setProperty("tone", "muted")
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            cells = (QLabel(), QLabel())
            grid.addWidget(caption, row, 0)
            for column, cell in enumerate(cells, start=1):
                cell.setWordWrap(True)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(cell, row, column)
            self.compare_cells[name] = cells
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

        self.keep_left = _button("merge_keep_left", "Keep &left")
        self.keep_right = _button("merge_keep_right", "Keep &right")
        self.not_same = _button("merge_not_same", "&Not the same person…")
        self.keep_left.clicked.connect(lambda: self.ask_merge("left"))
        self.keep_right.clicked.connect(lambda: self.ask_merge("right"))
        self.not_same.clicked.connect(self.ask_reason)
        self.choices = QWidget()
        choices = QHBoxLayout(self.choices)
        choices.setContentsMargins(0, 0, 0, 0)
        for button in (self.keep_left, self.keep_right, self.not_same):
            choices.addWidget(button)
        choices.addStretch(1)

        # The confirmation sits in the screen, where the pair is, rather than in a dialog over it.
        self.confirm_box = QFrame(objectName="merge_confirm_box")
        self.confirm_box.setProperty("box", "warning")
        self.confirm_text = QLabel(objectName="merge_confirm_text")
        self.confirm_text.setWordWrap(True)
        self.confirm_button = _button("merge_confirm", "Merge", "primary")
        self.confirm_button.clicked.connect(self.merge)
        cancel = _button("merge_cancel", "Cancel  (Esc)")
        cancel.clicked.connect(self.cancel)
        confirm_layout = QVBoxLayout(self.confirm_box)
        confirm_layout.addWidget(self.confirm_text)
        row = QHBoxLayout()
        row.addWidget(self.confirm_button)
        row.addWidget(cancel)
        row.addStretch(1)
        confirm_layout.addLayout(row)
        self.confirm_box.hide()

        self.reason_box = QFrame(objectName="merge_reason_box")
        self.reason_box.setProperty("box", "panel")
        self.dismiss_reason = QLineEdit(objectName="merge_dismiss_reason")
        self.dismiss_reason.setPlaceholderText("Why are these two different people? e.g. father and son sharing a phone")
        self.dismiss_reason.returnPressed.connect(self.dismiss)
        self.dismiss_button = _button("merge_dismiss_confirm", "Mark as two people", "primary")
        self.dismiss_button.clicked.connect(self.dismiss)
        cancel_reason = _button("merge_dismiss_cancel", "Cancel  (Esc)")
        cancel_reason.clicked.connect(self.cancel)
        self.reason_error = error_label("merge_dismiss_error")
        reason_layout = QVBoxLayout(self.reason_box)
        reason_layout.addWidget(QLabel("<b>Not the same person.</b> The pair leaves the queue for good; say why, for whoever looks later."))
        row = QHBoxLayout()
        row.addWidget(self.dismiss_reason, 1)
        row.addWidget(self.dismiss_button)
        row.addWidget(cancel_reason)
        reason_layout.addLayout(row)
        reason_layout.addWidget(self.reason_error)
        self.reason_box.hide()

        self.outcome = error_label("merge_outcome")

        self.side = QWidget()
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.reason)
        side.addWidget(compare_box)
        side.addWidget(self.choices)
        side.addWidget(self.confirm_box)
        side.addWidget(self.reason_box)
        side.addStretch(1)
        split = QHBoxLayout()
        split.addWidget(self.table, 2)
        split.addWidget(self.side, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.outcome)
        layout.addWidget(self.empty, 1)
        layout.addLayout(split, 1)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show_pair(None)

    def focus_first(self) -> None:
        self.table.setFocus()

    # -- the list ---------------------------------------------------------------------------------

    def reload(self) -> None:
        self.desk.read(open_candidates, self._show_pairs, lambda message: say(self.outcome, message), key="sync.merges")

    def _show_pairs(self, pairs: list[CandidateView]) -> None:
        chosen = self.current()
        self.pairs = pairs
        zone = clinic_zone(self.desk.db)
        self.table.blockSignals(True)
        self.table.setRowCount(len(pairs))
        for row, pair in enumerate(pairs):
            for column, text in enumerate((pair.a.name, pair.b.name, local_moment(pair.found_at, zone))):
                item = QTableWidgetItem(text)
                item.setToolTip(pair.reason)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.table.setVisible(bool(pairs))
        self.empty.setVisible(not pairs)
        ids = [p.id for p in pairs]
        if self.pending and self.pending[0] not in ids:
            self.cancel()
            say(self.outcome, "That pair was settled meanwhile (on this PC or another); nothing more to do for it.", "muted")
        if pairs:
            self.table.selectRow(ids.index(chosen.id) if chosen and chosen.id in ids else 0)
        self._selection_changed()
        self.counted.emit(len(pairs))

    def current(self) -> CandidateView | None:
        row = self.table.currentRow()
        return self.pairs[row] if 0 <= row < len(self.pairs) and self.table.selectedItems() else None

    def _selection_changed(self) -> None:
        pair = self.current()
        if self.pending and (pair is None or pair.id != self.pending[0]):
            self.cancel()
        if self.reason_box.isVisible() and pair is None:
            self.cancel()
        self._show_pair(pair)

    def _show_pair(self, pair: CandidateView | None) -> None:
        for button in (self.keep_left, self.keep_right, self.not_same):
            button.setEnabled(pair is not None)
        self.side.setVisible(pair is not None)
        if pair is None:
            return
        zone = clinic_zone(self.desk.db)
        self.reason.setText(f"<b>Why they look alike:</b> {pair.reason}")
        for name, a, b in zip(COMPARED, side_values(pair.a, zone), side_values(pair.b, zone), strict=True):
            for cell, text in zip(self.compare_cells[name], (a, b), strict=True):
                cell.setText(text)
                font = cell.font()
                font.setBold(a != b)  # what differs is what the person has to judge
                cell.setFont(font)

    # -- keep one ---------------------------------------------------------------------------------

    def ask_merge(self, side: str) -> None:
        pair = self.current()
        if pair is None:
            return
        keep, gone = (pair.a, pair.b) if side == "left" else (pair.b, pair.a)
        zone = clinic_zone(self.desk.db)
        self.reason_box.hide()
        self.pending = (pair.id, keep.patient_id)
        moves = f"{plural(gone.visits, 'visit')} and everything else recorded for them" if gone.visits else "everything recorded for them"
        self.confirm_text.setText(
            f"<b>Keep {keep.name}</b> (the {side} record, registered {local_day(keep.registered_at, zone)}) "
            f"and merge {gone.name} into it?<br>{gone.name}'s registration is closed; {moves} moves to {keep.name}. "
            f"Details {keep.name} lacks (mobile, ABHA, address) are taken from {gone.name}. Every PC of the clinic gets the merge.")
        self.confirm_button.setText(f"Merge into {keep.name}  (Enter)")
        self.confirm_box.show()
        self.confirm_button.setFocus()

    def merge(self) -> None:
        if self.pending is None:
            return
        candidate_id, survivor_id = self.pending
        self.confirm_button.setEnabled(False)
        self.desk.write(lambda db, actor: merge_patients(db, actor, candidate_id, survivor_id), self._merged, self._refused)

    def _merged(self, result: MergeResult) -> None:
        kept = next((side.name for p in self.pairs for side in (p.a, p.b) if side.patient_id == result.survivor_id), "the kept record")
        self.cancel()
        moved = f"; {plural(result.rows_moved, 'record')} moved to it" if result.rows_moved else ""
        say(self.outcome, f"Merged into {kept}{moved}.", "ok")
        self.desk.patient_changed.emit(result.survivor_id)
        self.desk.queue_changed.emit()  # a queue entry of the duplicate now shows the kept patient
        self.reload()
        self.table.setFocus()
        self.decided.emit()

    # -- two people -------------------------------------------------------------------------------

    def ask_reason(self) -> None:
        if self.current() is None:
            return
        self.confirm_box.hide()
        self.pending = None
        say(self.reason_error, "")
        mark_invalid(self.dismiss_reason, False)
        self.reason_box.show()
        self.dismiss_reason.setFocus()

    def dismiss(self) -> None:
        pair = self.current()
        if pair is None or not self.reason_box.isVisible():
            return
        reason = self.dismiss_reason.text()
        self.dismiss_button.setEnabled(False)
        self.desk.write(lambda db, actor: dismiss_candidate(db, actor, pair.id, reason), lambda _row: self._dismissed(pair), self._dismiss_refused)

    def _dismissed(self, pair: CandidateView) -> None:
        self.cancel()
        say(self.outcome, f"{pair.a.name} and {pair.b.name} are kept as two people; the pair will not be asked about again.", "ok")
        self.reload()
        self.table.setFocus()
        self.decided.emit()

    def _dismiss_refused(self, message: str) -> None:
        self.dismiss_button.setEnabled(True)
        mark_invalid(self.dismiss_reason, True)
        say(self.reason_error, message)
        self.dismiss_reason.setFocus()

    # -- either -----------------------------------------------------------------------------------

    def cancel(self) -> None:
        self.pending = None
        self.confirm_box.hide()
        self.confirm_button.setEnabled(True)
        self.reason_box.hide()
        self.dismiss_button.setEnabled(True)
        self.dismiss_reason.clear()
        say(self.reason_error, "")

    def _escape(self) -> None:
        self.cancel()
        self.table.setFocus()

    def _refused(self, message: str) -> None:
        self.cancel()
        say(self.outcome, f"Not merged. {message}")
        self.reload()
