"""The admin's screen: the clinic's details, its staff and their PINs, the price list, this PC, and
this PC's backups (desktop.backup.section).

Every change goes through a core service on the write lane; a refusal is shown beside the field it
is about, so the admin sees what to put right without reading a message bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import InvalidInput
from core.services.clinic import set_staff_active, staff_roster, update_clinic, add_staff
from core.services.common import void
from core.services.price_list import add_price_item, change_price, price_list
from core.services.staff_access import check_secret, set_credential
from core.storage.models import PriceItem
from desktop.context import Desk
from desktop.preferences import IDLE_LOCK_RANGE, Preferences, load_preferences, save_preferences
from desktop.style import FONT_SIZES
from core.services.billing import rupees  # one way to write money on every screen
from desktop.widgets.feedback import error_label, mark_invalid, say

CLINIC_FIELDS = (
    ("name", "Clinic name", "As printed on prescriptions and bills"),
    ("address_line", "Address", None),
    ("city", "City", None),
    ("state", "State", None),
    ("pincode", "PIN code", "6 digits, e.g. 411001"),
    ("phone", "Phone", "With the STD code, e.g. 020 2553 1234, or a mobile"),
    ("hfr_id", "HFR id", "Health Facility Registry id, IN and 10 digits (optional)"),
    ("upi_id", "UPI id", "For payment QR codes on bills, e.g. shanticlinic@okhdfc (optional)"),
)
ROLES = (("Doctor", "doctor"), ("Receptionist", "receptionist"), ("Nurse", "nurse"), ("Admin", "admin"))
ROLE_NAMES = {value: text for text, value in ROLES}
CATEGORIES = (("Consultation", "consultation"), ("Procedure", "procedure"), ("Test", "test"), ("Other", "other"))
CATEGORY_NAMES = {value: text for text, value in CATEGORIES}


def _lay_out_page(page: QWidget, heading: QLabel, note: QLabel, form, buttons) -> None:
    """A settings page: heading, a line on what it is for, the form, its buttons; kept to the
    left three fifths so fields are not stretched across a wide screen."""
    column = QVBoxLayout()
    column.addWidget(heading)
    column.addWidget(note)
    column.addSpacing(8)
    column.addLayout(form)
    column.addSpacing(8)
    column.addLayout(buttons)
    column.addStretch(1)
    outer = QHBoxLayout(page)
    outer.addLayout(column, 3)
    outer.addStretch(2)


@dataclass(frozen=True)
class Refused:
    """A service said no to what was typed; `problems` maps field paths to what is wrong."""

    problems: dict[str, str]


def refusals_as_result(fn: Callable) -> Callable:
    """The write, with a refusal handed back as a `Refused` result instead of a message-bar
    error, so the form can put each problem beside its own field."""

    def run(db, actor):
        try:
            return fn(db, actor)
        except InvalidInput as exc:
            return Refused(exc.problems)

    return run


def _leaf(field: str) -> str:
    return field.rsplit(".", 1)[-1]


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(text: str | None, data: object = None, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text or "")
    item.setToolTip(text or "")  # the whole text when a narrow column cuts it short
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _button(name: str, text: str, kind: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    if kind:
        button.setProperty("kind", kind)
    button.setAutoDefault(False)
    return button


def _edit(name: str, placeholder: str = "", secret: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


# --- Clinic ---------------------------------------------------------------------------------------


class ClinicTab(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.loaded: dict[str, str] = {}

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(6)
        for field, label, hint in CLINIC_FIELDS:
            edit = _edit(f"clinic_{field}", hint or "")
            edit.returnPressed.connect(self.save)
            error = error_label(f"clinic_{field}_error")
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(edit)
            box.addWidget(error)
            form.addRow(f"{label}:", box)
            self.edits[field], self.errors[field] = edit, error

        self.save_button = _button("clinic_save", "Save clinic details", "primary")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.status = error_label("clinic_status")

        heading = QLabel("The clinic")
        heading.setProperty("heading", "true")
        note = QLabel("These details are printed on every prescription and bill.")
        note.setProperty("tone", "muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status)
        buttons.addStretch(1)

        _lay_out_page(self, heading, note, form, buttons)

        desk.clinic_changed.connect(self.reload)

    def reload(self) -> None:
        def read(db):
            from core.services.clinic import current_clinic  # noqa: PLC0415

            clinic = current_clinic(db)
            return {field: getattr(clinic, field) or "" for field, _, _ in CLINIC_FIELDS} if clinic else {}

        self.desk.read(read, self._show_clinic, key="admin.clinic")

    def _show_clinic(self, values: dict[str, str]) -> None:
        self.loaded = values
        for field, edit in self.edits.items():
            edit.setText(values.get(field, ""))

    def save(self) -> None:
        changes = {f: e.text().strip() for f, e in self.edits.items() if e.text().strip() != self.loaded.get(f, "")}
        for field in self.edits:
            mark_invalid(self.edits[field], False)
            say(self.errors[field], "")
        if not changes:
            say(self.status, "Nothing changed.", "muted")
            return
        say(self.status, "Saving…", "muted")
        self.save_button.setEnabled(False)
        self.desk.write(refusals_as_result(lambda db, actor: update_clinic(db, actor, changes)), self._saved, self._failed)

    def _saved(self, result) -> None:
        self.save_button.setEnabled(True)
        if isinstance(result, Refused):
            general = []
            for field, problem in result.problems.items():
                leaf = _leaf(field)
                if leaf in self.errors:
                    mark_invalid(self.edits[leaf], True)
                    say(self.errors[leaf], f"{dict((f, l) for f, l, _ in CLINIC_FIELDS)[leaf]}: {problem}")
                else:
                    general.append(problem[:1].upper() + problem[1:])
            first = next((self.edits[_leaf(f)] for f in result.problems if _leaf(f) in self.edits), None)
            if first is not None:
                first.setFocus()
            say(self.status, " ".join(general) or "Not saved: put right what is marked.", "danger")
            return
        say(self.status, "Saved.", "ok")
        self.desk.clinic_changed.emit()

    def _failed(self, message: str) -> None:
        self.save_button.setEnabled(True)
        say(self.status, f"Not saved. {message}", "danger")


# --- Staff ----------------------------------------------------------------------------------------


class StaffTab(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.entries: list = []
        self.select_next: str | None = None
        self.secret_next: str | None = None

        self.table = _table("staff_table", ["Name", "Role", "Qualification · registration", "Mobile", "Signs in with", "Status"])
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in range(6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 2 else QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.active_button = _button("staff_active_button", "&Deactivate", "danger")
        self.active_button.setEnabled(False)
        self.active_button.clicked.connect(self.toggle_active)
        self.list_status = error_label("staff_list_status")
        under = QHBoxLayout()
        under.addWidget(self.active_button)
        under.addWidget(self.list_status)
        under.addStretch(1)

        left = QVBoxLayout()
        heading = QLabel("Staff")
        heading.setProperty("heading", "true")
        left.addWidget(heading)
        left.addWidget(self.table, 1)
        left.addLayout(under)

        right = QVBoxLayout()
        right.addWidget(self._add_box())
        right.addWidget(self._secret_box())
        right.addStretch(1)

        outer = QHBoxLayout(self)
        outer.addLayout(left, 3)
        right_widget = QWidget()
        right_widget.setLayout(right)
        right_widget.setMinimumWidth(380)
        right_widget.setMaximumWidth(430)
        outer.addWidget(right_widget, 2)

        QShortcut(QKeySequence.StandardKey.New, self, self.name.setFocus, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.add_button.setToolTip("Ctrl+N starts a new person")
        desk.staff_changed.connect(self.reload)

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add a person")
        form = QFormLayout(box)
        self.name = _edit("staff_name", "Full name")
        self.role = QComboBox()
        self.role.setObjectName("staff_role")
        for text, value in ROLES:
            self.role.addItem(text, value)
        self.role.currentIndexChanged.connect(self._role_changed)
        self.qualification = _edit("staff_qualification", "e.g. MBBS, MD")
        self.council = _edit("staff_council", "e.g. Maharashtra Medical Council")
        self.registration = _edit("staff_registration", "As on the registration certificate")
        self.mobile = _edit("staff_mobile", "10 digits (optional)")
        self.add_button = _button("staff_add", "&Add person", "primary")
        self.add_button.clicked.connect(self.add_person)
        self.add_error = error_label("staff_add_error")
        for edit in (self.name, self.qualification, self.council, self.registration, self.mobile):
            edit.returnPressed.connect(self.add_person)
        form.addRow("Name:", self.name)
        form.addRow("Role:", self.role)
        form.addRow("Qualification:", self.qualification)
        form.addRow("Council:", self.council)
        form.addRow("Registration no.:", self.registration)
        form.addRow("Mobile:", self.mobile)
        form.addRow("", self.add_button)
        form.addRow(self.add_error)
        self._role_changed()
        return box

    def _secret_box(self) -> QGroupBox:
        box = QGroupBox("PIN or password")
        form = QFormLayout(box)
        self.secret_for = QLabel("Choose a person in the list.")
        self.secret_for.setObjectName("secret_for")
        self.secret_for.setProperty("tone", "muted")
        self.secret_for.setWordWrap(True)
        self.secret_kind = QComboBox()
        self.secret_kind.setObjectName("secret_kind")
        self.secret_kind.addItem("PIN (4 to 8 digits)", "pin")
        self.secret_kind.addItem("Password (8 or more characters)", "password")
        self.secret = _edit("secret_entry", "New PIN or password", secret=True)
        self.secret_again = _edit("secret_again", "The same again", secret=True)
        self.secret_button = _button("secret_set", "Set &PIN", "primary")
        self.secret_button.clicked.connect(self.set_secret)
        self.secret_kind.currentIndexChanged.connect(
            lambda: self.secret_button.setText("Set &PIN" if self.secret_kind.currentData() == "pin" else "Set pass&word"))
        self.secret.returnPressed.connect(self.secret_again.setFocus)
        self.secret_again.returnPressed.connect(self.set_secret)
        self.secret_error = error_label("secret_error")
        form.addRow(self.secret_for)
        form.addRow("Kind:", self.secret_kind)
        form.addRow("New:", self.secret)
        form.addRow("Again:", self.secret_again)
        form.addRow("", self.secret_button)
        form.addRow(self.secret_error)
        self._enable_secret(False)
        return box

    def _role_changed(self) -> None:
        doctor = self.role.currentData() == "doctor"
        for edit in (self.council, self.registration):
            edit.setEnabled(doctor)
            if not doctor:
                edit.clear()

    def reload(self, select_id: str | None = None) -> None:
        # A reload asked for by a signal right after ours must not forget whom we meant to select.
        self.select_next = select_id or self.select_next or (self.selected().staff_id if self.selected() else None)
        self.desk.read(staff_roster, self._show_roster, key="admin.staff")

    def _show_roster(self, entries: list) -> None:
        select_id, self.select_next = self.select_next, None
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            signs_in = {"pin": "PIN set", "password": "Password set"}.get(e.secret_kind, "Not set yet")
            details = " · ".join(p for p in (e.qualification, e.registration) if p)
            cells = [_cell(e.name, e.staff_id), _cell(ROLE_NAMES.get(e.role, e.role)), _cell(details), _cell(e.mobile),
                     _cell(signs_in), _cell("Active" if e.active else "Deactivated")]
            for column, cell in enumerate(cells):
                if not e.active:
                    cell.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, cell)
        for row, e in enumerate(entries):
            if e.staff_id == select_id:
                self.table.selectRow(row)
                break
        self._selection_changed()
        if self.secret_next and self.selected() is not None and self.selected().staff_id == self.secret_next:
            self.secret.setFocus()  # someone just added: their PIN is what the admin types next
        self.secret_next = None

    def selected(self):
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.entries):
            return None
        return self.entries[rows[0].row()]

    def _selection_changed(self) -> None:
        entry = self.selected()
        self.active_button.setEnabled(entry is not None)
        if entry is None:
            self.secret_for.setText("Choose a person in the list.")
            self._enable_secret(False)
            return
        self.active_button.setText("&Deactivate" if entry.active else "&Reactivate")
        self.active_button.setProperty("kind", "danger" if entry.active else None)
        self.active_button.style().unpolish(self.active_button)
        self.active_button.style().polish(self.active_button)
        have = {"pin": "has a PIN", "password": "has a password"}.get(entry.secret_kind, "has no PIN yet")
        self.secret_for.setText(f"For {entry.name} ({have})." if entry.active else f"{entry.name} is deactivated; reactivate them first.")
        self._enable_secret(entry.active)
        say(self.secret_error, "")

    def _enable_secret(self, on: bool) -> None:
        for widget in (self.secret_kind, self.secret, self.secret_again, self.secret_button):
            widget.setEnabled(on)

    def add_person(self) -> None:
        data = {"full_name": self.name.text(), "role": self.role.currentData(), "qualification": self.qualification.text(),
                "registration_council": self.council.text(), "registration_number": self.registration.text(),
                "mobile": self.mobile.text().strip() or None}
        self.add_button.setEnabled(False)
        say(self.add_error, "")
        self.desk.write(refusals_as_result(lambda db, actor: add_staff(db, actor, data)), self._added, self._add_failed)

    def _added(self, result) -> None:
        self.add_button.setEnabled(True)
        if isinstance(result, Refused):
            labels = {"full_name": "Name", "mobile": "Mobile", "registration_number": "Registration", "registration_council": "Council",
                      "qualification": "Qualification", "role": "Role"}
            say(self.add_error, "\n".join(f"{labels.get(_leaf(f), _leaf(f).replace('_', ' ').capitalize())}: {p}" for f, p in result.problems.items()))
            edits = {"full_name": self.name, "mobile": self.mobile, "registration_number": self.registration, "registration_council": self.council}
            first = next((edits[_leaf(f)] for f in result.problems if _leaf(f) in edits), self.name)
            first.setFocus()
            return
        say(self.add_error, f"{result.full_name} added. Set their PIN below.", "ok")
        for edit in (self.name, self.qualification, self.council, self.registration, self.mobile):
            edit.clear()
        self.secret_next = result.id
        self.reload(select_id=result.id)
        self.desk.staff_changed.emit()

    def _add_failed(self, message: str) -> None:
        self.add_button.setEnabled(True)
        say(self.add_error, message)

    def set_secret(self) -> None:
        entry = self.selected()
        if entry is None or not entry.active:
            return
        kind = self.secret_kind.currentData()
        secret, again = self.secret.text(), self.secret_again.text()
        word = "PIN" if kind == "pin" else "password"
        problem = check_secret(kind, secret)
        if not problem and secret != again:
            problem = f"the two {word}s are not the same; type it again in both boxes"
        if problem:
            say(self.secret_error, problem[:1].upper() + problem[1:])
            self.secret_again.clear()
            self.secret.selectAll()
            self.secret.setFocus()
            return
        self.secret_button.setEnabled(False)
        say(self.secret_error, "Saving…", "muted")
        staff_id, name = entry.staff_id, entry.name

        def done(_result) -> None:
            self.secret_button.setEnabled(True)
            self.secret.clear()
            self.secret_again.clear()
            self.reload(select_id=staff_id)
            self.desk.staff_changed.emit()
            say(self.secret_error, f"{name}'s {word} is set.", "ok")

        def failed(message: str) -> None:
            self.secret_button.setEnabled(True)
            say(self.secret_error, f"Not set. {message}")

        self.desk.write(lambda db, actor: set_credential(db, actor, staff_id, secret, kind), done, failed)

    def toggle_active(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        staff_id, active = entry.staff_id, not entry.active

        def done(result) -> None:
            if isinstance(result, Refused):
                say(self.list_status, " ".join(p[:1].upper() + p[1:] for p in result.problems.values()))
                return
            say(self.list_status, f"{entry.name} {'can log in again' if active else 'can no longer log in'}.", "ok")
            self.reload(select_id=staff_id)
            self.desk.staff_changed.emit()

        self.desk.write(refusals_as_result(lambda db, actor: set_staff_active(db, actor, staff_id, active)), done,
                        lambda message: say(self.list_status, message))


# --- Price list -----------------------------------------------------------------------------------


class PriceTab(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.items: list[dict] = []
        self.select_next: str | None = None

        self.table = _table("price_table", ["Item", "Category", "Price"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        left = QVBoxLayout()
        heading = QLabel("Price list")
        heading.setProperty("heading", "true")
        note = QLabel("What reception picks from when billing a visit.")
        note.setProperty("tone", "muted")
        left.addWidget(heading)
        left.addWidget(note)
        left.addWidget(self.table, 1)

        right = QVBoxLayout()
        right.addWidget(self._add_box())
        right.addWidget(self._change_box())
        right.addStretch(1)
        right_widget = QWidget()
        right_widget.setLayout(right)
        right_widget.setMinimumWidth(380)
        right_widget.setMaximumWidth(430)

        outer = QHBoxLayout(self)
        outer.addLayout(left, 3)
        outer.addWidget(right_widget, 2)
        QShortcut(QKeySequence.StandardKey.New, self, self.name.setFocus, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.add_button.setToolTip("Ctrl+N starts a new item")
        desk.price_list_changed.connect(self.reload)

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add an item")
        form = QFormLayout(box)
        self.name = _edit("price_name", "e.g. Dressing (large)")
        self.category = QComboBox()
        self.category.setObjectName("price_category")
        for text, value in CATEGORIES:
            self.category.addItem(text, value)
        self.amount = _edit("price_amount", "In rupees, e.g. 250")
        self.add_button = _button("price_add", "A&dd item", "primary")
        self.add_button.clicked.connect(self.add_item)
        self.name.returnPressed.connect(self.amount.setFocus)
        self.amount.returnPressed.connect(self.add_item)
        self.add_error = error_label("price_add_error")
        form.addRow("Name:", self.name)
        form.addRow("Category:", self.category)
        form.addRow("Price (₹):", self.amount)
        form.addRow("", self.add_button)
        form.addRow(self.add_error)
        return box

    def _change_box(self) -> QGroupBox:
        box = QGroupBox("The selected item")
        form = QFormLayout(box)
        self.selected_label = QLabel("Choose an item in the list.")
        self.selected_label.setObjectName("price_selected")
        self.selected_label.setProperty("tone", "muted")
        self.selected_label.setWordWrap(True)
        self.new_amount = _edit("price_new_amount", "New price in rupees")
        self.change_button = _button("price_change", "&Change price", "primary")
        self.change_button.clicked.connect(self.change_item_price)
        self.new_amount.returnPressed.connect(self.change_item_price)
        self.reason = _edit("price_void_reason", "Why, e.g. no longer offered")
        self.void_button = _button("price_void", "&Remove from list", "danger")
        self.void_button.clicked.connect(self.remove_item)
        self.reason.returnPressed.connect(self.remove_item)
        self.change_error = error_label("price_change_error")
        form.addRow(self.selected_label)
        form.addRow("New price (₹):", self.new_amount)
        form.addRow("", self.change_button)
        form.addRow("Reason:", self.reason)
        form.addRow("", self.void_button)
        form.addRow(self.change_error)
        self._enable_change(False)
        return box

    def _enable_change(self, on: bool) -> None:
        for widget in (self.new_amount, self.change_button, self.reason, self.void_button):
            widget.setEnabled(on)

    def reload(self, select_id: str | None = None) -> None:
        self.select_next = select_id or self.select_next or (self.selected() or {}).get("id")

        def read(db):
            return [{"id": p.id, "name": p.name, "category": p.category, "amount_paise": p.amount_paise} for p in price_list(db)]

        self.desk.read(read, self._show_items, key="admin.prices")

    def _show_items(self, items: list[dict]) -> None:
        select_id, self.select_next = self.select_next, None
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            self.table.setItem(row, 0, _cell(item["name"], item["id"]))
            self.table.setItem(row, 1, _cell(CATEGORY_NAMES.get(item["category"], item["category"])))
            self.table.setItem(row, 2, _cell(rupees(item["amount_paise"]), right=True))
        self.table.clearSelection()
        for row, item in enumerate(items):
            if item["id"] == select_id:
                self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _selection_changed(self) -> None:
        item = self.selected()
        self._enable_change(item is not None)
        if item is None:
            self.selected_label.setText("Choose an item in the list.")
            return
        self.selected_label.setText(f"{item['name']}, now {rupees(item['amount_paise'])}")
        self.new_amount.setText(f"{item['amount_paise'] / 100:g}")

    def add_item(self) -> None:
        data = {"name": self.name.text(), "category": self.category.currentData(), "amount": self.amount.text().strip() or None}
        self.add_button.setEnabled(False)
        say(self.add_error, "")

        def done(result) -> None:
            self.add_button.setEnabled(True)
            if isinstance(result, Refused):
                labels = {"name": "Name", "amount": "Price", "category": "Category"}
                say(self.add_error, "\n".join(f"{labels.get(_leaf(f), _leaf(f))}: {_amount_words(p)}" for f, p in result.problems.items()))
                (self.amount if any(_leaf(f) == "amount" for f in result.problems) else self.name).setFocus()
                return
            say(self.add_error, f"{result.name} added at {rupees(result.amount_paise)}.", "ok")
            self.name.clear()
            self.amount.clear()
            self.name.setFocus()
            self.reload(select_id=result.id)
            self.desk.price_list_changed.emit()

        def failed(message: str) -> None:
            self.add_button.setEnabled(True)
            say(self.add_error, message)

        self.desk.write(refusals_as_result(lambda db, actor: add_price_item(db, actor, data)), done, failed)

    def change_item_price(self) -> None:
        item = self.selected()
        if item is None:
            return
        amount = self.new_amount.text().strip() or None
        item_id = item["id"]
        self._after_write(refusals_as_result(lambda db, actor: change_price(db, actor, item_id, amount)),
                          lambda row: f"{row.name} now costs {rupees(row.amount_paise)}.", item_id)

    def remove_item(self) -> None:
        item = self.selected()
        if item is None:
            return
        reason, item_id = self.reason.text(), item["id"]
        self._after_write(refusals_as_result(lambda db, actor: void(db, actor, PriceItem, item_id, reason)),
                          lambda row: f"{row.name} was removed from the price list.", None)

    def _after_write(self, fn, said: Callable, select_id: str | None) -> None:
        self._enable_change(False)

        def done(result) -> None:
            self._enable_change(True)
            if isinstance(result, Refused):
                labels = {"amount": "New price", "reason": "Reason"}
                say(self.change_error, "\n".join(f"{labels.get(_leaf(f), _leaf(f))}: {_amount_words(p)}" for f, p in result.problems.items()))
                return
            self.reason.clear()
            say(self.change_error, said(result), "ok")
            self.reload(select_id=select_id)
            self.desk.price_list_changed.emit()

        def failed(message: str) -> None:
            self._enable_change(True)
            say(self.change_error, message)

        self.desk.write(fn, done, failed)


def _amount_words(problem: str) -> str:
    # A blank amount reaches the money check as None; say what is missing instead of pydantic's words.
    return "give the price in rupees" if problem.startswith("None") else problem


# --- This PC --------------------------------------------------------------------------------------


class ThisPcTab(QWidget):
    applied = Signal(object)  # Preferences

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        prefs = load_preferences(self.data_dir)

        self.font_size = QComboBox()
        self.font_size.setObjectName("pc_font_size")
        for size in FONT_SIZES:
            self.font_size.addItem(f"{size} pt", size)
        self.font_size.setCurrentIndex(FONT_SIZES.index(prefs.font_pt))
        self.idle = QSpinBox()
        self.idle.setObjectName("pc_idle_minutes")
        self.idle.setRange(*IDLE_LOCK_RANGE)
        self.idle.setSuffix(" minutes")
        self.idle.setValue(prefs.idle_lock_minutes)
        for widget in (self.font_size, self.idle):
            widget.setMaximumWidth(240)
        self.apply_button = _button("pc_apply", "&Apply on this PC", "primary")
        self.apply_button.clicked.connect(self.apply)
        self.status = error_label("pc_status")

        heading = QLabel("This PC")
        heading.setProperty("heading", "true")
        note = QLabel("These settings belong to this computer only; other PCs of the clinic keep their own.")
        note.setProperty("tone", "muted")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Text size:", self.font_size)
        form.addRow("Lock the screen after:", self.idle)
        idle_note = QLabel("of no typing or clicking; the person then logs in again with their PIN.")
        idle_note.setProperty("tone", "muted")
        idle_note.setWordWrap(True)
        form.addRow("", idle_note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.status)
        buttons.addStretch(1)

        _lay_out_page(self, heading, note, form, buttons)

    def apply(self) -> None:
        prefs = Preferences(font_pt=self.font_size.currentData(), idle_lock_minutes=self.idle.value())
        try:
            save_preferences(self.data_dir, prefs)
        except OSError as exc:
            say(self.status, f"Not saved: {exc.strerror or exc} ({self.data_dir}). The setting applies until Nadi is closed.")
        else:
            say(self.status, "Applied on this PC.", "ok")
        self.applied.emit(prefs)


# --- the screen -----------------------------------------------------------------------------------


class AdminView(QWidget):
    """The admin's screen. `preferences_changed` carries this PC's new Preferences when applied."""

    preferences_changed = Signal(object)

    def __init__(self, desk: Desk, data_dir: str | Path, parent: QWidget | None = None, backups=None) -> None:
        super().__init__(parent)
        from desktop.backup.section import BackupsTab  # noqa: PLC0415

        self.setObjectName("admin_view")
        self.desk = desk
        self.clinic = ClinicTab(desk)
        self.staff = StaffTab(desk)
        self.prices = PriceTab(desk)
        self.this_pc = ThisPcTab(Path(data_dir))
        self.this_pc.applied.connect(self.preferences_changed)
        self.backups = BackupsTab(desk, Path(data_dir), backups)  # `backups`: the PC's BackupScheduler, when it runs one

        self.tabs = QTabWidget()
        self.tabs.setObjectName("admin_tabs")
        for number, (tab, title) in enumerate(((self.clinic, "Clinic"), (self.staff, "Staff"), (self.prices, "Price list"),
                                               (self.this_pc, "This PC"), (self.backups, "Backups"))):
            self.tabs.addTab(tab, title)
            self.tabs.setTabToolTip(number, f"Alt+{number + 1}")
            QShortcut(QKeySequence(f"Alt+{number + 1}"), self, lambda n=number: self.tabs.setCurrentIndex(n),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.tabs.currentChanged.connect(self._focus_tab)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

        self.reload()

    def reload(self) -> None:
        self.clinic.reload()
        self.staff.reload()
        self.prices.reload()
        self.backups.reload()

    def _focus_tab(self, index: int) -> None:
        first = {0: self.clinic.edits["name"], 1: self.staff.table, 2: self.prices.table, 3: self.this_pc.font_size, 4: self.backups.now_button}[index]
        first.setFocus()
