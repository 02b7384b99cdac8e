"""Qt for commands that draw without a window (printing to PDF): a GUI application on the offscreen
platform, so `nadi rx print` works over SSH and on a PC with no display."""

from __future__ import annotations

import os

_app = None  # held here: PySide deletes the application when its last Python reference goes


def offscreen_app():
    """The running Qt application, or a new offscreen one."""
    from PySide6.QtCore import QLoggingCategory  # noqa: PLC0415
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    # Qt reports each time it skips a Latin font for Devanagari text before falling back to the
    # bundled Devanagari font, which is the intended behaviour: not worth a line on the terminal.
    QLoggingCategory.setFilterRules("qt.text.font.db=false")
    global _app
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = _app = QGuiApplication(["nadi"])
    return app
