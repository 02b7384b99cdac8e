"""PySide6 6.12.0 on CPython 3.11 dropped a reference to None on every Qt call that returns nothing
(setText, setItem, setToolTip, QPainter.fillRect…). None starts with a few tens of thousands of
references, so a desk refreshing its tables for a few minutes aborted the whole program
("deallocating None"). This pins the Qt we ship to one that does not."""

import sys

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem

CALLS = 5000


def test_qt_calls_leave_none_alone(qtbot):
    label, table = QLabel(), QTableWidget(1, 1)
    qtbot.addWidget(label)
    qtbot.addWidget(table)
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("x")
        label.setToolTip("y")
        table.setItem(0, 0, QTableWidgetItem("z"))
    painter = QPainter(image)
    for _ in range(CALLS):
        painter.fillRect(0, 0, 2, 2, QColor("red"))
    painter.end()
    lost = before - sys.getrefcount(None)
    assert lost < CALLS // 10, f"{lost} references to None lost in {4 * CALLS} Qt calls: this PySide6 will abort a long-running desk"
