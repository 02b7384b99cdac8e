"""The consult desk's Labs tab, driven as a doctor would, on a real encrypted database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from core.services import labs, visits
from core.services.history import import_past_visits
from core.services.lab_history import open_lab_orders
from core.services.patients import register_patient
from core.storage.types import utcnow
from desktop.consult.labs import LabsPanel
from desktop.context import Desk
from desktop.style import COLOURS
from desktop.tasks import Tasks
from desktop.widgets.trend_chart import ONE_VALUE


@pytest.fixture
def visit(db, team):
    patient = register_patient(db, team.receptionist, {"full_name": "Farida Begum", "gender": "F", "age_years": 52})
    now = utcnow()
    import_past_visits(db, team.doctor, [
        {"patient_id": patient.id, "doctor_id": team.doctor.staff_id, "started_at": now - timedelta(days=days),
         "lab_orders": [{"test_name": "HbA1c", "results": [{"value": value, "unit": "%", "reference_low": 4, "reference_high": 5.6}]}]}
        for days, value in ((180, "9.1"), (90, "5.4"))
    ] + [{"patient_id": patient.id, "doctor_id": team.doctor.staff_id, "started_at": now - timedelta(days=30),
          "lab_orders": [{"test_name": "TSH", "results": [{"value": "2.2", "unit": "µIU/mL", "reference_low": 0.4, "reference_high": 4.5}]}]}],
        "test")
    encounter = visits.start_encounter(db, team.doctor, patient.id, doctor_id=team.doctor.staff_id)
    return patient, encounter


@pytest.fixture
def panel(qtbot, db, team, visit):
    tasks = Tasks()
    desk = Desk(db, tasks, team.doctor)
    widget = LabsPanel(desk)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    patient, encounter = visit
    widget.show_patient(patient.id, "female", encounter.id)
    qtbot.waitUntil(lambda: widget.tests.count() == 2)
    yield widget
    tasks.stop()


def _texts(widget) -> list[str]:
    return [widget.item(n).text() for n in range(widget.count())]


def test_ordering_a_test_and_entering_its_result_charts_the_trend(qtbot, db, panel, visit):
    patient, _ = visit
    panel.order_test.setFocus()
    qtbot.keyClicks(panel.order_test, "glycated haemoglobin")
    with qtbot.waitSignal(panel.desk.patient_changed, timeout=5000) as changed:
        qtbot.keyClick(panel.order_test, Qt.Key.Key_Return)
    assert changed.args == [patient.id]
    qtbot.waitUntil(lambda: [o.test_name for o in panel.orders] == ["HbA1c"])
    assert _texts(panel.open_orders)[0].startswith("HbA1c")
    assert "Ordered HbA1c" in panel.order_hint.text()

    # The range for her sex is filled in from the list of tests; an abnormal value is flagged as typed.
    panel.open_orders.setCurrentRow(0)
    row = panel.rows[0]
    assert (row.unit.text(), row.low.text(), row.high.text()) == ("%", "4", "5.6")
    qtbot.keyClicks(row.value, "7.4")
    assert row.flag.text() == "▲ High" and row.flag.property("tone") == "danger"
    with qtbot.waitSignal(panel.desk.patient_changed, timeout=5000):
        qtbot.keyClick(row.value, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: panel.orders == [] and panel.chart.title == "HbA1c")
    assert open_lab_orders(db, patient.id) == []
    assert _texts(panel.open_orders) == ["Nothing awaiting a result"]
    assert len(panel.chart.marks()) == 3
    assert [m.abnormal for m in panel.chart.marks()] == [True, False, True]
    assert "7.4 %" in panel.chart.summary() and "outside the reference range" in panel.chart.summary()

    # The abnormal dots are drawn in the danger colour, the normal one is not.
    image = panel.chart.grab().toImage()
    ratio = image.devicePixelRatio()
    colours = [image.pixelColor(int(m.x * ratio), int(m.y * ratio)).name() for m in panel.chart.marks()]
    assert colours[0] == colours[2] == COLOURS["danger"] and colours[1] == COLOURS["accent"]


def test_a_panel_order_takes_each_part_and_a_single_result_is_no_trend(qtbot, db, team, panel, visit):
    patient, encounter = visit
    labs.order_lab(db, team.doctor, encounter.id, {"test_name": "CBC"})
    panel.reload()
    qtbot.waitUntil(lambda: len(panel.orders) == 1)
    panel.open_orders.setCurrentRow(0)
    names = [r.name for r in panel.rows]
    assert names[:3] == ["Haemoglobin", "Total leucocyte count", "Platelet count"]
    assert (panel.rows[0].low.text(), panel.rows[0].high.text()) == ("12", "15")  # her range, not a man's
    panel.rows[0].value.setText("10.1")
    panel.rows[0].update_flag()
    assert panel.rows[0].flag.text() == "▼ Low"
    panel.rows[2].value.setText("2,10,000")  # the rest of the report left empty
    panel.save_button.click()
    qtbot.waitUntil(lambda: panel.orders == [] and "Haemoglobin" in panel.series)
    assert panel.chart.title == "Haemoglobin"
    assert panel.chart.empty_text() == ONE_VALUE and panel.chart.marks() == []
    assert panel.series["Platelet count"][0].value == 210000
    assert "Total leucocyte count" not in panel.series

    panel.tests.setCurrentRow(list(panel.series).index("TSH"))
    assert panel.chart.title == "TSH" and panel.chart.empty_text() == ONE_VALUE


def test_nothing_is_saved_without_a_value_and_orders_need_a_visit(qtbot, db, team, visit):
    patient, encounter = visit
    labs.order_lab(db, team.doctor, encounter.id, {"test_name": "TSH"})
    tasks = Tasks()
    widget = LabsPanel(Desk(db, tasks, team.doctor))
    qtbot.addWidget(widget)
    widget.show_patient(patient.id, "female")  # an earlier visit, not today's: results yes, orders no
    qtbot.waitUntil(lambda: len(widget.orders) == 1)
    assert not widget.order_test.isEnabled() and "Start or open today's visit" in widget.order_hint.text()
    widget.open_orders.setCurrentRow(0)
    widget.save_button.click()
    assert widget.result_error.text() == "Type the result first."
    widget.rows[0].value.setText("3.0")
    widget.rows[0].low.setText("5")
    widget.save_button.click()
    assert "low end of the range is above the high end" in widget.result_error.text()
    assert [o.test_name for o in open_lab_orders(db, patient.id)] == ["TSH"]
    tasks.stop()
