"""Billing at the reception desk: bill a visit from the price list, take payment by cash, card or
UPI (with a QR code for the amount, so the patient pays from their own phone and the desk needs no
connection), print the receipt; and the day-end collection summary.

Everything is typed: the price list filters as you type and Enter adds the highlighted item; F2, F3
and F4 pick cash, card or UPI; Ctrl+S saves; Ctrl+P saves and prints the receipt.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import InvalidInput
from core.payments.upi import MAX_NAME, MAX_NOTE, upi_payment_uri, valid_vpa
from core.services.billing import METHOD_LABELS, bill_and_pay, bill_desk_context, collection_summary, receipt_context, rupees, to_paise
from core.services.visits import clinic_day
from core.storage.types import utcnow
from desktop.context import Desk
from desktop.printing.fonts import ensure_fonts
from desktop.printing.prescription import qr_image
from desktop.printing.receipt import ReceiptPrint, write_day_end, write_receipt

NO_UPI_ID = "Set the clinic's UPI id under Admin → Clinic to show a payment QR code here."
METHOD_KEYS = {"cash": "F2", "card": "F3", "upi": "F4"}
QR_SIDE_PX = 220


def _paise_text(paise: int) -> str:
    """Rupees as typed into a field: 850.00 (no ₹, no grouping), which to_paise reads back exactly."""
    return f"{paise // 100}.{paise % 100:02d}"


def _label(text: str = "", name: str | None = None, tone: str | None = None, heading: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    if tone:
        label.setProperty("tone", tone)
    if heading:
        label.setProperty("heading", "true")
    return label


def _set_tone(label: QLabel, tone: str | None) -> None:
    label.setProperty("tone", tone or "")
    label.style().unpolish(label)
    label.style().polish(label)


def _button(name: str, text: str, kind: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter belongs to the price-list filter, not to a button
    if kind:
        button.setProperty("kind", kind)
    return button


def _panel() -> QFrame:
    frame = QFrame()
    frame.setProperty("box", "panel")
    return frame


def _cell(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    item.setToolTip(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setHighlightSections(False)
    return table


def has_real_display() -> bool:
    return QGuiApplication.platformName() not in ("offscreen", "minimal")


class _FilterKeys(QObject):
    """Up and Down in the filter box move the highlight in the price list, so the hands stay on the keys."""

    def __init__(self, dialog: BillDialog):
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.dialog._move_highlight(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return False


class BillDialog(QDialog):
    """Bill one visit and take its payment. Saving writes the bill and the payment together."""

    saved = Signal(str)  # the bill's id
    receipt_written = Signal(str)  # the receipt PDF's path

    def __init__(self, desk: Desk, patient_id: str, encounter_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        ensure_fonts()  # on the UI thread, before the print lane lays a receipt out
        self.desk = desk
        self.patient_id = patient_id
        self.encounter_id = encounter_id
        self.bill_id: str | None = None
        self.receipt_path: Path | None = None
        self.upi_uri: str | None = None
        self._context: dict | None = None
        self._price_items: list[dict] = []
        self._lines: list[dict] = []  # {"description", "unit_price_paise", "quantity"}
        self._received_edited = False
        self._busy = False
        self.setObjectName("bill_dialog")
        self.setWindowTitle("Bill")
        self._build()
        # The QR is a fixed 220 px and its caption wraps; Qt's size hint does not add the two up,
        # so without this the caption is drawn over the QR in a small dialog (seen at 1366x768).
        self.setMinimumSize(980, 650)
        self._recalculate()
        self.filter.setFocus()
        desk.read(lambda db: bill_desk_context(db, patient_id), self._loaded, self._load_failed, key=f"bill-dialog:{id(self)}")

    # --- building the screen -----------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(16, 14, 16, 14)
        root.setSpacing(10)
        self.patient_label = _label("Loading…", "bill_patient", heading=True)
        root.addWidget(self.patient_label)

        columns = QHBoxLayout()
        columns.setSpacing(12)
        columns.addWidget(self._price_column(), 30)
        columns.addWidget(self._bill_column(), 42)
        columns.addWidget(self._payment_column(), 28)
        root.addLayout(columns, 1)

        self.error = _label("", "error", tone="danger")
        self.error.setWordWrap(True)
        self.error.hide()
        root.addWidget(self.error)

        buttons = QHBoxLayout()
        hint = _label("Enter adds the item · Del removes a line · F2 cash · F3 card · F4 UPI · Esc closes", tone="muted")
        buttons.addWidget(hint, 1)
        self.cancel_button = _button("cancel", "Cancel")
        self.save_button = _button("save", "Save  (Ctrl+S)")
        self.print_button = _button("save_print", "Save and print receipt  (Ctrl+P)", kind="primary")
        for b in (self.cancel_button, self.save_button, self.print_button):
            buttons.addWidget(b)
        root.addLayout(buttons)

        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(lambda: self.save(print_receipt=False))
        self.print_button.clicked.connect(lambda: self.save(print_receipt=True))
        QShortcut(QKeySequence("Ctrl+S"), self, activated=lambda: self.save(print_receipt=False))
        QShortcut(QKeySequence("Ctrl+P"), self, activated=lambda: self.save(print_receipt=True))
        for method, key in METHOD_KEYS.items():
            QShortcut(QKeySequence(key), self, activated=lambda m=method: self.choose_method(m))
        remove = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.lines_table, activated=self.remove_current_line)
        remove.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _price_column(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        find = _label("Price list: find &item", heading=True)
        self.filter = QLineEdit()
        self.filter.setObjectName("price_filter")
        self.filter.setPlaceholderText("Type to filter, Enter to add")
        self.filter.setClearButtonEnabled(True)
        find.setBuddy(self.filter)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.returnPressed.connect(self.add_highlighted)
        self.filter.installEventFilter(_FilterKeys(self))
        self.price_table = _table("price_list", ["Item", "Fee"])
        self.price_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.price_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.price_table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.price_table.doubleClicked.connect(lambda _index: self.add_highlighted())
        self.price_empty = _label("", "price_empty", tone="muted")
        self.price_empty.setWordWrap(True)
        self.price_empty.hide()
        layout.addWidget(find)
        layout.addWidget(self.filter)
        layout.addWidget(self.price_table, 1)
        layout.addWidget(self.price_empty)
        return panel

    def _bill_column(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_label("Bill", heading=True))
        self.lines_table = _table("bill_lines", ["Item", "Qty", "Rate", "Amount"])
        header = self.lines_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.lines_table.setColumnWidth(1, 90)
        self.lines_table.verticalHeader().setDefaultSectionSize(34)
        layout.addWidget(self.lines_table, 1)

        totals = _panel()
        grid = QGridLayout(totals)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setColumnStretch(1, 1)
        self.subtotal_label = _label("", "subtotal")
        discount_label = _label("&Discount")
        self.discount_edit = QLineEdit()
        self.discount_edit.setObjectName("discount")
        self.discount_edit.setPlaceholderText("0")
        self.discount_edit.setMaximumWidth(110)
        discount_label.setBuddy(self.discount_edit)
        self.discount_kind = QComboBox()
        self.discount_kind.setObjectName("discount_kind")
        self.discount_kind.addItem("₹", "amount")
        self.discount_kind.addItem("%", "percent")
        self.discount_amount_label = _label("", "discount_amount")
        self.total_label = _label("", "total", heading=True)
        self.discount_problem = _label("", "discount_problem", tone="danger")
        self.discount_problem.setWordWrap(True)
        self.discount_problem.hide()
        discount_row = QHBoxLayout()
        discount_row.addWidget(self.discount_edit)
        discount_row.addWidget(self.discount_kind)
        discount_row.addStretch(1)
        grid.addWidget(_label("Subtotal"), 0, 0)
        grid.addWidget(self.subtotal_label, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(discount_label, 1, 0)
        grid.addLayout(discount_row, 1, 1)
        grid.addWidget(self.discount_amount_label, 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.discount_problem, 2, 0, 1, 3)
        grid.addWidget(_label("Total", heading=True), 3, 0)
        grid.addWidget(self.total_label, 3, 2, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(totals)
        self.discount_edit.textChanged.connect(self._recalculate)
        self.discount_kind.currentIndexChanged.connect(self._recalculate)
        return panel

    def _payment_column(self) -> QWidget:
        panel = _panel()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(_label("Payment", heading=True))
        self.method_group = QButtonGroup(self)
        methods = QHBoxLayout()
        self.method_buttons: dict[str, QRadioButton] = {}
        for method, text in (("cash", "&Cash"), ("card", "C&ard"), ("upi", "&UPI")):
            button = QRadioButton(f"{text}  {METHOD_KEYS[method]}")
            button.setObjectName(f"method_{method}")
            self.method_group.addButton(button)
            self.method_buttons[method] = button
            methods.addWidget(button)
            button.toggled.connect(lambda on, m=method: on and self._method_changed(m))
        methods.addStretch(1)
        layout.addLayout(methods)

        form = QGridLayout()
        reference_label = _label("Re&ference")
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("reference")
        reference_label.setBuddy(self.reference_edit)
        received_label = _label("Amount r&eceived  ₹")
        self.received_edit = QLineEdit()
        self.received_edit.setObjectName("amount_received")
        received_label.setBuddy(self.received_edit)
        form.addWidget(reference_label, 0, 0)
        form.addWidget(self.reference_edit, 0, 1)
        form.addWidget(received_label, 1, 0)
        form.addWidget(self.received_edit, 1, 1)
        layout.addLayout(form)
        self.balance_note = _label("", "balance_note")
        self.balance_note.setWordWrap(True)
        layout.addWidget(self.balance_note)

        self.upi_box = QWidget()
        upi_layout = QVBoxLayout(self.upi_box)
        upi_layout.setContentsMargins(0, 6, 0, 0)
        self.upi_qr = QLabel()
        self.upi_qr.setObjectName("upi_qr")
        self.upi_qr.setFixedSize(QR_SIDE_PX, QR_SIDE_PX)
        self.upi_qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.upi_caption = _label("", "upi_caption")
        self.upi_caption.setWordWrap(True)
        self.upi_message = _label("", "upi_message", tone="warning")
        self.upi_message.setWordWrap(True)
        upi_layout.addWidget(self.upi_qr, 0, Qt.AlignmentFlag.AlignHCenter)
        upi_layout.addWidget(self.upi_caption)
        upi_layout.addWidget(self.upi_message)
        layout.addWidget(self.upi_box)
        layout.addStretch(1)

        self.received_edit.textEdited.connect(self._received_typed)
        self.received_edit.textChanged.connect(self._refresh_payment)
        self.method_buttons["cash"].setChecked(True)
        return panel

    # --- loading ---------------------------------------------------------------------------------

    def _loaded(self, context: dict) -> None:
        self._context = context
        patient = context["patient"]
        details = " · ".join(p for p in (
            " / ".join(x for x in (f"{patient['age']} y" if patient.get("age") is not None else "", patient.get("sex") or "") if x),
            patient.get("mobile") or "") if p)
        self.patient_label.setText(f"Bill — {patient['name']}" + (f"   ·   {details}" if details else ""))
        self.setWindowTitle(f"Bill — {patient['name']}")
        self._price_items = context["price_list"]
        self.price_table.setRowCount(len(self._price_items))
        for row, item in enumerate(self._price_items):
            self.price_table.setItem(row, 0, _cell(item["name"]))
            self.price_table.setItem(row, 1, _cell(rupees(item["amount_paise"]), right=True))
        if not self._price_items:
            self.price_empty.setText("The price list is empty: the admin adds the clinic's fees under Admin → Price list.")
            self.price_empty.show()
        self._apply_filter(self.filter.text())
        self._refresh_payment()

    def _load_failed(self, message: str) -> None:
        self.patient_label.setText("Could not open billing")
        self._show_error(message)
        for b in (self.save_button, self.print_button):
            b.setEnabled(False)

    # --- the price list --------------------------------------------------------------------------

    def _visible_rows(self) -> list[int]:
        return [r for r in range(self.price_table.rowCount()) if not self.price_table.isRowHidden(r)]

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for row, item in enumerate(self._price_items):
            name = item["name"].lower()
            self.price_table.setRowHidden(row, not all(w in name for w in words))
        visible = self._visible_rows()
        if visible:
            self.price_table.selectRow(visible[0])
        else:
            self.price_table.clearSelection()

    def _move_highlight(self, step: int) -> None:
        visible = self._visible_rows()
        if not visible:
            return
        current = self.price_table.currentRow()
        position = visible.index(current) + step if current in visible else 0
        self.price_table.selectRow(visible[max(0, min(len(visible) - 1, position))])

    def add_highlighted(self) -> None:
        row = self.price_table.currentRow()
        if row < 0 or self.price_table.isRowHidden(row) or row >= len(self._price_items):
            return
        item = self._price_items[row]
        for line in self._lines:
            if line["description"] == item["name"] and line["unit_price_paise"] == item["amount_paise"]:
                line["quantity"] = min(line["quantity"] + 1, 1000)
                break
        else:
            self._lines.append({"description": item["name"], "unit_price_paise": item["amount_paise"], "quantity": 1})
        self._show_lines()
        self.filter.clear()
        self.filter.setFocus()

    # --- the bill's lines ------------------------------------------------------------------------

    def _show_lines(self, select: int | None = None) -> None:
        self.lines_table.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            self.lines_table.setItem(row, 0, _cell(line["description"]))
            spin = QSpinBox()
            spin.setObjectName(f"quantity_{row}")
            spin.setRange(1, 1000)
            spin.setValue(line["quantity"])
            spin.valueChanged.connect(lambda value, r=row: self._quantity_changed(r, value))
            self.lines_table.setCellWidget(row, 1, spin)
            self.lines_table.setItem(row, 2, _cell(rupees(line["unit_price_paise"]), right=True))
            self.lines_table.setItem(row, 3, _cell(rupees(line["unit_price_paise"] * line["quantity"]), right=True))
        if self._lines:
            self.lines_table.selectRow(len(self._lines) - 1 if select is None else min(select, len(self._lines) - 1))
        self._recalculate()

    def _quantity_changed(self, row: int, value: int) -> None:
        if row < len(self._lines):
            self._lines[row]["quantity"] = value
            self.lines_table.setItem(row, 3, _cell(rupees(self._lines[row]["unit_price_paise"] * value), right=True))
            self._recalculate()

    def remove_current_line(self) -> None:
        row = self.lines_table.currentRow()
        if 0 <= row < len(self._lines):
            del self._lines[row]
            self._show_lines(select=row)
            self.lines_table.setFocus()

    # --- totals and payment ----------------------------------------------------------------------

    @property
    def subtotal_paise(self) -> int:
        return sum(line["unit_price_paise"] * line["quantity"] for line in self._lines)

    def discount_paise(self) -> int:
        """The discount in paise; ValueError with a plain message when it cannot be read."""
        text = self.discount_edit.text().strip().rstrip("%").strip()
        if not text:
            return 0
        if self.discount_kind.currentData() == "amount":
            return to_paise(text)
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a percentage") from None
        if not percent.is_finite() or percent < 0:
            raise ValueError(f"{text!r} is not a percentage")
        if percent > 100:
            raise ValueError(f"{text}% is more than the whole bill")
        return int((Decimal(self.subtotal_paise) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def total_paise(self) -> int | None:
        """The bill's total, or None while the discount cannot be read or is more than the bill."""
        try:
            total = self.subtotal_paise - self.discount_paise()
        except ValueError:
            return None
        return total if total >= 0 else None

    def _recalculate(self) -> None:
        subtotal = self.subtotal_paise
        self.subtotal_label.setText(rupees(subtotal))
        problem = ""
        try:
            discount = self.discount_paise()
        except ValueError as exc:
            discount, problem = 0, f"Discount: {exc}"
        if not problem and discount > subtotal:
            problem = f"Discount: {rupees(discount)} is more than the bill ({rupees(subtotal)})"
        self.discount_amount_label.setText(f"− {rupees(discount)}" if discount else "—")
        self.discount_problem.setText(problem)
        self.discount_problem.setVisible(bool(problem))
        self.discount_edit.setProperty("invalid", "true" if problem else "false")
        self.discount_edit.style().unpolish(self.discount_edit)
        self.discount_edit.style().polish(self.discount_edit)
        total = max(subtotal - discount, 0)
        self.total_label.setText("—" if problem else rupees(total))
        if not self._received_edited:
            self.received_edit.setText(_paise_text(total))
        self._refresh_payment()

    def _received_typed(self, _text: str) -> None:
        self._received_edited = True

    def received_paise(self) -> int:
        text = self.received_edit.text().strip()
        return to_paise(text) if text else 0

    def method(self) -> str:
        return next(m for m, b in self.method_buttons.items() if b.isChecked())

    def choose_method(self, method: str) -> None:
        self.method_buttons[method].setChecked(True)
        (self.reference_edit if method != "cash" else self.received_edit).setFocus()

    def _method_changed(self, method: str) -> None:
        self.reference_edit.setEnabled(method != "cash")
        self.reference_edit.setPlaceholderText({"cash": "Not needed for cash", "card": "Card slip number or last 4 digits",
                                                "upi": "UPI transaction id (12 digits) from the patient's phone"}[method])
        self._refresh_payment()

    def _refresh_payment(self) -> None:
        total = self.total_paise()
        try:
            received = self.received_paise()
            received_problem = ""
        except ValueError as exc:
            received, received_problem = 0, f"Amount received: {exc}"
        if received_problem:
            text, tone = received_problem, "danger"
        elif total is None or not self._lines:
            text, tone = "", None
        elif received > total:
            text, tone = f"{rupees(received)} is more than the total of {rupees(total)}; give change and enter {rupees(total)}.", "danger"
        elif received == total:
            text, tone = "Paid in full.", "ok"
        elif received == 0:
            text, tone = f"Nothing received now: the whole {rupees(total)} stays due and the bill stays open.", "warning"
        else:
            text, tone = f"{rupees(total - received)} will still be due; the bill stays open.", "warning"
        self.balance_note.setText(text)
        _set_tone(self.balance_note, tone)
        self._refresh_upi(received if not received_problem else 0)

    def _refresh_upi(self, amount: int) -> None:
        upi = self.method() == "upi"
        self.upi_box.setVisible(upi)
        self.upi_uri = None
        if not upi:
            return
        clinic = (self._context or {}).get("clinic") or {}
        self.upi_qr.clear()
        if self._context is None:
            self._upi_text("", "")
            return
        if not valid_vpa(clinic.get("upi_id")):
            self._upi_text("", NO_UPI_ID)
            self.upi_qr.hide()
            return
        if amount <= 0:
            self._upi_text("", "Enter the amount the patient is paying by UPI to show its QR code.")
            self.upi_qr.hide()
            return
        patient = self._context["patient"]["name"]
        try:
            uri = upi_payment_uri(clinic["upi_id"], clinic["name"][:MAX_NAME], amount, note=f"Bill for {patient}"[:MAX_NOTE])
        except InvalidInput as exc:
            self._upi_text("", "; ".join(exc.problems.values()))
            self.upi_qr.hide()
            return
        self.upi_uri = uri
        image = qr_image(uri, module_px=1)
        modules = image.width()
        scale = max(1, QR_SIDE_PX // modules)
        pixmap = QPixmap.fromImage(image.scaled(modules * scale, modules * scale, Qt.AspectRatioMode.IgnoreAspectRatio,
                                                Qt.TransformationMode.FastTransformation))
        self.upi_qr.setPixmap(pixmap)
        self.upi_qr.show()
        self._upi_text(f"Patient scans to pay <b>{rupees(amount)}</b> to {clinic['name']} ({clinic['upi_id']}). "
                       "Enter the UPI transaction id from their phone as the reference.", "")

    def _upi_text(self, caption: str, message: str) -> None:
        self.upi_caption.setText(caption)
        self.upi_caption.setVisible(bool(caption))
        self.upi_message.setText(message)
        self.upi_message.setVisible(bool(message))

    # --- saving ----------------------------------------------------------------------------------

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for b in (self.save_button, self.print_button, self.cancel_button):
            b.setEnabled(not busy)

    def bill_input(self) -> tuple[dict, dict | None]:
        """What is sent to the service; ValueError with a plain message when a field cannot be read."""
        if not self._lines:
            raise ValueError("Add at least one item from the price list.")
        try:
            discount = self.discount_paise()
        except ValueError as exc:
            raise ValueError(f"Discount: {exc}") from None
        try:
            received = self.received_paise()
        except ValueError as exc:
            raise ValueError(f"Amount received: {exc}") from None
        bill = {"patient_id": self.patient_id, "encounter_id": self.encounter_id, "discount": _paise_text(discount),
                "items": [{"description": line["description"], "quantity": line["quantity"], "unit_price": _paise_text(line["unit_price_paise"])}
                          for line in self._lines]}
        payment = None
        if received:
            method = self.method()
            payment = {"amount": _paise_text(received), "method": method,
                       "reference": self.reference_edit.text().strip() if method != "cash" else None}
        return bill, payment

    def save(self, print_receipt: bool = False) -> None:
        if self._busy or self.bill_id is not None:
            return
        try:
            bill, payment = self.bill_input()
        except ValueError as exc:
            self._show_error(str(exc))
            return
        self._show_error("")
        self._set_busy(True)
        self.desk.write(lambda db, actor: bill_and_pay(db, actor, bill, payment),
                        lambda row: self._saved(row.id, print_receipt), self._save_failed)

    def _save_failed(self, message: str) -> None:
        self._set_busy(False)
        self._show_error(message)

    def _saved(self, bill_id: str, print_receipt: bool) -> None:
        self.bill_id = bill_id
        self.desk.bills_changed.emit()
        self.saved.emit(bill_id)
        if not print_receipt:
            self.accept()
            return
        self._show_error("")
        data_dir = self.desk.db.settings.data_dir
        db = self.desk.db

        def render():
            context = receipt_context(db, bill_id)
            return write_receipt(context, data_dir / "receipts", override_dir=data_dir / "print"), context

        self.desk.tasks.run(render, self._receipt_ready, self._receipt_failed, lane="print")

    def _receipt_failed(self, message: str) -> None:
        # The bill is saved; only the print failed. Say so, and let the dialog be closed.
        self._set_busy(False)
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self._show_error(f"The bill is saved, but the receipt could not be printed: {message}")

    def _receipt_ready(self, result) -> None:
        path, context = result
        self.receipt_path = path
        self.receipt_written.emit(str(path))
        if has_real_display():
            self._print_on_paper(context)
        self.accept()

    def _print_on_paper(self, context: dict) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # noqa: PLC0415 - only with a display

        printed = ReceiptPrint(context, self.desk.db.settings.data_dir / "print")
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(printed.page_layout())
        chooser = QPrintDialog(printer, self)
        chooser.setWindowTitle(f"Print receipt {context['receipt_number']}")
        if chooser.exec() == QDialog.DialogCode.Accepted:
            printed.paint_pages(printer, printer.resolution())


class DayEndView(QWidget):
    """The day's bills and collections, by method and by cashier, for closing the cash drawer."""

    pdf_written = Signal(str)

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        ensure_fonts()
        self.desk = desk
        self.summary: dict | None = None
        self.pdf_path: Path | None = None
        self.setObjectName("day_end")
        self._build()
        desk.bills_changed.connect(self.refresh)
        self.refresh()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(16, 14, 16, 14)
        root.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(_label("Day-end collection", heading=True))
        top.addSpacing(24)
        day_label = _label("&Day")
        self.day_edit = QDateEdit()
        self.day_edit.setObjectName("day")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd dd MMM yyyy")
        today = clinic_day(self.desk.db)
        self.day_edit.setDate(QDate(today.year, today.month, today.day))
        self.day_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        day_label.setBuddy(self.day_edit)
        self.day_edit.dateChanged.connect(lambda _d: self.refresh())
        top.addWidget(day_label)
        top.addWidget(self.day_edit)
        top.addStretch(1)
        self.refresh_button = _button("refresh", "Refresh  (F5)")
        self.pdf_button = _button("save_pdf", "Save as PDF  (Ctrl+Shift+S)", kind="primary")
        top.addWidget(self.refresh_button)
        top.addWidget(self.pdf_button)
        root.addLayout(top)
        self.refresh_button.clicked.connect(self.refresh)
        self.pdf_button.clicked.connect(self.save_pdf)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, activated=self.save_pdf)

        figures = QHBoxLayout()
        figures.setSpacing(12)
        self.values: dict[str, QLabel] = {}
        billed = self._figure_box("Billed", [("bills", "Bills"), ("gross", "Gross"), ("discounts", "Discounts"), ("net", "Net billed")])
        collected = self._figure_box("Collected today", [("cash", "Cash"), ("card", "Card"), ("upi", "UPI"), ("collected", "Total collected")])
        owed = self._figure_box("Still due", [("outstanding", "Outstanding on this day's bills"), ("earlier", "Collected for earlier days' bills")])
        for box in (billed, collected, owed):
            figures.addWidget(box, 1)
        root.addLayout(figures)

        lists = QHBoxLayout()
        lists.setSpacing(12)
        left = QVBoxLayout()
        left.addWidget(_label("Collected by"))
        self.cashier_table = _table("cashiers", ["Staff", "Cash", "Card", "UPI", "Total"])
        self.cashier_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.cashier_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        left.addWidget(self.cashier_table)
        right = QVBoxLayout()
        right.addWidget(_label("Bills"))
        self.bill_table = _table("bills", ["Receipt", "Time", "Patient", "Total", "Paid", "Method", "Status"])
        self.bill_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        right.addWidget(self.bill_table)
        lists.addLayout(left, 35)
        lists.addLayout(right, 65)
        root.addLayout(lists, 1)
        self.message = _label("", "message", tone="muted")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.message)

    def _figure_box(self, title: str, rows: list[tuple[str, str]]) -> QFrame:
        box = _panel()
        grid = QGridLayout(box)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setColumnStretch(0, 1)
        grid.addWidget(_label(title, heading=True), 0, 0, 1, 2)
        for n, (key, text) in enumerate(rows, 1):
            value = _label("—", key)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            strong = key in ("net", "collected", "outstanding")
            caption = _label(text)
            if strong:
                value.setProperty("heading", "true")
                caption.setStyleSheet("font-weight: bold")
            grid.addWidget(caption, n, 0)
            grid.addWidget(value, n, 1)
            self.values[key] = value
        grid.setRowStretch(len(rows) + 1, 1)  # boxes with fewer rows keep their rows at the top
        return box

    @property
    def day(self) -> date:
        return self.day_edit.date().toPython()

    def refresh(self) -> None:
        day = self.day
        self.desk.read(lambda db: collection_summary(db, day), self._show, self._failed, key=f"day-end:{id(self)}")

    def _failed(self, message: str) -> None:
        self.message.setText(message)
        _set_tone(self.message, "danger")

    def _show(self, summary: dict) -> None:
        self.summary = summary
        by_method = summary["collected_by_method"]
        shown = {
            "bills": str(summary["bills_count"]), "gross": rupees(summary["gross_paise"]), "discounts": rupees(summary["discount_paise"]),
            "net": rupees(summary["net_paise"]), "cash": rupees(by_method.get("cash", 0)), "card": rupees(by_method.get("card", 0)),
            "upi": rupees(by_method.get("upi", 0)), "collected": rupees(summary["collected_paise"]),
            "outstanding": rupees(summary["outstanding_paise"]), "earlier": rupees(summary["collected_for_earlier_bills_paise"]),
        }
        for key, text in shown.items():
            self.values[key].setText(text)
        _set_tone(self.values["outstanding"], "danger" if summary["outstanding_paise"] else None)

        self.cashier_table.setRowCount(len(summary["by_cashier"]))
        for row, c in enumerate(summary["by_cashier"]):
            m = c["by_method"]
            cells = [_cell(c["name"])] + [_cell(rupees(m.get(k, 0)), right=True) for k in METHOD_LABELS] + [_cell(rupees(c["collected_paise"]), right=True)]
            for column, cell in enumerate(cells):
                self.cashier_table.setItem(row, column, cell)
        self.bill_table.setRowCount(len(summary["bills"]))
        for row, b in enumerate(summary["bills"]):
            cells = [_cell(b["receipt_number"]), _cell(b["time"]), _cell(b["patient_name"]), _cell(rupees(b["total_paise"]), right=True),
                     _cell(rupees(b["paid_paise"]), right=True), _cell(", ".join(b["methods"]) or "—"), _cell(b["status"])]
            for column, cell in enumerate(cells):
                self.bill_table.setItem(row, column, cell)
        self.bill_table.resizeColumnsToContents()
        self.bill_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if not summary["bills"] and not summary["collected_paise"]:
            self.message.setText("No bills and no payments on this day.")
        else:
            self.message.setText("Collected: money received on this day, whatever day its bill was made. "
                                 "Outstanding: what this day's bills still owed at the end of the day.")
        _set_tone(self.message, "muted")

    def save_pdf(self) -> None:
        if self.summary is None:
            return
        summary = self.summary
        data_dir = self.desk.db.settings.data_dir
        printed_at = utcnow().astimezone(ZoneInfo(self.desk.db.settings.clinic_timezone))
        self.pdf_button.setEnabled(False)
        self.desk.tasks.run(lambda: write_day_end(summary, data_dir / "reports", printed_at, data_dir / "print"),
                            self._pdf_done, self._pdf_failed, lane="print")

    def _pdf_done(self, path: Path) -> None:
        self.pdf_button.setEnabled(True)
        self.pdf_path = path
        self.message.setText(f"Saved the day-end summary to {path}")
        _set_tone(self.message, "ok")
        self.pdf_written.emit(str(path))

    def _pdf_failed(self, message: str) -> None:
        self.pdf_button.setEnabled(True)
        self.message.setText(f"The PDF could not be saved: {message}")
        _set_tone(self.message, "danger")
