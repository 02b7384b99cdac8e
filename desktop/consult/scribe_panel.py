"""The scribe at the consult desk: the doctor types or pastes the consult, asks for a draft, and
accepts it section by section into the visit.

The draft is written on a thread of its own (a cold model load on a PC without a GPU can take a
minute), not on the desk's read or write lanes, so searching, saving and typing carry on while it
runs; Cancel (Esc) stops it. Nothing from the draft reaches the record until the doctor accepts a
section: Accept (Alt+A in a section; Ctrl+Shift+A for every section) first records a
"scribe.accepted" audit event (which model, a hash of the text), then puts the text into the visit
editor or the prescription pad exactly as typing would, so autosave, save and sign work as usual.
What the transcript does not support is listed apart, marked, and never accepted by anything.
"""

from __future__ import annotations

import html
import logging
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.scribe.errors import ApiKeyRefused, ModelNotInstalled, ProviderUnreachable, ScribeSetupError
from desktop.consult.rx_pad import SEVERITY_WORDS
from desktop.consult.scribe_run import ScribeRun
from desktop.consult.scribe_speech import SpeechBar
from desktop.context import Desk

log = logging.getLogger("nadi.desktop")

TICK_S = 0.5  # progress every half second, and Cancel is heard within that
FIELD_WORDS = {"vitals": "Vital", "diagnoses": "Diagnosis", "medications": "Medicine", "investigations": "Test", "follow_up": "Follow-up",
               "note.subjective": "Subjective", "note.objective": "Objective", "note.assessment": "Assessment", "note.plan": "Plan"}

# Failures that need clinic IT (the model server, the model, the set-up), not another try.
NOT_SET_UP = (ScribeSetupError, ProviderUnreachable, ModelNotInstalled, ApiKeyRefused)

# section key, title, where an accepted section goes
SECTION_TITLES = (
    ("subjective", "Subjective", "goes to Complaints"),
    ("objective", "Objective", "goes to Examination"),
    ("assessment", "Assessment", "goes to Assessment"),
    ("plan", "Plan", "goes to Plan"),
    ("vitals", "Vitals", "fills the empty vitals boxes; one reading a line, e.g. BP 118/76 mmHg"),
    ("diagnoses", "Diagnoses", "one a line; added to Diagnoses"),
    ("medications", "Medicines", "one a line; added to the prescription pad, which checks them again"),
    ("investigations", "Investigations", "one a line; added to Investigations ordered"),
    ("advice", "Advice", "goes to Advice"),
    ("follow_up", "Follow-up", "sets Follow-up in N days"),
)


def _draft_work(db, config_for, patient_id: str | None, transcript: str):
    """The draft, as a ScribeRun's work: on its own thread, stopped by the run's cancel flag."""

    def work(cancel, progress):
        from core.scribe.patient import load_patient_context  # noqa: PLC0415
        from core.scribe.pipeline import draft_from_transcript  # noqa: PLC0415
        from core.services.medicines import clinic_catalogue  # noqa: PLC0415

        config = config_for()
        patient = load_patient_context(db, patient_id) if patient_id else None
        # The clinic's own medicine list too, as the prescription pad reads lines with it.
        return draft_from_transcript(transcript, patient=patient, config=config, catalogue=clinic_catalogue(db),
                                     cancel=cancel, tick_s=TICK_S, progress=progress)

    return work


