"""The scribe against a stand-in Ollama speaking real HTTP on loopback: what is sent (schema in
`format`, num_ctx, keep_alive, stream), how long consults are split, retries, progress, and every
way it can fail, each with a message that says what to do."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest

from core.scribe import (
    InvalidModelOutput,
    ModelNotInstalled,
    ModelTooSlow,
    ProviderBusy,
    ProviderFailed,
    ProviderUnreachable,
    ScribeCancelled,
    TranscriptTooLong,
    answer_schema,
    draft_from_transcript,
)
from core.scribe.prompt import SYSTEM_PROMPT
from core.scribe.sizing import estimate_tokens
from tests.scribe.conftest import FEVER_CONSULT, local_config


def test_a_consult_becomes_a_checked_draft_asked_for_with_the_schema_as_format(ollama):
    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))

    [chat] = ollama.chats()
    body = chat.json
    assert body["format"] == answer_schema()  # pydantic's schema, as is
    assert body["stream"] is False  # said explicitly; a note is not streamed
    assert body["keep_alive"] == "30m"
    assert body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert "Paracetamol 650 mg three times a day" in body["messages"][1]["content"]
    assert body["options"]["temperature"] == 0 and body["options"]["num_predict"] >= 1024
    assert not chat.truncated

    assert [m.line for m in draft.medications] == ["Tab Paracetamol 650 mg TDS x 3 days after food"]
    med = draft.medications[0].expansion
    assert (med.generic, med.strength, med.per_day, med.duration_days, med.quantity_value) == ("Paracetamol", "650 mg", 3, 3, 9)
    assert [(d.text, d.code) for d in draft.diagnoses] == [("Viral fever", "B34.9")]
    assert {v.key: v.fields for v in draft.vitals} == {"bp": {"systolic": 118, "diastolic": 76}, "pulse": {"pulse": 96},
                                                       "temperature": {"temperature_c": 38.3}}
    assert draft.follow_up_days == 3 and draft.unsupported == []
    printed = draft.as_dict()
    assert set(printed) >= {"note", "medications", "diagnoses", "vitals", "investigations", "advice", "follow_up", "unsupported", "meta"}
    assert set(printed["note"]) == {"subjective", "objective", "assessment", "plan"}
    assert printed["meta"]["provider"] == "local" and printed["meta"]["model"] == "qwen2.5:7b" and printed["meta"]["attempts"] == 1
    json.dumps(printed)  # what `nadi scribe --json` prints must serialise


def test_num_ctx_fits_the_prompt_and_answer_rounded_up_and_never_above_the_trained_context(ollama):
    draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    options = ollama.chats()[-1].json["options"]
    prompt = sum(estimate_tokens(m["content"]) for m in ollama.chats()[-1].json["messages"])
    assert options["num_ctx"] % 1024 == 0
    assert prompt + options["num_predict"] <= options["num_ctx"] <= prompt + options["num_predict"] + 1024 + 64

    # A model trained on 4096 tokens, with a consult that needs nearly all of it: asked for 4096, not 5120.
    ollama.behaviour.context_length = 4096
    long_enough = FEVER_CONSULT + "".join(f"Patient: I also had a mild headache on day {n} in the evening after work.\n" for n in range(30))
    draft = draft_from_transcript(long_enough, config=local_config(ollama))
    asked = [c.json["options"]["num_ctx"] for c in ollama.chats()[1:]]
    assert asked and all(n <= 4096 for n in asked)
    assert draft.meta.context_length == 4096 and max(draft.meta.num_ctx) <= 4096
    assert not any(c.truncated for c in ollama.chats())


def test_the_clinic_ceiling_on_the_window_is_honoured(ollama):
    ollama.behaviour.context_length = 131_072
    draft = draft_from_transcript(FEVER_CONSULT * 40, config=local_config(ollama, scribe_max_ctx=4096))
    assert draft.meta.context_limit == 4096 and draft.meta.chunks > 1
    assert all(c.json["options"]["num_ctx"] <= 4096 for c in ollama.chats())


def _long_consult(visits: int) -> str:
    lines = ["Doctor: Good morning. Tell me everything from the start."]
    for n in range(visits):
        lines.append(f"Patient: On day {n + 1} I had a dull ache in the back and some tiredness in the afternoon, nothing else new.")
        lines.append("Doctor: I see. Any fever, cough, chest pain or loose motions on that day? Please think carefully and tell me.")
    return "\n".join(lines)


def test_a_long_transcript_is_split_with_overlap_and_the_parts_merged(ollama):
    ollama.behaviour.context_length = 4096
    start = "Doctor: Your BP is 150 by 96 today.\nDoctor: Start Amlodipine 5 mg once a day for one month.\n"
    end = "\nDoctor: Also take Pantoprazole 40 mg once a day before breakfast for 14 days.\nDoctor: Come back after 14 days."
    transcript = start + _long_consult(40) + end
    progress = []
    draft = draft_from_transcript(transcript, config=local_config(ollama), progress=progress.append, tick_s=0.05)

    chats = ollama.chats()
    assert len(chats) == draft.meta.chunks >= 3
    sent = [ollama.behaviour.misbehave.transcripts_seen[n] for n in range(len(chats))]
    assert "Amlodipine" in sent[0] and "Pantoprazole" in sent[-1] and "Amlodipine" not in sent[-1]
    # neighbouring parts share a line, so nothing said across a cut is lost
    for before, after in zip(sent, sent[1:], strict=False):
        assert before.splitlines()[-1] in after.splitlines()
    # every line of the consult went to the model, none was dropped
    for line in transcript.splitlines():
        assert any(line in part for part in sent)
    assert all(f"part {n + 1} of {len(chats)}" in c.json["messages"][1]["content"] for n, c in enumerate(chats))
    assert all(c.json["options"]["num_ctx"] <= 4096 and not c.truncated for c in chats)
    generics = sorted(m.expansion.generic for m in draft.medications)
    assert generics == ["Amlodipine", "Pantoprazole"]  # once each, from the first and the last part
    assert [v.value for v in draft.vitals] == ["150/96"] and draft.follow_up_days == 14
    assert {p.parts for p in progress if p.stage == "writing"} == {len(chats)}
    assert {p.part for p in progress if p.stage == "writing"} == set(range(1, len(chats) + 1))


def test_an_utterance_too_long_for_the_model_is_refused_not_cut(ollama):
    ollama.behaviour.context_length = 4096
    rambling = "Patient: " + " ".join(["and then the pain went to my back and I could not sleep"] * 300)
    with pytest.raises(TranscriptTooLong, match="line 1 .* longer context") as err:
        draft_from_transcript(rambling, config=local_config(ollama))
    assert "NADI_SCRIBE_MAX_CTX" in str(err.value)
    assert ollama.chats() == []  # nothing was sent to be silently truncated


def test_a_model_too_small_for_the_instructions_is_refused(ollama):
    ollama.behaviour.context_length = 2048
    with pytest.raises(TranscriptTooLong, match="cannot hold the scribe's instructions"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    assert ollama.chats() == []


def test_a_cold_model_is_loaded_first_with_progress_while_it_loads(ollama):
    ollama.behaviour.hold_load = hold = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.stage == "loading" and p.stage_elapsed_s > 0:
            hold.set()  # the load finishes once the doctor has been told it is loading, and for how long

    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama), progress=progress, tick_s=0.05)
    stages = [p.stage for p in seen]
    assert stages[0] == "checking" and "loading" in stages and stages[-1] == "done"
    assert stages.index("loading") < stages.index("writing") < stages.index("grounding")
    loading = [p for p in seen if p.stage == "loading"]
    assert any("Loading qwen2.5:7b into memory" in p.message for p in loading)
    assert all(later.elapsed_s >= earlier.elapsed_s for earlier, later in zip(seen, seen[1:], strict=False))
    load = [r for r in ollama.requests if r.path == "/api/chat" and r.json["messages"] == []]
    assert len(load) == 1 and load[0].json["keep_alive"] == "30m" and load[0].json["stream"] is False
    assert draft.meta.load_seconds is not None

    # warm now: no second load
    draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    assert len([r for r in ollama.requests if r.path == "/api/chat" and r.json["messages"] == []]) == 1


def test_progress_ticks_while_the_model_writes_and_is_reported_on_the_calling_thread(ollama):
    ollama.behaviour.loaded.add("qwen2.5:7b")
    ollama.behaviour.hold_chat = hold = threading.Event()
    seen, threads = [], set()

    def progress(p):
        seen.append(p)
        threads.add(threading.get_ident())
        if len([s for s in seen if s.stage == "writing"]) >= 3:
            hold.set()

    draft_from_transcript(FEVER_CONSULT, config=local_config(ollama), progress=progress, tick_s=0.05)
    writing = [p for p in seen if p.stage == "writing"]
    assert len(writing) >= 3 and writing[-1].stage_elapsed_s > writing[0].stage_elapsed_s
    assert writing[-1].message.startswith("Writing the note with qwen2.5:7b…")
    assert threads == {threading.get_ident()}


def test_cancel_stops_the_wait_at_once(ollama):
    ollama.behaviour.loaded.add("qwen2.5:7b")
    ollama.behaviour.hold_chat = threading.Event()  # never released by the test: only cancel ends it
    cancel = threading.Event()

    def progress(p):
        if p.stage == "writing" and ollama.behaviour.chat_started.is_set():
            cancel.set()

    with pytest.raises(ScribeCancelled, match="stopped"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama), progress=progress, cancel=cancel, tick_s=0.05)
    # The request is hung up, not left running: Ollama stops generating when its client goes, so a
    # stopped draft does not keep the PC's CPU busy for the minute the model would have taken.
    assert ollama.behaviour.client_left.wait(timeout=10)


def test_streaming_when_the_clinic_turns_it_on(ollama):
    seen = []
    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama, scribe_stream=True), progress=seen.append, tick_s=0.01)
    assert ollama.chats()[-1].json["stream"] is True
    assert [m.expansion.generic for m in draft.medications] == ["Paracetamol"]


# -- retries ---------------------------------------------------------------------------------------


def test_an_answer_that_is_not_json_is_retried_once_with_the_problem_told_to_the_model(ollama):
    ollama.behaviour.misbehave.invalid_json = 1
    progress = []
    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama), progress=progress.append)
    first, second = ollama.chats()
    assert "rejected" not in first.json["messages"][1]["content"]
    assert "A previous answer to this was rejected: the answer is not JSON" in second.json["messages"][1]["content"]
    assert draft.meta.attempts == 2 and [m.expansion.generic for m in draft.medications] == ["Paracetamol"]
    assert "retrying" in [p.stage for p in progress]


def test_a_schema_violation_is_retried_naming_the_fields(ollama):
    ollama.behaviour.misbehave.schema_violations = 1
    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    retry = ollama.chats()[1].json["messages"][1]["content"]
    assert "does not match the schema" in retry and "note: Field required" in retry
    assert draft.meta.attempts == 2


def test_invalid_output_twice_is_a_clear_error(ollama):
    ollama.behaviour.misbehave.invalid_json = 2
    with pytest.raises(InvalidModelOutput, match="not the draft asked for, twice .*not JSON.*larger or newer model"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    assert len(ollama.chats()) == 2  # once, and once more: no third try


# -- every way it fails --------------------------------------------------------------------------


def test_ollama_not_running(ollama):
    config = local_config(ollama)
    ollama.close()
    with pytest.raises(ProviderUnreachable) as err:
        draft_from_transcript(FEVER_CONSULT, config=config)
    message = str(err.value)
    assert f"Ollama is not running at {ollama.url}" in message and "ollama serve" in message and "NADI_OLLAMA_URL" in message


def test_model_not_pulled_names_the_pull_command_and_what_is_installed(ollama):
    with pytest.raises(ModelNotInstalled) as err:
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama).with_model("meditron:7b"))
    message = str(err.value)
    assert "run `ollama pull meditron:7b`" in message and "llama3.2:latest, qwen2.5:7b" in message
    ollama.behaviour.installed = []
    with pytest.raises(ModelNotInstalled, match="no model is installed yet"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))


def test_model_too_slow_says_which_wait_and_which_setting_raises_it(ollama):
    ollama.behaviour.loaded.add("qwen2.5:7b")
    ollama.behaviour.hold_chat = threading.Event()
    config = replace(local_config(ollama, scribe_timeout_s=5), read_timeout_s=0.5)  # the setting's floor is 5 s; tests wait less
    with pytest.raises(ModelTooSlow) as err:
        draft_from_transcript(FEVER_CONSULT, config=config, tick_s=0.05)
    message = str(err.value)
    assert "no answer within 0.5 s while writing the note" in message and "NADI_SCRIBE_TIMEOUT_S" in message
    assert ollama.behaviour.chat_started.is_set()


def test_a_slow_cold_load_is_reported_as_loading(ollama):
    ollama.behaviour.hold_load = threading.Event()
    with pytest.raises(ModelTooSlow, match="while loading the model into memory"):
        draft_from_transcript(FEVER_CONSULT, config=replace(local_config(ollama), read_timeout_s=0.5), tick_s=0.05)


def test_busy_503(ollama):
    ollama.behaviour.busy = True
    with pytest.raises(ProviderBusy, match="busy .*maximum pending requests exceeded.*wait a moment"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))


def test_bad_request_and_server_failure_carry_ollamas_own_words(ollama):
    ollama.behaviour.bad_request = "invalid format: schema too deep"
    with pytest.raises(ProviderFailed, match="Ollama refused the request while writing the note: invalid format: schema too deep"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    ollama.behaviour.bad_request = None
    ollama.behaviour.server_error = "model requires more system memory (9.1 GiB) than is available (7.6 GiB)"
    with pytest.raises(ProviderFailed, match="more system memory.*smaller model or lower NADI_SCRIBE_MAX_CTX"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))


def test_an_error_part_way_through_a_stream(ollama):
    ollama.behaviour.fail_mid_stream = "an error was encountered while running the model: unexpected EOF"
    with pytest.raises(ProviderFailed, match="stopped part-way through the answer .*unexpected EOF.*draft again"):
        draft_from_transcript(FEVER_CONSULT, config=local_config(ollama, scribe_stream=True))


def test_something_else_at_the_address(ollama):
    from core.scribe.config import ScribeConfig
    from tests.scribe.cloud_standins import OpenAIStandin

    other = OpenAIStandin()  # a server, but not Ollama
    try:
        config = ScribeConfig.from_settings(None, env={"AI_PROVIDER": "local", "OLLAMA_HOST": other.url})
        with pytest.raises(ProviderFailed, match="something answered at .*not as Ollama does .*check OLLAMA_HOST"):
            draft_from_transcript(FEVER_CONSULT, config=config)
    finally:
        other.close()


def test_an_unknown_context_length_assumes_a_small_safe_one(ollama):
    ollama.behaviour.show_context = False
    draft = draft_from_transcript(FEVER_CONSULT, config=local_config(ollama))
    assert draft.meta.context_length == 4096 and max(draft.meta.num_ctx) <= 4096


def test_an_empty_transcript_never_reaches_the_model(ollama):
    from core.scribe import EmptyTranscript

    with pytest.raises(EmptyTranscript, match="empty"):
        draft_from_transcript("  \n ", config=local_config(ollama))
    assert ollama.requests == []
