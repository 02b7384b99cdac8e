"""OpenAI and Anthropic behind the same interface, against loopback stand-ins that check each
request's shape as the real APIs require it."""

from __future__ import annotations

import json

import pytest

from core.scribe import ApiKeyRefused, MissingApiKey, ModelNotInstalled, PatientContext, ProviderBusy, answer_schema, draft_from_transcript
from core.scribe.config import ScribeConfig
from tests.scribe.cloud_standins import KEY, AnthropicStandin, OpenAIStandin
from tests.scribe.conftest import FEVER_CONSULT

PATIENT = PatientContext(patient_id="p1", name="Sunita Devi Kale", mobile="9123456780", age=34, sex="female")
CONSULT = "Patient: Main Sunita Devi Kale, number 9123456780.\n" + FEVER_CONSULT


@pytest.fixture
def openai():
    standin = OpenAIStandin()
    yield standin
    standin.close()


@pytest.fixture
def anthropic():
    standin = AnthropicStandin()
    yield standin
    standin.close()


def _openai_config(standin, **env) -> ScribeConfig:
    return ScribeConfig.from_settings(None, env={"AI_PROVIDER": "openai", "OPENAI_API_KEY": KEY, "AI_OPENAI_BASE_URL": standin.url + "/v1", **env})


def _anthropic_config(standin, **env) -> ScribeConfig:
    return ScribeConfig.from_settings(None, env={"AI_PROVIDER": "anthropic", "ANTHROPIC_API_KEY": KEY, "AI_ANTHROPIC_BASE_URL": standin.url, **env})