class SectionCard(QFrame):
    """One drafted section: its text, editable until accepted, and Accept."""

    accept_requested = Signal(object)

    def __init__(self, key: str, title: str, goes_to: str, text: str, details: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName=f"scribe_card_{key}")
        self.key, self.original = key, text
        self.setProperty("box", "panel")
        head = QHBoxLayout()
        head.addWidget(QLabel(f"<b>{html.escape(title)}</b>"))
        where = QLabel(goes_to)
        where.setProperty("tone", "muted")
        where.setWordWrap(True)
        head.addWidget(where, 1)
        self.state = QLabel(objectName=f"scribe_state_{key}")
        self.state.setWordWrap(True)
        self.accept_button = QPushButton("Accept  (Alt+A)", objectName=f"scribe_accept_{key}")
        self.accept_button.clicked.connect(lambda: self.accept_requested.emit(self))
        head.addWidget(self.accept_button)
        self.text = QPlainTextEdit(text, objectName=f"scribe_text_{key}")
        self.text.setTabChangesFocus(True)
        lines = max(1, min(5, text.count("\n") + 1 + len(text) // 110))
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * lines + 24)  # room for the stylesheet's padding
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.state)
        self.state.hide()  # shown when there is something to say (no empty gap in every card)
        layout.addWidget(self.text)
        self.details = QLabel(details, objectName=f"scribe_details_{key}")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        self.details.setVisible(bool(details))  # after it has a parent: shown parentless it would be a window of its own

    @property
    def accepted(self) -> bool:
        return self.property("accepted") is True

    @property
    def edited(self) -> bool:
        return self.text.toPlainText().strip() != self.original.strip()

    def say(self, text: str, tone: str) -> None:
        self.state.setText(text)
        self.state.setVisible(bool(text))
        self.state.setProperty("tone", tone)
        self.state.style().polish(self.state)

    def flag(self, mentions: list[str]) -> None:
        """This section's text names something the transcript does not support (the model's prose is
        not checked item by item): marked, left out of Accept every section, and its own Accept
        asks twice."""
        self.mentions = mentions
        self.setProperty("box", "warning")
        self.style().polish(self)
        self.say("⚠ Mentions " + ", ".join(f"'{m}'" for m in mentions) + ": not in the transcript", "danger")

    def still_mentions(self) -> list[str]:
        text = self.text.toPlainText().lower()
        return [m for m in getattr(self, "mentions", []) if m.lower() in text]

    def mark_accepted(self) -> None:
        self.setProperty("accepted", True)
        self.setProperty("box", "ok")
        self.style().polish(self)
        self.text.setReadOnly(True)
        self.accept_button.setEnabled(False)
        self.say("✓ Accepted into the visit" + (" (as you edited it)" if self.edited else ""), "ok")


