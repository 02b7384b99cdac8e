"""The prescription pad: the doctor types shorthand, one medicine a line, and sees at once what it
was read as, what is unclear, and what is unsafe for this patient.

Reading and checking run on the read lane a moment after typing pauses (only the newest text is
read). An ambiguity names the line and what to fix; a contraindicated or major alert needs a
reason before the prescription can be signed. Ctrl+R repeats the last prescription; Ctrl+Shift+S
signs it and writes the printable PDF (the print lane), opened for printing where there is a screen.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.prescribing.expand import Expansion, UnreadableLine
from core.prescribing.safety import Alert
from core.services.prescriptions import check_lines, prescribe, read_lines, sign_prescription
from desktop.context import Desk

READ_AFTER_MS = 200
SEVERITY_WORDS = {"contraindicated": "CONTRAINDICATED", "major": "MAJOR", "moderate": "Moderate", "minor": "Minor"}


@dataclass
class PadReading:
    """What the pad shows for the lines as typed."""

    lines: list[str]
    results: list[Expansion | UnreadableLine]
    alerts: list[Alert] = field(default_factory=list)

    @property
    def unclear(self) -> list[str]:
        out = []
        for n, (line, r) in enumerate(zip(self.lines, self.results, strict=True), start=1):
            if isinstance(r, UnreadableLine):
                out.append(f"line {n} ({line.strip()}): {r}")
            elif r.ambiguities:
                out.append(f"line {n} ({line.strip()}): " + "; ".join(a.message for a in r.ambiguities))
        return out


def read_pad(db, patient_id: str, lines: list[str]) -> PadReading:
    results = read_lines(db, lines)
    clean = [r for r in results if isinstance(r, Expansion)]
    alerts = check_lines(db, patient_id, clean) if clean else []
    return PadReading(lines, results, alerts)


class RxPad(QWidget):
    changed = Signal()
    signed = Signal(str, str)  # prescription id, PDF path

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.patient_id: str | None = None
        self.encounter_id: str | None = None
        self.last_prescription: list[str] = []
        self.overrides: dict[str, str] = {}
        self.reading: PadReading | None = None
        self.signed_id: str | None = None

        self.editor = QPlainTextEdit(objectName="rx_lines")
        self.editor.setPlaceholderText("One medicine a line, as you write it:\nTab Dolo 650 1-0-1 x 3 days after food\nAugmentin 625 BD x 5d\nPan 40 OD AC x 14 days")
        self.editor.textChanged.connect(self._typed)
        self.table = QTableWidget(0, 8, objectName="rx_table")
        self.table.setHorizontalHeaderLabels(["#", "Medicine", "Dose", "When", "Food", "Days", "Qty", "Check"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for col in range(8):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(7, 230)
        self.alerts_frame = QFrame(objectName="rx_alerts_frame")
        self.alerts_frame.setProperty("box", "danger")
        alerts = QVBoxLayout(self.alerts_frame)
        self.alerts_label = QLabel(objectName="rx_alerts")
        self.alerts_label.setWordWrap(True)
        self.alerts_label.setTextFormat(Qt.TextFormat.RichText)
        self.alerts_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        # Alerts scroll inside their box: the lines being checked must stay in view at 1366x768.
        scroller = QScrollArea(objectName="rx_alerts_scroll")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.alerts_label)
        scroller.setMaximumHeight(150)
        self.override_button = QPushButton("Override with a reason…  (Ctrl+O)", objectName="rx_override")
        self.override_button.clicked.connect(self.override_next)
        alerts.addWidget(scroller)
        alerts.addWidget(self.override_button, alignment=Qt.AlignmentFlag.AlignRight)
        self.alerts_frame.hide()
        self.state = QLabel(objectName="rx_state")
        self.state.setWordWrap(True)
        self.repeat_button = QPushButton("Repeat last prescription  (Ctrl+R)", objectName="rx_repeat")
        self.repeat_button.clicked.connect(self.repeat_last)
        self.sign_button = QPushButton("Sign and print  (Ctrl+Shift+S)", objectName="rx_sign")
        self.sign_button.setProperty("kind", "primary")
        self.sign_button.clicked.connect(self.sign_and_print)
        self.new_button = QPushButton("New prescription", objectName="rx_new")
        self.new_button.clicked.connect(self.start_new)
        self.new_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.repeat_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("<b>Read as</b>"))
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.alerts_frame)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Prescription</b> (shorthand is fine)"))
        left_layout.addWidget(self.editor, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([330, 850])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split, 1)
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        self._timer = QTimer(self, singleShot=True, interval=READ_AFTER_MS, timeout=self._read)
        for seq, fn in (("Ctrl+R", self.repeat_last), ("Ctrl+Shift+S", self.sign_and_print), ("Ctrl+O", self.override_next)):
            QShortcut(QKeySequence(seq), self, fn, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # -- the patient and visit ----------------------------------------------------------------------

    def open_visit(self, patient_id: str, encounter_id: str, last_prescription: list[str], lines: list[str] | None = None,
                   overrides: dict[str, str] | None = None) -> None:
        self.patient_id, self.encounter_id = patient_id, encounter_id
        self.last_prescription = last_prescription
        self.overrides = dict(overrides or {})
        self.signed_id = None
        self._set_signed(False)
        self.editor.blockSignals(True)
        self.editor.setPlainText("\n".join(lines or []))
        self.editor.blockSignals(False)
        self.repeat_button.setEnabled(bool(last_prescription))
        self._read()

    def lines(self) -> list[str]:
        return [line for line in self.editor.toPlainText().splitlines() if line.strip()]

    def focus_first(self) -> None:
        self.editor.setFocus()

    def _typed(self) -> None:
        self.changed.emit()
        self._timer.start()

    def _read(self) -> None:
        lines, patient_id = self.lines(), self.patient_id
        if patient_id is None:
            return
        if not lines:
            self._show(PadReading([], []))
            return
        self.desk.read(lambda db: read_pad(db, patient_id, lines), self._show, key=f"rx-read-{id(self)}")

    def _show(self, reading: PadReading) -> None:
        if reading.lines != self.lines():
            return  # typing moved on; the newer reading is on its way
        self.reading = reading
        self.table.setRowCount(len(reading.lines))
        for row, (line, r) in enumerate(zip(reading.lines, reading.results, strict=True)):
            if isinstance(r, UnreadableLine):
                cells = [str(row + 1), line.strip(), "", "", "", "", "", f"Cannot read: {r}"]
                tone = "danger"
            else:
                # A combination's full strengths run long; they are in the tooltip and on the print.
                label = r.drug_label + (f" — {r.strength}" if r.strength and len(r.strength) <= 24 else "")
                when = r.pattern or r.frequency_text or ""
                issues = [a.message for a in r.ambiguities] + [w.message for w in r.warnings]
                cells = [str(row + 1), label, r.dose_text() or "", when, r.timing or "", str(r.duration_days or ""),
                         f"{r.quantity_value} {r.quantity_unit or ''}".strip() if r.quantity_value else "", "; ".join(issues) or "✓"]
                tone = "danger" if r.ambiguities else ("warning" if r.warnings else "ok")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text if col != 1 or isinstance(r, UnreadableLine) else f"{r.drug_label}\n{r.strength or ''}")
                if col == 7:
                    item.setForeground({"danger": Qt.GlobalColor.red, "warning": Qt.GlobalColor.darkYellow, "ok": Qt.GlobalColor.darkGreen}[tone])
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self._show_alerts()
        self._update_state()

    def _show_alerts(self) -> None:
        alerts = self.reading.alerts if self.reading else []
        if not alerts:
            self.alerts_frame.hide()
            return
        rows = []
        for a in alerts:
            reason = self.overrides.get(a.key)
            head = f"<b>{SEVERITY_WORDS.get(a.severity, a.severity)}</b>" if a.needs_override else SEVERITY_WORDS.get(a.severity, a.severity)
            text = f"{head} — {html.escape(a.message)} <span style='color:#475467'>({html.escape(a.source)})</span>"
            if reason:
                text += f"<br>&nbsp;&nbsp;<span style='color:#067647'>Overridden: {html.escape(reason)}</span>"
            elif a.needs_override:
                text += "<br>&nbsp;&nbsp;<i>Needs a reason to go ahead (Ctrl+O), or change the prescription.</i>"
            rows.append(text)
        self.alerts_label.setText("<br>".join(rows))
        blocking = self.blocking()
        self.alerts_frame.setProperty("box", "danger" if blocking else "warning")
        self.alerts_frame.style().polish(self.alerts_frame)
        self.override_button.setVisible(bool(blocking) and self.signed_id is None)
        self.alerts_frame.show()

    def blocking(self) -> list[Alert]:
        alerts = self.reading.alerts if self.reading else []
        return [a for a in alerts if a.needs_override and a.key not in self.overrides]

    def _update_state(self) -> None:
        if self.signed_id:
            return
        unclear = self.reading.unclear if self.reading else []
        blocking = self.blocking()
        if not self.lines():
            text, tone = "No medicines yet.", "muted"
        elif unclear:
            text, tone = "To fix before signing: " + " · ".join(unclear), "danger"
        elif blocking:
            text, tone = f"{len(blocking)} serious alert{'s' if len(blocking) > 1 else ''} need{'s' if len(blocking) == 1 else ''} a reason (Ctrl+O) before signing.", "danger"
        else:
            text, tone = "Ready to sign (Ctrl+Shift+S).", "ok"
        self.state.setText(text)
        self.state.setProperty("tone", tone)
        self.state.style().polish(self.state)
        self.sign_button.setEnabled(not unclear and not blocking and bool(self.lines()) and self.signed_id is None)

    # -- actions ------------------------------------------------------------------------------------

    def repeat_last(self) -> None:
        if not self.last_prescription or self.signed_id:
            return
        existing = self.lines()
        self.editor.setPlainText("\n".join(existing + [line for line in self.last_prescription if line not in existing]))
        self.editor.setFocus()

    def add_lines(self, lines: list[str]) -> None:
        if self.signed_id:
            return
        existing = self.lines()
        self.editor.setPlainText("\n".join(existing + [line for line in lines if line not in existing]))

    def override_next(self) -> None:
        blocking = self.blocking()
        if not blocking:
            return
        alert = blocking[0]
        reason, ok = QInputDialog.getText(self, "Go ahead despite this alert?",
                                          f"{SEVERITY_WORDS.get(alert.severity, alert.severity)}: {alert.message}\n\nWhy is it safe for this patient?")
        self.override(alert.key, reason) if ok else None

    def override(self, key: str, reason: str) -> bool:
        reason = reason.strip()
        if len(reason) < 5:
            self.desk.error("Say why it is safe to go ahead despite this alert (a few words at least).")
            return False
        self.overrides[key] = reason
        self.changed.emit()
        self._show_alerts()
        self._update_state()
        return True

    def sign_and_print(self) -> None:
        if not self.sign_button.isEnabled() or self.encounter_id is None:
            self._update_state()
            return
        lines, encounter_id = self.lines(), self.encounter_id
        overrides = {k: v for k, v in self.overrides.items() if any(a.key == k for a in (self.reading.alerts if self.reading else []))}
        self.sign_button.setEnabled(False)
        self.state.setText("Signing…")

        def sign(db, actor):
            rx = prescribe(db, actor, encounter_id, lines, overrides)
            return sign_prescription(db, actor, rx.id).id

        self.desk.write(sign, self._signed, self._sign_failed)

    def _sign_failed(self, message: str) -> None:
        self.desk.error(message)
        self._update_state()

    def _signed(self, prescription_id: str) -> None:
        self.signed_id = prescription_id
        self._set_signed(True)
        self.state.setText("Signed. Writing the printable copy…")
        from desktop.consult.rx_print import write_prescription_pdf  # noqa: PLC0415
        from desktop.printing.fonts import ensure_fonts  # noqa: PLC0415

        ensure_fonts()  # registered on the UI thread; the print lane then only lays out
        db = self.desk.db
        self.desk.tasks.run(lambda: write_prescription_pdf(db, prescription_id), lambda path: self._printed(prescription_id, path),
                            self.desk.error, lane="print")

    def _printed(self, prescription_id: str, path: Path) -> None:
        self.state.setText(f"Signed and saved for printing: {path}")
        self.state.setProperty("tone", "ok")
        self.state.style().polish(self.state)
        self.signed.emit(prescription_id, str(path))
        from desktop.consult.rx_print import open_for_printing  # noqa: PLC0415

        open_for_printing(path)

    def _set_signed(self, signed: bool) -> None:
        self.editor.setReadOnly(signed)
        self.sign_button.setVisible(not signed)
        self.repeat_button.setVisible(not signed)
        self.new_button.setVisible(signed)
        self.override_button.setVisible(False)

    def start_new(self) -> None:
        """A further prescription in the same visit (the signed one stays as it is)."""
        if self.patient_id and self.encounter_id:
            self.open_visit(self.patient_id, self.encounter_id, self.last_prescription)
            self.editor.setFocus()

    def show_signed(self, prescription_id: str, lines: list[str]) -> None:
        """Reopening a visit whose prescription is already signed."""
        self.editor.blockSignals(True)
        self.editor.setPlainText("\n".join(lines))
        self.editor.blockSignals(False)
        self.signed_id = prescription_id
        self._set_signed(True)
        self.state.setText("This visit's prescription is signed. 'New prescription' starts another.")
        self._read()
