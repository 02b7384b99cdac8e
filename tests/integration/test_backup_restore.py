"""Backups and restores on real encrypted databases: the round trip onto a "new PC" (another data
directory, another key store) matches row for row; damaged files, wrong keys, a database in use
and a database already there are refused with a clear message and nothing in the target touched."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import text

from core.backup import schedule
from core.backup.archive import BackupError, open_backup, verify_backup
from core.backup.restore import RecoveryKeyNeeded, restore_backup
from core.demo.generate import add_demo_data
from core.errors import DatabaseKeyError, NadiError
from core.services import patients
from core.settings import load_settings
from core.storage import keys
from core.storage.database import open_database
from core.storage.first_look import DB_FILE, HEAD, key_pragma


@pytest.fixture
def clinic(tmp_path, monkeypatch):
    """A demo clinic on "PC 1" with its recovery key; closed again after the test."""
    monkeypatch.setenv("NADI_KEY_DIR", str(tmp_path / "pc1-keys"))
    monkeypatch.delenv("NADI_DB_KEY", raising=False)
    settings = load_settings(tmp_path / "pc1")
    db, new_key = open_database(settings, create=True)
    add_demo_data(db, patients=12, seed=3)
    yield settings, db, new_key.recovery_key
    db.close()


def _new_pc(tmp_path, monkeypatch, name: str = "pc2"):
    monkeypatch.setenv("NADI_KEY_DIR", str(tmp_path / f"{name}-keys"))
    return load_settings(tmp_path / name)


def _dump(settings) -> dict[str, list]:
    """Every row of every table, in a stable order: what "the restored copy matches" means."""
    conn = sqlcipher.connect(str(settings.data_dir / DB_FILE))
    try:
        conn.execute(key_pragma(keys.load_key(settings)))
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        conn.close()


def _tree(folder: Path) -> dict[str, str]:
    """What a folder holds, by content: to prove a refused restore touched nothing."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _rewrite_member(path: Path, name: str, change) -> None:
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[name] = change(members[name])
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)


def test_a_backup_restored_on_a_new_pc_with_the_recovery_key_matches_row_for_row(clinic, tmp_path, monkeypatch):
    settings, db, recovery = clinic
    info = schedule.back_up_now(settings)
    before = _dump(settings)
    assert info.path.parent == settings.data_dir / "backups" and info.counts["patient"] == 12

    new_pc = _new_pc(tmp_path, monkeypatch)
    with pytest.raises(RecoveryKeyNeeded, match="recovery key"):
        restore_backup(info.path, new_pc)
    restored = restore_backup(info.path, new_pc, recovery_key=recovery.lower().replace("-", " "))

    assert restored.key_from == "the recovery key" and restored.set_aside is None
    assert _dump(new_pc) == before
    db2, _ = open_database(new_pc)  # opens with the key the restore stored for this OS user
    try:
        with db2.read() as s:
            assert s.execute(text("SELECT count(*) FROM patient")).scalar() == 12
    finally:
        db2.close()


def test_the_same_pc_restores_from_its_own_key_store_without_the_recovery_key(clinic, tmp_path):
    settings, db, _ = clinic
    info = schedule.back_up_now(settings)
    elsewhere = load_settings(tmp_path / "second-copy")
    restored = restore_backup(info.path, elsewhere)
    assert restored.key_from == "this PC's key store"
    assert _dump(elsewhere) == _dump(settings)


def test_a_backup_is_a_consistent_snapshot_of_committed_work(clinic):
    settings, db, _ = clinic
    info = schedule.back_up_now(settings)
    patients.register_patient(db, _any_staff(db), {"full_name": "Late Arrival", "gender": "F", "age_years": 40})
    assert info.counts["patient"] == 12
    assert schedule.back_up_now(settings).counts["patient"] == 13


@pytest.mark.parametrize("damage, message", [
    (lambda p: _flip(p, p.stat().st_size // 2), "damaged"),
    (lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 3]), "not a Nadi backup, or damaged"),
    (lambda p: p.write_text("hello"), "not a Nadi backup"),
    (lambda p: _rewrite_member(p, "nadi.db", lambda b: b[:4096] + bytes(4096) + b[8192:]), "damaged: its database does not match"),
    (lambda p: _rewrite_member(p, "manifest.json", lambda b: b.replace(b'"patient": 12', b'"patient": 13')), "manifest was altered"),
])
def test_a_damaged_backup_is_refused_and_nothing_is_written(clinic, tmp_path, monkeypatch, damage, message):
    settings, _, recovery = clinic
    path = schedule.back_up_now(settings).path
    damage(path)
    new_pc = _new_pc(tmp_path, monkeypatch)
    with pytest.raises(NadiError, match=message):
        restore_backup(path, new_pc, recovery_key=recovery)
    assert _tree(new_pc.data_dir) == {} and _tree(tmp_path / "pc2-keys") == {}


