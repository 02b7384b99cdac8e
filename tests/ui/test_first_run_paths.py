"""The three ways a new PC starts, through the real first-run wizard on real encrypted databases: a new
clinic; joining a clinic on a real hub over loopback whose records came from another PC; restoring a
backup made on "another PC" (its own data directory and key store). Each ends where the app goes
next: the log-in screen listing the clinic's people. A refusal (a wrong token, an unreachable hub, a
wrong recovery key, a damaged file) shows on the page and leaves nothing in the data directory."""

from __future__ import annotations

import re
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from core.backup.schedule import back_up_now
from core.services.clinic import add_staff, setup_clinic
from core.services.patients import register_patient
from core.services.staff_access import log_in, login_choices, set_credential
from core.settings import Settings
from core.storage import keys
from core.storage.database import Actor
from desktop.first_run import STAGING, FirstRunWizard
from sync.agent.enrol import enrol
from sync.agent.run import sync_once
from tests.sync.devices import open_device, running_hub
from tests.ui.desk_driver import PIN, Desks

IT = Actor(None, "clinic IT (test)", "admin")
SLOW_MS = 30_000  # a first sync or a restore on a slow CI machine
KEY_SHAPE = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$")


def _type(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)


def _wizard(qtbot, settings) -> FirstRunWizard:
    wizard = FirstRunWizard(settings)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _choose(qtbot, wizard, way: str) -> None:
    wizard.start_page.choose(way)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def _nothing_in(settings) -> None:
    """What a refused or cancelled set-up must leave: no database, no key slot, no staging, no key."""
    left = sorted(p.name for p in settings.data_dir.iterdir()) if settings.data_dir.exists() else []
    assert "nadi.db" not in left and "keyslot.json" not in left and STAGING not in left, left
    assert not settings.key_dir.exists() or not list(settings.key_dir.glob("*.key"))


def _finish(qtbot, wizard) -> None:
    page = wizard.recovery_page
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the box is ticked
    page.confirm.setChecked(True)
    with qtbot.waitSignal(wizard.accepted, timeout=SLOW_MS):
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)


def _key_opens_the_database(settings, recovery_key: str) -> None:
    """The key shown is the one that unlocks the database now in the data directory."""
    slot = keys.parse_slot((settings.data_dir / "keyslot.json").read_text(), "keyslot")
    assert keys.unwrap_key(slot, recovery_key, "the database") == keys.load_key(settings)


def _log_in_screen(qtbot, wizard) -> Desks:
    """The window as desktop.app opens it after the wizard: on the log-in screen."""
    from desktop.context import Desk
    from desktop.main_window import MainWindow
    from desktop.preferences import load_preferences
    from desktop.tasks import Tasks

    desk = Desk(wizard.database, Tasks())
    window = MainWindow(desk, wizard.clinic_name, wizard.settings.data_dir, load_preferences(wizard.settings.data_dir))
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.login.people.count() > 0)
    return Desks(window, desk, desk.tasks, qtbot)


def _people(desks) -> list[str]:
    people = desks.window.login.people
    return [people.item(n).text().split("    ·")[0] for n in range(people.count())]


# --- a new clinic ------------------------------------------------------------------------------------


