"""Speech to text on this PC, for the scribe: one interface, two engines, neither shipped.

- whisper.cpp: IT installs its command-line program and a ggml model file, then sets
  `speech_whisper_cpp` (the program) and `speech_model` (the model file). We run it on a WAV file:
  `PROGRAM -m MODEL -f WAV -otxt -of OUT -nt -l auto` and read `OUT.txt`.
- faster-whisper: IT installs the Python package into Nadi's environment and sets `speech_model` to
  a CTranslate2 model folder (or a model name it has downloaded).

With neither set up, `available_transcriber` returns None and the scribe works from typed or pasted
text. Audio never leaves the PC. Both engines stop when asked (Cancel at the desk): whisper.cpp's
process is killed, faster-whisper stops between segments.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Protocol

from core.scribe.errors import ScribeError, ScribeSetupError

TRANSCRIBE_TIMEOUT_S = 1800  # a long consult on a slow CPU
CANCEL_CHECK_S = 0.25  # how soon a Cancel stops the engine


class SpeechFailed(ScribeError):
    pass


class TranscriptionCancelled(ScribeError):
    """The doctor stopped the transcription; the engine was stopped too."""

    def __init__(self) -> None:
        super().__init__("the transcription was stopped")


class Transcriber(Protocol):
    name: str

    def transcribe(self, path: str | os.PathLike, cancel: threading.Event | None = None) -> str:
        """The words said in the WAV file; TranscriptionCancelled once `cancel` is set (the engine is stopped)."""
        ...


class WhisperCpp:
    def __init__(self, program: Path, model: Path) -> None:
        self.program, self.model = program, model
        self.name = f"whisper.cpp ({model.name})"

    def transcribe(self, path: str | os.PathLike, cancel: threading.Event | None = None) -> str:
        audio = check_recording(Path(path))
        with tempfile.TemporaryDirectory(prefix="nadi-speech-") as scratch:
            out = Path(scratch) / "transcript"
            try:
                engine = subprocess.Popen(
                    [str(self.program), "-m", str(self.model), "-f", str(audio), "-otxt", "-of", str(out), "-nt", "-l", "auto"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )
            except OSError as exc:
                raise SpeechFailed(f"whisper.cpp could not be started ({self.program}): {exc.strerror or exc}") from None
            stdout, stderr = _wait_for(engine, cancel, audio.name)
            text_file = out.with_suffix(".txt")
            if engine.returncode != 0 or not text_file.exists():
                last = (stderr or stdout or "").strip().splitlines()[-1:] or ["no output"]
                raise SpeechFailed(f"whisper.cpp could not transcribe {audio.name} (exit {engine.returncode}: {last[0]})")
            return _tidy(text_file.read_text(encoding="utf-8", errors="replace"))


class FasterWhisper:
    def __init__(self, model: str) -> None:
        self.model_name = model
        self.name = f"faster-whisper ({Path(model).name or model})"
        self._model = None

    def transcribe(self, path: str | os.PathLike, cancel: threading.Event | None = None) -> str:
        audio = check_recording(Path(path))
        if self._model is None:
            from faster_whisper import WhisperModel  # noqa: PLC0415 - optional, installed by IT

            self._model = WhisperModel(self.model_name, device="cpu", compute_type="int8")
        segments, _info = self._model.transcribe(str(audio), vad_filter=True)
        said = []
        for segment in segments:  # a generator: the model works one segment at a time, so Cancel is heard between them
            if cancel is not None and cancel.is_set():
                raise TranscriptionCancelled()
            said.append(segment.text)
        return _tidy("\n".join(said))


def available_transcriber(settings) -> Transcriber | None:
    """The speech engine IT set up on this PC, or None (the scribe then works from text)."""
    model = getattr(settings, "speech_model", None) if settings is not None else None
    program = getattr(settings, "speech_whisper_cpp", None) if settings is not None else None
    if not model:
        return None
    if program:
        program_path, model_path = Path(program), Path(model)
        if not program_path.is_file():
            raise ScribeSetupError(f"speech_whisper_cpp: {program_path} is not there (the whisper.cpp program, e.g. whisper-cli)")
        if not model_path.is_file():
            raise ScribeSetupError(f"speech_model: {model_path} is not there (the ggml model file whisper.cpp reads)")
        return WhisperCpp(program_path, model_path)
    try:
        import faster_whisper  # noqa: F401, PLC0415
    except ImportError:
        raise ScribeSetupError("speech_model is set but neither speech_whisper_cpp nor the faster-whisper package is installed") from None
    return FasterWhisper(str(model))


def _wait_for(engine: subprocess.Popen, cancel: threading.Event | None, name: str) -> tuple[str, str]:
    """The engine's output once it ends; it is killed (never left running) on Cancel or time-out."""
    deadline = time.monotonic() + TRANSCRIBE_TIMEOUT_S
    while True:
        try:
            return engine.communicate(timeout=CANCEL_CHECK_S)
        except subprocess.TimeoutExpired:
            stopped = cancel is not None and cancel.is_set()
            if stopped or time.monotonic() > deadline:
                engine.kill()
                engine.communicate()
                if stopped:
                    raise TranscriptionCancelled() from None
                raise SpeechFailed(f"transcribing {name} took over {TRANSCRIBE_TIMEOUT_S // 60} minutes and was stopped") from None


def check_recording(path: Path) -> Path:
    """A readable WAV with sound in it, or a message that says what is wrong with the file."""
    if not path.is_file():
        raise SpeechFailed(f"{path} does not exist")
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (wave.Error, EOFError) as exc:
        raise SpeechFailed(f"{path.name} is not a WAV recording ({exc}); save the recording as WAV, 16 kHz mono") from None
    if frames == 0 or rate == 0:
        raise SpeechFailed(f"{path.name} holds no sound")
    return path


def _tidy(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
