"""The desks driven as the clinic uses them, through the real window on a real encrypted database:
register → queue → consult → prescribe → sign → print → bill; a duplicate caught before saving; an
ambiguity and an allergy alert shown and overridden with a reason; roles; lock and unlock."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from core.services.patients import register_patient
from core.services.prescriptions import verify_stored
from tests.ui.desk_driver import give_pins, open_desks


@pytest.fixture
def desks(qtbot, db, team):
    give_pins(db, team)
    from core.services.price_list import add_starter_price_list

    add_starter_price_list(db, team.admin)
    d = open_desks(qtbot, db)
    yield d
    d.window.close()


def _dialog(parent, cls):
    found = parent.findChildren(cls)
    return found[-1] if found else None


def _rows(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_register_queue_consult_prescribe_sign_print_and_bill(desks, qtbot, db, team):
    from desktop.reception.register import RegisterDialog

    # Reception: a new patient, registered and put in the queue in one go.
    desks.log_in("Sunita Pawar")
    assert list(desks.window.views) == ["reception", "billing", "sync"]  # no clinical desk for reception
    reception = desks.view("reception")
    qtbot.keyClicks(reception.search.box, "Ramesh")
    desks.settle()
    assert "No patient matches" in reception.search.count.text()
    qtbot.keyClick(reception, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog(reception, RegisterDialog)
    assert dialog.name.text() == "Ramesh"  # what was searched for carries over, ready to add the surname to
    qtbot.waitUntil(lambda: not dialog.name.hasSelectedText() and dialog.name.cursorPosition() == 6)
    qtbot.keyClicks(dialog.name, " Iyer")
    dialog.gender.setFocus()
    qtbot.keyClick(dialog.gender, Qt.Key.Key_M)
    dialog.age.setValue(61)
    qtbot.keyClicks(dialog.mobile, "9845012345")
    desks.settle()
    qtbot.mouseClick(dialog.save_queue, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r[1] == "Ramesh Iyer" for r in _rows(reception.queue.table)), timeout=15000)
    entry = next(r for r in _rows(reception.queue.table) if r[1] == "Ramesh Iyer")
    assert entry[0] == "1" and entry[5] == "Waiting"

    # The doctor: next patient, the visit, a prescription signed and printed, the visit finished.
    desks.log_in("Dr Anand Kulkarni")
    consult = desks.view("consult")
    qtbot.waitUntil(lambda: any(e.name == "Ramesh Iyer" for e in consult.queue.entries))
    qtbot.keyClick(consult, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Ramesh Iyer" in consult.summary.header.text(), timeout=15000)
    assert "No known allergies" in consult.summary.allergies.text()
    editor = consult.editor
    qtbot.keyClicks(editor.notes["chief_complaint"], "Fever and body ache x 3 days")
    qtbot.keyClicks(editor.vitals["systolic"], "152")
    qtbot.keyClicks(editor.vitals["diastolic"], "96")
    qtbot.keyClicks(editor.vitals["weight_kg"], "72")
    qtbot.keyClicks(editor.vitals["height_cm"], "168")
    assert editor.vitals["systolic"].property("flag") == "high"
    assert editor.bmi.text() == "BMI 25.5 (obese)"
    qtbot.keyClicks(editor.diagnoses.line, "Viral fever, probably")
    qtbot.keyClick(editor.diagnoses.line, Qt.Key.Key_Return)
    qtbot.keyClick(consult, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    pad = consult.pad
    qtbot.keyClicks(pad.editor, "Tab Dolo 650 1-0-1 x 3 days after food")
    qtbot.waitUntil(lambda: pad.state.text().startswith("Ready to sign"), timeout=15000)
    assert _rows(pad.table)[0][1].startswith("Dolo 650")
    with qtbot.waitSignal(pad.signed, timeout=30000) as signed:
        qtbot.keyClick(pad.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    prescription_id, pdf = signed.args
    assert Path(pdf).read_bytes()[:5] == b"%PDF-"
    assert verify_stored(db, prescription_id).ok
    qtbot.keyClick(consult, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: consult.encounter_id is None, timeout=15000)
    assert "visit finished and signed" in desks.window.message.text()

    from core.services.consult import load_visit
    from sqlalchemy import select
    from core.storage.models import Encounter

    with db.read() as session:
        enc = session.scalars(select(Encounter).where(Encounter.patient_id == consult.queue.entries[0].patient_id)).one()
    visit = load_visit(db, team.doctor, enc.id)
    assert visit.signed and visit.form["chief_complaint"] == "Fever and body ache x 3 days"
    assert visit.form["vitals"]["systolic"] == 152 and visit.form["diagnoses"][0]["text"] == "Viral fever, probably"

    # Reception again: the queue shows the patient seen; the visit is billed and paid by UPI.
    desks.log_in("Sunita Pawar")
    reception = desks.view("reception")
    qtbot.waitUntil(lambda: any(r[1] == "Ramesh Iyer" and r[5] == "Seen" for r in _rows(reception.queue.table)))
    reception.queue.table.selectRow(0)
    from desktop.reception.billing import BillDialog

    reception.bill_queue_entry()
    qtbot.waitUntil(lambda: _dialog(reception, BillDialog) is not None and _dialog(reception, BillDialog).price_table.rowCount() > 0, timeout=15000)
    bill = _dialog(reception, BillDialog)
    assert bill.encounter_id == enc.id  # the bill is tied to today's visit
    qtbot.keyClicks(bill.filter, "Consultation")
    qtbot.keyClick(bill.filter, Qt.Key.Key_Return)
    bill.method_buttons["upi"].setChecked(True)
    assert bill.upi_uri and "am=500.00" in bill.upi_uri and "pa=shanticlinic%40okhdfc" in bill.upi_uri.lower().replace("@", "%40")
    with qtbot.waitSignal(bill.saved, timeout=15000):
        qtbot.mouseClick(bill.save_button, Qt.MouseButton.LeftButton)
    from core.services.billing import collection_summary
    from core.services.visits import clinic_day

    day = collection_summary(db, clinic_day(db))
    assert (day["bills_count"], day["collected_by_method"]["upi"], day["outstanding_paise"]) == (1, 50000, 0)


def test_a_likely_duplicate_is_shown_before_saving_and_the_existing_patient_used(desks, qtbot, db, team):
    from desktop.reception.register import RegisterDialog
    from core.stats import record_counts

    register_patient(db, team.receptionist, {"full_name": "Lakshmi Narayanan", "gender": "F", "age_years": 47, "mobile": "9900112233"})
    desks.log_in("Sunita Pawar")
    reception = desks.view("reception")
    reception.register()
    dialog = _dialog(reception, RegisterDialog)
    qtbot.keyClicks(dialog.name, "Laxmi Narayan")
    qtbot.keyClicks(dialog.mobile, "99001 12233")
    qtbot.waitUntil(lambda: dialog.dup_frame.isVisible(), timeout=15000)
    assert "Lakshmi Narayanan" in dialog.dup_list.item(0).text() and "same mobile, similar name" in dialog.dup_list.item(0).text()
    assert dialog.save.text().startswith("Register anyway")
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: reception.card_title.text() == "Lakshmi Narayanan", timeout=15000)
    assert record_counts(db)["patients"] == 1


def test_an_ambiguity_then_an_allergy_alert_overridden_with_a_reason(desks, qtbot, db, team):
    from core.services.prescriptions import prescription_alerts

    patient = register_patient(db, team.receptionist, {"full_name": "Farida Begum", "gender": "F", "age_years": 44,
                                                       "allergies": [{"substance": "Penicillin", "reaction": "hives"}]})
    desks.log_in("Dr Anand Kulkarni")
    consult = desks.view("consult")
    consult.open_patient(patient.id)
    qtbot.waitUntil(lambda: "Farida Begum" in consult.summary.header.text(), timeout=15000)
    assert consult.summary.allergies.property("tone") == "danger" and "Penicillin" in consult.summary.allergies.text()
    qtbot.keyClicks(consult.editor.notes["chief_complaint"], "Sore throat")
    qtbot.keyClick(consult, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    pad = consult.pad
    assert pad.editor.hasFocus()
    qtbot.keyClicks(pad.editor, "Tab Levo 500 OD x 5d")
    qtbot.waitUntil(lambda: "To fix before signing" in pad.state.text(), timeout=15000)
    assert "Levofloxacin or Levocetirizine" in pad.state.text() and not pad.sign_button.isEnabled()
    pad.editor.selectAll()
    qtbot.keyClicks(pad.editor, "Augmentin 625 Duo BD x 5 days")
    qtbot.waitUntil(lambda: pad.alerts_frame.isVisible() and "need" in pad.state.text(), timeout=15000)
    assert "Penicillin" in pad.alerts_label.text() or "penicillin" in pad.alerts_label.text()
    assert not pad.sign_button.isEnabled()

    def answer():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QInputDialog)
        box.setTextValue("Tolerated amoxicillin in 2024 without reaction")
        box.accept()

    QTimer.singleShot(0, answer)
    qtbot.keyClick(pad.editor, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pad.sign_button.isEnabled(), timeout=15000)
    assert "Overridden: Tolerated amoxicillin" in pad.alerts_label.text()
    with qtbot.waitSignal(pad.signed, timeout=30000) as signed:
        qtbot.mouseClick(pad.sign_button, Qt.MouseButton.LeftButton)
    statuses = prescription_alerts(db, signed.args[0])
    assert [s.override_reason for s in statuses if s.alert.needs_override] == ["Tolerated amoxicillin in 2024 without reaction"]


def test_lock_keeps_the_screen_for_its_owner_and_refuses_a_wrong_pin(desks, qtbot, db, team):
    patient = register_patient(db, team.receptionist, {"full_name": "Joseph Mathew", "gender": "M", "age_years": 70})
    desks.log_in("Dr Anand Kulkarni")
    consult = desks.view("consult")
    consult.open_patient(patient.id)
    qtbot.waitUntil(lambda: "Joseph Mathew" in consult.summary.header.text(), timeout=15000)
    qtbot.keyClicks(consult.editor.notes["chief_complaint"], "Breathless on walking")
    qtbot.keyClick(desks.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert desks.window.stack.currentWidget() is desks.window.login
    assert "Dr Anand Kulkarni was working" in desks.window.login.subtitle.text()
    desks.log_in("Dr Anand Kulkarni", pin="9999", expect_ok=False)
    assert desks.window.login.problem.text() == "Wrong PIN for Dr Anand Kulkarni (4 more tries before a 60 s pause)"
    assert desks.window.stack.currentWidget() is desks.window.login
    desks.log_in("Dr Anand Kulkarni")
    assert desks.view("consult") is consult  # the same screens, typing and all
    assert consult.editor.notes["chief_complaint"].toPlainText() == "Breathless on walking"


def test_the_desk_locks_itself_after_the_idle_time(desks, qtbot):
    desks.log_in("Sunita Pawar")
    desks.window.idle.set_minutes(0.005)  # 300 ms for the test; clinics choose 1-60 minutes
    qtbot.waitUntil(lambda: desks.window.stack.currentWidget() is desks.window.login, timeout=10000)
    assert "Sunita Pawar was working" in desks.window.login.subtitle.text()


def test_someone_else_logging_in_at_the_lock_screen_gets_their_own_desks(desks, qtbot):
    desks.log_in("Dr Anand Kulkarni")
    assert "consult" in desks.window.views
    desks.window.lock()
    desks.log_in("Sunita Pawar")
    assert list(desks.window.views) == ["reception", "billing", "sync"]
    assert desks.window.status_user.text() == "Logged in: Sunita Pawar (Reception)"


def test_the_queue_follows_changes_made_by_another_process(desks, qtbot, db, team, settings):
    """Reception on another window (or the sync agent) adds to the queue: the doctor's desk shows it
    without anyone pressing anything."""
    from core.services.visits import add_to_queue
    from core.storage.database import open_database

    desks.log_in("Dr Anand Kulkarni")
    consult = desks.view("consult")
    desks.window._watch.setInterval(100)  # the clinic's desks look every 3 s; the test need not wait that long
    qtbot.waitUntil(lambda: desks.window._seen_change is not None)
    other, _ = open_database(settings)  # a separate connection pool, as another process would have
    try:
        patient = register_patient(other, team.receptionist, {"full_name": "Gurpreet Kaur", "gender": "F", "age_years": 29})
        add_to_queue(other, team.receptionist, {"patient_id": patient.id, "doctor_id": team.doctor.staff_id})
    finally:
        other.close()
    qtbot.waitUntil(lambda: [e.name for e in consult.queue.entries] == ["Gurpreet Kaur"], timeout=15000)


def test_renaming_the_clinic_shows_at_once(desks, qtbot, db, team):
    from core.services.clinic import update_clinic

    desks.log_in("Meena Joshi")
    update_clinic(db, team.admin, {"name": "Shanti Clinic & Diagnostics"})
    desks.desk.clinic_changed.emit()
    qtbot.waitUntil(lambda: desks.window.windowTitle() == "Nadi — Shanti Clinic & Diagnostics")
    assert desks.window.clinic_label.text() == "<b>Shanti Clinic &amp; Diagnostics</b>"
