"""A power cut or a killed process in the middle of a consult loses at most a few seconds of typing:
the autosaved visit comes back when the doctor logs in again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.services.patients import register_patient
from tests.ui.desk_driver import give_pins, open_desks

TYPED = "Chest pain on exertion since 2 weeks, relieved by rest"


def test_typing_autosaved_before_a_kill_comes_back(qtbot, db, team, tmp_path):
    give_pins(db, team)
    patient = register_patient(db, team.receptionist, {"full_name": "Harish Menon", "gender": "M", "age_years": 58})
    marker = tmp_path / "autosaved"
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("autosave_child.py")), str(db.settings.data_dir), str(marker),
                              team.doctor.staff_id, patient.id, TYPED], env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():  # waiting on the child's own report, not on a guess of how long it takes
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the desk never reported an autosave"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL  # killed, never shut down cleanly

    desks = open_desks(qtbot, db)
    desks.log_in("Dr Anand Kulkarni")
    consult = desks.view("consult")
    qtbot.waitUntil(lambda: consult.editor.notes["chief_complaint"].toPlainText() == TYPED, timeout=15000)
    assert "Harish Menon" in consult.summary.header.text()
    assert consult.saved_label.text().startswith("Brought back what was typed and not saved")
    desks.window.close()
