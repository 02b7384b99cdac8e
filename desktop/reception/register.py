"""Register a new patient in under a minute: name, sex, age (or date of birth) and mobile; the rest
is optional. Likely duplicates (same mobile with a close name and age; same ABHA) are shown while
typing, before anything is saved, with a one-key way to use the existing patient instead."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from core.errors import InvalidInput
from core.services.patients import likely_duplicates, register_patient
from core.validation import age_on
from desktop.context import Desk

GENDERS = (("female", "Female  (F)"), ("male", "Male  (M)"), ("other", "Other  (O)"))
LANGUAGES = ("", "Hindi", "English", "Marathi", "Tamil", "Telugu", "Kannada", "Malayalam", "Bengali", "Gujarati", "Punjabi", "Odia", "Urdu")
DUPLICATE_CHECK_MS = 250


def parse_birth_date(text: str) -> date | None:
    """dd-mm-yyyy (or with / or .), as Indian forms write it; None when empty."""
    text = text.strip()
    if not text:
        return None
    for sep in "-/.":
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            day, month, year = (int(p) for p in parts)
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise InvalidInput({"date_of_birth": f"{text!r} is not a date; write it day-month-year, like 07-03-1981"})


class RegisterDialog(QDialog):
    registered = Signal(object, bool)  # (patient id, add to queue now)
    use_existing = Signal(str)  # the receptionist picked a likely duplicate instead

    def __init__(self, desk: Desk, name_hint: str = "", parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle("Register a new patient")
        self.setMinimumWidth(720)
        self.duplicates = []
        self._checked_key: tuple | None = None  # the details the duplicate check last answered for

        self.name = QLineEdit(objectName="reg_name")
        self.name.setPlaceholderText("Full name as on an ID")
        if name_hint and not any(ch.isdigit() for ch in name_hint):
            self.name.setText(name_hint.title())
        self.gender = QComboBox(objectName="reg_gender")
        for value, label in GENDERS:
            self.gender.addItem(label, value)
        self.gender.setCurrentIndex(-1)
        self.gender.installEventFilter(self)
        self.age = QSpinBox(objectName="reg_age")
        self.age.setRange(-1, 125)
        self.age.setSpecialValueText("—")
        self.age.setValue(-1)
        self.age.setSuffix(" years")
        self.dob = QLineEdit(objectName="reg_dob")
        self.dob.setPlaceholderText("or date of birth dd-mm-yyyy")
        self.mobile = QLineEdit(objectName="reg_mobile")
        self.mobile.setPlaceholderText("10-digit mobile")
        self.abha = QLineEdit(objectName="reg_abha")
        self.abha.setPlaceholderText("optional: 14-digit ABHA number")
        self.language = QComboBox(objectName="reg_language")
        self.language.addItems(LANGUAGES)
        self.address = QLineEdit(objectName="reg_address")
        self.address.setPlaceholderText("optional")
        self.city = QLineEdit(objectName="reg_city")
        self.city.setPlaceholderText("optional")

        form = QFormLayout()
        form.addRow("&Name *", self.name)
        form.addRow("&Sex *", self.gender)
        birth = QHBoxLayout()
        birth.addWidget(self.age)
        birth.addWidget(self.dob, 1)
        age_label = QLabel("&Age *")
        age_label.setBuddy(self.age)
        form.addRow(age_label, birth)
        form.addRow("&Mobile", self.mobile)
        form.addRow("A&BHA number", self.abha)
        form.addRow("Lan&guage", self.language)
        form.addRow("Address", self.address)
        form.addRow("City / village", self.city)

        self.dup_frame = QFrame(objectName="dup_frame")
        self.dup_frame.setProperty("box", "warning")
        dup = QVBoxLayout(self.dup_frame)
        self.dup_title = QLabel(objectName="dup_title")
        self.dup_title.setWordWrap(True)
        self.dup_list = QListWidget(objectName="dup_list")
        self.dup_list.setMaximumHeight(120)
        self.dup_list.setWordWrap(True)
        self.dup_list.itemActivated.connect(lambda _i: self._use_duplicate())
        use = QPushButton("Use this patient  (Ctrl+U)", objectName="dup_use")
        use.clicked.connect(self._use_duplicate)
        dup.addWidget(self.dup_title)
        dup.addWidget(self.dup_list)
        dup.addWidget(use, alignment=Qt.AlignmentFlag.AlignRight)
        self.dup_frame.hide()

        self.problem = QLabel(objectName="reg_problem")
        self.problem.setProperty("tone", "danger")
        self.problem.setWordWrap(True)
        self.save = QPushButton("Register  (Enter)", objectName="reg_save")
        self.save_queue = QPushButton("Register and add to queue  (Ctrl+Enter)", objectName="reg_save_queue")
        self.save_queue.setProperty("kind", "primary")
        cancel = QPushButton("Cancel  (Esc)")
        cancel.clicked.connect(self.reject)
        self.save.clicked.connect(lambda: self._submit(False))
        self.save_queue.clicked.connect(lambda: self._submit(True))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save)
        buttons.addWidget(self.save_queue)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.dup_frame)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

        QShortcut(QKeySequence("Ctrl+Return"), self, lambda: self._submit(True))
        QShortcut(QKeySequence("Ctrl+Enter"), self, lambda: self._submit(True))
        QShortcut(QKeySequence("Ctrl+U"), self, self._use_duplicate)
        self._check_timer = QTimer(self, singleShot=True, interval=DUPLICATE_CHECK_MS, timeout=self._check_duplicates)
        for w in (self.name, self.mobile, self.abha, self.dob):
            w.textChanged.connect(self._details_changed)
        self.age.valueChanged.connect(self._details_changed)
        self.gender.currentIndexChanged.connect(self._details_changed)
        self.save.setDefault(True)
        self.name.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # The name carried over from the search is kept, with the cursor after it, not selected
        # (typing the surname must not wipe it).
        QTimer.singleShot(0, lambda: (self.name.deselect(), self.name.end(False)))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        # F, M, O on the sex box pick the sex and move on to the age (the box would keep the key).
        from PySide6.QtCore import QEvent  # noqa: PLC0415

        if watched is self.gender and event.type() == QEvent.Type.KeyPress and event.text().lower() in ("f", "m", "o"):
            self.gender.setCurrentIndex(self.gender.findData({"f": "female", "m": "male", "o": "other"}[event.text().lower()]))
            self.age.setFocus()
            self.age.selectAll()
            return True
        return super().eventFilter(watched, event)

    # -- reading the form -----------------------------------------------------------------------

    def data(self, for_check: bool = False) -> dict:
        born = None
        try:
            born = parse_birth_date(self.dob.text())
        except InvalidInput:
            if not for_check:
                raise
        values = {
            "full_name": self.name.text().strip(),
            "gender": self.gender.currentData() or ("unknown" if for_check else None),
            "date_of_birth": born,
            "age_years": self.age.value() if self.age.value() >= 0 and born is None else None,
            "mobile": self.mobile.text().strip() or None,
            "abha_number": self.abha.text().strip() or None,
            "preferred_language": self.language.currentText() or None,
            "address_line": self.address.text().strip() or None,
            "city": self.city.text().strip() or None,
        }
        return values

    def _details_changed(self) -> None:
        self.problem.clear()
        self._check_timer.start()

    @staticmethod
    def _check_key(values: dict) -> tuple:
        return tuple(values.get(k) for k in ("full_name", "mobile", "abha_number", "date_of_birth", "age_years"))

    def _check_duplicates(self, then=None) -> None:
        """Look for the patient already registered; `then(found)` runs after the answer is shown."""
        values = self.data(for_check=True)
        key = self._check_key(values)
        if len(values["full_name"]) < 2 or not (values["mobile"] or values["abha_number"]):
            self._checked_key = key
            self._show_duplicates([])
            if then:
                then([])
            return
        def check(db):
            try:
                return likely_duplicates(db, values)
            except InvalidInput:
                return []  # half-typed mobile or ABHA: nothing to compare yet

        def show(found) -> None:
            self._checked_key = key
            self._show_duplicates(found)
            if then:
                then(found)

        self.desk.read(check, show, key="duplicate-check")

    def _show_duplicates(self, found) -> None:
        self.duplicates = found
        self.dup_list.clear()
        if not found:
            self.dup_frame.hide()
            self.save.setText("Register  (Enter)")
            return
        self.dup_title.setText(f"<b>Possibly already registered</b> — {len(found)} likely match{'es' if len(found) > 1 else ''}. "
                               "Use the existing patient, or register anyway if this is a different person.")
        for cand in found:
            p = cand.patient
            age = f" {age_on(p.date_of_birth, date.today())} y" if p.date_of_birth else ""
            text = "  ·  ".join(x for x in (p.full_name, f"{p.gender[:1].upper()}{age}", p.mobile, p.abha_number) if x)
            item = QListWidgetItem(f"{text}\n      {cand.reason}")
            item.setToolTip(f"{text} — {cand.reason}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.dup_list.addItem(item)
        self.dup_list.setCurrentRow(0)
        self.dup_frame.show()
        self.save.setText("Register anyway  (Enter)")

    def _use_duplicate(self) -> None:
        item = self.dup_list.currentItem()
        if item is not None and self.dup_frame.isVisible():
            self.use_existing.emit(item.data(Qt.ItemDataRole.UserRole))
            self.accept()

    # -- saving -----------------------------------------------------------------------------------

    def _submit(self, add_to_queue: bool) -> None:
        try:
            values = self.data()
        except InvalidInput as exc:
            self.problem.setText("; ".join(exc.problems.values()))
            return
        missing = [label for label, ok in (("name", values["full_name"]), ("sex", values["gender"]),
                                           ("age or date of birth", values["age_years"] is not None or values["date_of_birth"])) if not ok]
        if missing:
            self.problem.setText("Still needed: " + ", ".join(missing) + ".")
            return
        if self._check_timer.isActive() or self._checked_key != self._check_key(self.data(for_check=True)):
            # The duplicate check has not seen the latest typing: check first, save if nobody matches.
            self._check_timer.stop()
            self._check_duplicates(then=lambda found: None if found else self._submit(add_to_queue))
            return
        values = {k: v for k, v in values.items() if v is not None}
        self.save.setEnabled(False)
        self.save_queue.setEnabled(False)
        self.desk.write(lambda db, actor: register_patient(db, actor, values),
                        lambda patient: self._saved(patient.id, add_to_queue), self._refused)

    def _saved(self, patient_id: str, add_to_queue: bool) -> None:
        self.desk.patient_changed.emit(patient_id)
        self.registered.emit(patient_id, add_to_queue)
        self.accept()

    def _refused(self, message: str) -> None:
        self.save.setEnabled(True)
        self.save_queue.setEnabled(True)
        self.problem.setText(message)
