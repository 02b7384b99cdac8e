"""Billing at the desk, driven by the keyboard as a receptionist would, on a real database: the
price list filters as you type, the UPI QR on screen and on the receipt scans to the exact amount,
a refused discount writes nothing, and the day-end summary adds up."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from core.payments.upi import upi_payment_uri
from core.services import patients
from core.services.billing import bill_and_pay, collection_summary, receipt_context
from core.services.clinic import update_clinic
from core.services.price_list import add_starter_price_list
from core.services.visits import clinic_day
from desktop.context import Desk
from desktop.printing.receipt import ReceiptPrint
from desktop.reception.billing import NO_UPI_ID, BillDialog, DayEndView
from desktop.tasks import Tasks


@pytest.fixture
def desk(qapp, db, team):
    add_starter_price_list(db, team.admin)
    tasks = Tasks()
    yield Desk(db, tasks, team.receptionist)
    tasks.stop()


@pytest.fixture
def kamla(db, team):
    return patients.register_patient(db, team.receptionist, {"full_name": "Kamla Devi Sharma", "gender": "female", "date_of_birth": "1958-01-20",
                                                             "mobile": "9876501234"})


def _open(qtbot, desk, patient_id) -> BillDialog:
    dialog = BillDialog(desk, patient_id)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.price_table.rowCount() > 0)
    return dialog


def _add(qtbot, dialog: BillDialog, typed: str) -> None:
    qtbot.keyClicks(dialog.filter, typed)
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)


def _decode_qr(image: QImage) -> list[str]:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = bytes(gray.constBits())[: gray.sizeInBytes()]  # the view borrows this buffer: keep it alive while reading
    view = zxingcpp.ImageView(pixels, gray.width(), gray.height(), zxingcpp.ImageFormat.Lum, gray.bytesPerLine())
    found = [r.text for r in zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)]
    del view
    return found


def _pdf_text(path: Path) -> str:
    """The text a PDF viewer would find: pdftotext when installed, else read back through the
    ToUnicode maps Qt writes for each embedded font."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    data = path.read_bytes()
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        found = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S)
        if not found:
            return b""
        return zlib.decompress(found.group(1)) if b"/FlateDecode" in body else found.group(1)

    def unicode_map(cmap: bytes) -> dict[int, str]:
        table = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
                lo, hi = int(lo, 16), int(hi, 16)
                if dst.startswith(b"["):
                    for k, d in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", dst)):
                        table[lo + k] = bytes.fromhex(d.decode()).decode("utf-16-be")
                else:
                    table.update({lo + k: chr(int(dst[1:-1], 16) + k) for k in range(hi - lo + 1)})
        return table

    fonts = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(ref), b""))
        if to_unicode:
            fonts[name] = unicode_map(stream(objects[int(to_unicode.group(1))]))
    out = []
    for body in objects.values():
        current: dict[int, str] = {}
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]+)> Tj", stream(body) if b"stream" in body else b""):
            if token.group(1):
                current = fonts.get(token.group(1), {})
            else:
                codes = token.group(2)
                out.append("".join(current.get(int(codes[i:i + 4], 16), "") for i in range(0, len(codes), 4)))
    return " ".join(out)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _bill_count(db) -> int:
    return collection_summary(db, clinic_day(db))["bills_count"]


