"""Run as a separate process by test_autosave_survives_kill: a doctor types into a visit on the real
desk; once the autosave has landed, a marker file is written and the process waits to be killed."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.services.staff_access import log_in  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.storage.database import open_database  # noqa: E402
from desktop.context import Desk  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from desktop.preferences import load_preferences  # noqa: E402
from desktop.tasks import Tasks  # noqa: E402


def main(data_dir: str, marker: str, doctor_id: str, patient_id: str, text: str) -> None:
    app = QApplication([])
    db, _ = open_database(load_settings(data_dir))
    tasks = Tasks()
    window = MainWindow(Desk(db, tasks), "Clinic", db.settings.data_dir, load_preferences(db.settings.data_dir))
    window.show()
    window._logged_in(log_in(db, doctor_id, "2468"))
    consult = window.views["consult"]

    def opened(_encounter_id: str) -> None:
        QTest.keyClicks(consult.editor.notes["chief_complaint"], text)

    def autosaved(_encounter_id: str) -> None:
        if consult.editor.notes["chief_complaint"].toPlainText() == text:
            Path(marker).write_text("autosaved")

    consult.opened.connect(opened)
    consult.autosaved.connect(autosaved)
    consult.open_patient(patient_id)
    app.exec()  # until killed


if __name__ == "__main__":
    main(*sys.argv[1:6])
