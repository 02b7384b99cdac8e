"""`nadi sync bench`: changes per second through the whole path, over real loopback HTTP.

A hub runs as its own process (as it would on a server), two PCs are real encrypted databases in a
temporary directory. PC A registers patients until it holds N changes; then, timed: A pushes them
all to the hub, and PC B pulls and applies them all (fold, row writes, search index, duplicate
check, cursor; one transaction per page). Next to it, in the same run: the bare cost of writing
the same rows (every synced table) into a plain SQLite file with one executemany per table in one
transaction: the floor no sync can beat.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

from core.errors import NadiError
from core.services.clinic import setup_clinic
from core.services.patients import register_patients
from core.settings import Settings
from core.storage.database import Actor, open_database
from core.demo.generate import add_demo_data
from core.storage.models import SYNCED_MODELS, Change, Patient
from sync.agent.enrol import enrol
from sync.agent.exchange import pull_and_apply, push_outbox
from sync.agent.hub_client import HubClient
from sync.agent.state import require_state
from sync.hub.clinics import add_clinic
from sync.hub.engine import open_hub

_FIRST = ["Ramesh", "Sunita", "Anil", "Priya", "Mohammed", "Lakshmi", "Vijay", "Fatima", "Suresh", "Kavita", "Arjun", "Meena"]
_LAST = ["Kumar", "Sharma", "Patil", "Reddy", "Khan", "Iyer", "Das", "Singh", "Joshi", "Nair", "Gupta", "Pawar"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_hub(db_url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = open(workdir / "hub.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "sync.hub.serve", "--db", db_url, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise NadiError(f"the benchmark hub stopped at start-up; see {workdir / 'hub.log'}")
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise NadiError("the benchmark hub did not answer within 30 s")


def _fill(db, actor: Actor | None, changes: int, mix: str) -> int:
    """Make changes on PC A until it holds `changes`: a clinic's real mix (demo patients with their
    visits, vitals, prescriptions, labs and bills), or registrations only (the costliest kind to
    apply: each updates the search index and is checked for duplicates)."""
    n = 0
    seed = 1
    while True:
        with db.read() as session:
            held = session.scalar(select(func.count()).select_from(Change))
        if held >= changes:
            return held
        if mix == "clinic":
            add_demo_data(db, patients=max(50, min(300, (changes - held) // 29)), seed=seed)
            seed += 1
            continue
        batch = [
            {"full_name": f"{_FIRST[i % 12]} {_LAST[(i // 12) % 12]} {i}", "gender": "female" if i % 2 else "male", "age_years": 18 + i % 60, "mobile": f"9{(700000000 + i) % 1000000000:09d}"}
            for i in range(n, n + 500)
        ]
        n += 500
        register_patients(db, actor, batch)


def _bare_sqlite(tables: dict[str, tuple[list[str], list[tuple]]], path: Path) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for name, (columns, _) in tables.items():
        conn.execute(f"CREATE TABLE {name} ({', '.join(columns)})")
    start = time.perf_counter()
    conn.execute("BEGIN")
    for name, (columns, rows) in tables.items():
        conn.executemany(f"INSERT INTO {name} VALUES ({','.join('?' * len(columns))})", rows)
    conn.execute("COMMIT")
    took = time.perf_counter() - start
    conn.close()
    return took


def run_bench(changes: int = 20_000, hub_db: str | None = None, mix: str = "clinic") -> dict:
    if changes < 1_000:
        raise NadiError("--changes must be at least 1000 for a meaningful figure")
    with tempfile.TemporaryDirectory(prefix="nadi-sync-bench-") as tmp:
        work = Path(tmp)
        url = hub_db or f"sqlite:///{work / 'hub.db'}"
        engine = open_hub(url)
        made = add_clinic(engine, "Bench clinic")
        engine.dispose()
        proc, hub_url = _start_hub(url, work)
        try:
            a, _ = open_database(Settings(data_dir=work / "a", key_dir=work / "a-keys"), create=True)
            b, _ = open_database(Settings(data_dir=work / "b", key_dir=work / "b-keys"), create=True)
            it = Actor(None, "benchmark", "admin")
            admin = None
            if mix == "patients":  # the demo data brings its own clinic and staff
                _, staff = setup_clinic(a, {"name": "Bench clinic"}, {"full_name": "Bench Admin", "role": "admin"})
                admin = Actor(staff.id, staff.full_name, "admin")
            held = _fill(a, admin, changes, mix)
            with a.read() as session:
                by_entity = dict(session.execute(select(Change.entity, func.count()).group_by(Change.entity).order_by(func.count().desc())).all())
            enrol(a, it, hub_url, made.enrolment_token, "A")
            enrol(b, it, hub_url, made.enrolment_token, "B")
            sa, sb = require_state(a), require_state(b)
            with HubClient(hub_url, sa.device_id, sa.device_secret) as ca, HubClient(hub_url, sb.device_id, sb.device_secret) as cb:
                start = time.perf_counter()
                pushed = push_outbox(a, ca)
                push_s = time.perf_counter() - start
                start = time.perf_counter()
                pulled, applied = pull_and_apply(b, cb)
                pull_s = time.perf_counter() - start
            with b.read() as session:
                patients_b = session.scalar(select(func.count()).select_from(Patient))
            with a.read() as session:
                patients_a = session.scalar(select(func.count()).select_from(Patient))
                tables = {}
                for model in SYNCED_MODELS:
                    columns = [c.name for c in model.__table__.columns]
                    tables[model.__tablename__] = (columns, [tuple(r) for r in session.execute(text(f"SELECT {', '.join(columns)} FROM {model.__tablename__}")).all()])
            bare_s = _bare_sqlite(tables, work / "bare.db")
            rows = [r for _, table_rows in tables.values() for r in table_rows]
            a.close()
            b.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    end_to_end = held / (push_s + pull_s)
    return {
        "hub_db": url.split(":", 1)[0].split("+")[0],
        "mix": mix,
        "changes": held,
        "changes_by_table": by_entity,
        "pushed": pushed,
        "pulled": pulled,
        "rows_applied": applied.rows_inserted + applied.rows_updated,
        "patients_match": patients_a == patients_b,
        "push_s": round(push_s, 3),
        "pull_and_apply_s": round(pull_s, 3),
        "push_per_s": round(held / push_s),
        "pull_and_apply_per_s": round(held / pull_s),
        "end_to_end_per_s": round(end_to_end),
        "bare_sqlite_rows": len(rows),
        "bare_sqlite_write_s": round(bare_s, 4),
        "bare_sqlite_rows_per_s": round(len(rows) / bare_s),
        "bare_over_end_to_end": round((len(rows) / bare_s) / end_to_end, 1),
        "cpu_count": os.cpu_count(),
    }
