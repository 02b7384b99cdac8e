"""`nadi scribe` and `nadi scribe eval` as people run them: real processes, a real demo clinic, the
stand-in Ollama on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.scribe.conftest import FEVER_CONSULT


def nadi(*args, env=None, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, input=stdin,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    root = tmp_path_factory.mktemp("scribe-cli")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NADI_KEY_DIR", str(root / "keys"))  # inherited by the child processes
        mp.delenv("NADI_DB_KEY", raising=False)
        mp.delenv("NADI_DATA_DIR", raising=False)
        for name in ("AI_PROVIDER", "AI_NO_RAW_PATIENT_DATA", "OLLAMA_HOST", "AI_LOCAL_MODEL_URL", "NADI_OLLAMA_URL"):
            mp.delenv(name, raising=False)
        directory = root / "clinic"
        made = nadi("demo", "--patients", "5", "--data-dir", str(directory))
        assert made.returncode == 0, made.stderr
        yield directory


@pytest.fixture(scope="module")
def someone(clinic):
    """A demo patient with a mobile and an ABHA number, and their details as recorded."""
    from core.scribe.patient import load_patient_context
    from core.settings import load_settings
    from core.storage.database import open_database
    from core.storage.models import Patient

    db, _ = open_database(load_settings(clinic))
    try:
        with db.read() as session:
            ids = [p.id for p in session.query(Patient).all() if p.mobile and p.abha_number and p.address_line]
        return load_patient_context(db, ids[0])
    finally:
        db.close()


def _consult_naming(p) -> str:
    first = p.name.split()[-1]
    return (f"Doctor: Namaste. Aap {p.name} hain na? {first} ji, baithiye.\n"
            f"Patient: Ji, main {p.name}. Mera mobile {p.mobile[:5]} {p.mobile[5:]} hai, ABHA {p.abha_number}.\n"
            f"Patient: Aadhaar 3141 5926 5358 bhi likh lijiye. Main {p.address[0]} mein rehta hoon.\n" + FEVER_CONSULT)


def test_scribe_prints_the_draft_as_json_and_keeps_the_patient_from_the_model(clinic, someone, ollama, tmp_path):
    transcript = tmp_path / "consult.txt"
    transcript.write_text(_consult_naming(someone), encoding="utf-8")
    out = nadi("scribe", str(transcript), "--patient", someone.patient_id, "--json", "--data-dir", str(clinic),
               env={"NADI_OLLAMA_URL": ollama.url, "AI_NO_RAW_PATIENT_DATA": "true"})
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # not a terminal: no progress lines
    draft = json.loads(out.stdout)
    assert set(draft) >= {"note", "medications", "diagnoses", "vitals", "investigations", "advice", "follow_up", "unsupported", "meta"}
    assert [m["expansion"]["drug"]["generic"] for m in draft["medications"]] == ["Paracetamol"]
    assert draft["medications"][0]["line"] == "Tab Paracetamol 650 mg TDS x 3 days after food"
    assert [d["text"] for d in draft["diagnoses"]] == ["Viral fever"] and draft["unsupported"] == []
    assert draft["meta"]["patient_id"] == someone.patient_id and draft["meta"]["deidentified"] is True

    sent = ollama.all_bytes().decode("utf-8")
    digits = "".join(ch for ch in sent if ch.isdigit())
    for secret in (someone.name, someone.mobile, someone.abha_number, someone.address[0], "3141 5926 5358"):
        assert secret not in sent, secret
    assert someone.mobile not in digits and "314159265358" not in digits
    for part in someone.name.split():
        if len(part.strip(".")) >= 3:
            assert part not in sent, part
    subjective = draft["note"]["subjective"]
    assert someone.name in subjective and someone.mobile in subjective and someone.abha_number in subjective
    assert "3141 5926 5358" in subjective and someone.address[0] in subjective


def test_scribe_reads_standard_input_and_prints_a_readable_draft(clinic, ollama):
    ollama.behaviour.misbehave.invent = "Tab Azithromycin 500 mg OD x 3 days"
    out = nadi("scribe", "-", "--data-dir", str(clinic), stdin=FEVER_CONSULT, env={"NADI_OLLAMA_URL": ollama.url})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "MEDICINES" in text and "Tab Paracetamol 650 mg TDS x 3 days after food" in text
    assert "read as: Paracetamol 650 mg, 1 tab, three times a day, after food, 3 days" in text
    assert "DIAGNOSES   Viral fever (B34.9)" in text
    assert "NOT SUPPORTED BY THE TRANSCRIPT" in text and "Azithromycin is not mentioned in the consult" in text


@pytest.mark.parametrize("case", ["not running", "not pulled", "no such patient", "no file", "empty"])
def test_scribe_failures_exit_non_zero_with_one_clear_line(clinic, ollama, tmp_path, case):
    transcript = tmp_path / "consult.txt"
    transcript.write_text(FEVER_CONSULT, encoding="utf-8")
    args, env, expect = [str(transcript)], {"NADI_OLLAMA_URL": ollama.url}, ""
    if case == "not running":
        ollama.close()
        expect = f"nadi: Ollama is not running at {ollama.url} (connection refused): start Ollama"
    elif case == "not pulled":
        args += ["--model", "phi4:14b"]
        expect = "nadi: the model phi4:14b is not installed in Ollama"
    elif case == "no such patient":
        args += ["--patient", "01a1fc9e-0000-7000-8000-00000000dead"]
        expect = "nadi: no patient with id 01a1fc9e-0000-7000-8000-00000000dead"
    elif case == "no file":
        args = [str(tmp_path / "missing.txt")]
        expect = "nadi: there is no transcript file"
    else:
        transcript.write_text("\n\n", encoding="utf-8")
        expect = "nadi: the transcript is empty"
    out = nadi("scribe", *args, "--data-dir", str(clinic), env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith(expect), out.stderr


def test_scribe_eval_scores_every_reference_consult(ollama):
    out = nadi("scribe", "eval", "--json", env={"NADI_OLLAMA_URL": ollama.url})
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    from core.scribe.eval import reference_consults

    assert [c["consult"] for c in report["consults"]] == [c.id for c in reference_consults()]
    assert {c["language"] for c in report["consults"]} == {"en", "hinglish"}
    overall = report["overall"]
    assert overall["consults"] >= 8 and overall["failed"] == 0
    assert 0.5 <= overall["coverage"] <= 1.0 and overall["unsupported_rate"] is not None
    assert set(overall["fields"]) == {"medications", "diagnoses", "vitals"}
    assert len(ollama.chats()) == len(report["consults"])

    text = nadi("scribe", "eval", "--consult", "hi-gastritis", env={"NADI_OLLAMA_URL": ollama.url})
    assert text.returncode == 0, text.stderr
    assert "Scribe evaluation: qwen2.5:7b (local) on 1 reference consults" in text.stdout
    assert "hi-gastritis" in text.stdout and "overall" in text.stdout and "medicines: coverage" in text.stdout


def test_scribe_eval_counts_what_the_model_invents(ollama):
    ollama.behaviour.misbehave.invent = "Tab Azithromycin 500 mg OD x 3 days"
    out = nadi("scribe", "eval", "--json", "--consult", "en-fever-adult", env={"NADI_OLLAMA_URL": ollama.url})
    report = json.loads(out.stdout)
    meds = report["consults"][0]["fields"]["medications"]
    assert meds["rejected"] == 1 and meds["extra"] == 0 and meds["unsupported_rate"] == 0.5


def test_scribe_eval_without_ollama_is_one_clear_line(ollama):
    url = ollama.url
    ollama.close()
    out = nadi("scribe", "eval", env={"NADI_OLLAMA_URL": url})
    assert out.returncode == 2 and out.stderr.startswith(f"nadi: Ollama is not running at {url}")