def test_a_visit_billed_by_keyboard_with_upi_shows_a_qr_for_the_amount_and_prints_a_receipt(qtbot, db, desk, kamla, tmp_path):
    dialog = _open(qtbot, desk, kamla.id)
    assert dialog.filter.hasFocus()
    qtbot.keyClicks(dialog.filter, "dress")
    assert [dialog.price_table.item(r, 0).text() for r in dialog._visible_rows()] == ["Dressing"]
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)
    assert dialog.filter.text() == "" and dialog.filter.hasFocus()  # ready for the next item
    _add(qtbot, dialog, "cons")  # the first match, "Consultation", is highlighted
    _add(qtbot, dialog, "ecg")
    assert [dialog.lines_table.item(r, 0).text() for r in range(dialog.lines_table.rowCount())] == ["Dressing", "Consultation", "ECG"]

    dialog.lines_table.setFocus()
    dialog.lines_table.selectRow(2)
    qtbot.keyClick(dialog.lines_table, Qt.Key.Key_Delete)
    assert dialog.lines_table.rowCount() == 2
    dialog.lines_table.cellWidget(0, 1).setValue(2)  # two dressings
    assert dialog.lines_table.item(0, 3).text() == "₹300.00"
    assert dialog.subtotal_label.text() == "₹800.00"

    dialog.discount_kind.setCurrentIndex(dialog.discount_kind.findData("percent"))
    qtbot.keyClicks(dialog.discount_edit, "10")
    assert dialog.discount_amount_label.text() == "− ₹80.00" and dialog.total_label.text() == "₹720.00"
    assert dialog.received_edit.text() == "720.00"  # the amount received follows the total until typed over

    qtbot.keyClick(dialog, Qt.Key.Key_F4)
    assert dialog.method_buttons["upi"].isChecked() and dialog.reference_edit.hasFocus()
    qr = dialog.findChild(QLabel, "upi_qr")
    assert qr.isVisible()
    expected = upi_payment_uri("shanticlinic@okhdfc", "Shanti Clinic", 72000, note="Bill for Kamla Devi Sharma")
    assert _decode_qr(qr.grab().toImage()) == [expected]
    assert "₹720.00" in dialog.upi_caption.text()
    dialog.grab().save(str(tmp_path / "bill-dialog.png"))
    qtbot.keyClicks(dialog.reference_edit, "412345678901")

    with qtbot.waitSignal(desk.bills_changed), qtbot.waitSignal(dialog.receipt_written, timeout=10_000) as written:
        qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    pdf = Path(written.args[0])
    assert pdf.parent == db.settings.data_dir / "receipts" and pdf.read_bytes().startswith(b"%PDF")
    text = _squash(_pdf_text(pdf))
    assert "KamlaDeviSharma" in text and "₹720.00" in text and "412345678901" in text
    assert not dialog.isVisible()
    receipt = receipt_context(db, dialog.bill_id)
    assert (receipt["total_paise"], receipt["due_paise"], receipt["payments"][0]["method"]) == (72000, 0, "upi")
    assert ReceiptPrint(receipt).upi_uri is None  # paid in full: no code to pay again


def test_a_receipt_with_a_balance_carries_a_qr_for_exactly_that_balance(qapp, db, team, kamla):
    bill = bill_and_pay(db, team.receptionist, {"patient_id": kamla.id, "items": [{"description": "Consultation", "unit_price": 500},
                                                                                  {"description": "ECG", "unit_price": 300}]},
                        {"amount": 450, "method": "cash"})
    receipt = receipt_context(db, bill.id)
    printed = ReceiptPrint(receipt)
    number = receipt["receipt_number"]
    expected = upi_payment_uri("shanticlinic@okhdfc", "Shanti Clinic", 35000, note=f"Receipt {number}", reference=number.replace("-", ""))
    assert printed.upi_uri == expected and printed.pages == 1
    assert _decode_qr(printed.render_image(dpi=150)) == [expected]
    plain = printed.text.toPlainText()
    assert "Balance due" in plain and "₹350.00" in plain and "Kamla Devi Sharma" in plain


