"""The audit trail detects an edited, removed or reordered event."""

import subprocess
import sys


from core.audit import verify_chain
from core.services.patients import open_patient_record, register_patient


def _busy_day(db, team, n=5):
    for i in range(n):
        p = register_patient(db, team.receptionist, {"full_name": f"Kiran Rao {i}", "gender": "F", "age_years": 20 + i})
        open_patient_record(db, team.doctor, p.id)


def _raw(db, sql):
    with db.engine.connect() as conn:
        conn.exec_driver_sql(sql)
        conn.commit()


def test_an_untouched_trail_verifies(db, team):
    _busy_day(db, team)
    report = verify_chain(db)
    assert report.ok and report.events == 4 + 10  # clinic, 3 staff, then 5 registrations and 5 opens


def test_editing_an_event_is_detected_at_that_event(db, team):
    _busy_day(db, team)
    # Someone with the key hides that a doctor opened a record.
    _raw(db, "UPDATE audit_event SET actor_label = 'nobody' WHERE seq = 7")
    report = verify_chain(db)
    assert not report.ok and report.broken_at_seq == 7 and "altered" in report.problem


def test_removing_an_event_is_detected(db, team):
    _busy_day(db, team)
    _raw(db, "DELETE FROM audit_event WHERE seq = 6")
    report = verify_chain(db)
    assert not report.ok and report.broken_at_seq == 7 and "removed" in report.problem


def test_verify_command_fails_loudly_on_a_broken_trail(db, team):
    _busy_day(db, team, 2)
    _raw(db, "UPDATE audit_event SET detail = '{}' WHERE action = 'staff.add' AND seq = 2")
    settings = db.settings
    db.close()
    out = subprocess.run([sys.executable, "-m", "desktop", "audit", "verify", "--data-dir", str(settings.data_dir)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "AUDIT TRAIL BROKEN at event 2" in out.stdout


def test_reordering_events_is_detected(db, team):
    _busy_day(db, team, 2)
    _raw(db, "UPDATE audit_event SET seq = -seq WHERE seq IN (5, 6)")
    _raw(db, "UPDATE audit_event SET seq = 11 WHERE seq = -5")
    _raw(db, "UPDATE audit_event SET seq = 5 WHERE seq = -6")
    _raw(db, "UPDATE audit_event SET seq = 6 WHERE seq = 11")
    report = verify_chain(db)
    assert not report.ok and report.broken_at_seq == 5