def test_a_wrong_recovery_key_is_refused_and_nothing_is_written(clinic, tmp_path, monkeypatch):
    settings, _, _ = clinic
    path = schedule.back_up_now(settings).path
    new_pc = _new_pc(tmp_path, monkeypatch)
    with pytest.raises(DatabaseKeyError, match="does not open the backup"):
        restore_backup(path, new_pc, recovery_key="ABCDE-FGHJK-MNPQR-STVWX-YZ012")
    assert not new_pc.data_dir.exists()


def test_a_backup_of_another_clinic_is_refused_over_this_ones_key(clinic, tmp_path, monkeypatch):
    settings, _, _ = clinic
    path = schedule.back_up_now(settings).path
    monkeypatch.setenv("NADI_DB_KEY", "ab" * 32)
    other = load_settings(tmp_path / "other")
    with pytest.raises(DatabaseKeyError, match="NADI_DB_KEY does not open .*different database key"):
        restore_backup(path, other)
    assert not other.data_dir.exists()


def test_a_database_already_there_is_kept_unless_replace_and_then_set_aside(clinic, tmp_path, monkeypatch):
    settings, db, recovery = clinic
    path = schedule.back_up_now(settings).path
    new_pc = _new_pc(tmp_path, monkeypatch)
    other, _ = open_database(new_pc, create=True)
    add_demo_data(other, patients=3, seed=9)
    other.close()
    untouched = _tree(new_pc.data_dir)

    with pytest.raises(BackupError, match="already holds a clinic database"):
        restore_backup(path, new_pc, recovery_key=recovery)
    assert _tree(new_pc.data_dir) == untouched

    restored = restore_backup(path, new_pc, recovery_key=recovery, replace=True)
    assert _dump(new_pc) == _dump(settings)
    aside = restored.set_aside
    assert {p.name for p in aside.iterdir()} >= {"nadi.db", "keyslot.json"}
    assert {name: digest for name, digest in untouched.items() if name in ("nadi.db", "keyslot.json")} == {
        name: hashlib.sha256((aside / name).read_bytes()).hexdigest() for name in ("nadi.db", "keyslot.json")
    }


def test_a_database_that_is_open_is_not_replaced(clinic, tmp_path):
    settings, db, recovery = clinic
    path = schedule.back_up_now(settings).path
    with db.read() as s:  # the app's pool keeps this connection open, as a running desk does
        s.execute(text("SELECT 1"))
    before = _tree(settings.data_dir)
    with pytest.raises(BackupError, match="is in use"):
        restore_backup(path, settings, replace=True)
    assert _tree(settings.data_dir) == before


def test_a_missing_backup_folder_says_to_plug_in_the_drive_and_is_logged(clinic, tmp_path):
    settings, _, _ = clinic
    usb = tmp_path / "usb"
    usb.mkdir()
    schedule.save_plan(settings.data_dir, schedule.BackupPlan(usb, 24, 3))
    usb.rmdir()
    with pytest.raises(BackupError, match="not there; if it is on a USB drive, plug the drive in"):
        schedule.back_up_now(settings, "scheduled")
    last = schedule.last_attempt(settings.data_dir)
    assert not last.ok and "plug the drive in" in last.error
    assert schedule.is_due(settings.data_dir)


def test_the_plan_keeps_the_newest_backups_and_says_when_one_is_due(clinic, tmp_path):
    settings, _, _ = clinic
    usb = tmp_path / "usb"
    usb.mkdir()
    schedule.save_plan(settings.data_dir, schedule.BackupPlan(usb, 6, 2))
    assert schedule.load_plan(settings.data_dir) == schedule.BackupPlan(usb, 6, 2)
    assert schedule.is_due(settings.data_dir)
    made = []
    for second in range(3):
        path = schedule.back_up_now(settings, "scheduled").path
        renamed = path.with_name(path.name.replace(path.name.split("-")[3], f"00000{second}"))  # distinct times, in order
        path.rename(renamed)
        made.append(renamed)
    schedule.prune(usb, keys.database_id(settings), 2)
    assert schedule.backups_in(usb) == made[1:]
    now = datetime.now(UTC)
    assert not schedule.is_due(settings.data_dir, now)
    assert schedule.is_due(settings.data_dir, now + timedelta(hours=6, minutes=1))
    with pytest.raises(NadiError, match="every 1 to 168 hours"):
        schedule.BackupPlan(usb, 500, 2)


