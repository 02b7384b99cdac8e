"""Smaller things the desks get right, each found when someone tried them: a typed abbreviation
becomes the coded diagnosis, F/M/O on the sex box moves on to the age, Ctrl+P right after a walk-in
prints that patient's slip, an error goes once a later action succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.services.patients import register_patient
from tests.ui.desk_driver import give_pins, open_desks


@pytest.fixture
def desks(qtbot, db, team):
    give_pins(db, team)
    d = open_desks(qtbot, db)
    yield d
    d.window.close()


def test_an_abbreviation_typed_in_full_becomes_the_coded_diagnosis(desks, qtbot, db, team):
    patient = register_patient(db, team.receptionist, {"full_name": "Anil Menon", "gender": "M", "age_years": 55})
    desks.log_in("Dr Anand Kulkarni")
    consult = desks.view("consult")
    consult.open_patient(patient.id)
    qtbot.waitUntil(lambda: consult.encounter_id is not None, timeout=15000)
    box = consult.editor.diagnoses
    qtbot.keyClicks(box.line, "htn")
    qtbot.waitUntil(lambda: isinstance(box.values.get("htn"), tuple), timeout=15000)
    qtbot.keyClick(box.line, Qt.Key.Key_Return)
    assert consult.editor.form()["diagnoses"] == [{"text": "Essential hypertension", "code": "I10", "code_system": "ICD-10", "is_primary": True}]
    qtbot.keyClicks(box.line, "viral fever ? dengue")
    desks.settle()
    qtbot.keyClick(box.line, Qt.Key.Key_Return)
    assert consult.editor.form()["diagnoses"][1] == {"text": "viral fever ? dengue", "code": None, "code_system": None, "is_primary": False}


def test_sex_by_one_key_then_straight_on_to_the_age(desks, qtbot):
    from desktop.reception.register import RegisterDialog

    desks.log_in("Sunita Pawar")
    reception = desks.view("reception")
    reception.register()
    dialog = reception.findChildren(RegisterDialog)[-1]
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.gender.setFocus()
    qtbot.keyClick(dialog.gender, Qt.Key.Key_F)
    assert dialog.gender.currentData() == "female" and dialog.age.hasFocus()
    qtbot.keyClicks(dialog.age, "34")
    assert dialog.age.value() == 34


def test_ctrl_p_right_after_a_walk_in_prints_that_patients_slip(desks, qtbot, db, team):
    register_patient(db, team.receptionist, {"full_name": "Old Entry", "gender": "M", "age_years": 40})
    first = register_patient(db, team.receptionist, {"full_name": "Pooja Verma", "gender": "F", "age_years": 31, "mobile": "9811122233"})
    desks.log_in("Sunita Pawar")
    reception = desks.view("reception")
    qtbot.keyClicks(reception.search.box, "Pooja")
    qtbot.waitUntil(lambda: bool(reception.search.hits) and reception.search.hits[0].id == first.id, timeout=15000)
    qtbot.keyClick(reception.search.box, Qt.Key.Key_Return)
    qtbot.keyClick(reception.reason, Qt.Key.Key_Return)  # Enter in the reason box: walk-in
    qtbot.waitUntil(lambda: reception.queue.current() is not None and reception.queue.current().name == "Pooja Verma", timeout=15000)
    qtbot.keyClick(reception.search.box, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Token slip 1 for Pooja Verma" in desks.window.message.text(), timeout=30000)
    path = Path(desks.window.message.text().split(": ", 1)[1].split(" (saved")[0])
    assert path.read_bytes()[:5] == b"%PDF-"


def test_an_error_goes_once_a_later_action_succeeds(desks, qtbot, db, team):
    desks.log_in("Sunita Pawar")
    reception = desks.view("reception")
    reception.walk_in()  # nobody chosen
    assert desks.window.message_frame.isVisible() and "Choose the patient first" in desks.window.message.text()
    patient = register_patient(db, team.receptionist, {"full_name": "Kiran Rao", "gender": "M", "age_years": 22})
    reception._select_by_id(patient.id, then_queue=True)
    qtbot.waitUntil(lambda: "Kiran Rao: token 1" in desks.window.message.text(), timeout=15000)
