"""The desktop window. Until the reception and consult desks land, a plain status window:
which clinic, where its data lives, and what the record holds."""

from __future__ import annotations

import os
import sys

from core.errors import NadiError


def run_app(data_dir: str | None) -> int:
    from core.settings import load_settings  # noqa: PLC0415
    from core.stats import record_counts  # noqa: PLC0415
    from core.services.clinic import current_clinic  # noqa: PLC0415
    from core.storage.database import open_database  # noqa: PLC0415

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        raise NadiError("no display to open the window on (for a headless check set QT_QPA_PLATFORM=offscreen)")
    db, new_key = open_database(load_settings(data_dir), create=True)
    try:
        clinic = current_clinic(db)
        counts = record_counts(db)
    finally:
        db.close()

    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: PLC0415

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle(f"Nadi — {clinic.name}" if clinic else "Nadi")
    lines = [f"<h2>{clinic.name if clinic else 'No clinic set up yet'}</h2>", f"<p>Data: {db.settings.data_dir}</p>"]
    if new_key:
        lines.append(f"<p><b>New encrypted database. Recovery key (shown once — write it down):</b><br><tt>{new_key.recovery_key}</tt></p>")
    if not clinic:
        lines.append(f"<p>For a demo clinic, run <tt>nadi demo --data-dir {db.settings.data_dir}</tt>.</p>")
    lines.append("<p>" + " · ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if k in ("patients", "encounters", "prescriptions", "bills")) + "</p>")
    label = QLabel("".join(lines))
    label.setWordWrap(True)
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(720, 360)
    window.show()
    if os.environ.get("NADI_EXIT_AFTER_SHOW"):  # smoke checks: show the window, then leave
        app.processEvents()
        return 0
    return app.exec()
