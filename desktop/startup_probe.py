"""The moment the app is ready for its user, for `nadi bench startup` and smoke checks.

With NADI_STARTUP_PROBE=FILE the app writes time.time_ns() to FILE once its main window is shown
with what the person first works with filled in, and the event loop has turned once (the first
frame a person could type into), and with
NADI_EXIT_AFTER_SHOW=1 it then quits with status 0.
"""

from __future__ import annotations

import os
import time


def arm(app, shown=None) -> None:
    """Call right after the main window is shown, before app.exec(). `shown`, if given, is a
    signal the window emits once what the person first works with is on screen (the log-in list
    read from the database); the probe then waits for it as well as for the event loop."""
    probe, leave = os.environ.get("NADI_STARTUP_PROBE"), os.environ.get("NADI_EXIT_AFTER_SHOW")
    if not (probe or leave):
        return
    from PySide6.QtCore import QTimer  # noqa: PLC0415

    def ready() -> None:
        if probe:
            with open(probe, "w", encoding="ascii") as f:
                f.write(str(time.time_ns()))
        if leave:
            app.exit(0)

    if shown is None:
        QTimer.singleShot(0, ready)
    else:
        shown.connect(lambda *_: QTimer.singleShot(0, ready))
