"""The printed prescription: HTML from a template the clinic can change, laid out by Qt, written as
PDF (or PNG, to look at), with the verification QR code and patient instructions in the patient's
language. Qt shapes Devanagari through HarfBuzz and the bundled Noto fonts, so conjuncts and matras
print correctly on any PC.

Rendered from the signed document alone (plus layout and language), so what prints is what was signed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

import segno
from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

from core.prescribing.instructions import Phrasebook, dose_cell, instruction, phrasebook_for, when_cell
from core.prescribing.signing import display_fingerprint
from core.services.prescriptions import schedule_of
from desktop.printing.fonts import ensure_fonts

TEMPLATES = Path(__file__).parent / "templates"
LAYOUT_PX_PER_INCH = 96  # Qt lays rich text out in 1/96 inch units
A4_MM = (210.0, 297.0)
MARGIN_MM = 14.0
QR_URL = QUrl("nadi:qr")


@dataclass(frozen=True)
class Layout:
    template: str
    css: str
    phrases_dir: Path | None

    @classmethod
    def load(cls, override_dir: Path | None = None) -> Layout:
        """The shipped layout, with any file the clinic put in <data dir>/print/ taking its place."""

        phrases = override_dir / "phrases" if override_dir else None
        return cls(template_text("prescription.html", override_dir), template_text("prescription.css", override_dir), phrases)


def template_text(name: str, override_dir: Path | None = None) -> str:
    """A shipped template, or the clinic's own copy of it in <data dir>/print/ when there is one."""
    if override_dir and (override_dir / name).is_file():
        return (override_dir / name).read_text(encoding="utf-8")
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _e(value) -> str:
    return html.escape(str(value)) if value not in (None, "") else ""


def _mm_to_px(mm: float) -> float:
    return mm / 25.4 * LAYOUT_PX_PER_INCH


def qr_image(payload: str, module_px: int = 8) -> QImage:
    """The QR code as a crisp black-and-white image (quiet zone of 4 modules included).

    Built from a byte buffer, one pixel per module, then scaled without smoothing. (Painting each
    module with QPainter.fillRect(x, y, w, h, colour) leaks a reference to None per call in
    PySide6, which aborts the interpreter once a large code has been drawn.)"""
    matrix = segno.make(payload, error="m", micro=False).matrix
    border = 4
    side = len(matrix) + 2 * border
    pixels = bytearray(b"\xff" * (side * side))
    for y, row in enumerate(matrix):
        offset = (y + border) * side + border
        for x, dark in enumerate(row):
            if dark:
                pixels[offset + x] = 0
    image = QImage(bytes(pixels), side, side, side, QImage.Format.Format_Grayscale8).copy()  # copy: own the memory
    return image.scaled(side * module_px, side * module_px, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation)


def build_html(document: dict, layout: Layout, language: str | None, timezone: str, signed: bool,
               context: dict | None = None, qr_size_mm: float = 42.0) -> str:
    """The page as HTML: the signed document, plus the clinical context (vitals, diagnoses, advice)
    that the record holds but the QR code leaves out."""
    context = context or {}
    book_local = phrasebook_for(language, layout.phrases_dir)
    book_en = phrasebook_for("en")
    assert book_en is not None
    issued = datetime.fromisoformat(document["issued_at"].replace("Z", "+00:00")).astimezone(ZoneInfo(timezone))
    clinic, doctor, patient = document["clinic"], document["doctor"], document["patient"]
    age_sex = " / ".join(p for p in (f"{patient['age']} y" if patient.get("age") is not None else "", patient.get("sex") or "") if p)

    items = ['<table class="items" width="100%" cellspacing="0"><tr><th width="4%">#</th><th width="38%">Medicine</th>'
             '<th width="12%">Dose</th><th width="16%">When</th><th width="14%">Food</th><th width="8%">Days</th><th width="8%">Qty</th></tr>']
    for item in document["items"]:
        name = f'<span class="brand">{_e(item["drug"])}</span>'
        detail = " ".join(p for p in (item.get("generic") if item.get("generic") != item["drug"] else "", item.get("strength"), item.get("form")) if p)
        if detail:
            name += f'<br/><span class="generic">{_e(detail)}</span>'
        if item.get("instructions"):
            name += f'<br/><span class="generic">{_e(item["instructions"])}</span>'
        schedule = schedule_of(item)
        when = when_cell(schedule, book_en) or (item.get("frequency") or "")
        quantity = f"{item['quantity']:g}" if isinstance(item.get("quantity"), (int, float)) else ""
        items.append(f"<tr><td>{item['n']}</td><td>{name}</td><td>{_e(dose_cell(schedule))}</td><td>{_e(when)}</td>"
                     f"<td>{_e(item.get('timing'))}</td><td>{_e(item.get('days'))}</td><td>{_e(quantity)}</td></tr>")
    items.append("</table>")

    def instructions_block(book: Phrasebook) -> str:
        lines = []
        for item in document["items"]:
            sentence = instruction(schedule_of(item), book)
            if sentence:
                lines.append(f'<div class="instruction">{item["n"]}. <b>{_e(item["drug"])}</b> — {_e(sentence)}</div>')
        if not lines:
            return ""
        return f'<div class="instructions-heading">{_e(book.data["heading"])}</div>' + "".join(lines)

    instructions = instructions_block(book_local or book_en)
    follow_up = ""
    if document.get("follow_up"):
        day = datetime.fromisoformat(document["follow_up"]).strftime("%d %b %Y")
        follow_up = f'<div class="follow-up">{_e(book_en.data["follow_up"].format(date=day))}'
        if book_local and book_local.code != "en":
            follow_up += f'<br/>{_e(book_local.data["follow_up"].format(date=day))}'
        follow_up += "</div>"
    qr_px = round(_mm_to_px(qr_size_mm))
    values = {
        "css": layout.css,
        "draft_banner": "" if signed else '<p class="draft">DRAFT — NOT SIGNED — NOT VALID FOR DISPENSING</p>',
        "clinic_name": _e(clinic.get("name")),
        "clinic_address": _e(clinic.get("address")),
        "clinic_contact": _e(" · ".join(p for p in (f"Ph {clinic['phone']}" if clinic.get("phone") else "", f"HFR {clinic['hfr_id']}" if clinic.get("hfr_id") else "") if p)),
        "doctor_name": _e(doctor.get("name")),
        "doctor_qualification": _e(doctor.get("qualification")),
        "doctor_registration": _e(f"Reg. {doctor['registration']}" if doctor.get("registration") else ""),
        "patient_name": _e(patient.get("name")),
        "patient_age_sex": _e(age_sex),
        "date": issued.strftime("%d %b %Y"),
        "vitals": f'<div class="section"><span class="label">Vitals:</span> {_e(context["vitals"])}</div>' if context.get("vitals") else "",
        "diagnoses": f'<div class="section"><span class="label">Diagnosis:</span> {_e("; ".join(context["diagnoses"]))}</div>' if context.get("diagnoses") else "",
        "items": "".join(items),
        "instructions": instructions,
        "advice": f'<div class="advice"><span class="label">Advice:</span> {_e(context["advice"])}</div>' if context.get("advice") else "",
        "follow_up": follow_up,
        "qr": f'<img src="{QR_URL.toString()}" width="{qr_px}" height="{qr_px}"/>' if signed else "",
        "verify_note": ("Scan to verify this prescription: the code holds the signed prescription and the doctor's key. "
                        f"Key {display_fingerprint(document['key'])[:19]}…") if signed else "",
        "signature": (f"Digitally signed by<br/><b>{_e(doctor.get('name'))}</b><br/>{issued:%d %b %Y, %H:%M}") if signed else "Not signed",
    }
    return Template(layout.template).safe_substitute(values)


