"""Speech to text through whisper.cpp's command-line contract, with a stand-in program of our own;
nothing set up means no transcriber (the scribe works from text); bad set-ups and bad files are
named plainly."""

from __future__ import annotations

import stat
import sys
import wave
from pathlib import Path

import pytest

from core.errors import NadiError
from core.scribe.speech import SpeechFailed, WhisperCpp, available_transcriber
from core.settings import Settings

STANDIN = Path(__file__).with_name("whisper_cpp_standin.py")


def _program(tmp_path: Path) -> Path:
    program = tmp_path / "whisper-cli"
    program.write_text(f"#!/bin/sh\nexec {sys.executable} {STANDIN} \"$@\"\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


def _recording(path: Path, words: str, seconds: float = 0.5) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes(b"\x01\x00" * int(16_000 * seconds))
    path.with_suffix(".wav.words").write_text(words)
    return path


def _settings(tmp_path, **speech) -> Settings:
    return Settings(data_dir=tmp_path / "clinic", key_dir=tmp_path / "keys", **speech)


def test_no_speech_set_up_means_text_only(tmp_path):
    assert available_transcriber(_settings(tmp_path)) is None
    assert available_transcriber(None) is None


def test_whisper_cpp_transcribes_a_recording(tmp_path):
    model = tmp_path / "ggml-small.bin"
    model.write_bytes(b"model")
    speech = available_transcriber(_settings(tmp_path, speech_model=str(model), speech_whisper_cpp=str(_program(tmp_path))))
    assert isinstance(speech, WhisperCpp) and "ggml-small.bin" in speech.name
    wav = _recording(tmp_path / "consult.wav", "Bukhar teen din se hai.\nTab Dolo 650 1-0-1 for 5 days.")
    assert speech.transcribe(wav) == "Bukhar teen din se hai.\nTab Dolo 650 1-0-1 for 5 days."


def test_a_file_that_is_not_a_recording_is_named(tmp_path):
    model = tmp_path / "ggml-small.bin"
    model.write_bytes(b"model")
    speech = WhisperCpp(_program(tmp_path), model)
    notes = tmp_path / "notes.txt"
    notes.write_text("not audio")
    with pytest.raises(SpeechFailed, match="notes.txt is not a WAV recording"):
        speech.transcribe(notes)
    with pytest.raises(SpeechFailed, match="holds no sound"):
        speech.transcribe(_recording(tmp_path / "empty.wav", "", seconds=0))


def test_whisper_cpp_failing_is_reported_with_its_reason(tmp_path):
    speech = WhisperCpp(_program(tmp_path), tmp_path / "gone.bin")  # the model was deleted after set-up
    with pytest.raises(SpeechFailed, match="could not transcribe consult.wav .*failed to open model"):
        speech.transcribe(_recording(tmp_path / "consult.wav", "words"))


def test_a_wrong_set_up_says_which_setting(tmp_path):
    with pytest.raises(NadiError, match="speech_whisper_cpp: .* is not there"):
        available_transcriber(_settings(tmp_path, speech_model=str(tmp_path / "m.bin"), speech_whisper_cpp=str(tmp_path / "nope")))
    program = _program(tmp_path)
    with pytest.raises(NadiError, match="speech_model: .* is not there"):
        available_transcriber(_settings(tmp_path, speech_model=str(tmp_path / "m.bin"), speech_whisper_cpp=str(program)))
    with pytest.raises(NadiError, match="faster-whisper package is installed"):
        available_transcriber(_settings(tmp_path, speech_model=str(tmp_path / "folder")))


def test_cancel_stops_a_long_transcription_and_its_engine(tmp_path):
    """Cancel at the desk must not leave whisper.cpp working on in the background (it would hold
    the CPU the doctor's next draft needs)."""
    import os
    import threading

    from core.scribe.speech import TranscriptionCancelled

    model = tmp_path / "ggml-base.bin"
    model.write_bytes(b"ggml")
    audio = _recording(tmp_path / "consult.wav", "never read")
    audio.with_suffix(".wav.hold").write_text("")
    cancel, outcome = threading.Event(), {}

    def run() -> None:
        try:
            outcome["text"] = WhisperCpp(_program(tmp_path), model).transcribe(audio, cancel=cancel)
        except TranscriptionCancelled as exc:
            outcome["stopped"] = str(exc)

    worker = threading.Thread(target=run)
    worker.start()
    pid_file = audio.with_suffix(".wav.pid")
    while not pid_file.exists():  # the engine says when it has started
        assert worker.is_alive(), outcome
        worker.join(0.02)
    pid = int(pid_file.read_text())
    cancel.set()
    worker.join(30)
    assert not worker.is_alive() and outcome == {"stopped": "the transcription was stopped"}
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped: no engine left running
