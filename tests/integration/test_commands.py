"""The `nadi` commands as people and our checks use them: real processes, real files."""

import json
import os
import subprocess
import sys

import pytest


def nadi(*args, env_extra=None, check=True):
    env = {**os.environ, **(env_extra or {})}
    out = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, env=env, timeout=300)
    if check and out.returncode != 0:
        raise AssertionError(f"nadi {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return out


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NADI_KEY_DIR", str(root / "keys"))  # inherited by every child process below
        mp.delenv("NADI_DB_KEY", raising=False)
        directory = root / "clinic"
        out = nadi("demo", "--patients", "120", "--seed", "3", "--data-dir", str(directory), "--json")
        summary = json.loads(out.stdout)
        assert summary["patients_added"] == 120
        assert "Recovery key (shown once" in out.stderr
        yield directory


def test_stats_counts_what_demo_made_and_demo_adds_more_when_run_again(demo_dir):
    before = json.loads(nadi("stats", "--json", "--data-dir", str(demo_dir)).stdout)
    assert before["patients"] == 120 and before["staff"] == 6
    assert before["encounters"] > 120 and before["prescriptions"] == before["encounters"]
    assert before["vitals"] == before["encounters"] and before["lab_results"] > 0
    out = nadi("demo", "--patients", "30", "--seed", "3", "--data-dir", str(demo_dir))
    assert "Recovery key" not in out.stderr  # shown once, when the database was made
    after = json.loads(nadi("stats", "--json", "--data-dir", str(demo_dir)).stdout)
    assert after["patients"] == 150 and after["staff"] == 6


def test_demo_data_is_the_same_for_the_same_seed(tmp_path):
    from core.demo.people import demo_patient

    assert [demo_patient(3, i) for i in range(50)] == [demo_patient(3, i) for i in range(50)]
    assert [demo_patient(3, i)["full_name"] for i in range(50)] != [demo_patient(4, i)["full_name"] for i in range(50)]
    states = {demo_patient(3, i)["state"] for i in range(400)}
    assert len(states) >= 12  # names and places from across India


def test_search_prints_json_best_match_first(demo_dir):
    from core.demo.people import demo_patient

    target = demo_patient(3, 17)
    rows = json.loads(nadi("search", target["full_name"], "--json", "--data-dir", str(demo_dir)).stdout)
    assert rows[0]["name"] == target["full_name"]
    assert set(rows[0]) == {"id", "name", "gender", "age", "mobile", "abha_number", "abha_address"}
    if target.get("mobile"):
        by_mobile = json.loads(nadi("search", target["mobile"], "--json", "--data-dir", str(demo_dir)).stdout)
        assert target["full_name"] in [r["name"] for r in by_mobile]


def test_data_dir_may_come_before_the_command(demo_dir):
    out = nadi("--data-dir", str(demo_dir), "stats", "--json")
    assert json.loads(out.stdout)["patients"] >= 120


def test_data_dir_can_come_from_the_environment(demo_dir):
    out = nadi("stats", "--json", env_extra={"NADI_DATA_DIR": str(demo_dir)})
    assert json.loads(out.stdout)["patients"] >= 120


def test_errors_are_one_clear_line_without_a_traceback(tmp_path, demo_dir):
    missing = nadi("search", "ravi", "--data-dir", str(tmp_path / "nothing"), check=False)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no Nadi database" in missing.stderr
    assert "Traceback" not in missing.stderr
    wrong_key = nadi("stats", "--data-dir", str(demo_dir), env_extra={"NADI_DB_KEY": "00" * 32}, check=False)
    assert wrong_key.returncode == 2 and "cannot be opened with this key" in wrong_key.stderr and "Traceback" not in wrong_key.stderr
    bad_setting = nadi("stats", "--data-dir", str(demo_dir), env_extra={"NADI_SEARCH_LIMIT": "many"}, check=False)
    assert bad_setting.returncode == 2 and "NADI_SEARCH_LIMIT" in bad_setting.stderr


def test_settings_file_in_the_data_directory_is_read(demo_dir):
    (demo_dir / "settings.toml").write_text("search_limit = 1\n")
    try:
        rows = json.loads(nadi("search", "a", "--json", "--data-dir", str(demo_dir)).stdout)
        assert len(rows) <= 1
        (demo_dir / "settings.toml").write_text("serch_limit = 1\n")
        typo = nadi("search", "a", "--data-dir", str(demo_dir), check=False)
        assert typo.returncode == 2 and "serch_limit" in typo.stderr
    finally:
        (demo_dir / "settings.toml").unlink()


def test_version_and_key_recovery_from_the_command_line(demo_dir, tmp_path):
    assert nadi("--version").stdout.startswith("nadi ")
    out = nadi("key", "recover", "--data-dir", str(demo_dir), env_extra={"NADI_KEY_DIR": str(tmp_path / "k")}, check=False)
    assert out.returncode == 2 and "recovery key is 25 letters" in out.stderr


def test_search_bench_prints_the_figures_it_promises(tmp_path):
    out = nadi("bench", "search", "--patients", "600", "--rounds", "1", "--json")
    result = json.loads(out.stdout)
    assert result["patients"] == 600
    assert set(result["app_ms"]) == {"p50", "p95"} and set(result["fts_ms"]) == {"p50", "p95"}
    assert result["ratio"] == pytest.approx(result["app_ms"]["p95"] / result["fts_ms"]["p95"], rel=0.02)
    assert result["found_in_top20"]["app"] >= result["found_in_top20"]["fts"]
