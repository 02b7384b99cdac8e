"""The printed prescription, rendered for real: one A4 page, nothing past the margins, Devanagari
shaped with real glyphs (no boxes), and a QR code that a scanner reads back into a code the verify
command accepts."""

from __future__ import annotations

import pytest
import zxingcpp
from PySide6.QtGui import QImage

from core.services import patients, prescriptions, visits
from desktop.printing.prescription import A4_MM, MARGIN_MM, Layout, PrescriptionPrint

DEVANAGARI = range(0x0900, 0x0980)


@pytest.fixture
def signed(db, team):
    patient = patients.register_patient(db, team.receptionist, {"full_name": "Kamla Devi Sharma", "gender": "female", "date_of_birth": "1958-01-20",
                                                                "mobile": "9876501234", "preferred_language": "Hindi"})
    encounter = visits.start_encounter(db, team.doctor, patient.id, team.doctor.staff_id)
    visits.update_note(db, team.doctor, encounter.id, {"advice": "Plenty of fluids; steam inhalation twice a day", "follow_up_on": "2026-12-01"})
    visits.record_vitals(db, team.doctor, encounter.id, {"systolic": 128, "diastolic": 82, "pulse": 90, "temperature_c": 38.4})
    visits.add_diagnosis(db, team.doctor, encounter.id, {"text": "Acute upper respiratory tract infection", "code": "J06.9", "code_system": "ICD-10"})
    rx = prescriptions.prescribe(db, team.doctor, encounter.id, [
        "Tab Dolo 650 1-1-1 x 3 days after food", "Tab Montair LC 0-0-1 x 10 days", "Syp Ascoril LS 5 ml TDS x 5 days",
        "Tab Pan 40 OD khali pet x 5 days", "Tab Zerodol SP ½-0-½ x 5 days",
    ])
    for status in prescriptions.prescription_alerts(db, rx.id):
        if status.blocking:
            prescriptions.override_alert(db, team.doctor, rx.id, status.alert.key, "Short course, reviewed with patient")
    prescriptions.sign_prescription(db, team.doctor, rx.id)
    return prescriptions.prescription_code(db, rx.id), prescriptions.print_context(db, rx.id)


def _decode_qr(image: QImage) -> list[str]:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = bytes(gray.constBits())[: gray.sizeInBytes()]  # the view borrows this buffer: keep it alive while reading
    view = zxingcpp.ImageView(pixels, gray.width(), gray.height(), zxingcpp.ImageFormat.Lum, gray.bytesPerLine())
    found = [r.text for r in zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)]
    del view
    return found


def _dark_pixels_in_columns(image: QImage, x_from: int, x_to: int) -> int:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())
    stride = gray.bytesPerLine()
    return sum(1 for y in range(gray.height()) for x in range(x_from, x_to) if data[y * stride + x] < 200)


def test_the_print_is_one_page_within_its_margins_and_its_qr_verifies(qapp, db, signed, tmp_path):
    signed, context = signed
    printed = PrescriptionPrint(signed.document, signed.payload, Layout.load(None), "Hindi", context=context)
    assert "Acute upper respiratory tract infection" in printed.text.toPlainText()  # from the record, not the code
    assert printed.pages == 1
    pdf = tmp_path / "rx.pdf"
    assert printed.write_pdf(pdf) == 1
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF") and b"NotoSansDevanagari" in body  # the Devanagari font travels inside the PDF

    dpi = 150
    image = printed.render_image(dpi=dpi)
    image.save(str(tmp_path / "rx.png"))
    margin_px = int(MARGIN_MM / 25.4 * dpi)
    width = image.width()
    assert _dark_pixels_in_columns(image, width - int(margin_px * 0.7), width) == 0, "something prints into the right margin"
    assert _dark_pixels_in_columns(image, 0, int(margin_px * 0.7)) == 0, "something prints into the left margin"
    assert abs(image.width() - A4_MM[0] / 25.4 * dpi) < 2

    decoded = _decode_qr(image)
    assert decoded == [signed.payload]
    report = prescriptions.verify_code(db, decoded[0])
    assert report.ok, report.message


def test_devanagari_instructions_are_shaped_with_real_glyphs_from_the_bundled_font(qapp, signed):
    signed, _ = signed
    printed = PrescriptionPrint(signed.document, signed.payload, Layout.load(None), "Hindi")
    text = printed.text.toPlainText()
    assert "खाने के बाद" in text and "खाली पेट" in text and "दवा कैसे लें" in text
    assert printed.pages == 1  # lays the document out
    block = printed.text.begin()
    checked = 0
    while block.isValid():
        if any(ord(ch) in DEVANAGARI for ch in block.text()):
            layout = block.layout()
            for run in (run for n in range(layout.lineCount()) for run in layout.lineAt(n).glyphRuns()):
                family = run.rawFont().familyName()
                if "Devanagari" in family:
                    assert 0 not in run.glyphIndexes(), f"missing glyphs (boxes) in {block.text()!r}"
                    checked += len(run.glyphIndexes())
        block = block.next()
    assert checked > 50, "no Devanagari text was laid out with the Devanagari font"


def test_a_clinic_layout_override_changes_the_print_without_code(qapp, signed, tmp_path):
    signed, _ = signed
    override = tmp_path / "print"
    override.mkdir()
    template = Layout.load(None).template.replace("$clinic_name", "$clinic_name — Evening OPD 5–9 pm")
    (override / "prescription.html").write_text(template, encoding="utf-8")
    printed = PrescriptionPrint(signed.document, signed.payload, Layout.load(override), "Hindi")
    assert "Evening OPD 5–9 pm" in printed.text.toPlainText()


def test_an_unsigned_draft_prints_marked_as_such_and_without_a_code(qapp, signed):
    signed, _ = signed
    printed = PrescriptionPrint(signed.document, None, Layout.load(None), None)
    plain = printed.text.toPlainText()
    assert "NOT VALID FOR DISPENSING" in plain
    assert _decode_qr(printed.render_image(dpi=100)) == []
