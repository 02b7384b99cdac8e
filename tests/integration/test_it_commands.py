"""The commands clinic IT runs, as real processes: `nadi backup`, `nadi restore`, `nadi diagnose`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


def nadi(*args, keys: Path, check=True, stdin: str | None = None):
    env = {**os.environ, "NADI_KEY_DIR": str(keys), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NADI_DB_KEY", None)
    env.pop("NADI_DATA_DIR", None)
    out = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, env=env, timeout=300, input=stdin)
    if check and out.returncode != 0:
        raise AssertionError(f"nadi {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return out


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    root = tmp_path_factory.mktemp("it")
    made = nadi("demo", "--patients", "25", "--seed", "5", "--data-dir", str(root / "clinic"), keys=root / "keys")
    recovery = re.search(r"Recovery key \(shown once.*\): (\S+)", made.stderr).group(1)
    return root, root / "clinic", recovery


def test_backup_to_a_usb_folder_then_restore_on_a_new_pc(clinic):
    root, data, recovery = clinic
    usb = root / "usb"
    usb.mkdir()
    plan = json.loads(nadi("backup", "plan", "--folder", str(usb), "--every-hours", "24", "--keep", "5", "--json", "--data-dir", str(data), keys=root / "keys").stdout)
    assert plan == {"folder": str(usb), "every_hours": 24, "keep": 5, "same_disk_only": True}
    made = json.loads(nadi("backup", "run", "--if-due", "--json", "--data-dir", str(data), keys=root / "keys").stdout)
    assert made["made"] and made["verified"] and made["reason"] == "scheduled" and made["uploaded_to_hub"] is None
    not_due = json.loads(nadi("backup", "run", "--if-due", "--json", "--data-dir", str(data), keys=root / "keys").stdout)
    assert not_due["made"] is False and not_due["last_success_at"]

    new_pc, new_keys = root / "new-pc", root / "new-pc-keys"
    asked = nadi("restore", made["path"], "--data-dir", str(new_pc), keys=new_keys, check=False)
    assert asked.returncode == 2 and "give the clinic's recovery key" in asked.stderr and not new_pc.exists()
    wrong = nadi("restore", made["path"], "--recovery-key", "00000-00000-00000-00000-00000", "--data-dir", str(new_pc), keys=new_keys, check=False)
    assert wrong.returncode == 2 and "does not open the backup" in wrong.stderr and not new_pc.exists()

    done = nadi("restore", made["path"], "--recovery-key", recovery, "--data-dir", str(new_pc), keys=new_keys)
    assert "It opens and holds 25 patients" in done.stdout
    stats = json.loads(nadi("stats", "--json", "--data-dir", str(new_pc), keys=new_keys).stdout)
    assert stats == json.loads(nadi("stats", "--json", "--data-dir", str(data), keys=root / "keys").stdout)
    verified = nadi("backup", "verify", made["path"], "--data-dir", str(new_pc), keys=new_keys)
    assert "is a sound backup" in verified.stdout


def test_diagnose_gathers_state_without_secrets(clinic):
    root, data, recovery = clinic
    (data / "logs").mkdir(exist_ok=True)
    (data / "logs" / "nadi.log").write_text("2026-11-21 10:00:00 ERROR nadi.desktop MainThread: printer not found\n")
    out = root / "diag" / "nadi-diagnose.zip"
    done = json.loads(nadi("diagnose", "--out", str(out), "--json", "--data-dir", str(data), keys=root / "keys").stdout)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["diagnose.json", "logs/nadi.log"]
        report = json.loads(zf.read("diagnose.json"))
        everything = b"".join(zf.read(n) for n in zf.namelist())
    assert report["nadi_version"] and report["database"]["schema_revision"] == done["database"]["schema_revision"]
    assert report["database"]["counts"]["patient"] == 25
    assert {c["name"]: c["ok"] for c in report["checks"]}["database integrity"] is True
    assert report["sync"]["enrolled"] is False and report["backups"]["folder"]
    key_hex = next((root / "keys").glob("*.key")).read_text().strip()
    assert key_hex.encode() not in everything and recovery.encode() not in everything
    assert b"wrapped_key" not in everything


def test_diagnose_still_reports_when_the_key_is_missing(clinic):
    root, data, _ = clinic
    out = root / "no-key.zip"
    done = nadi("diagnose", "--out", str(out), "--json", "--data-dir", str(data), keys=root / "empty-keys")
    report = json.loads(done.stdout)
    key_check = next(c for c in report["checks"] if c["name"] == "key")
    assert key_check["ok"] is False and "nadi key recover" in key_check["detail"]
    assert report["database"] is None and out.exists()
