"""Speech to text on this PC, for the scribe: one interface, two engines, neither shipped.

- whisper.cpp: IT installs its command-line program and a ggml model file, then sets
  `speech_whisper_cpp` (the program) and `speech_model` (the model file). We run it on a WAV file:
  `PROGRAM -m MODEL -f WAV -otxt -of OUT -nt -l auto` and read `OUT.txt`.
- faster-whisper: IT installs the Python package into Nadi's environment and sets `speech_model` to
  a CTranslate2 model folder (or a model name it has downloaded).

With neither set up, `available_transcriber` returns None and the scribe works from typed or pasted
text. Audio never leaves the PC. Live recording needs an audio library Nadi does not ship
(PySide6-Essentials has no QtMultimedia), so the desk transcribes a recording made elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Protocol

from core.scribe.errors import ScribeError, ScribeSetupError

TRANSCRIBE_TIMEOUT_S = 1800  # a long consult on a slow CPU


class SpeechFailed(ScribeError):
    pass


class Transcriber(Protocol):
    name: str

    def transcribe(self, path: str | os.PathLike) -> str: ...


class WhisperCpp:
    def __init__(self, program: Path, model: Path) -> None:
        self.program, self.model = program, model
        self.name = f"whisper.cpp ({model.name})"

    def transcribe(self, path: str | os.PathLike) -> str:
        audio = check_recording(Path(path))
        with tempfile.TemporaryDirectory(prefix="nadi-speech-") as scratch:
            out = Path(scratch) / "transcript"
            try:
                done = subprocess.run(
                    [str(self.program), "-m", str(self.model), "-f", str(audio), "-otxt", "-of", str(out), "-nt", "-l", "auto"],
                    capture_output=True, text=True, timeout=TRANSCRIBE_TIMEOUT_S,
                )
            except subprocess.TimeoutExpired:
                raise SpeechFailed(f"transcribing {audio.name} took over {TRANSCRIBE_TIMEOUT_S // 60} minutes and was stopped") from None
            except OSError as exc:
                raise SpeechFailed(f"whisper.cpp could not be started ({self.program}): {exc.strerror or exc}") from None
            text_file = out.with_suffix(".txt")
            if done.returncode != 0 or not text_file.exists():
                last = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or ["no output"]
                raise SpeechFailed(f"whisper.cpp could not transcribe {audio.name} (exit {done.returncode}: {last[0]})")
            return _tidy(text_file.read_text(encoding="utf-8", errors="replace"))


class FasterWhisper:
    def __init__(self, model: str) -> None:
        self.model_name = model
        self.name = f"faster-whisper ({Path(model).name or model})"
        self._model = None

    def transcribe(self, path: str | os.PathLike) -> str:
        audio = check_recording(Path(path))
        if self._model is None:
            from faster_whisper import WhisperModel  # noqa: PLC0415 - optional, installed by IT

            self._model = WhisperModel(self.model_name, device="cpu", compute_type="int8")
        segments, _info = self._model.transcribe(str(audio), vad_filter=True)
        return _tidy("\n".join(segment.text for segment in segments))


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
