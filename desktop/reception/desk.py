"""The reception desk: find or register the patient, put them in today's queue, bill them.

Left, the search (F2) and the patient found; right, today's queue. Everything has a key:
Ctrl+N register · Ctrl+Q walk-in to the queue · Ctrl+K book for later · Ctrl+I check in ·
Ctrl+D no-show · Ctrl+P print the token slip · Ctrl+B bill.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.search.query import PatientHit
from core.services.clinic import list_staff
from core.services.visits import QueueEntry, add_to_queue, move_in_queue
from desktop.context import Desk
from desktop.reception.queue import QueueView
from desktop.reception.register import RegisterDialog
from desktop.reception.search import PatientSearch, age_sex, find_patients


class ReceptionView(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.patient: PatientHit | None = None
        self.doctors: list[tuple[str, str]] = []

        self.search = PatientSearch(desk)
        self.search.selected.connect(self._show_patient)
        self.search.chosen.connect(self._patient_chosen)

        self.card = QFrame(objectName="patient_card")
        self.card.setProperty("box", "panel")
        card = QVBoxLayout(self.card)
        self.card_title = QLabel("No patient chosen", objectName="card_title")
        self.card_title.setProperty("heading", True)
        self.card_detail = QLabel("Find the patient above, or register a new one (Ctrl+N).", objectName="card_detail")
        self.card_detail.setWordWrap(True)
        for label in (self.card_title, self.card_detail):
            label.setTextFormat(Qt.TextFormat.PlainText)  # names are shown as typed, never read as markup
        self.doctor = QComboBox(objectName="queue_doctor")
        self.reason = QLineEdit(objectName="queue_reason")
        self.reason.setPlaceholderText("Reason for the visit (optional)")
        self.reason.returnPressed.connect(self.walk_in)
        row = QHBoxLayout()
        row.addWidget(QLabel("Doctor"))
        row.addWidget(self.doctor, 1)
        row.addWidget(self.reason, 2)
        self.walk_in_button = QPushButton("Walk-in: add to queue  (Ctrl+Q)", objectName="walk_in_button")
        self.walk_in_button.setProperty("kind", "primary")
        self.walk_in_button.clicked.connect(self.walk_in)
        self.book_button = QPushButton("Book for later…  (Ctrl+K)", objectName="book_button")
        self.book_button.clicked.connect(self.book)
        self.bill_patient_button = QPushButton("Bill…  (Ctrl+B)", objectName="bill_patient_button")
        self.bill_patient_button.clicked.connect(self.bill_patient)
        register = QPushButton("Register new patient  (Ctrl+N)", objectName="register_button")
        register.clicked.connect(self.register)
        actions = QHBoxLayout()
        for b in (self.walk_in_button, self.book_button, self.bill_patient_button):
            actions.addWidget(b)
        actions.addStretch(1)
        card.addWidget(self.card_title)
        card.addWidget(self.card_detail)
        card.addLayout(row)
        card.addLayout(actions)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        title = QLabel("Find or register")
        title.setProperty("heading", True)
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(register)
        left_layout.addLayout(top)
        left_layout.addWidget(self.search, 1)
        left_layout.addWidget(self.card)

        self.queue = QueueView(desk)
        self.queue.activated.connect(lambda entry: self._queue_patient(entry))
        queue_buttons = QHBoxLayout()
        for label, name, fn in (("Check in  (Ctrl+I)", "check_in_button", lambda: self.move("checked_in")),
                                ("No-show  (Ctrl+D)", "no_show_button", lambda: self.move("no_show")),
                                ("Token slip  (Ctrl+P)", "token_button", self.print_token),
                                ("Bill  (Ctrl+B)", "bill_queue_button", self.bill_queue_entry)):
            b = QPushButton(label, objectName=name)
            b.clicked.connect(fn)
            queue_buttons.addWidget(b)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        qtitle = QLabel("Today's queue")
        qtitle.setProperty("heading", True)
        right_layout.addWidget(qtitle)
        right_layout.addWidget(self.queue, 1)
        right_layout.addLayout(queue_buttons)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([660, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        for seq, fn in (("Ctrl+N", self.register), ("Ctrl+Q", self.walk_in), ("Ctrl+K", self.book), ("Ctrl+I", lambda: self.move("checked_in")),
                        ("Ctrl+D", lambda: self.move("no_show")), ("Ctrl+P", self.print_token), ("Ctrl+B", self._bill_shortcut)):
            QShortcut(QKeySequence(seq), self, fn, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._enable_patient_actions(False)
        desk.read(lambda db: [(s.id, s.full_name) for s in list_staff(db, "doctor")], self._doctors)
        desk.staff_changed.connect(lambda: desk.read(lambda db: [(s.id, s.full_name) for s in list_staff(db, "doctor")], self._doctors))
        self.queue.refresh()

    def focus_first(self) -> None:
        self.search.focus()

    # -- the patient --------------------------------------------------------------------------

    def _doctors(self, doctors: list[tuple[str, str]]) -> None:
        self.doctors = doctors
        self.doctor.clear()
        for staff_id, name in doctors:
            self.doctor.addItem(name, staff_id)
        self.doctor.addItem("Any doctor", None)

    def _enable_patient_actions(self, on: bool) -> None:
        for w in (self.walk_in_button, self.book_button, self.bill_patient_button, self.doctor, self.reason):
            w.setEnabled(on)

    def _show_patient(self, hit: PatientHit | None) -> None:
        self.patient = hit
        self._enable_patient_actions(hit is not None)
        if hit is None:
            self.card_title.setText("No patient chosen")
            self.card_detail.setText("Find the patient above, or register a new one (Ctrl+N).")
            return
        self.card_title.setText(hit.name)
        parts = [age_sex(hit.gender, hit.age), f"Mobile {hit.mobile}" if hit.mobile else None,
                 f"ABHA {hit.abha_number}" if hit.abha_number else None, hit.abha_address]
        self.card_detail.setText("  ·  ".join(p for p in parts if p))

    def _patient_chosen(self, hit: PatientHit) -> None:
        self._show_patient(hit)
        self.reason.setFocus()

    def _queue_patient(self, entry: QueueEntry) -> None:
        self.search.box.setText(entry.mobile or entry.name)

    def register(self) -> None:
        dialog = RegisterDialog(self.desk, self.search.box.text().strip(), self)
        dialog.registered.connect(self._registered)
        dialog.use_existing.connect(self._use_existing)
        dialog.open()

    def _registered(self, patient_id: str, add_now: bool) -> None:
        self.desk.info("Patient registered.")
        self._select_by_id(patient_id, then_queue=add_now)

    def _use_existing(self, patient_id: str) -> None:
        self._select_by_id(patient_id, then_queue=False)

    def _select_by_id(self, patient_id: str, then_queue: bool) -> None:
        def found(db):
            from core.storage.models import Patient  # noqa: PLC0415

            with db.read() as session:
                p = session.get(Patient, patient_id)
                return find_patients(db, p.mobile or p.full_name), p.full_name

        def show(result) -> None:
            hits, name = result
            hit = next((h for h in hits if h.id == patient_id), None)
            self.search.box.blockSignals(True)
            self.search.box.setText(name)
            self.search.box.blockSignals(False)
            self.search.hits = [hit] if hit else []
            self.search._show(self.search.hits, name)
            if hit:
                self._show_patient(hit)
                if then_queue:
                    self.walk_in()
                else:
                    self.reason.setFocus()

        self.desk.read(found, show)

    # -- the queue -------------------------------------------------------------------------------

    def walk_in(self) -> None:
        if self.patient is None:
            self.desk.error("Choose the patient first (find them, or register them with Ctrl+N).")
            return
        data = {"patient_id": self.patient.id, "doctor_id": self.doctor.currentData(), "kind": "walk_in", "reason": self.reason.text().strip() or None}
        name = self.patient.name
        self.desk.write(lambda db, actor: add_to_queue(db, actor, data), lambda appt: self._queued(appt, name))

    def _queued(self, appt, name: str) -> None:
        self.reason.clear()
        self.queue.select_next = appt.id  # so Ctrl+P prints this patient's slip
        self.desk.queue_changed.emit()
        when = "" if appt.kind == "walk_in" else " (booked)"
        self.desk.info(f"{name}: token {appt.token_number}{when}. Ctrl+P prints the slip.")
        self.search.focus()

    def book(self) -> None:
        if self.patient is None:
            self.desk.error("Choose the patient first.")
            return
        dialog = BookDialog(self.doctors, self.doctor.currentIndex(), self)
        if dialog.exec():
            data = {"patient_id": self.patient.id, "kind": "booked"} | dialog.values()
            name = self.patient.name
            self.desk.write(lambda db, actor: add_to_queue(db, actor, data), lambda appt: self._queued(appt, name))

    def move(self, status: str) -> None:
        entry = self.queue.current()
        if entry is None:
            self.desk.error("Pick someone in today's queue first.")
            return
        word = {"checked_in": "checked in", "no_show": "marked as not come"}[status]
        self.desk.write(lambda db, actor: move_in_queue(db, actor, entry.appointment_id, status),
                        lambda _row: (self.desk.queue_changed.emit(), self.desk.info(f"Token {entry.token} {entry.name}: {word}.")))

    def print_token(self) -> None:
        entry = self.queue.current()
        if entry is None:
            self.desk.error("Pick the queue entry whose token slip to print.")
            return
        from desktop.reception.slips import print_token_slip  # noqa: PLC0415

        print_token_slip(self.desk, entry, self)

    def _bill_shortcut(self) -> None:
        if self.queue.table.hasFocus():
            self.bill_queue_entry()
        else:
            self.bill_patient()

    def bill_patient(self) -> None:
        if self.patient is None:
            self.desk.error("Choose the patient to bill first.")
            return
        self._open_bill(self.patient.id)

    def bill_queue_entry(self) -> None:
        entry = self.queue.current()
        if entry is None:
            self.desk.error("Pick the queue entry to bill.")
            return
        self._open_bill(entry.patient_id)

    def _open_bill(self, patient_id: str) -> None:
        from desktop.reception.billing import BillDialog  # noqa: PLC0415

        def with_visit(encounter_id):
            dialog = BillDialog(self.desk, patient_id, encounter_id, self)
            dialog.open()

        self.desk.read(lambda db: todays_visit(db, patient_id), with_visit)


def todays_visit(db, patient_id: str) -> str | None:
    """The patient's visit today, if any (a bill is tied to it)."""
    from sqlalchemy import select  # noqa: PLC0415

    from core.services.visits import clinic_day  # noqa: PLC0415
    from core.storage.models import Encounter  # noqa: PLC0415

    today = clinic_day(db)
    with db.read() as session:
        for enc in session.scalars(select(Encounter).where(Encounter.patient_id == patient_id, Encounter.voided_at.is_(None))
                                   .order_by(Encounter.started_at.desc()).limit(3)):
            if clinic_day(db, enc.started_at) == today:
                return enc.id
    return None


class BookDialog(QDialog):
    def __init__(self, doctors: list[tuple[str, str]], doctor_index: int, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Book an appointment")
        self.doctor = QComboBox(objectName="book_doctor")
        for staff_id, name in doctors:
            self.doctor.addItem(name, staff_id)
        self.doctor.setCurrentIndex(max(0, min(doctor_index, len(doctors) - 1)))
        self.when = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600), objectName="book_when")
        self.when.setDisplayFormat("dd-MM-yyyy  HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setMinimumDateTime(QDateTime.currentDateTime())
        self.reason = QLineEdit(objectName="book_reason")
        form = QFormLayout(self)
        form.addRow("Doctor", self.doctor)
        form.addRow("When", self.when)
        form.addRow("Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        when: datetime = self.when.dateTime().toPython().astimezone()
        return {"doctor_id": self.doctor.currentData(), "scheduled_for": when, "reason": self.reason.text().strip() or None}

