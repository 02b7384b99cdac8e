"""A lab value over time, drawn with QPainter: dates along the bottom, values up the side, the
reference range as a shaded band, each result a dot (red when outside the range) and the latest
value written beside the last dot. One result is not a trend, and the chart says so.

Painting uses the palette in desktop/style.py (COLOURS): a painted chart has no widgets for the
stylesheet's properties to reach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.style import COLOURS

ONE_VALUE = "One value only — a trend needs two"
NO_VALUES = "No results to chart yet"


@dataclass(frozen=True)
class Mark:
    """A result as drawn: where, its value, and whether it is outside the reference range."""

    at: datetime
    value: float
    abnormal: bool
    x: float
    y: float


def _abnormal(point, low: float | None, high: float | None) -> bool:
    if getattr(point, "flag", None) in ("low", "high"):
        return True
    return (low is not None and point.value < low) or (high is not None and point.value > high)


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * power >= raw:
            return multiple * power
    return 10 * power


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.4g}"


def _date(at: datetime) -> str:
    return at.astimezone().strftime("%d %b %y") if at.tzinfo else at.strftime("%d %b %y")


class TrendChart(QWidget):
    MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64.0, 92.0, 40.0, 40.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trend_chart")
        self.setMinimumSize(360, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.title, self.unit = "", ""
        self.points: list = []
        self.low: float | None = None
        self.high: float | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(640, 320)

    def set_series(self, title: str, unit: str | None, points: list, low: float | None = None, high: float | None = None) -> None:
        """Show `points` (anything with `at: datetime` and `value: float`, and optionally `flag`),
        oldest first, against the reference range low..high (either may be None)."""
        self.title, self.unit = title, unit or ""
        self.points = sorted(points, key=lambda p: p.at)
        self.low, self.high = low, high
        self.setToolTip(self.summary())
        self.update()

    def clear(self) -> None:
        self.set_series("", None, [])

    # -- what is drawn -------------------------------------------------------------------------

    def empty_text(self) -> str | None:
        if not self.points:
            return NO_VALUES
        if len(self.points) == 1:
            return ONE_VALUE
        return None

    def summary(self) -> str:
        """The chart in words (tooltip, screen readers)."""
        if not self.points:
            return NO_VALUES
        last = self.points[-1]
        words = f"{self.title}: {len(self.points)} result{'s' if len(self.points) != 1 else ''}, latest {_number(last.value)} {self.unit} on {_date(last.at)}".strip()
        return words + (" (outside the reference range)" if _abnormal(last, self.low, self.high) else "")

    def _plot_rect(self) -> QRectF:
        return QRectF(self.MARGIN_LEFT, self.MARGIN_TOP, max(self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT, 10.0),
                      max(self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM, 10.0))

    def _value_range(self) -> tuple[float, float, float]:
        values = [p.value for p in self.points] + [v for v in (self.low, self.high) if v is not None]
        lo, hi = min(values), max(values)
        if hi == lo:
            pad = abs(hi) * 0.1 or 1.0
            lo, hi = lo - pad, hi + pad
        step = _nice_step(hi - lo)
        lo = math.floor(lo / step) * step
        hi = math.ceil(hi / step) * step
        if lo < 0 <= min(values):
            lo = 0.0
        return lo, hi, step

    def marks(self) -> list[Mark]:
        """Each point as it is placed on the chart (empty when there is no trend to draw)."""
        if len(self.points) < 2:
            return []
        plot = self._plot_rect()
        lo, hi, _ = self._value_range()
        first, last = self.points[0].at.timestamp(), self.points[-1].at.timestamp()
        span = last - first
        out = []
        for n, p in enumerate(self.points):
            # Equal times (two results entered together) are spread evenly so neither hides.
            share = (p.at.timestamp() - first) / span if span > 0 else n / (len(self.points) - 1)
            x = plot.left() + share * plot.width()
            y = plot.bottom() - (p.value - lo) / (hi - lo) * plot.height()
            out.append(Mark(p.at, p.value, _abnormal(p, self.low, self.high), x, y))
        return out

    # -- painting --------------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(QRectF(self.rect()), QBrush(QColor(COLOURS["window"])))
        base = QFont(self.font())
        bold = QFont(base)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(COLOURS["text"]))
        heading = f"{self.title} ({self.unit})" if self.unit else self.title
        painter.drawText(QRectF(8, 6, self.width() - 16, 24), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, heading)
        painter.setFont(base)
        empty = self.empty_text()
        if empty is not None:
            self._paint_empty(painter, empty, bold)
        else:
            self._paint_chart(painter, base, bold)
        painter.end()

    def _paint_empty(self, painter: QPainter, text: str, bold: QFont) -> None:
        area = QRectF(0, self.MARGIN_TOP, self.width(), self.height() - self.MARGIN_TOP)
        painter.setPen(QColor(COLOURS["muted"]))
        if not self.points:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, text)
            return
        only = self.points[0]
        painter.drawText(area.adjusted(0, -24, 0, -24), Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(bold)
        painter.setPen(QColor(COLOURS["danger" if _abnormal(only, self.low, self.high) else "text"]))
        painter.drawText(area.adjusted(0, 24, 0, 24), Qt.AlignmentFlag.AlignCenter,
                         f"{_number(only.value)} {self.unit} on {_date(only.at)}{self._range_words()}")

    def _range_words(self) -> str:
        if self.low is not None and self.high is not None:
            return f"   (range {_number(self.low)}–{_number(self.high)})"
        if self.high is not None:
            return f"   (range up to {_number(self.high)})"
        if self.low is not None:
            return f"   (range from {_number(self.low)})"
        return ""

    def _paint_chart(self, painter: QPainter, base: QFont, bold: QFont) -> None:
        plot = self._plot_rect()
        lo, hi, step = self._value_range()
        metrics = QFontMetricsF(base)

        def y_of(value: float) -> float:
            return plot.bottom() - (value - lo) / (hi - lo) * plot.height()

        # The reference band, clipped to the plot.
        if self.low is not None or self.high is not None:
            top = y_of(min(self.high, hi)) if self.high is not None else plot.top()
            bottom = y_of(max(self.low, lo)) if self.low is not None else plot.bottom()
            if bottom > top:
                painter.fillRect(QRectF(plot.left(), top, plot.width(), bottom - top), QBrush(QColor(COLOURS["ok_bg"])))
                edge = QPen(QColor(COLOURS["ok"]), 1, Qt.PenStyle.DashLine)
                painter.setPen(edge)
                for limit in (self.low, self.high):
                    if limit is not None and lo <= limit <= hi:
                        painter.drawLine(QPointF(plot.left(), y_of(limit)), QPointF(plot.right(), y_of(limit)))

        # Value axis: a few round ticks with faint grid lines.
        grid = QPen(QColor(COLOURS["border"]), 1)
        tick = lo
        while tick <= hi + step / 1000:
            y = y_of(tick)
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(COLOURS["muted"]))
            painter.drawText(QRectF(0, y - 10, plot.left() - 6, 20), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _number(tick))
            tick += step
        painter.setPen(QPen(QColor(COLOURS["muted"]), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())

        marks = self.marks()
        # Dates: first and last always, the others where there is room.
        painter.setPen(QColor(COLOURS["muted"]))
        placed: list[tuple[float, float]] = []
        order = [0, len(marks) - 1] + list(range(1, len(marks) - 1))
        for n in order:
            m = marks[n]
            label = _date(m.at)
            width = metrics.horizontalAdvance(label) + 8
            left = min(max(m.x - width / 2, 0), self.width() - width)
            if any(left < b and left + width > a for a, b in placed):
                continue
            placed.append((left, left + width))
            painter.drawLine(QPointF(m.x, plot.bottom()), QPointF(m.x, plot.bottom() + 4))
            painter.drawText(QRectF(left, plot.bottom() + 6, width, 20), Qt.AlignmentFlag.AlignCenter, label)

        painter.setPen(QPen(QColor(COLOURS["accent"]), 2))
        for a, b in zip(marks, marks[1:], strict=False):
            painter.drawLine(QPointF(a.x, a.y), QPointF(b.x, b.y))
        for m in marks:
            colour = QColor(COLOURS["danger" if m.abnormal else "accent"])
            painter.setPen(QPen(QColor(COLOURS["window"]), 1.5))
            painter.setBrush(QBrush(colour))
            radius = 6.0 if m.abnormal else 4.5
            painter.drawEllipse(QPointF(m.x, m.y), radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)

        last = marks[-1]
        painter.setFont(bold)
        painter.setPen(QColor(COLOURS["danger" if last.abnormal else "text"]))
        label = f"{_number(last.value)} {self.unit}".strip()
        if QFontMetricsF(bold).horizontalAdvance(label) > self.MARGIN_RIGHT - 12:
            label = _number(last.value)  # the unit is in the title; the value must not be cut
        painter.drawText(QRectF(last.x + 10, last.y - 11, self.MARGIN_RIGHT - 12, 22),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        painter.setFont(base)
