"""The Scribe tab's speech row: record the consult and turn it into transcript text, on this PC.

Shown only as far as this PC can do it: with no speech engine set up (core/scribe/speech.py), it
says so and the doctor types or pastes; with no microphone or no PortAudio, Record is off and says
why. Record (Ctrl+Shift+R) writes the consult to the data directory's recordings/ as it is spoken
(desktop/consult/recorder.py); pressing it again stops and transcribes. Transcribing runs as a
ScribeRun (its own thread: a long consult takes minutes on a CPU) that Stop ends, engine included.
The words come out through `transcribed`; the panel adds them to the transcript for the doctor to
check, and the desk's autosave keeps them in the encrypted database. A recording made here is then
deleted: unencrypted audio of a consult is not left on the disk once its words are safe. One that
could not be transcribed is kept, and said where.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from core.errors import NadiError
from desktop.consult.scribe_run import ScribeRun

log = logging.getLogger("nadi.desktop")
RECORD_TEXT = "● Record  (Ctrl+Shift+R)"
STOP_TEXT = "■ Stop and transcribe  (Ctrl+Shift+R)"


class SpeechBar(QWidget):
    transcribed = Signal(str)  # the words of a recording, ready to add to the transcript
    said = Signal(str, str)  # a line for the doctor, its tone (muted, ok, danger)

    def __init__(self, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="scribe_speech")
        self.transcriber = None
        self.recorder = None
        self.folder: Path | None = None  # recordings/ in the data directory, once speech is set up
        self._run: ScribeRun | None = None
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        problem = None
        try:
            from core.scribe.speech import available_transcriber  # noqa: PLC0415

            self.transcriber = available_transcriber(settings)
        except NadiError as exc:
            problem = str(exc)
        self.note = QLabel(objectName="scribe_speech_note")
        self.note.setWordWrap(True)
        if problem:
            self._note(f"Speech is set up wrongly on this PC: {problem}. Typing or pasting the consult works.", "warning")
        elif self.transcriber is None:
            self._note("Speech is not set up on this PC: type or paste the consult (clinic IT can install a speech model).", "muted")
        else:
            self.note.hide()
        self.record_button = QPushButton(RECORD_TEXT, objectName="scribe_record")
        self.record_button.clicked.connect(self.toggle_recording)
        self.clock = QLabel(objectName="scribe_record_clock")
        self.meter = QProgressBar(objectName="scribe_record_meter")
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setFixedSize(90, 10)
        self.meter.setToolTip("How loud the microphone hears the room")
        self.transcribe_button = QPushButton("Transcribe a recording…", objectName="scribe_transcribe")
        self.stop_button = QPushButton("Stop transcribing", objectName="scribe_transcribe_stop")
        self.transcribe_button.clicked.connect(self.choose_recording)
        self.stop_button.clicked.connect(self.cancel)
        for widget in (self.clock, self.meter, self.stop_button):
            widget.hide()
        if self.transcriber is not None:
            self.transcribe_button.setToolTip(f"A WAV recording, transcribed on this PC by {self.transcriber.name}; nothing leaves the PC")
            self._set_up_recorder(settings)
            # Two short rows: the transcript column stays narrow enough for the draft beside it.
            layout.addWidget(self.record_button, 0, 0)
            layout.addWidget(self.clock, 0, 1)
            layout.addWidget(self.meter, 0, 2)
            layout.addWidget(self.transcribe_button, 1, 0)
            layout.addWidget(self.stop_button, 1, 1, 1, 2)
            layout.setColumnStretch(3, 1)
            layout.addWidget(self.note, 2, 0, 1, 4)
        else:
            self.record_button.hide()
            self.transcribe_button.hide()
            layout.addWidget(self.note, 0, 0)

    # -- recording ----------------------------------------------------------------------------------

    def _set_up_recorder(self, settings) -> None:
        from desktop.consult.recorder import FOLDER_NAME, Recorder, recover_leftovers  # noqa: PLC0415 - sounddevice only where speech is set up

        self.folder = Path(settings.data_dir) / FOLDER_NAME
        self.recorder = Recorder(getattr(settings, "speech_microphone", None), parent=self)
        self.recorder.level.connect(lambda value: self.meter.setValue(round(value * 100)))
        self.recorder.elapsed.connect(lambda seconds: self.clock.setText(f"{seconds // 60}:{seconds % 60:02d}"))
        self.recorder.failed.connect(lambda words: self.said.emit(words, "danger"))
        self.recorder.ended.connect(self._recording_ended)
        why_not = self.recorder.available()
        if why_not:
            self.record_button.setEnabled(False)
            self.record_button.setToolTip(why_not)
            self._note(f"Recording is off on this PC: {why_not}", "muted")
            self.recorder = None
        try:
            recover_leftovers(self.folder)  # cut short by a crash: made whole, so they are listed below
            waiting = sorted(self.folder.glob("*.wav")) if self.folder.is_dir() else []
        except OSError as exc:
            log.warning("could not look for recordings left from before: %s", exc)
            waiting = []
        waiting = [p for p in waiting if not p.name.endswith(".part.wav")]
        if waiting:
            # Consult audio, unencrypted, that never reached a transcript: say so until it is dealt with.
            self._note(f"{len(waiting)} recording(s) not yet transcribed are kept in {self.folder}: open the visit each "
                       "belongs to, then Transcribe a recording… (a transcribed recording is deleted).", "warning")

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.recorder.recording

    def toggle_recording(self) -> None:
        """Ctrl+Shift+R: start recording; again, stop and transcribe."""
        if self.recorder is None or not self.record_button.isEnabled():
            return
        if self.recording:
            self._stop_recording(transcribe=True)
            return
        from desktop.consult.recorder import RecorderError  # noqa: PLC0415

        try:
            self.recorder.start(self.folder)
        except RecorderError as exc:
            self.said.emit(str(exc), "danger")
            return
        self.record_button.setText(STOP_TEXT)
        self.record_button.setProperty("kind", "danger")
        self.record_button.style().polish(self.record_button)
        self.transcribe_button.setEnabled(False)
        self.clock.setText("0:00")
        self.meter.setValue(0)
        self.clock.show()
        self.meter.show()
        self.said.emit("Recording on this PC… speak as usual. Ctrl+Shift+R stops and transcribes.", "muted")

    def _stop_recording(self, *, transcribe: bool) -> Path | None:
        """Stop; the WAV (kept), transcribed when asked. None when nothing was recorded."""
        from desktop.consult.recorder import RecorderError  # noqa: PLC0415

        try:
            path = self.recorder.stop()
        except RecorderError as exc:
            self._recording_ui_off()
            self.said.emit(str(exc), "danger")
            return None
        self._recording_ui_off()
        if transcribe:
            self.transcribe(path, made_here=True)
        return path

    def _recording_ui_off(self) -> None:
        self.record_button.setText(RECORD_TEXT)
        self.record_button.setProperty("kind", "")
        self.record_button.style().polish(self.record_button)
        self.transcribe_button.setEnabled(not self.transcribing)
        self.record_button.setEnabled(not self.transcribing)
        self.clock.hide()
        self.meter.hide()

    def _recording_ended(self, path, words: str, problem: bool) -> None:
        """The recording ended by itself (the length limit, a microphone gone quiet or away)."""
        self._recording_ui_off()
        self.said.emit(words, "danger" if problem else "muted")
        if path is not None:
            self.transcribe(path, made_here=True)

    def visit_changed(self) -> None:
        """Another visit is on screen: a recording under way belongs to the one before. It is
        stopped and kept, not transcribed into the wrong visit, and not thrown away."""
        self.cancel()
        if self.recording:
            path = self._stop_recording(transcribe=False)
            if path is not None:
                self.said.emit(f"Recording stopped as another visit was opened; it is kept as {path}: open that visit, "
                               "then Transcribe a recording….", "danger")

    def _note(self, text: str, tone: str) -> None:
        self.note.setText(text)
        self.note.setProperty("tone", tone)
        self.note.show()

    @property
    def transcribing(self) -> bool:
        return self._run is not None

    def choose_recording(self) -> None:
        start = str(self.folder) if self.folder is not None and self.folder.is_dir() else ""
        path, _ = QFileDialog.getOpenFileName(self, "A recording of the consult", start, "WAV recordings (*.wav)")
        if path:
            self.transcribe_file(path)

    def transcribe_file(self, path: str | Path) -> None:
        """A file the doctor picked. One of ours (in recordings/) is deleted once transcribed, as
        when it was first made; any other file is the doctor's and is left alone."""
        ours = self.folder is not None and Path(path).resolve().parent == self.folder.resolve()
        self.transcribe(path, made_here=ours)

    def transcribe(self, path: str | Path, *, made_here: bool = False) -> None:
        """Transcribe a WAV file; its words arrive through `transcribed`. A recording `made_here`
        (by Record) is deleted once its words are out; a file the doctor chose is left alone."""
        if self.transcriber is None or self.transcribing:
            return
        transcriber, name = self.transcriber, Path(path).name
        run = ScribeRun("speech", lambda cancel, _progress: transcriber.transcribe(path, cancel=cancel), recording=name,
                        path=Path(path), made_here=made_here)
        run.done.connect(self._done)
        run.failed.connect(self._failed)
        self._run = run
        self._busy(True)
        self.said.emit(f"Transcribing {name} on this PC… (a long consult takes minutes; the desk keeps working)", "muted")
        run.start_kept()

    def cancel(self) -> None:
        run = self._run
        if run is None:
            return
        run.cancel.set()
        self._run = None
        self._busy(False)
        where = f" ({run.about['path']})" if run.about["made_here"] else ""
        self.said.emit(f"Transcribing stopped; the recording{where} is untouched and can be transcribed again.", "muted")

    def closing(self) -> None:
        self.cancel()
        if self.recording:
            self._stop_recording(transcribe=False)  # kept in recordings/, found on the next start

    def _busy(self, on: bool) -> None:
        self.transcribe_button.setEnabled(not on and not self.recording)
        self.record_button.setEnabled(not on and self.recorder is not None)
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
        if run.about["made_here"]:
            try:
                run.about["path"].unlink()
            except OSError as exc:
                log.warning("a transcribed recording could not be deleted: %s", exc)

    def _failed(self, run: ScribeRun, message: str, cancelled: bool) -> None:
        if run is not self._run:
            return
        self._run = None
        self._busy(False)
        kept = f" The recording is kept: {run.about['path']}." if run.about["made_here"] else ""
        if not cancelled:
            self.said.emit(f"Could not transcribe {run.about['recording']}: {message.rstrip('.')}.{kept}", "danger")
