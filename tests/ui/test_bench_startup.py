"""`nadi bench startup` as clinic IT runs it: a real process that starts the real app and a bare
Qt window. Figures depend on the machine, so only their shape and arithmetic are checked here."""

import json
import os
import subprocess
import sys


def nadi(*args, key_dir):
    # The key store is pointed into the test's directory so no run can leave a key in the user's.
    env = {**os.environ, "NADI_KEY_DIR": str(key_dir)}
    env.pop("NADI_DB_KEY", None)
    env.pop("NADI_DATA_DIR", None)
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, env=env, timeout=300)


def test_bench_startup_reports_app_and_bare_window_and_their_ratio(tmp_path):
    out = nadi("bench", "startup", "--rounds", "1", "--patients", "5", "--json", key_dir=tmp_path / "keys")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    for side in ("app_ms", "bare_qt_ms"):
        assert set(result[side]) == {"median", "min", "max"}
        assert 0 < result[side]["min"] <= result[side]["median"] <= result[side]["max"]
    assert abs(result["ratio"] - result["app_ms"]["median"] / result["bare_qt_ms"]["median"]) < 0.01
    assert result["rounds"] == 1 and result["patients"] == 5
    assert result["platform"] == os.environ["QT_QPA_PLATFORM"]
    assert result["interpreter"] == sys.executable
    assert result["warm_cache"] is True


def test_bench_startup_refuses_a_directory_that_already_holds_a_clinic(tmp_path):
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "nadi.db").write_bytes(b"")
    out = nadi("bench", "startup", "--data-dir", str(clinic), "--json", key_dir=tmp_path / "keys")
    assert out.returncode == 2
    assert "already holds a Nadi database" in out.stderr
    assert (clinic / "nadi.db").read_bytes() == b""


def test_parsing_the_command_does_not_load_qt():
    code = ("import sys; from desktop.cli import build_parser; "
            "a = build_parser().parse_args(['bench', 'startup', '--rounds', '2', '--json']); "
            "assert a.rounds == 2 and a.json; assert 'PySide6' not in sys.modules, 'Qt loaded'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