def test_openai_gets_the_schema_as_a_strict_json_schema_and_no_patient_details(openai):
    draft = draft_from_transcript(CONSULT, patient=PATIENT, config=_openai_config(openai))
    check, chat = openai.requests
    assert (check.method, check.path) == ("GET", "/v1/models/gpt-4o-mini")
    assert (chat.method, chat.path) == ("POST", "/v1/chat/completions")
    assert chat.headers["authorization"] == f"Bearer {KEY}"
    fmt = chat.json["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True and fmt["json_schema"]["schema"] == answer_schema()
    assert chat.json["messages"][0]["role"] == "system" and chat.json["max_completion_tokens"] >= 1024
    sent = b"".join(r.body for r in openai.requests).decode()
    assert "Sunita" not in sent and "9123456780" not in sent  # the privacy switch is on by default for a cloud model
    assert [m.expansion.generic for m in draft.medications] == ["Paracetamol"]
    assert draft.meta.provider == "openai" and draft.meta.num_ctx == [] and draft.meta.prompt_tokens == 900
    assert "Sunita Devi Kale" in draft.note["subjective"]


def test_anthropic_caches_the_system_prompt_and_forces_the_draft_tool(anthropic):
    config = _anthropic_config(anthropic)
    first = draft_from_transcript(CONSULT, patient=PATIENT, config=config)
    draft_from_transcript(CONSULT, patient=PATIENT, config=config)
    calls = [r for r in anthropic.requests if r.path == "/v1/messages"]
    body = calls[0].json
    assert calls[0].headers["x-api-key"] == KEY and calls[0].headers["anthropic-version"] == "2023-06-01"
    [system] = body["system"]
    assert system["type"] == "text" and system["cache_control"] == {"type": "ephemeral"}
    assert "note-taking assistant" in system["text"]
    [tool] = body["tools"]
    assert body["tool_choice"] == {"type": "tool", "name": tool["name"]}
    schema = json.dumps(tool["input_schema"])
    assert "$ref" not in schema and "$defs" not in schema and tool["input_schema"]["required"] == list(answer_schema()["properties"])
    assert calls[0].json["system"] == calls[1].json["system"]  # byte-for-byte the same prefix, so the cache can hit
    assert "Sunita" not in b"".join(r.body for r in anthropic.requests).decode()
    assert [m.expansion.generic for m in first.medications] == ["Paracetamol"] and first.meta.provider == "anthropic"


def test_anthropic_invalid_output_is_retried(anthropic):
    anthropic.misbehave.invalid_json = 1
    draft = draft_from_transcript(FEVER_CONSULT, config=_anthropic_config(anthropic))
    assert draft.meta.attempts == 2
    retry = [r for r in anthropic.requests if r.path == "/v1/messages"][1].json["messages"][0]["content"]
    assert "does not match the schema" in retry


@pytest.mark.parametrize("provider, variable", [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")])
def test_a_missing_key_says_which_variable_and_the_local_alternative(provider, variable):
    with pytest.raises(MissingApiKey) as err:
        ScribeConfig.from_settings(None, env={"AI_PROVIDER": provider})
    assert f"set {variable}" in str(err.value) and "AI_PROVIDER=local" in str(err.value)


def test_a_refused_key_an_unknown_model_and_a_rate_limit(openai, anthropic):
    with pytest.raises(ApiKeyRefused, match="OpenAI refused the API key in OPENAI_API_KEY"):
        draft_from_transcript(FEVER_CONSULT, config=_openai_config(openai, OPENAI_API_KEY="sk-wrong"))
    with pytest.raises(ModelNotInstalled, match="no model 'gpt-9' .*AI_OPENAI_MODEL"):
        draft_from_transcript(FEVER_CONSULT, config=_openai_config(openai).with_model("gpt-9"))
    with pytest.raises(ApiKeyRefused, match="Anthropic refused the API key in ANTHROPIC_API_KEY"):
        draft_from_transcript(FEVER_CONSULT, config=_anthropic_config(anthropic, ANTHROPIC_API_KEY="wrong"))
    anthropic.status_override = (529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    with pytest.raises(ProviderBusy, match="Anthropic is busy .*Overloaded"):
        draft_from_transcript(FEVER_CONSULT, config=_anthropic_config(anthropic))


def test_an_unknown_provider_is_named():
    from core.scribe import ScribeSetupError

    with pytest.raises(ScribeSetupError, match="AI_PROVIDER must be local, openai or anthropic"):
        ScribeConfig.from_settings(None, env={"AI_PROVIDER": "gemini"})


@pytest.mark.parametrize("env, url, source", [
    ({}, "http://127.0.0.1:11434", "the default"),
    ({"OLLAMA_HOST": "0.0.0.0"}, "http://127.0.0.1:11434", "OLLAMA_HOST"),
    ({"OLLAMA_HOST": "192.168.1.20:8080"}, "http://192.168.1.20:8080", "OLLAMA_HOST"),
    ({"AI_LOCAL_MODEL_URL": "http://gpu-box:11434/", "OLLAMA_HOST": "ignored:1"}, "http://gpu-box:11434", "AI_LOCAL_MODEL_URL"),
])
def test_where_ollama_is_found(env, url, source):
    config = ScribeConfig.from_settings(None, env=env)
    assert (config.base_url, config.base_url_source) == (url, source)


def test_the_scribe_variables_count_even_without_the_clinic_settings():
    from core.scribe import ScribeSetupError

    config = ScribeConfig.from_settings(None, env={"NADI_OLLAMA_URL": "http://10.0.0.7:11434", "NADI_SCRIBE_TIMEOUT_S": "240",
                                                   "OLLAMA_HOST": "elsewhere:1"})
    assert (config.base_url, config.read_timeout_s) == ("http://10.0.0.7:11434", 240.0)
    with pytest.raises(ScribeSetupError, match="NADI_SCRIBE_TIMEOUT_S: .*greater than or equal to 5"):
        ScribeConfig.from_settings(None, env={"NADI_SCRIBE_TIMEOUT_S": "1"})


def test_the_clinic_setting_comes_first(tmp_path, monkeypatch):
    from core.settings import load_settings

    monkeypatch.setenv("NADI_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("NADI_OLLAMA_URL", "http://10.0.0.5:11434")
    monkeypatch.setenv("NADI_SCRIBE_MODEL", "llama3.1:8b")
    config = ScribeConfig.from_settings(load_settings(tmp_path / "clinic"), env={"OLLAMA_HOST": "elsewhere:1"})
    assert (config.base_url, config.base_url_source, config.model) == ("http://10.0.0.5:11434", "NADI_OLLAMA_URL", "llama3.1:8b")
    monkeypatch.setenv("NADI_OLLAMA_URL", "ftp://nope")
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="NADI_OLLAMA_URL: 'ftp://nope' is not a web address"):
        load_settings(tmp_path / "clinic")
