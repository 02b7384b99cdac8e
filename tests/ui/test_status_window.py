"""The window `nadi` opens, driven through pytest-qt on a real database."""

from desktop.app import load_status, status_window


def test_first_start_shows_the_recovery_key_once_and_points_to_demo_data(qtbot, data_dir):
    first = load_status(str(data_dir))
    window = status_window(first)
    qtbot.addWidget(window)
    window.show()
    text = window.centralWidget().text()
    assert "No clinic set up yet" in text and "nadi demo" in text
    assert first.recovery_key and first.recovery_key in text
    from PySide6.QtCore import Qt

    assert window.centralWidget().textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse  # can be copied
    second = load_status(str(data_dir))
    assert second.recovery_key is None


def test_the_window_names_the_clinic_and_what_it_holds(qtbot, db, team):
    from core.services.patients import register_patient

    register_patient(db, team.receptionist, {"full_name": "Farida Begum", "gender": "F", "age_years": 44})
    status = load_status(str(db.settings.data_dir))
    window = status_window(status)
    qtbot.addWidget(window)
    assert window.windowTitle() == "Nadi — Shanti Clinic"
    assert "1 patients" in window.centralWidget().text()
