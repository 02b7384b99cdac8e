"""Today's queue, as reception and the doctor see it. It refreshes whenever the queue changes —
on this PC at once (desk.queue_changed), and from another PC or process within a few seconds (the
window watches the database's change sequence)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from core.services.visits import QueueEntry, queue_board
from desktop.context import Desk
from desktop.reception.search import age_sex
from desktop.style import COLOURS

STATUS_WORDS = {"booked": "Booked", "checked_in": "Waiting", "in_consult": "With doctor", "done": "Seen", "no_show": "No-show"}
STATUS_ORDER = {"in_consult": 0, "checked_in": 1, "booked": 2, "done": 3, "no_show": 4}


def _time(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M") if at else ""


class QueueView(QWidget):
    activated = Signal(object)  # QueueEntry: Enter or double-click

    def __init__(self, desk: Desk, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.compact = compact
        self.entries: list[QueueEntry] = []
        self.only_doctor: str | None = None
        self.select_next: str | None = None  # an appointment to highlight once it is shown (just added)
        self.zone = ZoneInfo(desk.db.settings.clinic_timezone)
        self.summary = QLabel(objectName="queue_summary")
        columns = ["Token", "Patient", "Status"] if compact else ["Token", "Patient", "Sex / age", "Doctor", "Reason", "Status", "Time"]
        self.table = QTableWidget(0, len(columns), objectName="queue_table")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(len(columns)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(lambda _i: self._activate())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        desk.queue_changed.connect(self.refresh)

    def refresh(self) -> None:
        self.desk.read(queue_board, self._show, key=f"queue-{id(self)}")

    def current(self) -> QueueEntry | None:
        row = self.table.currentRow()
        if not (0 <= row < len(self.entries)) or not self.table.selectedItems():
            return None
        return self.entries[row]

    def _show(self, entries: list[QueueEntry]) -> None:
        keep = self.select_next or (self.current().appointment_id if self.current() else None)
        self.select_next = None
        if self.only_doctor:
            entries = [e for e in entries if e.doctor_id in (self.only_doctor, None)]
        entries = sorted(entries, key=lambda e: (STATUS_ORDER.get(e.status, 9), e.token or 0)) if self.compact else entries
        self.entries = entries
        waiting = sum(e.status == "checked_in" for e in entries)
        booked = sum(e.status == "booked" for e in entries)
        seen = sum(e.status == "done" for e in entries)
        self.summary.setText(f"<b>Today</b>: {waiting} waiting · {booked} booked · {seen} seen" + ("" if self.compact else f" · {len(entries)} in all"))
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            when = _time(e.checked_in_at or e.scheduled_for, self.zone)
            values = [str(e.token or ""), e.name, STATUS_WORDS.get(e.status, e.status)] if self.compact else [
                str(e.token or ""), e.name, age_sex(e.gender, e.age), e.doctor or "—", e.reason or "", STATUS_WORDS.get(e.status, e.status), when]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if e.status in ("done", "no_show"):
                    item.setForeground(QBrush(QColor(COLOURS["muted"])))
                elif e.status == "in_consult":
                    item.setBackground(QBrush(QColor(COLOURS["accent_bg"])))
                self.table.setItem(row, col, item)
        row = next((n for n, e in enumerate(entries) if e.appointment_id == keep), None)
        if row is not None:
            self.table.selectRow(row)

    def _activate(self) -> None:
        entry = self.current()
        if entry is not None:
            self.activated.emit(entry)
