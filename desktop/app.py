"""The desktop window. Until the reception and consult desks land, a plain status window:
which clinic, where its data lives, and what the record holds."""

from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from core.errors import NadiError


@dataclass(frozen=True)
class ClinicStatus:
    clinic_name: str | None
    data_dir: Path
    counts: dict[str, int]
    recovery_key: str | None = None  # only on the start that created the database


def load_status(data_dir: str | None) -> ClinicStatus:
    """Open (or create) the clinic database and read what the window shows."""
    from core.services.clinic import current_clinic  # noqa: PLC0415
    from core.settings import load_settings  # noqa: PLC0415
    from core.stats import record_counts  # noqa: PLC0415
    from core.storage.database import open_database  # noqa: PLC0415

    db, new_key = open_database(load_settings(data_dir), create=True)
    try:
        clinic = current_clinic(db)
        return ClinicStatus(clinic.name if clinic else None, db.settings.data_dir, record_counts(db), new_key.recovery_key if new_key else None)
    finally:
        db.close()


def status_window(status: ClinicStatus):
    from PySide6.QtCore import Qt  # noqa: PLC0415
    from PySide6.QtWidgets import QLabel, QMainWindow  # noqa: PLC0415

    window = QMainWindow()
    window.setWindowTitle(f"Nadi — {status.clinic_name}" if status.clinic_name else "Nadi")
    esc = html.escape
    lines = [f"<h2>{esc(status.clinic_name or 'No clinic set up yet')}</h2>", f"<p>Data: {esc(str(status.data_dir))}</p>"]
    if status.recovery_key:
        lines.append(f"<p><b>New encrypted database. Recovery key (shown once — write it down and keep it safe):</b><br><tt>{esc(status.recovery_key)}</tt></p>")
    if not status.clinic_name:
        lines.append(f"<p>For a demo clinic, run <tt>nadi demo --data-dir {esc(str(status.data_dir))}</tt>.</p>")
    shown = ("patients", "encounters", "prescriptions", "bills")
    lines.append("<p>" + " · ".join(f"{status.counts[k]:,} {k}" for k in shown) + "</p>")
    label = QLabel("".join(lines))
    label.setObjectName("status")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the recovery key can be copied
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(720, 360)
    return window


def run_app(data_dir: str | None) -> int:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        raise NadiError("no display to open the window on (for a headless check set QT_QPA_PLATFORM=offscreen)")
    status = load_status(data_dir)
    if status.recovery_key:
        # Also on the terminal: a window can be closed, missed, or (headless) never seen.
        print(f"New encrypted database in {status.data_dir}.", file=sys.stderr)
        print(f"Recovery key (shown once; keep it safe, it is the only way onto a new PC): {status.recovery_key}", file=sys.stderr)
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = status_window(status)
    window.show()
    if os.environ.get("NADI_EXIT_AFTER_SHOW"):  # smoke checks: show the window, then leave
        app.processEvents()
        return 0
    return app.exec()
