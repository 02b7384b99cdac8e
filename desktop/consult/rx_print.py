"""The signed prescription as a PDF in the clinic's data folder, and handing it to the PC's PDF
viewer to print. Runs on the print lane: laying out and rendering a page takes a few hundred
milliseconds, too long for the UI thread."""

from __future__ import annotations

from pathlib import Path

from core.services.prescriptions import print_context, prescription_code
from core.storage.types import utcnow

PRINT_DIR = "prints"


def write_prescription_pdf(db, prescription_id: str, language: str | None = None) -> Path:
    from desktop.printing.prescription import Layout, PrescriptionPrint  # noqa: PLC0415

    signed = prescription_code(db, prescription_id)
    context = print_context(db, prescription_id)
    folder = db.settings.data_dir / PRINT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"prescription-{utcnow():%Y%m%d}-{prescription_id[-8:]}.pdf"
    printed = PrescriptionPrint(signed.document, signed.payload, Layout.load(db.settings.data_dir / "print"),
                                language or context["language"], db.settings.clinic_timezone, context)
    printed.write_pdf(path)
    del printed
    return path


def open_for_printing(path: Path) -> bool:
    """Open the PDF in the PC's viewer (from which it is printed). Nothing to open on a headless PC."""
    from PySide6.QtCore import QUrl  # noqa: PLC0415
    from PySide6.QtGui import QDesktopServices, QGuiApplication  # noqa: PLC0415

    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
