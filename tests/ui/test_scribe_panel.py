"""The consult desk's Scribe tab, driven as a doctor would, on a real encrypted demo clinic, with the
draft written by our stand-in Ollama over loopback (pointed at by NADI_OLLAMA_URL, as clinic IT
would set it)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from core.services.scribe_record import text_hash
from core.storage.models import AuditEvent, Staff
from core.storage.database import Actor
from desktop.consult import scribe_panel, scribe_run
from desktop.consult.desk import ConsultView
from desktop.context import Desk
from desktop.style import stylesheet
from desktop.tasks import Tasks
from tests.scribe.conftest import FEVER_CONSULT
from tests.scribe.ollama_standin import OllamaStandin

SHOTS = Path(os.environ.get("NADI_SCREENSHOTS", "/tmp/nadi-scribe-shots"))
INVENTED = "Tab Azithromycin 500 mg OD x 3 days"


@pytest.fixture
def ollama():
    standin = OllamaStandin()
    yield standin
    standin.close()


@pytest.fixture
def settings(data_dir, ollama, monkeypatch):
    """This PC's settings with the scribe pointed at the stand-in (overrides the shared fixture)."""
    from core.settings import load_settings

    monkeypatch.setenv("NADI_OLLAMA_URL", ollama.url)
    for name in ("AI_PROVIDER", "AI_NO_RAW_PATIENT_DATA", "AI_LOCAL_MODEL_URL", "OLLAMA_HOST", "NADI_SCRIBE_MODEL"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(data_dir)


@pytest.fixture
def clinic(db):
    """The demo clinic: its staff, and a few patients with visit histories."""
    from core.demo.generate import add_demo_data

    from core.services.patients import register_patient

    add_demo_data(db, 6, seed=5)
    with db.read() as session:
        doctor = session.scalars(select(Staff).where(Staff.role == "doctor").order_by(Staff.created_at)).first()
        admin = session.scalars(select(Staff).where(Staff.role == "admin").order_by(Staff.created_at)).first()
    # Today's walk-in, so the visit starts empty (the demo's own patients have visits under way).
    patient = register_patient(db, Actor(admin.id, admin.full_name, "admin"), {"full_name": "Ramesh Yadav", "gender": "M", "age_years": 34,
                                                                                 "mobile": "9876501234"})
    return Actor(doctor.id, doctor.full_name, "doctor"), patient.id


@pytest.fixture
def consult(qtbot, db, clinic):
    doctor, patient_id = clinic
    tasks = Tasks()
    desk = Desk(db, tasks, doctor)
    view = ConsultView(desk)
    view.setStyleSheet(stylesheet())  # the window's look, so the screenshots show the marks and boxes as the desk does
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.open_patient(patient_id)
    qtbot.waitUntil(lambda: view.encounter_id is not None, timeout=15000)
    qtbot.keyClick(view, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    assert view.tabs.currentWidget() is view.scribe and view.scribe.transcript.hasFocus()
    yield view
    view.scribe.closing()
    qtbot.waitUntil(lambda: not scribe_run.RUNNING, timeout=15000)
    tasks.stop()


def _scribe_events(db) -> list[dict]:
    with db.read() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "scribe.accepted").order_by(AuditEvent.seq)).all()
        return [{"entity_id": r.entity_id, "actor": r.actor_id, **json.loads(r.detail)} for r in rows]


def _draft(qtbot, panel, text: str = FEVER_CONSULT) -> None:
    panel.transcript.setPlainText(text)
    panel.transcript.setFocus()
    with qtbot.waitSignal(panel.draft_shown, timeout=30000):
        qtbot.keyClick(panel.transcript, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def _shot(view, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / f"{name}.png"))