class HtmlPrint:
    """HTML laid out by Qt on pages of a given size, painted onto a PDF, an image or a printer.

    `page_mm` of (width, None) makes one page as tall as the content (a thermal roll)."""

    def __init__(self, html_text: str, page_mm: tuple[float, float | None] = A4_MM, margin_mm: float = MARGIN_MM,
                 images: dict[QUrl, QImage] | None = None, title: str = ""):
        ensure_fonts()
        self.title = title
        self.text = QTextDocument()
        self.text.setDocumentMargin(_mm_to_px(margin_mm))
        width = _mm_to_px(page_mm[0])
        self.text.setPageSize(QSizeF(width, _mm_to_px(page_mm[1]) if page_mm[1] else 1e6))
        for url, image in (images or {}).items():
            self.text.addResource(QTextDocument.ResourceType.ImageResource, url, image)
        self.text.setHtml(html_text)
        if page_mm[1] is None:
            self.text.setPageSize(QSizeF(width, self.text.documentLayout().documentSize().height()))
        self.page = self.text.pageSize()

    @property
    def page_mm(self) -> tuple[float, float]:
        return (self.page.width() / LAYOUT_PX_PER_INCH * 25.4, self.page.height() / LAYOUT_PX_PER_INCH * 25.4)

    @property
    def pages(self) -> int:
        return self.text.pageCount()

    def _paint(self, painter: QPainter, scale: float, page: int) -> None:
        painter.save()
        painter.scale(scale, scale)
        painter.translate(0, -page * self.page.height())
        self.text.drawContents(painter, QRectF(0, page * self.page.height(), self.page.width(), self.page.height()))
        painter.restore()

    def page_layout(self) -> QPageLayout:
        size = QPageSize(QSizeF(*self.page_mm), QPageSize.Unit.Millimeter)
        return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))

    def paint_pages(self, device, dpi: int) -> int:
        """Paint every page onto a paged device (QPdfWriter, QPrinter) already set to `page_layout()`."""
        painter = QPainter(device)
        try:
            for page in range(self.pages):
                if page:
                    device.newPage()
                self._paint(painter, dpi / LAYOUT_PX_PER_INCH, page)
        finally:
            painter.end()
        return self.pages

    def write_pdf(self, path: Path, dpi: int = 300) -> int:
        writer = QPdfWriter(str(path))
        writer.setResolution(dpi)
        writer.setPageLayout(self.page_layout())
        writer.setTitle(self.title)
        writer.setCreator("Nadi")
        return self.paint_pages(writer, dpi)

    def render_image(self, dpi: int = 150, page: int = 0) -> QImage:
        scale = dpi / LAYOUT_PX_PER_INCH
        image = QImage(round(self.page.width() * scale), round(self.page.height() * scale), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        try:
            self._paint(painter, scale, page)
        finally:
            painter.end()
        return image


class PrescriptionPrint(HtmlPrint):
    """A laid-out prescription, ready to paint onto a PDF page or an image."""

    def __init__(self, document: dict, payload: str | None, layout: Layout, language: str | None = None,
                 timezone: str = "Asia/Kolkata", context: dict | None = None):
        self.document = document
        super().__init__(build_html(document, layout, language, timezone, signed=payload is not None, context=context),
                         images={QR_URL: qr_image(payload)} if payload else None, title=f"Prescription {document['id']}")
