"""Printing the token slip a patient holds while waiting: written as a PDF sized for an 80 mm
thermal roll on the print lane, then handed to the PC's viewer to print where there is a screen."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.services.clinic import current_clinic
from core.services.visits import QueueEntry
from desktop.context import Desk

SLIP_DIR = "prints"


def write_slip(db, entry: QueueEntry) -> Path:
    from desktop.printing.token_slip import TokenSlip, write_token_slip  # noqa: PLC0415

    clinic = current_clinic(db)
    zone = ZoneInfo(db.settings.clinic_timezone)
    at = (entry.checked_in_at or entry.scheduled_for or datetime.now(zone)).astimezone(zone)
    slip = TokenSlip(clinic.name if clinic else "", entry.token or 0, entry.name, entry.doctor, at)
    path = db.settings.data_dir / SLIP_DIR / f"token-{at:%Y%m%d}-{entry.token}.pdf"
    return write_token_slip(slip, path, db.settings.data_dir / "print")


def print_token_slip(desk: Desk, entry: QueueEntry, parent=None) -> None:
    from desktop.consult.rx_print import open_for_printing  # noqa: PLC0415
    from desktop.printing.fonts import ensure_fonts  # noqa: PLC0415

    ensure_fonts()  # registered on the UI thread, before the print lane lays the slip out
    db = desk.db

    def printed(path: Path) -> None:
        desk.info(f"Token slip {entry.token} for {entry.name}: {path}" + ("" if open_for_printing(path) else " (saved; print it from there)"))

    desk.tasks.run(lambda: write_slip(db, entry), printed, desk.error, lane="print")
