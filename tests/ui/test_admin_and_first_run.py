"""The first-run wizard's clinic and admin pages, and the admin screen, driven through pytest-qt on a
real encrypted database. (The wizard's three ways in on an empty data directory are in
test_first_run_paths.py.)"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from core.services.clinic import current_clinic, staff_roster
from core.services.price_list import price_list
from core.services.staff_access import log_in, login_choices
from desktop.admin import AdminView
from desktop.context import Desk
from desktop.first_run import FirstRunWizard
from desktop.preferences import Preferences, load_preferences
from desktop.tasks import Tasks


@pytest.fixture
def tasks():
    workers = Tasks()
    yield workers
    workers.stop()


def _type(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)


def _fill_clinic(qtbot, wizard, upi="shanticlinic@okhdfc"):
    page = wizard.clinic_page
    _type(qtbot, page.edits["name"], "Shanti Clinic")
    _type(qtbot, page.edits["city"], "Pune")
    _type(qtbot, page.edits["pincode"], "411001")
    _type(qtbot, page.edits["upi_id"], upi)
    qtbot.keyClick(page.edits["upi_id"], Qt.Key.Key_Return)


def _fill_admin(qtbot, wizard, pin="4826"):
    page = wizard.admin_page
    _type(qtbot, page.name, "Meena Joshi")
    _type(qtbot, page.secret, pin)
    _type(qtbot, page.again, pin)
    qtbot.keyClick(page.again, Qt.Key.Key_Return)


def test_a_database_already_here_without_a_clinic_gets_its_clinic_and_admin(qtbot, settings, db):
    # As `nadi sync enroll` leaves a PC whose hub had no records yet: the database is here, its
    # recovery key was shown when it was made, so the wizard asks only for the clinic and its admin.
    wizard = FirstRunWizard(settings, db)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.currentPage() is wizard.clinic_page
    assert wizard.focusWidget() is wizard.clinic_page.edits["name"]
    _fill_clinic(qtbot, wizard)
    assert wizard.currentPage() is wizard.admin_page  # Enter moved on
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()  # no recovery key page
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        _fill_admin(qtbot, wizard)
    assert wizard.database is db and wizard.clinic_name == "Shanti Clinic"
    assert current_clinic(db).upi_id == "shanticlinic@okhdfc"
    [choice] = login_choices(db)
    assert (choice.name, choice.role, choice.kind) == ("Meena Joshi", "admin", "pin")
    assert log_in(db, choice.staff_id, "4826") == wizard.admin_actor
    assert "Consultation" in [item.name for item in price_list(db)]


def test_a_bad_upi_id_is_refused_on_the_clinic_page_with_the_reason(qtbot, settings, db):
    wizard = FirstRunWizard(settings, db)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_clinic(qtbot, wizard, upi="shanti clinic")
    assert wizard.currentPage() is wizard.clinic_page
    error = wizard.clinic_page.errors["upi_id"]
    assert error.isVisible() and "UPI id" in error.text() and "shanticlinic@okhdfc" in error.text()
    _type(qtbot, wizard.clinic_page.edits["upi_id"], "shanticlinic@okhdfc")
    qtbot.keyClick(wizard.clinic_page.edits["upi_id"], Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.admin_page
    assert current_clinic(db) is None


def test_an_easy_pin_is_refused_before_anything_is_written(qtbot, settings, db):
    wizard = FirstRunWizard(settings, db)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_clinic(qtbot, wizard)
    _fill_admin(qtbot, wizard, pin="1234")
    assert wizard.currentPage() is wizard.admin_page
    assert "too easy to guess" in wizard.admin_page.error.text()
    assert current_clinic(db) is None
    _type(qtbot, wizard.admin_page.secret, "4826")
    _type(qtbot, wizard.admin_page.again, "4826")
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        qtbot.keyClick(wizard.admin_page.again, Qt.Key.Key_Return)  # the admin page is the last one
    assert log_in(db, wizard.admin_actor.staff_id, "4826").role == "admin"


def test_the_recovery_key_can_be_saved_to_a_file_and_copied(qtbot, settings, tmp_path):
    from PySide6.QtGui import QGuiApplication

    wizard = FirstRunWizard(settings)  # a new PC: the key page comes after the admin
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    _fill_clinic(qtbot, wizard)
    _fill_admin(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=10_000)
    recovery_key = wizard.recovery_page.key.text()
    assert wizard.recovery_page.save_to(tmp_path / "key.txt")
    text = (tmp_path / "key.txt").read_text()
    assert recovery_key in text and "Shanti Clinic" in text and "nadi key recover" in text and "Restore from a backup file" in text
    qtbot.mouseClick(wizard.recovery_page.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == recovery_key
    wizard.close()  # cancelled: the database made for it goes, and so do its workers
    assert not (settings.data_dir / "nadi.db").exists() and not any(settings.key_dir.glob("*.key"))


@pytest.fixture
def admin_view(qtbot, db, team, tasks, data_dir):
    desk = Desk(db, tasks, team.admin)
    view = AdminView(desk, data_dir)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    qtbot.waitUntil(lambda: view.staff.table.rowCount() == 3 and view.clinic.edits["name"].text() == "Shanti Clinic")
    return view


def _row(table, text):
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == text)


def test_the_admin_adds_a_receptionist_and_sets_a_pin_she_logs_in_with(qtbot, admin_view, db):
    staff = admin_view.staff
    admin_view.tabs.setCurrentIndex(1)
    _type(qtbot, staff.name, "Kavita Shinde")
    staff.role.setCurrentIndex(staff.role.findData("receptionist"))
    _type(qtbot, staff.mobile, "98220 12345")
    with qtbot.waitSignal(admin_view.desk.staff_changed, timeout=5000):
        qtbot.keyClick(staff.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: staff.selected() is not None and staff.selected().name == "Kavita Shinde")
    assert staff.table.item(_row(staff.table, "Kavita Shinde"), 4).text() == "Not set yet"
    assert admin_view.focusWidget() is staff.secret  # her PIN is what the admin types next

    _type(qtbot, staff.secret, "5937")
    _type(qtbot, staff.secret_again, "5973")
    qtbot.keyClick(staff.secret_again, Qt.Key.Key_Return)
    assert "not the same" in staff.secret_error.text()
    _type(qtbot, staff.secret, "5937")
    _type(qtbot, staff.secret_again, "5937")
    qtbot.keyClick(staff.secret_again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: staff.table.item(_row(staff.table, "Kavita Shinde"), 4).text() == "PIN set")
    kavita = next(e for e in staff_roster(db) if e.name == "Kavita Shinde")
    assert log_in(db, kavita.staff_id, "5937").role == "receptionist"


def test_the_only_admin_cannot_be_deactivated_and_is_told_why(qtbot, admin_view):
    staff = admin_view.staff
    staff.table.selectRow(_row(staff.table, "Meena Joshi"))
    qtbot.mouseClick(staff.active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "only active admin" in staff.list_status.text())
    staff.table.selectRow(_row(staff.table, "Sunita Pawar"))
    qtbot.mouseClick(staff.active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: staff.table.item(_row(staff.table, "Sunita Pawar"), 5).text() == "Deactivated")
    assert staff.active_button.text() == "&Reactivate"


def test_a_price_change_shows_in_the_price_list(qtbot, admin_view, db, team):
    from core.services.price_list import add_starter_price_list

    add_starter_price_list(db, team.admin)
    prices = admin_view.prices
    admin_view.desk.price_list_changed.emit()
    qtbot.waitUntil(lambda: prices.table.rowCount() == 7)
    prices.table.selectRow(_row(prices.table, "Dressing"))
    _type(qtbot, prices.new_amount, "175.50")
    with qtbot.waitSignal(admin_view.desk.price_list_changed, timeout=5000):
        qtbot.keyClick(prices.new_amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: prices.table.item(_row(prices.table, "Dressing"), 2).text() == "₹175.50")
    assert {i.name: i.amount_paise for i in price_list(db)}["Dressing"] == 17550

    _type(qtbot, prices.reason, "no longer offered")
    qtbot.mouseClick(prices.void_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: prices.table.rowCount() == 6)
    assert "Dressing" not in [i.name for i in price_list(db)]

    _type(qtbot, prices.name, "Suturing")
    _type(qtbot, prices.amount, "abc")
    qtbot.keyClick(prices.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not an amount in rupees" in prices.add_error.text())
    _type(qtbot, prices.amount, "400")
    qtbot.keyClick(prices.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: prices.table.rowCount() == 7)
    assert {i.name: i.amount_paise for i in price_list(db)}["Suturing"] == 40000


def test_clinic_details_are_saved_and_a_bad_upi_id_is_shown_beside_its_field(qtbot, admin_view, db):
    clinic = admin_view.clinic
    _type(qtbot, clinic.edits["upi_id"], "shanti clinic")
    _type(qtbot, clinic.edits["phone"], "020 2553 1234")
    qtbot.keyClick(clinic.edits["phone"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: clinic.errors["upi_id"].isVisible())
    assert clinic.errors["upi_id"].text().startswith("UPI id: 'shanti clinic' is not a UPI id")
    assert current_clinic(db).phone is None
    _type(qtbot, clinic.edits["upi_id"], "shanti.clinic@okaxis")
    with qtbot.waitSignal(admin_view.desk.clinic_changed, timeout=5000):
        qtbot.mouseClick(clinic.save_button, Qt.MouseButton.LeftButton)
    assert not clinic.errors["upi_id"].isVisible() and clinic.status.text() == "Saved."
    saved = current_clinic(db)
    assert (saved.upi_id, saved.phone, saved.name) == ("shanti.clinic@okaxis", "2025531234", "Shanti Clinic")


def test_this_pc_preferences_are_applied_and_kept(qtbot, admin_view, data_dir):
    pc = admin_view.this_pc
    pc.font_size.setCurrentIndex(pc.font_size.findData(14))
    pc.idle.setValue(10)
    with qtbot.waitSignal(admin_view.preferences_changed) as applied:
        qtbot.mouseClick(pc.apply_button, Qt.MouseButton.LeftButton)
    assert applied.args == [Preferences(font_pt=14, idle_lock_minutes=10)]
    assert load_preferences(data_dir) == Preferences(font_pt=14, idle_lock_minutes=10)