def test_a_discount_over_the_bill_is_refused_with_the_reason_and_nothing_is_written(qtbot, db, desk, kamla):
    dialog = _open(qtbot, desk, kamla.id)
    _add(qtbot, dialog, "consultation")
    qtbot.keyClicks(dialog.discount_edit, "2000")
    assert dialog.discount_problem.isVisible() and "₹2,000.00 is more than the bill (₹500.00)" in dialog.discount_problem.text()
    with qtbot.waitSignal(desk.tasks.idle, timeout=5_000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.error.isVisible() and "₹2000.00 is more than the bill (₹500.00)" in dialog.error.text()  # the service's own refusal
    assert dialog.isVisible() and dialog.bill_id is None and dialog.save_button.isEnabled()
    assert _bill_count(db) == 0


def test_a_part_payment_leaves_the_bill_open_and_the_day_end_shows_it_outstanding(qtbot, db, desk, kamla, team):
    day_end = DayEndView(desk)
    qtbot.addWidget(day_end)
    qtbot.waitUntil(lambda: day_end.summary is not None)
    dialog = _open(qtbot, desk, kamla.id)
    _add(qtbot, dialog, "consultation")
    dialog.received_edit.setFocus()
    dialog.received_edit.selectAll()
    qtbot.keyClicks(dialog.received_edit, "200")
    assert "₹300.00 will still be due" in dialog.balance_note.text()
    assert dialog.total_label.text() == "₹500.00"  # typing over the amount received leaves the total alone
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert receipt_context(db, dialog.bill_id)["status"] == "open"

    qtbot.waitUntil(lambda: day_end.summary["bills_count"] == 1)  # refreshed by desk.bills_changed
    assert day_end.values["outstanding"].text() == "₹300.00"
    assert day_end.values["cash"].text() == "₹200.00" and day_end.values["collected"].text() == "₹200.00"
    assert day_end.bill_table.item(0, 2).text() == "Kamla Devi Sharma" and day_end.bill_table.item(0, 6).text() == "part paid"


def test_the_day_end_view_adds_up_by_method_and_saves_a_pdf(qtbot, db, desk, team, kamla, tmp_path):
    ravi = patients.register_patient(db, team.receptionist, {"full_name": "Ravi Kumar", "gender": "male", "age_years": 34})
    item = {"description": "Consultation", "unit_price": 500}
    bill_and_pay(db, team.receptionist, {"patient_id": kamla.id, "items": [item]}, {"amount": 500, "method": "cash"})
    bill_and_pay(db, team.receptionist, {"patient_id": ravi.id, "items": [item]}, {"amount": 500, "method": "upi", "reference": "1"})
    bill_and_pay(db, team.admin, {"patient_id": ravi.id, "items": [item, {"description": "ECG", "unit_price": 300}]}, {"amount": 600, "method": "card"})
    view = DayEndView(desk)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    qtbot.waitUntil(lambda: view.summary is not None)

    def shown(key: str) -> int:
        return int(view.values[key].text().replace("₹", "").replace(",", "").replace(".", ""))

    assert (shown("cash"), shown("card"), shown("upi")) == (50000, 60000, 50000)
    assert shown("cash") + shown("card") + shown("upi") == shown("collected") == 160000
    assert shown("net") == shown("gross") - shown("discounts") == shown("collected") + shown("outstanding")
    assert view.values["bills"].text() == "3" and view.bill_table.rowCount() == 3
    cashiers = {view.cashier_table.item(r, 0).text(): view.cashier_table.item(r, 4).text() for r in range(view.cashier_table.rowCount())}
    assert cashiers == {"Meena Joshi": "₹600.00", "Sunita Pawar": "₹1,000.00"}
    view.grab().save(str(tmp_path / "day-end.png"))

    with qtbot.waitSignal(view.pdf_written, timeout=10_000) as written:
        qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    pdf = Path(written.args[0])
    assert pdf.parent == db.settings.data_dir / "reports" and str(pdf.name).startswith("day-end-")
    text = _squash(_pdf_text(pdf))
    assert "₹1,600.00" in text and "RaviKumar" in text and str(pdf) in view.message.text()


def test_without_a_clinic_upi_id_the_desk_says_where_to_set_it(qtbot, db, desk, team, kamla):
    update_clinic(db, team.admin, {"upi_id": ""})
    dialog = _open(qtbot, desk, kamla.id)
    _add(qtbot, dialog, "consultation")
    qtbot.keyClick(dialog, Qt.Key.Key_F4)
    assert dialog.upi_message.isVisible() and "Set the clinic's UPI id under Admin → Clinic" in dialog.upi_message.text()
    assert dialog.upi_message.text() == NO_UPI_ID
    assert not dialog.upi_qr.isVisible() and dialog.upi_uri is None
    qtbot.keyClick(dialog, Qt.Key.Key_F2)
    assert dialog.method_buttons["cash"].isChecked() and not dialog.upi_message.isVisible()


def test_the_token_slip_is_one_80mm_page_with_the_token_and_the_patient(qapp, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from desktop.printing.token_slip import TokenSlip, write_token_slip

    slip = TokenSlip("Shanti Clinic", 27, "Kamla Devi Sharma", "Dr Anand Kulkarni", datetime(2026, 3, 14, 10, 5, tzinfo=ZoneInfo("Asia/Kolkata")))
    pdf = write_token_slip(slip, tmp_path / "token.pdf")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert len(boxes) == 1
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in boxes[0])
    assert abs(width_mm - 80) < 0.5 and 40 < height_mm < 120  # the roll's width; only as long as the slip
    text = _squash(_pdf_text(pdf))
    assert "27" in text and "KamlaDeviSharma" in text and "DrAnandKulkarni" in text and "10:05" in text
