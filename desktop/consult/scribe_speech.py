"""The Scribe tab's speech row: turn a recording of the consult into transcript text, on this PC.

Shown only as far as this PC can do it: with no speech engine set up (core/scribe/speech.py), it
says so and the doctor types or pastes. Transcribing runs as a ScribeRun (its own thread: a long
consult takes minutes on a CPU) that Stop ends, engine included. The words come out through
`transcribed`; the panel adds them to the transcript box for the doctor to check.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from core.errors import NadiError
from desktop.consult.scribe_run import ScribeRun


class SpeechBar(QWidget):
    transcribed = Signal(str)  # the words of a recording, ready to add to the transcript
    said = Signal(str, str)  # a line for the doctor, its tone (muted, ok, danger)

    def __init__(self, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="scribe_speech")
        self.transcriber = None
        self._run: ScribeRun | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        problem = None
        try:
            from core.scribe.speech import available_transcriber  # noqa: PLC0415

            self.transcriber = available_transcriber(settings)
        except NadiError as exc:
            problem = str(exc)
        self.note = QLabel(objectName="scribe_speech_note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note, 1)
        if problem:
            self._note(f"Speech is set up wrongly on this PC: {problem}. Typing or pasting the consult works.", "warning")
        elif self.transcriber is None:
            self._note("Speech is not set up on this PC: type or paste the consult (clinic IT can install a speech model).", "muted")
        else:
            self.note.hide()
        self.transcribe_button = QPushButton("Transcribe a recording…", objectName="scribe_transcribe")
        self.stop_button = QPushButton("Stop transcribing", objectName="scribe_transcribe_stop")
        self.transcribe_button.clicked.connect(self.choose_recording)
        self.stop_button.clicked.connect(self.cancel)
        self.stop_button.hide()
        if self.transcriber is not None:
            self.transcribe_button.setToolTip(f"A WAV recording, transcribed on this PC by {self.transcriber.name}; nothing leaves the PC")
            layout.insertWidget(0, self.transcribe_button)
            layout.insertWidget(1, self.stop_button)
        else:
            self.transcribe_button.hide()

    def _note(self, text: str, tone: str) -> None:
        self.note.setText(text)
        self.note.setProperty("tone", tone)
        self.note.show()

    @property
    def transcribing(self) -> bool:
        return self._run is not None

    def choose_recording(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "A recording of the consult", "", "WAV recordings (*.wav)")
        if path:
            self.transcribe(path)

    def transcribe(self, path: str | Path) -> None:
        """Transcribe a WAV file; its words arrive through `transcribed`."""
        if self.transcriber is None or self.transcribing:
            return
        transcriber, name = self.transcriber, Path(path).name
        run = ScribeRun("speech", lambda cancel, _progress: transcriber.transcribe(path, cancel=cancel), recording=name)
        run.done.connect(self._done)
        run.failed.connect(self._failed)
        self._run = run
        self._busy(True)
        self.said.emit(f"Transcribing {name} on this PC… (a long consult takes minutes; the desk keeps working)", "muted")
        run.start_kept()

    def cancel(self) -> None:
        if self._run is None:
            return
        self._run.cancel.set()
        self._run = None
        self._busy(False)
        self.said.emit("Transcribing stopped; the recording is untouched and can be transcribed again.", "muted")

    def closing(self) -> None:
        self.cancel()

    def _busy(self, on: bool) -> None:
        self.transcribe_button.setEnabled(not on)
        self.stop_button.setVisible(on and self.transcriber is not None)

    def _done(self, run: ScribeRun, text: str) -> None:
        if run is not self._run:
            return
        self._run = None
        self._busy(False)
        if not text.strip():
            self.said.emit(f"No words were heard in {run.about['recording']}: check the microphone, or type the consult.", "danger")
            return
        self.transcribed.emit(text.strip())

    def _failed(self, run: ScribeRun, message: str, cancelled: bool) -> None:
        if run is not self._run:
            return
        self._run = None
        self._busy(False)
        if not cancelled:
            self.said.emit(f"Could not transcribe {run.about['recording']}: {message}", "danger")