def test_a_new_clinic_is_made_only_when_finished_and_its_key_opens_it(qtbot, settings):
    wizard = _wizard(qtbot, settings)
    assert wizard.currentPage() is wizard.start_page and wizard.start_page.way() == "new"
    qtbot.keyClick(wizard.start_page.choices.checkedButton(), Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.clinic_page
    page = wizard.clinic_page
    _type(qtbot, page.edits["name"], "Shanti Clinic")
    _type(qtbot, page.edits["address_line"], "12 MG Road")
    _type(qtbot, page.edits["hfr_id"], "IN2710000123")
    qtbot.keyClick(page.edits["hfr_id"], Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.admin_page
    _type(qtbot, wizard.admin_page.name, "Meena Joshi")
    _type(qtbot, wizard.admin_page.secret, "4826")
    _type(qtbot, wizard.admin_page.again, "4826")
    qtbot.keyClick(wizard.admin_page.again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=SLOW_MS)
    recovery_key = wizard.recovery_page.key.text()
    assert KEY_SHAPE.match(recovery_key)
    assert not (settings.data_dir / "nadi.db").exists()  # nothing in place before Finish
    qtbot.keyClick(wizard.recovery_page.confirm, Qt.Key.Key_Return)  # Enter does not slip past the unticked box
    assert wizard.isVisible()
    _finish(qtbot, wizard)

    db = wizard.database
    try:
        assert db.path == settings.data_dir / "nadi.db" and not (settings.data_dir / STAGING).exists()
        assert wizard.clinic_name == "Shanti Clinic"
        _key_opens_the_database(settings, recovery_key)
        from core.services.clinic import current_clinic

        clinic = current_clinic(db)
        assert (clinic.address_line, clinic.hfr_id) == ("12 MG Road", "IN2710000123")
        [choice] = login_choices(db)
        assert (choice.name, choice.kind) == ("Meena Joshi", "pin")
        assert log_in(db, choice.staff_id, "4826") == wizard.admin_actor
    finally:
        db.close()


def test_cancelling_on_the_key_page_leaves_an_empty_data_directory_and_no_key(qtbot, settings):
    wizard = _wizard(qtbot, settings)
    _choose(qtbot, wizard, "new")
    _type(qtbot, wizard.clinic_page.edits["name"], "Shanti Clinic")
    qtbot.keyClick(wizard.clinic_page.edits["name"], Qt.Key.Key_Return)
    _type(qtbot, wizard.admin_page.name, "Meena Joshi")
    _type(qtbot, wizard.admin_page.secret, "4826")
    _type(qtbot, wizard.admin_page.again, "4826")
    qtbot.keyClick(wizard.admin_page.again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=SLOW_MS)
    assert (settings.data_dir / STAGING / "nadi.db").exists() and list(settings.key_dir.glob("*.key"))
    with qtbot.waitSignal(wizard.rejected):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.tasks.busy)
    _nothing_in(settings)


# --- joining a clinic on a hub ---------------------------------------------------------------------


@pytest.fixture
def clinic_on_hub(tmp_path):
    """A hub whose clinic's records came from its front-desk PC: staff with PINs and a patient."""
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub:
        front = open_device(tmp_path, "front")
        try:
            _, admin = setup_clinic(front, {"name": "Shanti Clinic", "city": "Pune"}, {"full_name": "Meena Joshi", "role": "admin"})
            boss = Actor(admin.id, admin.full_name, "admin")
            doctor = add_staff(front, boss, {"full_name": "Dr Anand Kulkarni", "role": "doctor", "registration_council": "MMC",
                                             "registration_number": "MMC-2011-04567"})
            for staff_id in (admin.id, doctor.id):
                set_credential(front, boss, staff_id, PIN)
            register_patient(front, boss, {"full_name": "Kavita Deshmukh", "gender": "female", "age_years": 34, "mobile": "9822012345"})
            enrol(front, IT, hub.url, hub.token, "Front desk")
            assert sync_once(front).error is None
        finally:
            front.close()
        yield hub


def _join(qtbot, wizard, url, token):
    page = wizard.join_page
    _type(qtbot, page.hub_url, url)
    _type(qtbot, page.token, token)
    page.pc_name.setText("Consult room")
    qtbot.keyClick(page.token, Qt.Key.Key_Return)


def test_a_refused_token_is_shown_on_the_page_and_leaves_nothing_behind(qtbot, settings, clinic_on_hub):
    wizard = _wizard(qtbot, settings)
    _choose(qtbot, wizard, "join")
    assert wizard.currentPage() is wizard.join_page
    _join(qtbot, wizard, clinic_on_hub.url, "nadi-enrol-copied-wrong")
    qtbot.waitUntil(lambda: wizard.join_page.error.isVisible(), timeout=SLOW_MS)
    assert wizard.join_page.error.text().startswith("The hub said no: this enrolment token is not known to the hub")
    assert wizard.currentPage() is wizard.join_page and not (settings.data_dir / "nadi.db").exists()

    _join(qtbot, wizard, "hub.shanti.local", clinic_on_hub.token)
    qtbot.waitUntil(lambda: "is not a hub address" in wizard.join_page.error.text(), timeout=SLOW_MS)

    with qtbot.waitSignal(wizard.rejected):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.tasks.busy)
    _nothing_in(settings)


def test_joining_brings_the_clinics_people_down_and_opens_on_their_log_in(qtbot, settings, clinic_on_hub):
    wizard = _wizard(qtbot, settings)
    _choose(qtbot, wizard, "join")
    # The hub is not there (wrong port): said plainly, and the same wizard then joins the real one.
    _join(qtbot, wizard, "http://127.0.0.1:9", clinic_on_hub.token)
    qtbot.waitUntil(lambda: "cannot be reached" in wizard.join_page.error.text(), timeout=SLOW_MS)
    assert "Check the address" in wizard.join_page.error.text()
    assert wizard.currentPage() is wizard.join_page and not (settings.data_dir / "nadi.db").exists()

    _join(qtbot, wizard, clinic_on_hub.url, clinic_on_hub.token)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=SLOW_MS)
    page = wizard.recovery_page
    assert page.summary.text() == "This PC has joined Shanti Clinic: 2 people and 1 patient came down from the hub."
    recovery_key = page.key.text()
    assert KEY_SHAPE.match(recovery_key)
    assert not (settings.data_dir / "nadi.db").exists()
    _finish(qtbot, wizard)

    try:
        _key_opens_the_database(settings, recovery_key)
        assert wizard.clinic_name == "Shanti Clinic"
        desks = _log_in_screen(qtbot, wizard)
        assert _people(desks) == ["Dr Anand Kulkarni", "Meena Joshi"]
        desks.log_in("Dr Anand Kulkarni")  # the PIN set on the front desk works here
        assert sorted(d["name"] for d in _devices(clinic_on_hub)) == ["Consult room", "Front desk"]
        desks.window.close()
    finally:
        wizard.database.close()


def _devices(hub):
    from sync.hub.clinics import list_devices

    return list_devices(hub.engine, hub.clinic_id)


