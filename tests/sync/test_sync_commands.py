"""The sync commands as clinic IT runs them from the README: a hub process, two data directories
on one machine, `nadi sync enroll` and `nadi sync run --once --json`, each a real process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _nadi(env, *args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if check and done.returncode != 0:
        raise AssertionError(f"nadi {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


@pytest.fixture
def env(tmp_path):
    values = dict(os.environ, NADI_KEY_DIR=str(tmp_path / "keys"), PYTHONDONTWRITEBYTECODE="1")
    values.pop("NADI_DATA_DIR", None)
    values.pop("NADI_DB_KEY", None)
    return values


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_data_directories_and_a_hub_on_one_machine(tmp_path, env):
    hub_db = f"sqlite:///{tmp_path / 'hub.db'}"
    made = json.loads(_nadi(env, "hub", "add-clinic", "Shanti Clinic", "--db", hub_db, "--json").stdout)
    port = _free_port()
    hub = subprocess.Popen([sys.executable, "-m", "desktop", "hub", "serve", "--db", hub_db, "--port", str(port)], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert hub.poll() is None, f"the hub stopped: {hub.stderr.read()}"
            assert time.monotonic() < deadline, "the hub did not answer within 60 s"
            time.sleep(0.05)
        reception, doctor = tmp_path / "reception", tmp_path / "doctor"
        _nadi(env, "demo", "--patients", "20", "--data-dir", str(reception))
        before = _nadi(env, "sync", "status", "--json", "--data-dir", str(reception))
        assert json.loads(before.stdout)["enrolled"] is False
        # Reception has been used on its own (the demo clinic); it enrols and sends everything up.
        enrolled = json.loads(_nadi(env, "sync", "enroll", "--hub", url, "--token", made["enrolment_token"], "--data-dir", str(reception), "--json").stdout)
        assert enrolled["clinic_id"] == made["clinic_id"]
        first = json.loads(_nadi(env, "sync", "run", "--once", "--json", "--data-dir", str(reception)).stdout)
        assert first["online"] and first["error"] is None and first["pushed"] > 100
        # The doctor's PC is new: enrolling an empty directory makes its database (the recovery key
        # is shown once) and brings the clinic down in the same command.
        joined = _nadi(env, "sync", "enroll", "--hub", url, "--token", made["enrolment_token"], "--data-dir", str(doctor), "--json")
        assert "recovery key" in joined.stderr
        assert json.loads(joined.stdout)["clinic_id"] == made["clinic_id"]
        second = json.loads(_nadi(env, "sync", "run", "--once", "--json", "--data-dir", str(doctor)).stdout)
        assert second["error"] is None and second["pulled"] == 0  # already in step
        stats = {json.loads(_nadi(env, "stats", "--json", "--data-dir", str(pc)).stdout)["patients"] for pc in (reception, doctor)}
        assert stats == {20}

        name = json.loads(_nadi(env, "search", "a", "--json", "--data-dir", str(reception)).stdout)[0]["name"]
        found = json.loads(_nadi(env, "search", name, "--json", "--data-dir", str(doctor)).stdout)
        assert name in [hit["name"] for hit in found]
        status = json.loads(_nadi(env, "sync", "status", "--json", "--data-dir", str(doctor)).stdout)
        assert status["enrolled"] and status["pending_changes"] == 0 and status["last_error"] is None

        # The hub goes away: the round says offline, exits 3, and the PC keeps its changes.
        hub.terminate()
        hub.wait(timeout=30)
        offline = _nadi(env, "sync", "run", "--once", "--json", "--data-dir", str(doctor), check=False)
        assert offline.returncode == 3
        report = json.loads(offline.stdout)
        assert report["online"] is False and "cannot be reached" in report["error"]
    finally:
        if hub.poll() is None:
            hub.kill()
            hub.wait(timeout=30)


def test_sync_commands_on_a_pc_that_is_not_enrolled_say_what_to_do(tmp_path, env):
    pc = tmp_path / "pc"
    _nadi(env, "demo", "--patients", "0", "--data-dir", str(pc))
    done = _nadi(env, "sync", "run", "--once", "--data-dir", str(pc), check=False)
    assert done.returncode == 2 and "not enrolled with a hub" in done.stderr and "nadi sync enroll" in done.stderr
