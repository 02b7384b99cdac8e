"""Telling a person what is wrong where they are looking: a message line under a form, and a field
marked as the one to fix. Colours come from the stylesheet (desktop/style.py) via properties."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def error_label(name: str) -> QLabel:
    """A hidden, wrapping message line; `say` fills and shows it."""
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("tone", "danger")
    label.setWordWrap(True)
    label.hide()
    return label


def say(label: QLabel, text: str, tone: str = "danger") -> None:
    """Show `text` in the tone given; an empty text hides the line."""
    label.setProperty("tone", tone)
    _repolish(label)
    label.setText(text)
    label.setVisible(bool(text))


def mark_invalid(edit: QWidget, invalid: bool) -> None:
    edit.setProperty("invalid", "true" if invalid else "false")
    _repolish(edit)
