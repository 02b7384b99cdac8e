"""Backups at the desk, on the real window and a real encrypted database: the scheduler makes one when
it is due and says so in the status bar; a missing backup folder (the USB drive pulled out) is said
there plainly without interrupting anyone; the admin's Backups section saves the plan and backs up
now, and with a real hub over loopback the copy lands on the hub."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from core.backup.archive import verify_backup
from core.backup.schedule import BackupPlan, backups_in, load_plan, read_log, save_plan
from core.storage import keys
from desktop.backup.scheduler import BackupScheduler
from sync.agent.enrol import enrol
from tests.sync.devices import IT, running_hub
from tests.ui.desk_driver import give_pins, open_desks

BACKUP_MS = 30_000  # a backup (written, read back, checked) on a slow CI machine


@pytest.fixture
def desks(qtbot, db, team):
    give_pins(db, team)
    d = open_desks(qtbot, db)
    yield d
    if d.window.backups is not None:
        d.window.backups.stop()
        assert d.window.backups.background.wait(60), "a backup was still running after the test"
    d.window.close()


def _schedule(desks, settings, first_check_s=0.05, every_s=0.2) -> BackupScheduler:
    """As desktop.app starts it, but looking within moments instead of a minute or two."""
    scheduler = BackupScheduler(desks.desk, settings, first_check_s=first_check_s, every_s=every_s)
    desks.window.attach_backups(scheduler)
    scheduler.start()
    return scheduler


def _bar(desks):
    return desks.window.backup_status


def test_a_due_backup_is_made_by_itself_and_the_status_bar_says_when(qtbot, desks, settings):
    desks.log_in("Sunita Pawar")
    scheduler = _schedule(desks, settings)
    qtbot.waitUntil(lambda: scheduler.outcome is not None, timeout=BACKUP_MS)
    assert scheduler.outcome.error is None and scheduler.outcome.reason == "scheduled"
    [made] = backups_in(settings.data_dir / "backups")
    assert made == scheduler.outcome.info.path
    verify_backup(made, keys.load_key(settings))  # a sound, complete backup of this database
    assert re.fullmatch(r"Last backup \d\d:\d\d", _bar(desks).text())
    assert "same disk as the data" in _bar(desks).toolTip()  # no folder chosen yet: the data folder's own

    # Looked at again: not due (it was just made), so no second file.
    scheduler.check()
    qtbot.waitUntil(lambda: not scheduler._checking and not scheduler.running, timeout=BACKUP_MS)
    assert len(backups_in(settings.data_dir / "backups")) == 1


def test_a_missing_backup_folder_is_said_in_the_status_bar_and_nobody_is_interrupted(qtbot, desks, settings, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    save_plan(settings.data_dir, BackupPlan(usb, 24, 14))
    usb.rmdir()  # the drive was pulled out
    desks.log_in("Sunita Pawar")
    reception = desks.view("reception")
    scheduler = _schedule(desks, settings)
    qtbot.waitUntil(lambda: scheduler.outcome is not None, timeout=BACKUP_MS)
    bar = _bar(desks)
    assert bar.text() == f"Backup failed: The backup folder {usb} is not there; if it is on a USB drive, plug the drive in"
    assert "(or choose another folder)" in bar.toolTip()
    assert bar.property("tone") == "danger"
    assert "The last good backup: never" in bar.toolTip()
    assert not desks.window.message_frame.isVisible()  # the message bar is for the person's own work
    assert desks.window.tabs.currentWidget() is reception
    assert not read_log(settings.data_dir)[-1].ok  # and IT finds it in the log

    usb.mkdir()  # plugged back in: the next look makes the backup that is still due
    scheduler.check()
    qtbot.waitUntil(lambda: bar.text().startswith("Last backup "), timeout=BACKUP_MS)
    assert len(backups_in(usb)) == 1 and bar.property("tone") == "muted"


def _backups_section(desks, qtbot):
    desks.log_in("Meena Joshi")
    qtbot.keyClick(desks.window, Qt.Key.Key_F9)
    admin = desks.view("admin")
    admin.tabs.setCurrentWidget(admin.backups)
    section = admin.backups
    qtbot.waitUntil(lambda: section.state is not None, timeout=BACKUP_MS)
    return section


def test_the_admin_saves_the_plan_and_backs_up_now(qtbot, desks, settings, tmp_path):
    scheduler = _schedule(desks, settings, first_check_s=3600)  # only the admin's backups here
    section = _backups_section(desks, qtbot)
    assert section.same_disk_box.isVisible() and "same disk as the clinic's data" in section.same_disk.text()
    assert section.folder.text() == "" and section.every.value() == 24 and section.keep.value() == 14
    assert section.last_good.text() == "none yet"
    assert "has not joined a hub" in section.hub.text()

    section.folder.setText(str(tmp_path / "no-such-drive"))
    qtbot.mouseClick(section.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.plan_status.text().startswith("Not saved."), timeout=BACKUP_MS)
    assert f"The folder {tmp_path / 'no-such-drive'} is not there" in section.plan_status.text()
    assert load_plan(settings.data_dir) == BackupPlan()

    usb = tmp_path / "usb"
    usb.mkdir()
    section.folder.setText(str(usb))
    section.every.setValue(6)
    section.keep.setValue(3)
    qtbot.mouseClick(section.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.plan_status.text() == f"Saved. Backups go to {usb.resolve()}.", timeout=BACKUP_MS)
    assert load_plan(settings.data_dir) == BackupPlan(usb.resolve(), 6, 3)
    qtbot.waitUntil(lambda: section.where.text() == str(usb.resolve()), timeout=BACKUP_MS)

    qtbot.mouseClick(section.now_button, Qt.MouseButton.LeftButton)
    assert section.progress.isVisible() and not section.now_button.isEnabled()
    qtbot.waitUntil(lambda: section.result.text().startswith("Backup written and checked: "), timeout=BACKUP_MS)
    assert not section.progress.isVisible()
    [made] = backups_in(usb)
    assert made.name in section.result.text()
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=BACKUP_MS)
    assert section.table.item(0, 1).text() == "made by hand"
    assert re.fullmatch(r"\d\d:\d\d \(made by hand, \d+\.\d MB\)", section.last_good.text())
    assert section.last_attempt.text().endswith(": worked")
    assert _bar(desks).text().startswith("Last backup ")  # the status bar heard of it too
    assert scheduler.outcome.reason == "manual"


def test_with_a_hub_the_backup_also_lands_there(qtbot, desks, db, settings, tmp_path):
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub:
        enrol(db, IT, hub.url, hub.token, "Reception PC")
        _schedule(desks, settings, first_check_s=3600)
        section = _backups_section(desks, qtbot)
        qtbot.waitUntil(lambda: section.state.hub, timeout=BACKUP_MS)
        qtbot.mouseClick(section.now_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: section.result.text().endswith("A copy is on the hub."), timeout=BACKUP_MS)
        [made] = backups_in(settings.data_dir / "backups")
        qtbot.waitUntil(lambda: section.table.rowCount() == 1 and section.table.item(0, 3).text() == "yes", timeout=BACKUP_MS)
        assert section.hub.text() == "the last good backup is on the hub"
        from sync.hub.backups import list_backups
        from sync.hub.clinics import DeviceIdentity

        on_hub = list_backups(hub.engine, DeviceIdentity(db.node_id, hub.clinic_id))
        assert [b["name"] for b in on_hub] == [made.name]
        assert read_log(settings.data_dir)[-1].uploaded is True
