"""Qt for commands that draw without a window (printing to PDF): a GUI application on the offscreen
platform, so `nadi rx print` works over SSH and on a PC with no display."""

from __future__ import annotations

import os


def offscreen_app():
    """The running Qt application, or a new offscreen one."""
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["nadi"])
    return app
