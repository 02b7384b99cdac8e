"""A process killed with SIGKILL in the middle of a burst of writes loses nothing it committed."""

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import func, select, text

from core.audit import verify_chain
from core.settings import load_settings
from core.storage.database import open_database
from core.storage.models import AuditEvent, Change, Patient

WRITER = textwrap.dedent(
    """
    import sys
    from core.settings import load_settings
    from core.storage.database import open_database, SYSTEM
    from core.services.patients import register_patient
    from core.services.visits import start_encounter, record_vitals
    db, _ = open_database(load_settings(sys.argv[1]), create=True)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        p = register_patient(db, SYSTEM, {"full_name": f"Burst Patient {i}", "gender": "F", "age_years": 30, "mobile": f"9{i:09d}"})
        e = start_encounter(db, SYSTEM, p.id)
        record_vitals(db, SYSTEM, e.id, {"pulse": 70 + i % 50})
        print(p.id, flush=True)  # printed only after the transaction committed
    """
)


def test_sigkill_mid_burst_leaves_every_committed_write_and_a_consistent_file(data_dir, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "ready"
        committed = [child.stdout.readline().strip() for _ in range(60)]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    db, _ = open_database(load_settings(data_dir))
    try:
        with db.read() as s:
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert s.execute(text("PRAGMA foreign_key_check")).all() == []
            stored = set(s.scalars(select(Patient.id)))
            assert set(committed) <= stored
            # Whatever was in flight is either wholly there or wholly absent: every stored
            # patient has its change record and its audit event.
            with_change = set(s.scalars(select(Change.row_id).where(Change.entity == "patient")))
            with_event = set(s.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "patient.register")))
            assert stored == with_change == with_event
            assert len(stored) - len(committed) <= 1
            assert s.scalar(select(func.count()).select_from(Change).where(Change.entity == "vitals")) >= len(committed)
        assert verify_chain(db).ok
    finally:
        db.close()
