"""The log-in screen, which is also the lock screen.

Locked, it names who was working and keeps their screens as they were (typing included); the same
person unlocks with their PIN, or someone else logs in, which closes the first person's session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.storage.first_look import LoginChoice, needs_first_secret
from desktop.context import Desk

if TYPE_CHECKING:
    from core.storage.database import Actor

ROLE_NAMES = {"doctor": "Doctor", "receptionist": "Reception", "admin": "Admin", "nurse": "Nurse"}


class LoginPage(QWidget):
    logged_in = Signal(object)  # Actor
    choices_shown = Signal()  # the list of people is on screen (start-up is complete)

    def __init__(self, desk: Desk, clinic_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.locked_for: Actor | None = None
        self._choices: list[LoginChoice] = []
        self._first_secret = False

        card = QFrame()
        card.setProperty("box", "panel")
        card.setMaximumWidth(560)
        form = QVBoxLayout(card)
        form.setContentsMargins(28, 24, 28, 24)
        form.setSpacing(10)
        self.title = QLabel(clinic_name)
        self.title.setProperty("heading", True)
        self.subtitle = QLabel("Who is working? Pick your name, then type your PIN.")
        self.subtitle.setWordWrap(True)
        self.people = QListWidget(objectName="login_people")
        self.people.setMinimumHeight(180)
        self.secret = QLineEdit(objectName="login_secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("PIN or password")
        self.secret.returnPressed.connect(self._submit)
        self.confirm = QLineEdit(objectName="login_confirm")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setPlaceholderText("Type the new PIN again")
        self.confirm.returnPressed.connect(self._submit)
        self.confirm.hide()
        self.problem = QLabel(objectName="login_problem")
        self.problem.setProperty("tone", "danger")
        self.problem.setWordWrap(True)
        self.button = QPushButton("Log in", objectName="login_button")
        self.button.setProperty("kind", "primary")
        self.button.clicked.connect(self._submit)
        self.people.currentRowChanged.connect(lambda _row: (self.secret.clear(), self.problem.clear(), self.secret.setFocus()))
        self.people.itemActivated.connect(lambda _item: self.secret.setFocus())
        for w in (self.title, self.subtitle, self.people, self.secret, self.confirm, self.problem, self.button):
            form.addWidget(w)

        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(card)
        column.addStretch(2)
        outer.addLayout(column, 3)
        outer.addStretch(1)

    # -- what the window calls ----------------------------------------------------------------

    def refresh(self, choices: list[LoginChoice] | None = None) -> None:
        """Show who can log in: the list given (read at start-up), or read afresh."""
        if choices is not None:
            self._show_choices(choices)
            return
        from core.services.staff_access import login_choices  # noqa: PLC0415 - the ORM is not needed to draw the first screen

        self.desk.read(login_choices, self._show_choices)

    def lock(self, actor: Actor) -> None:
        self.locked_for = actor
        self.secret.clear()
        self.problem.clear()
        self._describe()
        self.refresh()

    def _show_choices(self, choices: list[LoginChoice]) -> None:
        self._choices = choices
        self._first_secret = needs_first_secret(choices)
        self.people.clear()
        for c in choices:
            note = "" if c.kind or self._first_secret else "  — no PIN yet"
            item = QListWidgetItem(f"{c.name}    ·  {ROLE_NAMES.get(c.role, c.role)}{note}")
            item.setData(Qt.ItemDataRole.UserRole, c.staff_id)
            self.people.addItem(item)
        self._describe()
        wanted = self.locked_for.staff_id if self.locked_for else None
        row = next((n for n, c in enumerate(choices) if c.staff_id == wanted), 0 if choices else -1)
        self.people.setCurrentRow(row)
        self.secret.clear()
        self.secret.setFocus()
        self.choices_shown.emit()

    def _describe(self) -> None:
        if self.locked_for:
            self.subtitle.setText(f"Locked. {self.locked_for.label} was working: type your PIN to carry on where you were. "
                                  "Someone else can pick their own name; that ends the first session.")
            self.subtitle.setProperty("tone", "warning")
        elif self._first_secret:
            self.subtitle.setText("Nobody has a PIN yet. The admin picks their name and chooses a PIN (4 to 8 digits) to start.")
        else:
            self.subtitle.setText("Who is working? Pick your name, then type your PIN.")
            self.subtitle.setProperty("tone", "")
        self.subtitle.style().polish(self.subtitle)
        self.confirm.setVisible(self._first_secret)
        self.button.setText("Set PIN and log in" if self._first_secret else ("Unlock" if self.locked_for else "Log in"))

    def block(self, message: str) -> None:
        """Nobody can log in (the database would not open): say why, where they are looking."""
        self.problem.setText(message)
        self.button.setEnabled(False)
        self.secret.setEnabled(False)

    def _chosen(self) -> LoginChoice | None:
        row = self.people.currentRow()
        return self._choices[row] if 0 <= row < len(self._choices) else None

    def _submit(self) -> None:
        choice = self._chosen()
        if choice is None:
            self.problem.setText("Pick your name from the list first.")
            return
        secret = self.secret.text()
        if not secret:
            self.problem.setText("Type your PIN.")
            self.secret.setFocus()
            return
        self.button.setEnabled(False)
        if self._first_secret:
            if choice.role != "admin":
                self.button.setEnabled(True)
                self.problem.setText("The admin sets the first PIN; the admin then gives everyone else theirs under Admin → Staff.")
                return
            if secret != self.confirm.text():
                self.button.setEnabled(True)
                self.problem.setText("The two PINs differ; type the same PIN twice.")
                return

            def first():
                from core.services.staff_access import log_in, set_first_credential  # noqa: PLC0415

                set_first_credential(self.desk.db, choice.staff_id, secret)
                return log_in(self.desk.db, choice.staff_id, secret)

            self.desk.tasks.run(first, self._done, self._refused, lane="write")
        else:
            def check():
                # desk.db is read here, on the write lane: it may have been opened by the job before this one.
                from core.services.staff_access import log_in  # noqa: PLC0415

                return log_in(self.desk.db, choice.staff_id, secret)

            self.desk.tasks.run(check, self._done, self._refused, lane="write")

    def _done(self, actor: Actor) -> None:
        self.button.setEnabled(True)
        self.secret.clear()
        self.confirm.clear()
        self.problem.clear()
        self.locked_for = None
        self.logged_in.emit(actor)

    def _refused(self, message: str) -> None:
        self.button.setEnabled(True)
        self.problem.setText(message)
        self.secret.selectAll()
        self.secret.setFocus()
