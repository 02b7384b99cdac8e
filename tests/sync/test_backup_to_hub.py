"""The hub's copy of a clinic's backups: `nadi backup run` on an enrolled PC sends its verified file
up, `nadi backup list --hub` and `fetch` bring it back byte for byte, and that file restores.
The hub keeps each clinic's files apart, refuses what is not a backup, and keeps the newest 14."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.demo.generate import add_demo_data
from sync.agent.hub_client import HubClient, HubRefused
from sync.agent.state import require_state
from sync.hub.backups import KEEP, BackupRefused, list_backups, store_backup
from sync.hub.clinics import DeviceIdentity, add_clinic
from tests.sync.devices import devices, running_hub

ROOT = Path(__file__).resolve().parents[2]


def _nadi(root: Path, pc: str, *args, check=True) -> subprocess.CompletedProcess:
    env = dict(os.environ, NADI_KEY_DIR=str(root / f"{pc}-keys"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("NADI_DATA_DIR", None)
    env.pop("NADI_DB_KEY", None)
    done = subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if check and done.returncode != 0:
        raise AssertionError(f"nadi {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


def test_a_backup_goes_to_the_hub_and_comes_back_to_restore(tmp_path):
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub, devices(tmp_path, ["reception"], hub) as pcs:
        add_demo_data(pcs["reception"], patients=15, seed=4)
        pc_dir = str(tmp_path / "reception")
        made = json.loads(_nadi(tmp_path, "reception", "backup", "run", "--json", "--data-dir", pc_dir).stdout)
        assert made["verified"] and made["uploaded_to_hub"] is True and made["hub_problem"] is None

        listed = json.loads(_nadi(tmp_path, "reception", "backup", "list", "--hub", "--json", "--data-dir", pc_dir).stdout)
        name = Path(made["path"]).name
        assert [b["name"] for b in listed["hub"]] == [name]
        assert listed["hub"][0]["sha256"] == hashlib.sha256(Path(made["path"]).read_bytes()).hexdigest()

        fetched_dir = tmp_path / "fetched"
        fetched_dir.mkdir()
        _nadi(tmp_path, "reception", "backup", "fetch", name, "--to", str(fetched_dir), "--data-dir", pc_dir)
        assert (fetched_dir / name).read_bytes() == Path(made["path"]).read_bytes()

        restored = json.loads(_nadi(tmp_path, "reception", "restore", str(fetched_dir / name), "--json", "--data-dir", str(tmp_path / "restored")).stdout)
        assert restored["counts_now"]["patients"] == 15

        missing = _nadi(tmp_path, "reception", "backup", "fetch", "nadi-000000000000-20260101-000000-manual.nadibackup", "--to", str(fetched_dir), "--data-dir", pc_dir, check=False)
        assert missing.returncode == 2 and "holds no backup named" in missing.stderr


def test_when_the_hub_is_down_the_backup_is_still_made_and_the_problem_said(tmp_path):
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub, devices(tmp_path, ["reception"], hub) as pcs:
        add_demo_data(pcs["reception"], patients=3, seed=4)
    # The hub has stopped; the PC is still enrolled with it.
    done = json.loads(_nadi(tmp_path, "reception", "backup", "run", "--json", "--data-dir", str(tmp_path / "reception")).stdout)
    assert done["made"] and done["verified"] and done["uploaded_to_hub"] is False
    assert "cannot be reached" in done["hub_problem"]
    assert Path(done["path"]).exists()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_hub_keeps_clinics_apart_refuses_what_is_not_a_backup_and_keeps_the_newest(tmp_path, backend, request):
    url = f"sqlite:///{tmp_path / 'hub.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    with running_hub(url) as hub, devices(tmp_path, ["reception"], hub) as pcs:
        state = require_state(pcs["reception"])
        with HubClient(hub.url, state.device_id, state.device_secret) as client:
            with pytest.raises(HubRefused, match="not the name of a Nadi backup"):
                client.call("PUT", "/v1/backups/secrets.txt", content=b"x")
            with pytest.raises(HubRefused, match="changed on the way"):
                client.call("PUT", "/v1/backups/nadi-0123456789ab-20261121-101010-manual.nadibackup", content=b"abc", headers={"x-content-sha256": "0" * 64})
        me = DeviceIdentity(state.device_id, hub.clinic_id)
        names = [f"nadi-0123456789ab-202611{day:02d}-101010-scheduled.nadibackup" for day in range(1, KEEP + 3)]
        for n in names:
            store_backup(hub.engine, me, n, n.encode(), None)
        assert [b["name"] for b in list_backups(hub.engine, me)] == names[-KEEP:]
        with pytest.raises(BackupRefused, match="arrived empty"):
            store_backup(hub.engine, me, names[0], b"", None)

        other_clinic = add_clinic(hub.engine, "Another Clinic").clinic_id
        assert list_backups(hub.engine, DeviceIdentity("someone-else", other_clinic)) == []