class ScribePanel(QWidget):
    """The Scribe tab. `editor` and `pad` are the visit's own editor and prescription pad: an
    accepted section is put into them, not saved from here."""

    accepted = Signal(str, str)  # encounter id, section: accepted and recorded in the audit trail
    transcript_edited = Signal()  # the doctor changed the transcript: the desk's autosave keeps it
    draft_shown = Signal(str)  # encounter id
    draft_failed = Signal(str)  # the message shown

    def __init__(self, desk: Desk, editor, pad, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.editor, self.pad = desk, editor, pad
        self.patient_id: str | None = None
        self.encounter_id: str | None = None
        self.read_only = False
        self.draft = None
        self.cards: dict[str, SectionCard] = {}
        self._run: ScribeRun | None = None
        # How the draft's configuration is made (this PC's settings and environment); replaceable
        # so a desk can be pointed at another server without restarting.
        self.config_for = self._config

        # left: the transcript
        self.transcript = QPlainTextEdit(objectName="scribe_transcript")
        self.transcript.setPlaceholderText("Type or paste the consult here, as it was said (English or Hinglish):\n\n"
                                           "Doctor: What brings you here?\nPatient: Fever since two days…")
        self.transcript.setTabChangesFocus(True)
        self._loading = False
        self.transcript.textChanged.connect(lambda: None if self._loading else self.transcript_edited.emit())
        self.draft_button = QPushButton("Draft note  (Ctrl+Shift+D)", objectName="scribe_draft")
        self.draft_button.setProperty("kind", "primary")
        self.draft_button.clicked.connect(self.start_draft)
        self.cancel_button = QPushButton("Cancel  (Esc)", objectName="scribe_cancel")
        self.cancel_button.clicked.connect(self.cancel_draft)
        self.cancel_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.busy = QProgressBar(objectName="scribe_busy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        self.status = QLabel(objectName="scribe_status")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 3 + 6)  # a progress line wraps to three at 1366 px
        self.speech = SpeechBar(self.desk.db.settings if self.desk.db is not None else None)
        self.speech.transcribed.connect(self._transcribed)
        self.speech.said.connect(self._say)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Consult transcript</b>"))
        left_layout.addWidget(self.transcript, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.busy)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.speech)

        # right: the draft, section by section
        self.header = QLabel("The draft shows here, section by section. Nothing goes into the visit until you accept it.", objectName="scribe_header")
        self.header.setWordWrap(True)
        self.header.setProperty("tone", "muted")
        self.accept_all_button = QPushButton("Accept every section  (Ctrl+Shift+A)", objectName="scribe_accept_all")
        self.accept_all_button.setToolTip("Accepts each drafted section; items not found in the transcript are never included")
        self.accept_all_button.clicked.connect(self.accept_all)
        self.accept_all_button.hide()
        header_row = QHBoxLayout()
        header_row.addWidget(self.header, 1)
        header_row.addWidget(self.accept_all_button)
        self.unsupported = QFrame(objectName="scribe_unsupported")
        self.unsupported.setProperty("box", "warning")
        unsupported_layout = QVBoxLayout(self.unsupported)
        unsupported_layout.setContentsMargins(6, 4, 6, 4)
        self.unsupported_label = QLabel(objectName="scribe_unsupported_list")
        self.unsupported_label.setTextFormat(Qt.TextFormat.RichText)
        self.unsupported_label.setWordWrap(True)
        self.unsupported_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        unsupported_layout.addWidget(self.unsupported_label)
        self.unsupported.hide()
        self.cards_holder = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_holder)
        self.cards_layout.setContentsMargins(0, 0, 4, 0)
        self.cards_layout.setSpacing(6)
        self.cards_layout.addStretch(1)
        scroller = QScrollArea(objectName="scribe_cards")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # cards wrap to the width; Accept stays in view
        scroller.setWidget(self.cards_holder)
        self.scroller = scroller
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(header_row)
        # A failed draft is said here, in the wide column, where the whole message fits.
        self.problem = QLabel(objectName="scribe_problem")
        self.problem.setWordWrap(True)
        self.problem.setProperty("box", "danger")
        self.problem.setProperty("tone", "danger")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setContentsMargins(6, 4, 6, 4)
        self.problem.hide()
        right_layout.addWidget(self.problem)
        right_layout.addWidget(self.unsupported)
        right_layout.addWidget(scroller, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([380, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        for seq, fn in (("Ctrl+Shift+D", self.start_draft), ("Escape", self.cancel_draft), ("Ctrl+Shift+A", self.accept_all),
                        ("Alt+A", self.accept_focused), ("Ctrl+Shift+R", self.speech.toggle_recording)):
            QShortcut(QKeySequence(seq), self, fn, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._say("", "muted")

    def _config(self):
        from core.scribe.config import ScribeConfig  # noqa: PLC0415

        return ScribeConfig.from_settings(self.desk.db.settings)

    def focus_first(self) -> None:
        self.transcript.setFocus()

    # -- speech -------------------------------------------------------------------------------------

    def _transcribed(self, text: str) -> None:
        existing = self.transcript.toPlainText().rstrip()
        self.transcript.setPlainText(f"{existing}\n{text.strip()}" if existing else text.strip())
        self._say("Transcribed. Check the words, then Draft note (Ctrl+Shift+D).", "ok")

    # -- the visit ----------------------------------------------------------------------------------

    def show_visit(self, patient_id: str | None, encounter_id: str | None, read_only: bool = False, transcript: str = "") -> None:
        """Another visit is on screen (None: nobody), with the transcript its autosave kept. A draft
        for the previous visit is stopped (its transcript is in that visit's autosave)."""
        if self.encounter_id and self.encounter_id != encounter_id:
            self.cancel_draft()
        if encounter_id != self.encounter_id:
            self._clear_draft()
            self._say("", "muted")
            self.speech.visit_changed()  # a recording or its words belong to the visit they were started for (says so)
        if encounter_id != self.encounter_id or transcript:
            self._loading = True
            try:
                self.transcript.setPlainText(transcript if encounter_id else "")
            finally:
                self._loading = False
        self.patient_id, self.encounter_id, self.read_only = patient_id, encounter_id, read_only
        self.draft_button.setEnabled(encounter_id is not None and not read_only)
        if read_only:
            self._say("This visit is signed: a draft cannot be added to it.", "muted")
        for card in self.cards.values():
            card.accept_button.setEnabled(not read_only and not card.accepted)

    def closing(self) -> None:
        self.cancel_draft()
        self.speech.closing()

    # -- drafting -----------------------------------------------------------------------------------

    @property
    def drafting(self) -> bool:
        return self._run is not None

    def start_draft(self) -> None:
        if self.encounter_id is None or self.read_only or self.drafting:
            return
        text = self.transcript.toPlainText()
        if not text.strip():
            self._say("The transcript is empty: type or paste the consult first.", "danger")
            self.transcript.setFocus()
            return
        run = ScribeRun("scribe", _draft_work(self.desk.db, self.config_for, self.patient_id, text),
                        encounter_id=self.encounter_id, transcript=text)
        run.progressed.connect(self._progressed)
        run.done.connect(self._drafted)
        run.failed.connect(self._failed)
        self._run = run
        self._clear_draft()
        self._busy(True)
        self._say("Starting the draft…", "muted")
        run.start_kept()

    def cancel_draft(self) -> None:
        run = self._run
        if run is None:
            return
        run.cancel.set()
        self._run = None
        self._busy(False)
        self._say("Stopped. The transcript is kept; Draft note (Ctrl+Shift+D) starts again.", "muted")

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.cancel_button.setVisible(on)
        self.draft_button.setEnabled(not on and self.encounter_id is not None and not self.read_only)

    def _progressed(self, run: ScribeRun, progress) -> None:
        if run is self._run:
            self._say(progress.message, "muted")

    def _failed(self, run: ScribeRun, message: str, cancelled: bool) -> None:
        if run is not self._run:
            return
        self._run = None
        self._busy(False)
        if cancelled:
            self._say("Stopped. The transcript is kept; Draft note (Ctrl+Shift+D) starts again.", "muted")
            return
        self._say("The draft failed; the transcript is kept: Draft note (Ctrl+Shift+D) tries again.", "danger")
        if isinstance(run.error, NOT_SET_UP):
            # Nothing the doctor can change from the desk: say so, and give IT the details.
            message = f"The scribe is not ready on this PC; write the note as usual meanwhile.\nFor clinic IT: {message}"
        self.problem.setText(f"⚠ {message}")
        self.problem.show()
        self.draft_failed.emit(message)

    def _drafted(self, run: ScribeRun, draft) -> None:
        if run is not self._run:
            return
        self._run = None
        self._busy(False)
        self.draft = draft
        self._show_draft(draft, run.about["transcript"])
        self._say("Draft ready. Check each section; edit it if needed, then Accept (Alt+A in a section).", "ok")
        if self.cards and self.transcript.toPlainText() == run.about["transcript"] and self.isVisible():
            # Nothing was typed while it drafted: on to the first section (Tab goes through the rest).
            next(iter(self.cards.values())).text.setFocus()
        self.draft_shown.emit(run.about["encounter_id"])

    def _say(self, text: str, tone: str) -> None:
        self.status.setText(text)
        self.status.setProperty("tone", tone)
        self.status.style().polish(self.status)

    # -- showing the draft --------------------------------------------------------------------------

    def _clear_draft(self) -> None:
        self.draft = None
        self.problem.hide()
        for card in self.cards.values():
            card.setParent(None)
            card.deleteLater()
        self.cards.clear()
        self.unsupported.hide()
        self.accept_all_button.hide()
        self.header.setText("The draft shows here, section by section. Nothing goes into the visit until you accept it.")

    def _show_draft(self, draft, run_transcript: str = "") -> None:
        meta = draft.meta
        where = "on this PC" if meta.provider == "local" else f"by {meta.provider} (off this PC)"
        self.header.setText(f"Drafted by {meta.model} {where} in {meta.seconds:.0f} s. Nothing is in the visit until you accept it.")
        texts = {
            "subjective": draft.note.get("subjective", ""), "objective": draft.note.get("objective", ""),
            "assessment": draft.note.get("assessment", ""), "plan": draft.note.get("plan", ""),
            "vitals": "\n".join(f"{v.name} {v.value} {v.unit}".strip() for v in draft.vitals),
            "diagnoses": "\n".join(d.text for d in draft.diagnoses),
            "medications": "\n".join(m.line for m in draft.medications),
            "investigations": "\n".join(draft.investigations),
            "advice": "\n".join(draft.advice),
            "follow_up": draft.follow_up or "",
        }
        for key, title, goes_to in SECTION_TITLES:
            text = (texts[key] or "").strip()
            if not text:
                continue
            details = medicine_details(draft.medications) if key == "medications" else ""
            card = SectionCard(key, title, goes_to, text, details, parent=self.cards_holder)
            card.accept_requested.connect(self.accept)
            card.accept_button.setEnabled(not self.read_only)
            self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)
            card.show()  # now, not on the next turn of the event loop: Alt+A may follow at once
            self.cards[key] = card
        for card in self.cards.values():
            mentions = unsupported_mentions(card.text.toPlainText(), draft.unsupported, run_transcript)
            if mentions:
                card.flag(mentions)
        if draft.unsupported:
            rows = [f"<b>⚠ Not in the transcript: {len(draft.unsupported)} item{'s' if len(draft.unsupported) != 1 else ''} left out "
                    "of the draft.</b> Check them with the patient; add one yourself only if it is right."]
            for u in draft.unsupported:
                rows.append(f"⚠ {FIELD_WORDS.get(u.field, u.field.replace('note.', '').title())}: <b>{html.escape(u.text)}</b> — {html.escape(u.reason)}")
            self.unsupported_label.setText("<br>".join(rows))
            self.unsupported.show()
        if not self.cards:
            self.header.setText(self.header.text() + " The model found nothing to draft in this transcript.")
        self.accept_all_button.setVisible(bool(self.cards) and not self.read_only)

    # -- accepting ----------------------------------------------------------------------------------

    def accept_focused(self) -> None:
        """Alt+A: accept the section the keyboard is in."""
        from PySide6.QtWidgets import QApplication  # noqa: PLC0415

        focus = QApplication.focusWidget()
        for card in self.cards.values():
            if focus is not None and (focus is card or card.isAncestorOf(focus)):
                self.accept(card)
                return

    def accept_all(self) -> None:
        """Every section not yet accepted, except one that still names something the transcript
        does not support: that is for the doctor to decide on by itself."""
        for card in list(self.cards.values()):
            if not card.accepted and card.accept_button.isEnabled() and not card.still_mentions():
                self.accept(card)

    def accept(self, card: SectionCard) -> None:
        if self.read_only or self.encounter_id is None or self.draft is None or card.accepted or not card.accept_button.isEnabled():
            return
        text = card.text.toPlainText().strip()
        mentions = card.still_mentions()
        if mentions and card.property("confirming") is not True:
            card.setProperty("confirming", True)
            card.say("⚠ Still mentions " + ", ".join(f"'{m}'" for m in mentions) + ", not in the transcript: edit it out, "
                     "or Accept again to keep it", "danger")
            return
        try:
            put_in, items = self._placer(card.key, text)
        except ValueError as problem:
            card.say(str(problem), "danger")
            return
        from core.services.scribe_record import record_accepted  # noqa: PLC0415

        encounter_id, section, edited = self.encounter_id, card.key, card.edited
        provider, model = self.draft.meta.provider, self.draft.meta.model
        card.accept_button.setEnabled(False)
        card.say("Accepting…", "muted")

        def done(_acceptance) -> None:
            if encounter_id != self.encounter_id:
                return
            card.mark_accepted()
            put_in()  # after: what placing it has to say (a reading kept) is not written over
            self.accepted.emit(encounter_id, section)

        def failed(message: str) -> None:
            card.accept_button.setEnabled(True)
            card.say("Not accepted", "danger")
            self.desk.error(message)

        self.desk.write(lambda db, actor: record_accepted(db, actor, encounter_id, section, text, provider=provider, model=model,
                                                         edited=edited, items=items), done, failed)

    def _placer(self, key: str, text: str):
        """What accepting this section does to the visit (a function), and how many items it holds;
        ValueError, in words, when the text cannot be placed."""
        if not text:
            raise ValueError("Empty: nothing to accept")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        editor, pad = self.editor, self.pad
        if key in ("subjective", "objective", "assessment", "plan", "advice"):
            box = {"subjective": editor.notes["chief_complaint"], "objective": editor.notes["examination"],
                   "assessment": editor.notes["assessment"], "plan": editor.notes["plan"], "advice": editor.advice}[key]
            return (lambda: _append(box, text)), None
        if key == "vitals":
            fields = vitals_from_lines(lines)
            return (lambda: self._fill_vitals(fields)), len(lines)
        if key == "diagnoses":
            from core.scribe.grounding import diagnosis_code  # noqa: PLC0415

            coded = [(line, diagnosis_code(line)) for line in lines]

            def add_diagnoses() -> None:
                for name, code in coded:
                    label = f"{name} — {code}" if code else name
                    editor.diagnoses.add(label, {"text": name, "code": code, "code_system": "ICD-10" if code else None})

            return add_diagnoses, len(lines)
        if key == "medications":
            if pad.signed_id:
                raise ValueError("The prescription is signed: 'New prescription' (Alt+2) starts another; then accept again")
            return (lambda: pad.add_lines(lines)), len(lines)
        if key == "investigations":
            return (lambda: [editor.investigations.add(name, name) for name in lines]), len(lines)
        if key == "follow_up":
            from core.scribe.draft import follow_up_days  # noqa: PLC0415

            days = follow_up_days(text)
            if days is None or not 0 < days <= 365:
                raise ValueError("Say it in days, weeks or months (e.g. 'after 5 days'), or set it in the visit")
            return (lambda: editor.follow_days.setValue(days)), None
        raise ValueError(f"Unknown section {key}")

    def _fill_vitals(self, fields: dict) -> None:
        kept = self.editor.fill_vitals(fields)
        if kept:
            self.cards["vitals"].say("✓ Accepted; kept what you had typed: " + "; ".join(kept), "ok")


def unsupported_mentions(text: str, unsupported, transcript: str) -> list[str]:
    """Which unsupported items a section's text names: the item as written, or a word of it (five
    letters or more) that the transcript never says, such as an invented medicine's name."""
    low, said = text.lower(), transcript.lower()
    found = []
    for u in unsupported:
        if u.text.lower() in low:
            found.append(u.text)
            continue
        words = [w for w in re.findall(r"[a-z]{5,}", u.text.lower()) if w not in said and w in low]
        if words:
            found.append(u.text)
    return found


def _append(box: QPlainTextEdit, text: str) -> None:
    """Add to a note box as typing would: after what is there, never over it."""
    existing = box.toPlainText().rstrip()
    box.setPlainText(f"{existing}\n{text}" if existing else text)


VITAL_LINE = re.compile(r"^(?P<name>.+?)(?:\s*[:=]\s*|\s+)(?P<value>\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?)\s*(?P<unit>.*)$")


def vitals_from_lines(lines: list[str]) -> dict:
    """The visit's vitals fields from lines such as "BP 118/76 mmHg" or "Temperature 101 F";
    ValueError naming a line that cannot be placed."""
    from core.scribe.draft import vital_fields  # noqa: PLC0415
    from core.scribe.grounding import vital_key  # noqa: PLC0415

    fields: dict = {}
    for line in lines:
        match = VITAL_LINE.match(line)
        key = vital_key(match.group("name")) if match else None
        placed = vital_fields(key, match.group("value"), match.group("unit")) if match else {}
        if not placed:
            raise ValueError(f"Cannot place '{line}': write one reading a line, like 'BP 118/76 mmHg' or 'Pulse 96 /min'")
        fields.update(placed)
    return fields


def medicine_details(medicines) -> str:
    """Each drafted medicine as the prescription pad reads it: what it was read as, what is unclear,
    and this patient's safety alerts, in words and marks as well as colour."""
    rows = []
    for n, m in enumerate(medicines, start=1):
        e = m.expansion
        read = " · ".join(p for p in (e.drug_label, e.dose_text() or "",
                                      e.pattern or e.frequency_text or "", e.timing or "",
                                      f"{e.duration_days} days" if e.duration_days else "") if p)
        issues = []
        for a in e.ambiguities:
            issues.append(f"<span style='color:#b42318'>⚠ Unclear: {html.escape(a.message)}</span>")
        for w in e.warnings:
            issues.append(f"<span style='color:#b54708'>△ {html.escape(w.message)}</span>")
        for a in m.alerts:
            word = SEVERITY_WORDS.get(a.severity, a.severity)
            colour = "#b42318" if a.needs_override else "#b54708"
            mark = "⛔" if a.needs_override else "△"
            issues.append(f"<span style='color:{colour}'>{mark} <b>{html.escape(word)}</b> — {html.escape(a.message)}</span>")
        tail = "<br>&nbsp;&nbsp;" + "<br>&nbsp;&nbsp;".join(issues) if issues else " <span style='color:#067647'>✓</span>"
        rows.append(f"{n}. read as {html.escape(read)}{tail}")
    return "<br>".join(rows)
