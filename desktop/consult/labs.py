"""The consult desk's Labs tab: tests awaiting a result, entering a result against its order,
ordering a test for this visit, and each test's results over time as a chart.

Enter saves the result being typed · Ctrl+L goes to "Order a test" · arrow keys move in the lists.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.clinical.terms import Investigation, all_investigations, investigation, panel_components, reference_range
from core.errors import InvalidInput
from core.services.lab_history import OpenOrder, Point, lab_series, open_lab_orders
from core.services.labs import LabResultInput, flag_for, order_lab, record_lab_results
from core.validation import parse
from desktop.tasks import describe_error
from desktop.widgets.trend_chart import TrendChart

FLAG_WORDS = {"high": "▲ High", "low": "▼ Low", "normal": "In range"}


def _set_tone(label: QLabel, tone: str | None) -> None:
    label.setProperty("tone", tone)
    label.style().unpolish(label)
    label.style().polish(label)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("heading", True)
    return label


def _limit(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _when(point_or_order) -> str:
    at = getattr(point_or_order, "at", None) or point_or_order.ordered_at
    return at.astimezone().strftime("%d %b %y")


class _ResultRow:
    """One value being entered: the test, its value, unit and reference range, and the flag."""

    def __init__(self, panel: LabsPanel, n: int, name: str, unit: str | None, low: float | None, high: float | None) -> None:
        self.name = name
        self.label = QLabel(name, objectName=f"labs_name_{n}")
        self.value = QLineEdit(objectName=f"labs_value_{n}", placeholderText="value")
        self.unit = QLineEdit(unit or "", objectName=f"labs_unit_{n}")
        self.low = QLineEdit(_limit(low), objectName=f"labs_low_{n}", placeholderText="low")
        self.high = QLineEdit(_limit(high), objectName=f"labs_high_{n}", placeholderText="high")
        self.flag = QLabel("", objectName=f"labs_flag_{n}")
        self.flag.setMinimumWidth(64)
        for edit, width in ((self.value, 80), (self.unit, 108), (self.low, 56), (self.high, 56)):
            edit.setMinimumWidth(width)
            edit.returnPressed.connect(panel.save_result)
        for edit in (self.value, self.low, self.high):
            edit.textEdited.connect(self.update_flag)
        self.value.setAccessibleName(f"{name} value")

    def widgets(self) -> list[QWidget]:
        return [self.label, self.value, self.unit, self.low, self.high, self.flag]

    def data(self) -> dict:
        return {"value": self.value.text(), "unit": self.unit.text(), "reference_low": self.low.text() or None,
                "reference_high": self.high.text() or None}

    def update_flag(self, *_args) -> None:
        """Flag as the doctor types, by the same rule the record uses when it is saved."""
        try:
            _, flag = flag_for(parse(LabResultInput, self.data()))
        except InvalidInput:
            flag = None
        self.flag.setText(FLAG_WORDS.get(flag, ""))
        _set_tone(self.flag, {"high": "danger", "low": "danger", "normal": "ok"}.get(flag))


class LabsPanel(QWidget):
    def __init__(self, desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labs_panel")
        self.desk = desk
        self.patient_id: str | None = None
        self.gender: str | None = None
        self.encounter_id: str | None = None
        self.orders: list[OpenOrder] = []
        self.series: dict[str, list[Point]] = {}
        self.rows: list[_ResultRow] = []
        self._want_series: str | None = None
        self._build()
        self.show_patient(None, None)

    # -- layout ------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.open_orders = QListWidget(objectName="labs_open_orders")
        self.open_orders.setMinimumHeight(90)
        self.open_orders.currentRowChanged.connect(self._order_chosen)
        self.open_orders.itemActivated.connect(lambda _item: self._focus_first_value())

        self.result_title = QLabel(objectName="labs_result_title")
        self.result_title.setWordWrap(True)
        self.result_grid = QGridLayout()
        self.result_host: QWidget | None = None
        self.result_slot = QVBoxLayout()
        self.result_slot.setContentsMargins(0, 0, 0, 0)
        self.result_error = QLabel(objectName="labs_result_error")
        self.result_error.setWordWrap(True)
        _set_tone(self.result_error, "danger")
        self.save_button = QPushButton("Save result  (Enter)", objectName="labs_save_result")
        self.save_button.setProperty("kind", "primary")
        self.save_button.clicked.connect(self.save_result)
        result_box = QFrame(objectName="labs_result_box")
        result_box.setProperty("box", "panel")
        box = QVBoxLayout(result_box)
        box.addWidget(self.result_title)
        box.addLayout(self.result_slot)
        box.addWidget(self.result_error)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        box.addLayout(save_row)
        box.addStretch(1)

        self.order_test = QLineEdit(objectName="labs_order_test", placeholderText="Type a test: CBC, HbA1c, TSH, USG abdomen… or any test")
        names = sorted({label for inv in all_investigations() for label in (inv.name, *inv.aliases)}, key=str.lower)
        completer = QCompleter(names, self.order_test)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.order_test.setCompleter(completer)
        self.order_test.returnPressed.connect(self.order_test_now)
        self.order_button = QPushButton("Order  (Enter)", objectName="labs_order_button")
        self.order_button.clicked.connect(self.order_test_now)
        self.order_hint = QLabel(objectName="labs_order_hint")
        self.order_hint.setWordWrap(True)
        order_row = QHBoxLayout()
        order_row.addWidget(self.order_test, 1)
        order_row.addWidget(self.order_button)

        left = QVBoxLayout()
        left.addWidget(_heading("Awaiting results"))
        left.addWidget(self.open_orders, 1)
        left.addWidget(result_box, 2)
        left.addWidget(QLabel("Order a test for this visit  (Ctrl+L)"))
        left.addLayout(order_row)
        left.addWidget(self.order_hint)

        self.tests = QListWidget(objectName="labs_tests")
        self.tests.setMinimumWidth(260)
        self.tests.setMaximumWidth(300)
        self.tests.setWordWrap(True)
        self.tests.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tests.setSpacing(2)
        self.tests.currentItemChanged.connect(lambda item, _old: self._show_trend(item))
        self.chart = TrendChart()
        self.chart.setObjectName("labs_trend")
        self.trend_empty = QLabel(objectName="labs_trend_hint")
        _set_tone(self.trend_empty, "muted")
        charts = QHBoxLayout()
        charts.addWidget(self.tests)
        charts.addWidget(self.chart, 1)
        right = QVBoxLayout()
        right.addWidget(_heading("Results over time"))
        right.addWidget(self.trend_empty)
        right.addLayout(charts, 1)

        outer = QHBoxLayout(self)
        outer.addLayout(left, 6)
        outer.addSpacing(12)
        outer.addLayout(right, 7)
        QShortcut(QKeySequence("Ctrl+L"), self, self.order_test.setFocus, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # -- the patient ---------------------------------------------------------------------------------

    def show_patient(self, patient_id: str | None, gender: str | None, encounter_id: str | None = None) -> None:
        changed = patient_id != self.patient_id
        self.patient_id, self.gender, self.encounter_id = patient_id, gender, encounter_id
        if changed:
            self._want_series = None
            self.orders, self.series = [], {}
            self.open_orders.clear()
            self.tests.clear()
            self.chart.clear()
            self._set_rows(None)
        can_order = patient_id is not None and encounter_id is not None
        self.order_test.setEnabled(can_order)
        self.order_button.setEnabled(can_order)
        self.order_hint.setText("" if can_order else "Start or open today's visit to order tests.")
        _set_tone(self.order_hint, "muted")
        if patient_id is not None:
            self.reload()

    def reload(self) -> None:
        pid = self.patient_id
        if pid is None:
            return
        self.desk.read(lambda db: (open_lab_orders(db, pid), lab_series(db, pid)), lambda got: self._show(pid, *got), key="labs_panel")

    def _show(self, patient_id: str, orders: list[OpenOrder], series: dict[str, list[Point]]) -> None:
        if patient_id != self.patient_id:
            return
        chosen = self.orders[self.open_orders.currentRow()].id if 0 <= self.open_orders.currentRow() < len(self.orders) else None
        self.orders, self.series = orders, series
        self.open_orders.blockSignals(True)
        self.open_orders.clear()
        for order in orders:
            self.open_orders.addItem(QListWidgetItem(f"{order.test_name}    ordered {_when(order)}"))
        if not orders:
            self.open_orders.addItem(QListWidgetItem("Nothing awaiting a result"))
            self.open_orders.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.open_orders.blockSignals(False)
        keep = next((n for n, o in enumerate(orders) if o.id == chosen), None)
        if keep is not None:
            self.open_orders.setCurrentRow(keep)
        elif orders:
            self.open_orders.setCurrentRow(0)
        else:
            self._set_rows(None)
        self._show_tests()

    def _show_tests(self) -> None:
        current = self.tests.currentItem()
        wanted = self._want_series or (current.data(Qt.ItemDataRole.UserRole) if current else None)
        self._want_series = None
        self.tests.blockSignals(True)
        self.tests.clear()
        for name, points in self.series.items():
            last = points[-1]
            mark = {"high": "  ▲", "low": "  ▼"}.get(last.flag or "", "")
            count = f"{len(points)} result{'s' if len(points) != 1 else ''}"
            item = QListWidgetItem(f"{name}\n{last.value:g} {last.unit or ''}{mark}  ·  {count} · {_when(last)}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.tests.addItem(item)
        self.tests.blockSignals(False)
        if not self.series:
            self.trend_empty.setText("No numeric results recorded for this patient yet.")
            self.chart.clear()
            return
        self.trend_empty.setText("Pick a test to see its results over time.")
        names = list(self.series)
        self.tests.setCurrentRow(names.index(wanted) if wanted in self.series else 0)
        self._show_trend(self.tests.currentItem())

    def _show_trend(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        points = self.series.get(name, [])
        if not points:
            return
        last = points[-1]
        self.chart.set_series(name, last.unit, points, last.low, last.high)
        self.trend_empty.setText(self.chart.summary())

    # -- entering a result ----------------------------------------------------------------------------

    def _order_chosen(self, row: int) -> None:
        self._set_rows(self.orders[row] if 0 <= row < len(self.orders) else None)

    def _defaults(self, test_name: str) -> list[tuple[str, Investigation | None]]:
        known = investigation(test_name)
        if known is None:
            return [(test_name, None)]
        parts = [c for c in panel_components(known.name) if c.numeric]
        return [(c.name, c) for c in parts] or [(known.name, known)]

    def _set_rows(self, order: OpenOrder | None) -> None:
        self.rows = []
        self.result_error.setText("")
        # A fresh grid per order, so no field of the previous order lingers.
        if self.result_host is not None:
            self.result_host.hide()
            self.result_host.deleteLater()
        host = self.result_host = QWidget(objectName="labs_result_rows")
        self.result_slot.addWidget(host)
        self.result_grid = QGridLayout(host)
        self.result_grid.setContentsMargins(0, 0, 0, 0)
        self.result_grid.setHorizontalSpacing(6)
        self.result_grid.setVerticalSpacing(4)
        self.save_button.setEnabled(order is not None)
        if order is None:
            self.result_title.setText("Pick a test above to enter its result." if self.orders else "Results are entered against an ordered test.")
            return
        defaults = self._defaults(order.test_name)
        many = len(defaults) > 1
        self.result_title.setText(f"Result for {order.test_name}" + (": fill in what the report gives, leave the rest empty." if many else ""))
        for column, heading in enumerate(("Test", "Value", "Unit", "Low", "High", "")):
            label = QLabel(heading)
            _set_tone(label, "muted")
            self.result_grid.addWidget(label, 0, column)
        for n, (name, inv) in enumerate(defaults):
            low, high = reference_range(inv, self.gender) if inv else (None, None)
            row = _ResultRow(self, n, name, inv.unit if inv else None, low, high)
            for column, widget in enumerate(row.widgets()):
                self.result_grid.addWidget(widget, n + 1, column)
            self.rows.append(row)
        for column in (1, 2, 3, 4):
            self.result_grid.setColumnStretch(column, 1)

    def _focus_first_value(self) -> None:
        if self.rows:
            self.rows[0].value.setFocus()

    def save_result(self) -> None:
        row_index = self.open_orders.currentRow()
        if not (0 <= row_index < len(self.orders)) or not self.rows:
            return
        order = self.orders[row_index]
        filled = [row for row in self.rows if row.value.text().strip()]
        if not filled:
            self.result_error.setText("Type the result first.")
            self.rows[0].value.setFocus()
            return
        results = []
        for row in filled:
            try:
                results.append(parse(LabResultInput, row.data(), row.name))
            except InvalidInput as exc:
                self.result_error.setText(describe_error(exc).replace("Reference low", "Low").replace("Reference high", "High"))
                return
            if results[-1].reference_low is not None and results[-1].reference_high is not None and results[-1].reference_low > results[-1].reference_high:
                self.result_error.setText(f"{row.name}: the low end of the range is above the high end.")
                return
        self.result_error.setText("")
        self.save_button.setEnabled(False)
        pid, first_name = self.patient_id, filled[0].name

        def write(db, actor):
            return record_lab_results(db, actor, order.id, results)

        def saved(_rows) -> None:
            self._want_series = first_name
            self.desk.info(f"{order.test_name}: result saved.")
            self.desk.patient_changed.emit(pid)
            self.reload()

        def failed(message: str) -> None:
            self.save_button.setEnabled(True)
            self.result_error.setText(message)

        self.desk.write(write, saved, failed)

    # -- ordering --------------------------------------------------------------------------------

    def order_test_now(self) -> None:
        text = " ".join(self.order_test.text().split())
        if not text or self.encounter_id is None or self.patient_id is None:
            return
        known = investigation(text)
        name = known.name if known else text
        pid, encounter_id = self.patient_id, self.encounter_id

        def ordered(_order) -> None:
            self.order_test.clear()
            self.order_hint.setText(f"Ordered {name}." + ("" if known else " (Not in Nadi's list of tests: saved as typed.)"))
            self.desk.patient_changed.emit(pid)
            self.reload()
            self.order_test.setFocus()

        def failed(message: str) -> None:
            self.order_hint.setText(message)
            _set_tone(self.order_hint, "danger")

        _set_tone(self.order_hint, "muted")
        self.desk.write(lambda db, actor: order_lab(db, actor, encounter_id, {"test_name": name}), ordered, failed)