def test_the_draft_fills_in_and_an_accepted_section_goes_into_the_visit_and_the_audit_trail(qtbot, db, consult, clinic):
    panel, editor = consult.scribe, consult.editor
    _shot(consult, "1-empty")
    _draft(qtbot, panel)
    assert list(panel.cards) == ["subjective", "objective", "assessment", "plan", "vitals", "diagnoses", "medications", "advice", "follow_up"]
    assert panel.cards["medications"].text.toPlainText() == "Tab Paracetamol 650 mg TDS x 3 days after food"
    assert "read as" in panel.cards["medications"].details.text()
    assert panel.cards["diagnoses"].text.toPlainText() == "Viral fever"
    assert "qwen2.5:7b" in panel.header.text()
    # Drafted is not accepted: nothing is in the visit or the audit trail yet.
    assert editor.form()["chief_complaint"] is None and editor.form()["diagnoses"] == [] and consult.pad.lines() == []
    assert _scribe_events(db) == []

    # The doctor edits the complaint, then accepts it from the keyboard.
    card = panel.cards["subjective"]
    assert card.text.hasFocus()  # the draft came while nothing was typed: the first section has the keyboard
    card.text.moveCursor(card.text.textCursor().MoveOperation.End)
    qtbot.keyClicks(card.text, " No cough.")
    accepted = card.text.toPlainText()
    with qtbot.waitSignal(panel.accepted, timeout=15000) as signal:
        qtbot.keyClick(card.text, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert signal.args == [consult.encounter_id, "subjective"]
    assert editor.form()["chief_complaint"] == accepted and "fever since two days" in accepted
    assert card.accepted and card.text.isReadOnly() and "Accepted" in card.state.text()
    [event] = _scribe_events(db)
    assert event["entity_id"] == consult.encounter_id and event["actor"] == clinic[0].staff_id
    assert (event["section"], event["provider"], event["model"], event["edited"]) == ("subjective", "local", "qwen2.5:7b", True)
    assert event["sha256"] == text_hash(accepted)

    # Vitals, diagnosis and medicine go where typing would put them; the pad reads the line itself.
    for key in ("vitals", "diagnoses", "medications"):
        with qtbot.waitSignal(panel.accepted, timeout=15000):
            panel.cards[key].accept_button.click()
    vitals = editor.form()["vitals"]
    assert (vitals["systolic"], vitals["diastolic"], vitals["pulse"], vitals["temperature_c"]) == (118, 76, 96, 38.3)
    assert [d["text"] for d in editor.form()["diagnoses"]] == ["Viral fever"]
    assert consult.pad.lines() == ["Tab Paracetamol 650 mg TDS x 3 days after food"]
    qtbot.waitUntil(lambda: consult.pad.table.rowCount() == 1, timeout=15000)
    assert [e["section"] for e in _scribe_events(db)] == ["subjective", "vitals", "diagnoses", "medications"]

    # What was accepted is autosaved like typing, and saved with the visit.
    with qtbot.waitSignal(consult.autosaved, timeout=15000):
        pass
    with qtbot.waitSignal(consult.desk.patient_changed, timeout=15000):  # the visit's own save (Ctrl+S)
        qtbot.keyClick(consult.editor.notes["history"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    from core.services.consult import load_visit

    form = load_visit(db, clinic[0], consult.encounter_id).form
    assert form["chief_complaint"] == accepted and form["vitals"]["pulse"] == 96 and form["diagnoses"][0]["text"] == "Viral fever"


def test_an_unsupported_item_is_shown_marked_and_never_accepted_even_by_accept_all(qtbot, db, consult, ollama):
    ollama.behaviour.misbehave.invent = INVENTED
    panel = consult.scribe
    _draft(qtbot, panel)
    assert panel.unsupported.isVisible()
    listed = panel.unsupported_label.text()
    assert "Azithromycin" in listed and "⚠ Not in the transcript" in listed and "⚠ Medicine:" in listed
    assert "Azithromycin" not in panel.cards["medications"].text.toPlainText()
    _shot(consult, "3-filled-unsupported")

    cards = len(panel.cards)
    qtbot.keyClick(panel.transcript, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: all(c.accepted for c in panel.cards.values()), timeout=15000)
    assert len(_scribe_events(db)) == cards
    assert consult.pad.lines() == ["Tab Paracetamol 650 mg TDS x 3 days after food"]
    assert "Azithromycin" not in json.dumps(consult.editor.form())
    assert consult.editor.follow_days.value() == 3
    assert "Viral fever" in consult.editor.form()["assessment"]  # each SOAP section to its own box
    assert "Viral fever" not in (consult.editor.form()["examination"] or "")


def test_a_section_whose_text_names_an_unsupported_item_is_marked_left_out_of_accept_all_and_asks_first(qtbot, db, consult, ollama):
    """The pipeline takes unsupported sentences out of the prose; should one remain (or the doctor
    type it back), the section is marked and Accept every section passes it by."""
    ollama.behaviour.misbehave.invent = INVENTED
    panel = consult.scribe
    _draft(qtbot, panel)
    plan = panel.cards["plan"]
    plan.text.setPlainText(plan.text.toPlainText() + "; " + INVENTED)
    plan.flag(scribe_panel.unsupported_mentions(plan.text.toPlainText(), panel.draft.unsupported, FEVER_CONSULT))
    assert "⚠ Mentions" in plan.state.text() and plan.property("box") == "warning"
    panel.accept_all()
    qtbot.waitUntil(lambda: all(c.accepted for k, c in panel.cards.items() if k != "plan"), timeout=15000)
    assert not plan.accepted and consult.editor.form()["plan"] is None
    plan.accept_button.click()
    assert "Accept again to keep it" in plan.state.text() and not plan.accepted
    plan.text.setPlainText(plan.text.toPlainText().replace("; " + INVENTED, ""))
    with qtbot.waitSignal(panel.accepted, timeout=15000):
        plan.accept_button.click()
    assert "Azithromycin" not in json.dumps(consult.editor.form())
    assert "Tab Paracetamol" in consult.editor.form()["plan"]


def test_a_model_not_installed_is_said_plainly_and_the_transcript_stays(qtbot, db, consult, ollama):
    ollama.behaviour.installed = ["llama3.2:latest"]
    panel = consult.scribe
    panel.transcript.setPlainText(FEVER_CONSULT)
    with qtbot.waitSignal(panel.draft_failed, timeout=30000) as failed:
        panel.draft_button.click()
    message = failed.args[0]
    assert "qwen2.5:7b" in message and "ollama pull" in message.lower()
    # The doctor is told what it means for them; the details are marked as IT's.
    assert panel.problem.text().startswith("⚠ The scribe is not ready on this PC; write the note as usual meanwhile.\nFor clinic IT: ")
    assert panel.problem.isVisible() and panel.status.property("tone") == "danger"
    assert panel.transcript.toPlainText() == FEVER_CONSULT
    assert panel.cards == {} and panel.draft_button.isEnabled()
    assert _scribe_events(db) == []
    _shot(consult, "4-error")


def test_a_slow_model_load_shows_progress_the_desk_keeps_working_and_cancel_stops_it(qtbot, db, consult, ollama):
    ollama.behaviour.hold_load = threading.Event()  # a cold load that does not finish by itself
    panel = consult.scribe
    panel.transcript.setPlainText(FEVER_CONSULT)
    panel.transcript.setFocus()
    panel.draft_button.click()
    qtbot.waitUntil(lambda: "Loading qwen2.5:7b into memory" in panel.status.text(), timeout=15000)
    assert panel.drafting and panel.busy.isVisible() and panel.cancel_button.isVisible() and not panel.draft_button.isEnabled()
    _shot(consult, "2-drafting")

    # The UI thread is free: typing goes into the box, and a database read comes back, mid-draft.
    panel.transcript.moveCursor(panel.transcript.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.transcript, "Doctor: Also a CBC.")
    assert panel.transcript.toPlainText().endswith("Doctor: Also a CBC.")
    answered = []
    consult.desk.read(lambda db: "read done", answered.append)
    qtbot.waitUntil(lambda: answered == ["read done"], timeout=15000)
    first = panel.status.text()
    qtbot.waitUntil(lambda: panel.status.text() != first, timeout=15000)  # the seconds count on
    assert panel.drafting

    qtbot.keyClick(panel.transcript, Qt.Key.Key_Escape)
    assert not panel.drafting and "Stopped" in panel.status.text() and panel.draft_button.isEnabled()
    qtbot.waitUntil(lambda: not scribe_run.RUNNING, timeout=15000)  # the thread ended without the load finishing
    assert not ollama.behaviour.hold_load.is_set()
    assert ollama.behaviour.client_left.wait(timeout=10)  # hung up: the model server is not left loading for nobody
    assert panel.cards == {} and panel.transcript.toPlainText().endswith("Doctor: Also a CBC.")
    assert _scribe_events(db) == []


def test_a_vital_the_doctor_already_typed_is_kept_and_the_difference_said(qtbot, db, consult):
    editor, panel = consult.editor, consult.scribe
    qtbot.keyClicks(editor.vitals["pulse"], "88")  # counted by the doctor while the draft was written
    _draft(qtbot, panel)
    with qtbot.waitSignal(panel.accepted, timeout=15000):
        panel.cards["vitals"].accept_button.click()
    values = editor.form()["vitals"]
    assert values["pulse"] == 88 and values["systolic"] == 118 and values["temperature_c"] == 38.3
    assert "kept what you had typed: pulse 88 (draft said 96)" in panel.cards["vitals"].state.text()


def test_vitals_lines_the_doctor_edits_are_placed_or_refused_in_words():
    assert scribe_panel.vitals_from_lines(["BP 130/84 mmHg", "Temperature 101 F", "SpO2 97 %"]) == {
        "systolic": 130, "diastolic": 84, "temperature_c": 38.3, "spo2": 97}
    with pytest.raises(ValueError, match="Cannot place 'feels warm'"):
        scribe_panel.vitals_from_lines(["feels warm"])


def test_assessment_and_plan_written_elsewhere_survive_a_save_at_the_desk(qtbot, db, consult, clinic):
    """The note's Assessment and Plan (from the scribe command, another PC, an older autosave) are
    shown in their own boxes, and saving the visit at the desk keeps them."""
    from core.services.consult import load_visit
    from core.services.drafts import save_draft
    from core.services.visits import update_note

    doctor, patient_id = clinic
    encounter_id = consult.encounter_id
    update_note(db, doctor, encounter_id, {"assessment": "Viral fever, likely", "plan": "Paracetamol; review in 3 days"})
    # What an older Nadi autosaved: a form with no Assessment or Plan in it.
    save_draft(db, doctor, encounter_id, {"form": {"chief_complaint": "Fever x 2 days"}, "rx_lines": [], "overrides": {}})
    with qtbot.waitSignal(consult.opened, timeout=15000):
        consult.open_patient(patient_id, encounter_id=encounter_id)
    editor = consult.editor
    assert editor.notes["assessment"].toPlainText() == "Viral fever, likely"
    assert editor.notes["plan"].toPlainText() == "Paracetamol; review in 3 days"
    assert editor.notes["chief_complaint"].toPlainText() == "Fever x 2 days"

    editor.notes["plan"].setFocus()
    editor.notes["plan"].moveCursor(editor.notes["plan"].textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.notes["plan"], "; CBC if fever persists")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: consult.saved_label.text() == "Saved.", timeout=15000)
    form = load_visit(db, doctor, encounter_id).form
    assert form["assessment"] == "Viral fever, likely"
    assert form["plan"] == "Paracetamol; review in 3 days; CBC if fever persists"
    assert form["chief_complaint"] == "Fever x 2 days"


def test_the_transcript_is_autosaved_with_the_visit_and_comes_back_when_the_visit_is_opened_again(qtbot, db, consult, clinic):
    """A crash or a switch to another patient mid-consult loses none of the transcript: it lives in
    the visit's autosave (the same encrypted database) until the visit is finished."""
    from core.services.drafts import load_draft

    doctor, patient_id = clinic
    encounter_id = consult.encounter_id
    panel = consult.scribe
    panel.transcript.setFocus()
    with qtbot.waitSignal(consult.autosaved, timeout=15000):
        qtbot.keyClicks(panel.transcript, "Doctor: Kya takleef hai? Patient: Bukhar teen din se.")
    assert load_draft(db, encounter_id).body["scribe_transcript"] == "Doctor: Kya takleef hai? Patient: Bukhar teen din se."

    # Saving the visit keeps the transcript in the autosave: the doctor may still draft from it.
    consult.editor.notes["chief_complaint"].setPlainText("Fever x 3 days")
    with qtbot.waitSignal(consult.autosaved, timeout=15000):
        consult.save()
    assert load_draft(db, encounter_id).body["scribe_transcript"].startswith("Doctor: Kya takleef hai?")

    # Away to another patient (whose visit has no transcript) and back: it is on screen again.
    from core.services.patients import register_patient

    other = register_patient(db, doctor, {"full_name": "Sunita Rao", "gender": "F", "age_years": 41})
    with qtbot.waitSignal(consult.opened, timeout=15000):
        consult.open_patient(other.id)
    assert panel.transcript.toPlainText() == ""
    with qtbot.waitSignal(consult.opened, timeout=15000):
        consult.open_patient(patient_id, encounter_id=encounter_id)
    assert panel.transcript.toPlainText() == "Doctor: Kya takleef hai? Patient: Bukhar teen din se."


@pytest.fixture
def speech_engine(tmp_path, monkeypatch):
    """whisper.cpp as clinic IT sets it up (program and model by environment), played by our
    stand-in that follows whisper-cli's contract. Listed before `consult` so the desk sees it."""
    import stat
    import sys
    import wave

    from tests.scribe.test_speech import STANDIN

    program = tmp_path / "whisper-cli"
    program.write_text(f"#!/bin/sh\nexec {sys.executable} {STANDIN} \"$@\"\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    model = tmp_path / "ggml-small.bin"
    model.write_bytes(b"ggml")
    monkeypatch.setenv("NADI_SPEECH_WHISPER_CPP", str(program))
    monkeypatch.setenv("NADI_SPEECH_MODEL", str(model))

    def recording(words: str, hold: bool = False) -> Path:
        path = tmp_path / f"consult-{len(list(tmp_path.glob('consult-*.wav')))}.wav"
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16_000)
            wav.writeframes(b"\x01\x00" * 8000)
        path.with_suffix(".wav.words").write_text(words)
        if hold:
            path.with_suffix(".wav.hold").write_text("")
        return path

    return recording


def test_a_recording_is_transcribed_into_the_transcript_and_autosaved(speech_engine, qtbot, db, consult):
    from core.services.drafts import load_draft

    panel = consult.scribe
    assert panel.speech.transcribe_button.isVisible() and "whisper.cpp (ggml-small.bin)" in panel.speech.transcribe_button.toolTip()
    panel.transcript.setPlainText("Doctor: Namaste.")
    with qtbot.waitSignal(consult.autosaved, timeout=30000):
        panel.speech.transcribe(speech_engine("Patient: Bukhar teen din se hai."))
    assert panel.transcript.toPlainText() == "Doctor: Namaste.\nPatient: Bukhar teen din se hai."  # added after, never over
    assert "Transcribed" in panel.status.text()
    assert load_draft(db, consult.encounter_id).body["scribe_transcript"].endswith("Bukhar teen din se hai.")


def test_stop_ends_a_long_transcription_and_the_engine_and_the_desk_can_transcribe_again(speech_engine, qtbot, consult):
    import os

    panel = consult.scribe
    held = speech_engine("never heard", hold=True)
    panel.speech.transcribe(held)
    assert panel.speech.stop_button.isVisible() and not panel.speech.transcribe_button.isEnabled()
    _shot(consult, "5-transcribing")
    pid_file = held.with_suffix(".wav.pid")
    qtbot.waitUntil(pid_file.exists, timeout=15000)
    qtbot.mouseClick(panel.speech.stop_button, Qt.MouseButton.LeftButton)
    assert "Transcribing stopped" in panel.status.text() and panel.speech.transcribe_button.isEnabled()
    qtbot.waitUntil(lambda: not scribe_run.RUNNING, timeout=15000)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)  # the engine is gone, not working on in the background
    assert panel.transcript.toPlainText() == ""

    panel.speech.transcribe(speech_engine("Patient: Sar dard."))
    qtbot.waitUntil(lambda: panel.transcript.toPlainText() == "Patient: Sar dard.", timeout=15000)


def test_a_speech_engine_that_fails_is_named_and_the_transcript_is_untouched(speech_engine, qtbot, consult, tmp_path):
    panel = consult.scribe
    panel.transcript.setPlainText("typed so far")
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not a recording")
    panel.speech.transcribe(not_audio)
    qtbot.waitUntil(lambda: panel.status.property("tone") == "danger", timeout=15000)
    assert "Could not transcribe notes.wav" in panel.status.text() and "not a WAV recording" in panel.status.text()
    assert panel.transcript.toPlainText() == "typed so far"


def test_record_then_stop_transcribes_into_the_transcript_and_leaves_no_audio_behind(speech_engine, microphone, qtbot, db, consult, monkeypatch):
    """Ctrl+Shift+R records from the microphone (the stand-in, through the real PortAudio stack);
    again, it stops and transcribes. Once the words are in the transcript (and its autosave), the
    unencrypted recording is deleted."""
    from core.services.drafts import load_draft
    from tests.ui.recorder_standin import SPEECH_TEXT

    monkeypatch.setenv("WHISPER_STANDIN_HEARS", SPEECH_TEXT)
    panel = consult.scribe
    speech = panel.speech
    assert speech.record_button.isEnabled(), speech.record_button.toolTip()
    panel.transcript.setFocus()
    qtbot.keyClick(panel.transcript, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert speech.recording and speech.record_button.text().startswith("■ Stop and transcribe")
    assert "Recording on this PC" in panel.status.text() and not speech.transcribe_button.isEnabled()
    qtbot.waitUntil(lambda: speech.clock.text() == "0:01", timeout=15000)  # a second of sound has arrived
    assert speech.meter.isVisible()
    _shot(consult, "6-recording")
    with qtbot.waitSignal(consult.autosaved, timeout=30000):
        qtbot.keyClick(panel.transcript, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: panel.transcript.toPlainText() == SPEECH_TEXT, timeout=30000)
    assert not speech.recording and speech.record_button.isEnabled() and speech.record_button.text().startswith("● Record")
    assert load_draft(db, consult.encounter_id).body["scribe_transcript"] == SPEECH_TEXT
    assert list((db.settings.data_dir / "recordings").glob("*.wav")) == []  # the audio is gone once its words are safe


def test_a_recording_under_way_when_another_visit_opens_is_kept_not_transcribed_into_it(speech_engine, microphone, qtbot, db, consult, clinic,
                                                                                         monkeypatch):
    from core.services.patients import register_patient
    from tests.ui.recorder_standin import SPEECH_TEXT

    monkeypatch.setenv("WHISPER_STANDIN_HEARS", SPEECH_TEXT)

    panel = consult.scribe
    panel.speech.toggle_recording()
    qtbot.waitUntil(lambda: panel.speech.clock.text() == "0:01", timeout=15000)
    other = register_patient(db, clinic[0], {"full_name": "Meena Pillai", "gender": "F", "age_years": 29})
    with qtbot.waitSignal(consult.opened, timeout=15000):
        consult.open_patient(other.id)
    assert not panel.speech.recording and panel.transcript.toPlainText() == ""
    kept = list((db.settings.data_dir / "recordings").glob("*.wav"))
    assert len(kept) == 1 and str(kept[0]) in panel.status.text() and panel.status.property("tone") == "danger"
    assert not scribe_run.RUNNING  # nothing is being transcribed into the new visit

    # The next desk opened on this PC says a recording is waiting; transcribed from there, it is gone.
    later = ConsultView(consult.desk)
    qtbot.addWidget(later)
    assert "1 recording(s) not yet transcribed are kept in" in later.scribe.speech.note.text()
    later.open_patient(clinic[1])
    qtbot.waitUntil(lambda: later.encounter_id is not None, timeout=15000)
    later.scribe.speech.transcribe_file(kept[0])
    qtbot.waitUntil(lambda: later.scribe.transcript.toPlainText() == SPEECH_TEXT, timeout=30000)
    assert not kept[0].exists()
    later.scribe.closing()
