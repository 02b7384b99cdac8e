"""The first start on an empty data directory: the clinic, its first admin, and the recovery key.

Everything typed is checked page by page before anything is written, so Finish either makes the
whole clinic (clinic, admin with a PIN, starter price list) or reports why it could not; the one
gap a check cannot close (the disk failing between two writes) is said plainly, and Finish again
completes what was left.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from core.errors import InvalidInput
from core.services.clinic import StaffInput, check_clinic_details, setup_clinic
from core.services.price_list import add_starter_price_list
from core.services.staff_access import check_secret, set_credential
from core.storage.database import Actor, Database
from core.validation import parse
from desktop.admin import CLINIC_FIELDS
from desktop.tasks import Tasks
from desktop.widgets.feedback import error_label, mark_invalid, say

CHECKBOX_TEXT = "I have written down the recovery key and will keep it safe"


class ClinicPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Your clinic")
        self.setSubTitle("Printed on every prescription and bill. Only the name is needed now; the rest can be added later under Admin.")
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setVerticalSpacing(4)
        for field, label, hint in CLINIC_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"setup_{field}")
            edit.setPlaceholderText(hint or "")
            edit.textChanged.connect(self.completeChanged)
            error = error_label(f"setup_{field}_error")
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(edit)
            box.addWidget(error)
            form.addRow(f"{label}:" if field != "name" else "Clinic name *:", box)
            self.edits[field], self.errors[field] = edit, error

    def values(self) -> dict[str, str]:
        return {field: edit.text().strip() for field, edit in self.edits.items() if edit.text().strip()}

    def isComplete(self) -> bool:
        return len(self.edits["name"].text().strip()) >= 2 and not self.wizard().busy

    def validatePage(self) -> bool:
        problems = check_clinic_details(self.values())
        labels = {field: label for field, label, _ in CLINIC_FIELDS}
        for field, edit in self.edits.items():
            problem = problems.get(field, "")
            mark_invalid(edit, bool(problem))
            say(self.errors[field], f"{labels[field]}: {problem}" if problem else "")
        if problems:
            next(self.edits[f] for f in self.edits if f in problems).setFocus()
        return not problems


class AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The first admin")
        self.setSubTitle("The admin adds the clinic's doctors and staff, sets their PINs and keeps the price list.")
        self.name = QLineEdit()
        self.name.setObjectName("setup_admin_name")
        self.name.setPlaceholderText("Full name")
        self.kind = QComboBox()
        self.kind.setObjectName("setup_secret_kind")
        self.kind.addItem("PIN (4 to 8 digits)", "pin")
        self.kind.addItem("Password (8 or more characters)", "password")
        self.secret = QLineEdit()
        self.secret.setObjectName("setup_secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("setup_secret_again")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setPlaceholderText("The same again")
        for edit in (self.name, self.secret, self.again):
            edit.textChanged.connect(self.completeChanged)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.error = error_label("setup_admin_error")
        hint = QLabel("Avoid easy PINs such as 1234 or 1111. The admin logs in with it every day.")
        hint.setProperty("tone", "muted")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Admin's name *:", self.name)
        form.addRow("Log in with:", self.kind)
        form.addRow("PIN or password *:", self.secret)
        form.addRow("Again *:", self.again)
        # Wrapped labels sit outside the form: a form row does not grow to fit wrapped text.
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.secret.setPlaceholderText("4 to 8 digits" if self.kind.currentData() == "pin" else "At least 8 characters")

    def isComplete(self) -> bool:
        return bool(self.name.text().strip() and self.secret.text() and self.again.text()) and not self.wizard().busy

    def validatePage(self) -> bool:
        kind, secret = self.kind.currentData(), self.secret.text()
        word = "PIN" if kind == "pin" else "password"
        try:
            parse(StaffInput, {"full_name": self.name.text(), "role": "admin"})
        except InvalidInput as exc:
            say(self.error, "Name: " + next(iter(exc.problems.values())))
            self.name.setFocus()
            return False
        problem = check_secret(kind, secret)
        if not problem and secret != self.again.text():
            problem = f"the two {word}s are not the same; type it again in both boxes"
        if problem:
            say(self.error, problem[:1].upper() + problem[1:])
            self.again.clear()
            self.secret.selectAll()
            self.secret.setFocus()
            return False
        say(self.error, "")
        return True

    def values(self) -> tuple[dict, str, str]:
        return {"full_name": self.name.text(), "role": "admin"}, self.secret.text(), self.kind.currentData()


class RecoveryKeyPage(QWizardPage):
    def __init__(self, recovery_key: str) -> None:
        super().__init__()
        self.recovery_key = recovery_key
        self.setTitle("The recovery key")
        self.setSubTitle("Shown this once. Write it down or print it, and keep it somewhere other than this PC.")
        why = QLabel(
            "The clinic's data on this PC is encrypted. If this PC breaks or is replaced, this key is the only "
            "way to open the data on another PC: without it, nobody can recover it, not even Nadi's makers."
        )
        why.setWordWrap(True)
        self.key = QLabel(recovery_key)
        self.key.setObjectName("recovery_key")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Set on the label itself: the window's stylesheet fixes one size for every widget.
        self.key.setStyleSheet("font-family: 'DejaVu Sans Mono', Consolas, 'Courier New', monospace; font-size: 20pt; font-weight: bold; padding: 12px;")
        self.key.setProperty("box", "panel")
        self.copy = QPushButton("&Copy")
        self.copy.setObjectName("recovery_copy")
        self.copy.clicked.connect(self.copy_key)
        self.save = QPushButton("&Save to file…")
        self.save.setObjectName("recovery_save")
        self.save.clicked.connect(self.choose_file)
        self.saved = error_label("recovery_saved")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addWidget(self.save)
        buttons.addWidget(self.saved)
        buttons.addStretch(1)
        self.confirm = QCheckBox(CHECKBOX_TEXT)
        self.confirm.setObjectName("recovery_confirm")
        self.confirm.toggled.connect(self.completeChanged)
        self.error = error_label("setup_finish_error")
        layout = QVBoxLayout(self)
        layout.addWidget(why)
        layout.addSpacing(8)
        layout.addWidget(self.key)
        layout.addLayout(buttons)
        layout.addSpacing(8)
        layout.addWidget(self.confirm)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return self.confirm.isChecked() and not self.wizard().busy

    def copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self.recovery_key)
        say(self.saved, "Copied. Paste it somewhere other than this PC.", "ok")

    def choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the recovery key", str(Path.home() / "Nadi recovery key.txt"), "Text files (*.txt)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        clinic = self.wizard().field_clinic_name()
        text = (
            f"Nadi recovery key for {clinic}\n"
            f"Made on {date.today().isoformat()}\n\n"
            f"    {self.recovery_key}\n\n"
            "Keep this somewhere other than the clinic PC (printed, or on a USB stick kept safe).\n"
            "To open the clinic's data on a new PC: copy the data folder over, then run\n"
            "    nadi key recover --data-dir <data folder>\n"
            "and type this key.\n"
        )
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            say(self.saved, f"Not saved: {exc.strerror or exc} ({path})")
            return False
        say(self.saved, f"Saved to {path}. Move it off this PC.", "ok")
        return True


class FirstRunWizard(QWizard):
    """Walks through setting up a new clinic. After `accepted`, `admin_actor` is the admin, logged in."""

    def __init__(self, db: Database, recovery_key: str | None, parent: QWidget | None = None, tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run")
        self.setWindowTitle("Nadi — set up your clinic")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.db = db
        self.busy = False
        self.admin_actor: Actor | None = None
        self._own_tasks = tasks is None
        self.tasks = tasks or Tasks(self)
        self._made: dict[str, Actor] = {}  # what Finish already wrote, so a retry completes the rest

        self.clinic_page = ClinicPage()
        self.admin_page = AdminPage()
        self.addPage(self.clinic_page)
        self.addPage(self.admin_page)
        self.recovery_page = RecoveryKeyPage(recovery_key) if recovery_key else None
        if self.recovery_page:
            self.addPage(self.recovery_page)
        for which, name in ((QWizard.WizardButton.NextButton, "setup_next"), (QWizard.WizardButton.BackButton, "setup_back"),
                            (QWizard.WizardButton.FinishButton, "setup_finish"), (QWizard.WizardButton.CancelButton, "setup_cancel")):
            self.button(which).setObjectName(name)
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton):
            button = self.button(which)
            button.setProperty("kind", "primary")  # and visibly greyed while the page is incomplete
            button.style().unpolish(button)
            button.style().polish(button)
        self.currentIdChanged.connect(self._focus_page)
        self.finished.connect(self._stop_own_tasks)
        self.resize(760, 620)

    def field_clinic_name(self) -> str:
        return self.clinic_page.edits["name"].text().strip() or "your clinic"

    def _focus_page(self, _id: int) -> None:
        page = self.currentPage()
        if page is self.clinic_page:
            page.edits["name"].setFocus()
        elif page is self.admin_page:
            page.name.setFocus()
        elif page is self.recovery_page:
            page.confirm.setFocus()

    def _last_page_error(self) -> QLabel:
        return self.recovery_page.error if self.recovery_page else self.admin_page.error

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for page in (self.clinic_page, self.admin_page, self.recovery_page):
            if page is not None:
                page.completeChanged.emit()
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(not busy)

    def accept(self) -> None:
        """Finish: write the clinic on the write lane; the dialog closes only once it is there."""
        if self.admin_actor is not None:
            super().accept()
            return
        if self.busy or not self.validateCurrentPage():  # QWizard validates in done(), after this
            return
        clinic = self.clinic_page.values()
        admin, secret, kind = self.admin_page.values()
        made = self._made
        self._set_busy(True)
        say(self._last_page_error(), "Setting up the clinic…", "muted")
        self.tasks.run(lambda: create_clinic(self.db, clinic, admin, secret, kind, made), self._created, self._failed, lane="write")

    def _created(self, actor: Actor) -> None:
        self._set_busy(False)
        self.admin_actor = actor
        say(self._last_page_error(), "")
        super().accept()

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        actor = self._made.get("admin")
        if actor is None:
            text = f"Nothing was saved. {message}"
        else:
            word = "PIN" if self.admin_page.kind.currentData() == "pin" else "password"
            text = (f"The clinic and its admin {actor.label} were saved, but the {word} or the starter price list was not: "
                    f"{message} Press Finish to try again.")
        say(self._last_page_error(), text)

    def _stop_own_tasks(self) -> None:
        if self._own_tasks:
            self.tasks.stop()


def create_clinic(db: Database, clinic: dict, admin: dict, secret: str, kind: str, made: dict) -> Actor:
    """The clinic, its admin with their PIN, and the starter price list. Run on a worker thread.

    `made` remembers the admin once the clinic is written, so a second try after a failure in the
    later steps finishes them instead of refusing because the clinic already exists."""
    if "admin" not in made:
        _, staff = setup_clinic(db, clinic, admin)
        made["admin"] = Actor(staff.id, staff.full_name, "admin")
    actor = made["admin"]
    set_credential(db, actor, actor.staff_id, secret, kind)
    add_starter_price_list(db, actor)
    return actor
