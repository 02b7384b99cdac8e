"""Find a patient as you type: name, mobile, ABHA or another id, best match first.

Each keystroke asks the read lane for the newest query only (older ones not yet started are
skipped, stale answers dropped), so the list follows the typing and never lags behind it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from core.search.query import PatientHit, search_patients
from desktop.context import Desk

GENDER_SHORT = {"male": "M", "female": "F", "other": "O", "unknown": "?"}


def find_patients(db, text: str) -> list[PatientHit]:
    with db.read() as session:
        return search_patients(session.connection(), text, limit=db.settings.search_limit)


def age_sex(gender: str, age: int | None) -> str:
    return f"{GENDER_SHORT.get(gender, '?')} {age if age is not None else '?'}"


class PatientSearch(QWidget):
    chosen = Signal(object)  # PatientHit: Enter or double-click on a result
    selected = Signal(object)  # PatientHit | None: the highlighted result changed

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.hits: list[PatientHit] = []
        self.box = QLineEdit(objectName="search_box")
        self.box.setPlaceholderText("Find a patient: name, mobile (last 4 digits will do), ABHA, or file number   — F2")
        self.box.setClearButtonEnabled(True)
        self.box.textChanged.connect(self._ask)
        self.box.returnPressed.connect(self._enter_from_box)
        self.box.installEventFilter(self)
        self.table = QTableWidget(0, 4, objectName="search_results")
        self.table.setHorizontalHeaderLabels(["Name", "Sex / age", "Mobile", "ABHA number"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemActivated.connect(lambda _item: self._choose_current())
        self.table.itemSelectionChanged.connect(lambda: self.selected.emit(self.current()))
        self.count = QLabel(objectName="search_count")
        self.count.setProperty("tone", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)

    def focus(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    def current(self) -> PatientHit | None:
        row = self.table.currentRow()
        return self.hits[row] if 0 <= row < len(self.hits) and self.table.selectedItems() else None

    def _ask(self, text: str) -> None:
        text = text.strip()
        if not text:
            self._show([], "")
            return
        self.desk.read(lambda db: find_patients(db, text), lambda hits: self._show(hits, text), key="patient-search")

    def _show(self, hits: list[PatientHit], text: str) -> None:
        if text != self.box.text().strip():
            return  # typing moved on while this was found; the newer answer is on its way
        self.hits = hits
        self.table.setRowCount(len(hits))
        for row, h in enumerate(hits):
            for col, value in enumerate((h.name, age_sex(h.gender, h.age), h.mobile or "", h.abha_number or h.abha_address or "")):
                self.table.setItem(row, col, QTableWidgetItem(value))
        if hits:
            self.table.selectRow(0)
        self.count.setText("" if not text else (f"{len(hits)} found — ↓ to move, Enter to choose" if hits else "No patient matches. Register a new one with Ctrl+N."))
        self.selected.emit(self.current())

    def _enter_from_box(self) -> None:
        if self.hits:
            self._choose_current()

    def _choose_current(self) -> None:
        hit = self.current()
        if hit is not None:
            self.chosen.emit(hit)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        # Up and down in the box move through the results without leaving the box.
        from PySide6.QtCore import QEvent  # noqa: PLC0415

        if watched is self.box and event.type() == QEvent.Type.KeyPress and self.hits:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(event.key())
            if step:
                row = max(0, min(len(self.hits) - 1, self.table.currentRow() + step))
                self.table.selectRow(row)
                return True
        return super().eventFilter(watched, event)
