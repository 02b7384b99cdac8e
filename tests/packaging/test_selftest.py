"""`nadi selftest` from the source tree: what clinic IT sees when an installation works, when its
database cannot be opened, and that a selftest on a live clinic leaves nothing behind. Ollama and
the hub are real HTTP servers on loopback (the hub is Nadi's own; Ollama a stand-in that answers
/api/version as Ollama does)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def nadi(*args, key_dir, **env_extra):
    env = {**os.environ, "NADI_KEY_DIR": str(key_dir), **env_extra}
    for name in ("NADI_DB_KEY", "NADI_DATA_DIR", "NADI_OLLAMA_URL", "AI_LOCAL_MODEL_URL", "OLLAMA_HOST"):
        if name not in env_extra:
            env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, env=env, timeout=300)


def checks_of(result: dict) -> dict[str, dict]:
    return {c["name"]: c for c in result["checks"]}


def test_a_new_install_passes_creates_its_database_once_and_keeps_nothing_of_the_test(tmp_path):
    keys, data = tmp_path / "keys", tmp_path / "clinic"
    out = nadi("selftest", "--json", "--data-dir", str(data), key_dir=keys)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout)
    assert result["ok"] is True and result["frozen"] is False
    assert {"version", "python", "platform"} <= set(result)
    checks = checks_of(result)
    assert list(checks) == ["database", "record", "fhir", "qt", "pdf", "ollama", "speech", "hub"]
    assert all(c["ok"] for c in result["checks"])
    assert checks["database"]["detail"].startswith("created a new encrypted database") and "revision" in checks["database"]["detail"]
    assert "Recovery key (shown once" in out.stderr
    assert "MedicationRequest" in checks["fhir"]["detail"]
    assert "Devanagari" in checks["pdf"]["detail"]
    assert checks["ollama"].get("info") is True and checks["hub"].get("info") is True
    assert "not joined a hub" in checks["hub"]["detail"]
    assert checks["speech"]["detail"].startswith("no speech engine set up") and checks["speech"].get("info") is True

    stats = json.loads(nadi("stats", "--json", "--data-dir", str(data), key_dir=keys).stdout)
    assert stats["patients"] == stats["staff"] == stats["prescriptions"] == stats["change_records"] == stats["audit_events"] == 0

    text = nadi("selftest", "--data-dir", str(data), key_dir=keys)
    assert text.returncode == 0, text.stdout + text.stderr
    lines = text.stdout.strip().splitlines()
    assert len(lines) == 8 and lines[0].startswith("ok    database  opened the encrypted database")
    assert [line.split()[0] for line in lines] == ["ok", "ok", "ok", "ok", "ok", "info", "info", "info"]
    assert "Recovery key" not in text.stderr


def test_a_database_that_cannot_be_opened_fails_plainly_and_skips_what_needs_it(tmp_path):
    keys, data = tmp_path / "keys", tmp_path / "clinic"
    assert nadi("selftest", "--json", "--data-dir", str(data), key_dir=keys).returncode == 0
    wrong = nadi("selftest", "--json", "--data-dir", str(data), key_dir=keys, NADI_DB_KEY="ab" * 32)
    assert wrong.returncode == 1, wrong.stderr
    result = json.loads(wrong.stdout)
    checks = checks_of(result)
    assert result["ok"] is False
    assert checks["database"]["ok"] is False and "cannot be opened with this key" in checks["database"]["detail"]
    for name in ("record", "fhir", "pdf"):
        assert checks[name]["ok"] is False and checks[name]["detail"].startswith("not run")
    assert checks["qt"]["ok"] is True  # what does not need the database is still checked
    assert checks["hub"]["ok"] is True and "not checked" in checks["hub"]["detail"]
    text = nadi("selftest", "--data-dir", str(data), key_dir=keys, NADI_DB_KEY="ab" * 32)
    assert text.returncode == 1 and text.stdout.startswith("FAIL  database")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 displays are a Linux matter")
def test_a_display_qt_cannot_use_fails_the_qt_check_with_the_reason_instead_of_aborting(tmp_path):
    # Qt aborts the whole process when its platform plugin fails; the selftest must say why instead.
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "NADI_DB_KEY", "NADI_DATA_DIR")}
    env |= {"NADI_KEY_DIR": str(tmp_path / "keys"), "DISPLAY": ":97531"}  # no X server has that number
    out = subprocess.run([sys.executable, "-m", "desktop", "selftest", "--json", "--data-dir", str(tmp_path / "clinic")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    checks = checks_of(json.loads(out.stdout))
    assert checks["qt"]["ok"] is False
    # Either the PC lacks a library the xcb plugin needs (named), or it has them and no X server answers.
    assert checks["qt"]["detail"].startswith("Qt's xcb platform plugin cannot load: lib") or \
        checks["qt"]["detail"].startswith("cannot connect to the X display DISPLAY=':97531'"), checks["qt"]["detail"]
    assert checks["pdf"]["ok"] is True  # printing is still checked, offscreen


def test_on_a_live_clinic_the_selftest_leaves_every_count_and_the_audit_chain_as_they_were(db, team, data_dir):
    from core.audit import verify_chain
    from core.services import patients
    from core.stats import record_counts
    from desktop.selftest import run_selftest

    patients.register_patient(db, team.receptionist, {"full_name": "Asha Verma", "gender": "female", "age_years": 30})
    before, head = record_counts(db), verify_chain(db).head
    result = run_selftest(str(data_dir))
    assert result["ok"], result
    assert checks_of(result)["database"]["detail"].startswith("opened")
    assert record_counts(db) == before
    chain = verify_chain(db)
    assert chain.ok and chain.head == head


@pytest.fixture
def ollama_stand_in():
    """Answers GET /api/version as Ollama does."""
    from fastapi import FastAPI

    from tests.sync.hub_server import serve_app

    app = FastAPI()

    @app.get("/api/version")
    def version() -> dict:
        return {"version": "0.6.2"}

    with serve_app(app) as url:
        yield url


def test_ollama_and_the_hub_are_reported_as_information_whether_they_answer_or_not(tmp_path, monkeypatch, ollama_stand_in):
    from core.storage.database import open_database
    from core.settings import Settings
    from desktop.selftest import run_selftest
    from sync.agent.enrol import enrol
    from tests.sync.devices import IT, running_hub

    monkeypatch.setenv("NADI_KEY_DIR", str(tmp_path / "keys"))
    for name in ("NADI_DB_KEY", "NADI_DATA_DIR", "AI_LOCAL_MODEL_URL", "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "clinic"
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub:
        db, _ = open_database(Settings(data_dir=data, key_dir=tmp_path / "keys"), create=True)
        try:
            enrol(db, IT, hub.url, hub.token, "reception")
        finally:
            db.close()
        monkeypatch.setenv("NADI_OLLAMA_URL", ollama_stand_in)
        answering = run_selftest(str(data))
    assert answering["ok"], answering
    checks = checks_of(answering)
    assert checks["ollama"]["detail"] == f"Ollama 0.6.2 answers at {ollama_stand_in} (NADI_OLLAMA_URL)"
    assert checks["hub"]["detail"].startswith(f"enrolled with {hub.url}, which answers")

    # The hub is gone now, and Ollama is asked for where nothing listens: still information, not failure.
    monkeypatch.setenv("NADI_OLLAMA_URL", hub.url)
    silent = run_selftest(str(data))
    assert silent["ok"], silent
    checks = checks_of(silent)
    assert checks["ollama"]["ok"] and checks["ollama"]["detail"].startswith(f"no answer from Ollama at {hub.url}")
    assert checks["hub"]["ok"] and "does not answer now" in checks["hub"]["detail"]

    # Speech set up with a model file that is not there: named, as information.
    monkeypatch.setenv("NADI_SPEECH_MODEL", str(tmp_path / "ggml-small.bin"))
    monkeypatch.setenv("NADI_SPEECH_WHISPER_CPP", str(tmp_path / "whisper-cli"))
    (tmp_path / "whisper-cli").write_text("#!/bin/sh\n")
    wrong = run_selftest(str(data))
    assert wrong["ok"], wrong
    assert checks_of(wrong)["speech"]["detail"] == (f"set up wrongly: speech_model: {tmp_path / 'ggml-small.bin'} is not there "
                                                   "(the ggml model file whisper.cpp reads); the scribe works from typed text meanwhile")