def test_verify_reads_back_the_whole_file(clinic):
    settings, _, _ = clinic
    path = schedule.back_up_now(settings).path
    assert verify_backup(path, keys.load_key(settings)).manifest["schema_revision"] == HEAD
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert manifest["clinic_name"] and manifest["database_id"] == keys.database_id(settings)
    assert open_backup(path).database_id == keys.database_id(settings)
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_an_older_database_is_backed_up_before_it_is_migrated(clinic):
    settings, db, recovery = clinic
    expected_patients = 12
    db.close()
    _downgrade(settings, "0003")

    upgraded, _ = open_database(settings)
    upgraded.close()

    pre = [p for p in (settings.data_dir / "backups").iterdir() if "before-upgrade-0003-to-" in p.name]
    assert len(pre) == 1
    manifest = open_backup(pre[0]).manifest
    assert manifest["schema_revision"] == "0003" and manifest["counts"]["patient"] == expected_patients
    assert _revision(settings) == HEAD


def test_when_the_backup_before_an_upgrade_fails_nothing_is_migrated(clinic):
    settings, db, _ = clinic
    db.close()
    _downgrade(settings, "0003")
    (settings.data_dir / "backups").write_text("a file where the backups folder should be")
    with pytest.raises(NadiError, match="backs it up first, but the backup failed: .*Nothing was changed"):
        open_database(settings)
    assert _revision(settings) == "0003"


def test_a_database_from_a_newer_nadi_is_refused_plainly(clinic):
    settings, db, _ = clinic
    db.close()
    conn = sqlcipher.connect(str(settings.data_dir / DB_FILE), isolation_level=None)
    conn.execute(key_pragma(keys.load_key(settings)))
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.close()
    with pytest.raises(NadiError, match="made by a newer version of Nadi .*0099"):
        open_database(settings)


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _any_staff(db):
    from core.storage.database import Actor
    from core.storage.models import Staff

    with db.read() as s:
        staff = s.query(Staff).filter(Staff.role == "receptionist").first()
    return Actor(staff.id, staff.full_name, staff.role)


def _downgrade(settings, revision: str) -> None:
    from alembic import command

    from core.storage.database import make_engine
    from core.storage.migrate import _config

    engine = make_engine(settings.data_dir / DB_FILE, keys.load_key(settings))
    try:
        with engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            with conn.begin():
                cfg = _config()
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def _revision(settings) -> str:
    conn = sqlcipher.connect(str(settings.data_dir / DB_FILE))
    try:
        conn.execute(key_pragma(keys.load_key(settings)))
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def test_two_backups_in_one_second_are_both_kept(clinic):
    settings, _, _ = clinic
    first = schedule.back_up_now(settings)
    for _ in range(30):  # a backup of this clinic takes ~0.2 s: two soon share a second
        second = schedule.back_up_now(settings)
        if first.path.name.split("-")[2:4] == second.path.name.split("-")[2:4]:
            break
        first = second
    assert first.path.name.split("-")[2:4] == second.path.name.split("-")[2:4], "no two backups fell in one second"
    assert first.path != second.path and first.path.exists() and second.path.exists()


def test_the_old_pcs_key_folder_setting_does_not_come_back_with_a_restore(clinic, tmp_path, monkeypatch):
    settings, db, recovery = clinic
    (settings.data_dir / "settings.toml").write_text(f'search_limit = 30\nkey_dir = "{tmp_path / "old-pc-keys"}"\n')
    path = schedule.back_up_now(settings).path
    new_pc = _new_pc(tmp_path, monkeypatch)
    restore_backup(path, new_pc, recovery_key=recovery)
    reloaded = load_settings(new_pc.data_dir)
    assert reloaded.search_limit == 30 and reloaded.key_dir == tmp_path / "pc2-keys"
    db2, _ = open_database(reloaded)
    db2.close()


def test_a_damaged_plan_is_reported_and_logged(clinic):
    settings, _, _ = clinic
    (settings.data_dir / "backup.toml").write_text("folder = [unclosed")
    with pytest.raises(NadiError, match="not valid TOML"):
        schedule.back_up_now(settings, "scheduled")
    last = schedule.last_attempt(settings.data_dir)
    assert not last.ok and "not valid TOML" in last.error