def test_joining_a_hub_whose_clinic_has_no_records_yet_sets_the_clinic_up_here(qtbot, settings, tmp_path):
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}", clinic_name="Sai Clinic") as hub:
        wizard = _wizard(qtbot, settings)
        _choose(qtbot, wizard, "join")
        _join(qtbot, wizard, hub.url, hub.token)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.clinic_page, timeout=SLOW_MS)
        assert "has no records for it yet" in wizard.clinic_page.subTitle()
        assert wizard.clinic_page.edits["name"].text() == "Sai Clinic"
        qtbot.keyClick(wizard.clinic_page.edits["name"], Qt.Key.Key_Return)
        _type(qtbot, wizard.admin_page.name, "Farah Shaikh")
        _type(qtbot, wizard.admin_page.secret, "5937")
        _type(qtbot, wizard.admin_page.again, "5937")
        qtbot.keyClick(wizard.admin_page.again, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=SLOW_MS)
        _finish(qtbot, wizard)
        db = wizard.database
        try:
            assert [c.name for c in login_choices(db)] == ["Farah Shaikh"]
            assert sync_once(db).error is None  # this PC joined: its clinic goes up
            assert "Farah Shaikh" in [row["full_name"] for row in hub.state()["staff"].values()]
        finally:
            db.close()


# --- restoring a backup ------------------------------------------------------------------------------


@pytest.fixture
def backup_from_another_pc(tmp_path):
    """A backup made with back_up_now on "PC 1": its own data directory and key store."""
    from core.storage.database import open_database

    pc1 = Settings(data_dir=tmp_path / "pc1", key_dir=tmp_path / "pc1-keys")
    db, new_key = open_database(pc1, create=True)
    try:
        _, admin = setup_clinic(db, {"name": "Shanti Clinic", "city": "Pune"}, {"full_name": "Meena Joshi", "role": "admin"})
        boss = Actor(admin.id, admin.full_name, "admin")
        set_credential(db, boss, admin.id, PIN)
        recep = add_staff(db, boss, {"full_name": "Sunita Pawar", "role": "receptionist"})
        set_credential(db, boss, recep.id, PIN)
        register_patient(db, boss, {"full_name": "Gurpreet Kaur", "gender": "female", "age_years": 29})
    finally:
        db.close()
    info = back_up_now(pc1, "manual")
    return info.path, new_key.recovery_key


def _restore(qtbot, wizard, key: str) -> None:
    page = wizard.restore_page
    _type(qtbot, page.key, key)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)


def test_a_backup_restores_with_the_recovery_key_and_a_wrong_key_or_damaged_file_writes_nothing(qtbot, settings, backup_from_another_pc, tmp_path):
    path, recovery_key = backup_from_another_pc
    wizard = _wizard(qtbot, settings)
    _choose(qtbot, wizard, "restore")
    page = wizard.restore_page
    assert wizard.button(QWizard.WizardButton.FinishButton).text() == "&Restore"

    damaged = tmp_path / "usb" / path.name
    damaged.parent.mkdir()
    shutil.copy(path, damaged)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    _type(qtbot, page.file, str(damaged))
    # a pause in the typing reads what the file is
    qtbot.waitUntil(lambda: page.about.isVisible(), timeout=SLOW_MS)
    assert page.about.text().startswith(f"{damaged.name} is damaged")
    _restore(qtbot, wizard, recovery_key)
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=SLOW_MS)
    assert "damaged" in page.error.text()
    _nothing_in(settings)

    _type(qtbot, page.file, str(path))
    qtbot.waitUntil(lambda: page.about.text().startswith("Shanti Clinic · made "), timeout=SLOW_MS)
    assert "· 1 patient ·" in page.about.text()

    _restore(qtbot, wizard, "")  # this PC does not hold the key: it asks for the recovery key
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=SLOW_MS)
    assert page.error.text().startswith("This PC does not hold the key of this backup. Type the clinic's recovery key")
    assert page.key.hasFocus()
    _nothing_in(settings)

    wrong = "ABCDE-12345-FGHJK-67890-MNPQR"
    _restore(qtbot, wizard, wrong)
    qtbot.waitUntil(lambda: page.error.isVisible() and "does not open" in page.error.text(), timeout=SLOW_MS)
    assert page.error.text() == f"That recovery key does not open the backup {path.name}; check it character by character."
    assert wizard.isVisible() and wizard.database is None
    _nothing_in(settings)

    _restore(qtbot, wizard, recovery_key.lower().replace("-", " "))  # as typed from paper
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=SLOW_MS)
    assert wizard.result() == QWizard.DialogCode.Accepted
    try:
        assert wizard.clinic_name == "Shanti Clinic"
        _key_opens_the_database(settings, recovery_key)
        from core.stats import record_counts

        assert record_counts(wizard.database)["patients"] == 1
        desks = _log_in_screen(qtbot, wizard)
        assert _people(desks) == ["Meena Joshi", "Sunita Pawar"]
        desks.log_in("Sunita Pawar")
        desks.window.close()
    finally:
        wizard.database.close()
