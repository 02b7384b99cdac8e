"""The consult desk: the queue at the side, the patient in front.

Ctrl+N calls the next patient · Ctrl+F finds any patient · Alt+1..5 Visit, Prescription, Labs,
History, Scribe · Ctrl+T applies a template · Ctrl+S saves · Ctrl+Enter finishes the visit.

What is typed is autosaved to this PC at most AUTOSAVE_MS after the first unsaved keystroke, so a
power cut or a killed process loses at most that much; reopening the visit brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.services import consult, drafts
from core.services.patient_summary import PatientSummary, patient_summary
from core.storage.database import Actor
from desktop.consult.rx_pad import RxPad
from desktop.consult.scribe_panel import ScribePanel
from desktop.consult.summary import SummaryPanel, Timeline
from desktop.consult.visit_editor import VisitEditor
from desktop.context import Desk
from desktop.reception.queue import QueueView
from desktop.reception.search import PatientSearch

AUTOSAVE_MS = 2000


@dataclass
class OpenedVisit:
    summary: PatientSummary
    visit: consult.VisitState
    draft: drafts.Draft | None
    signed_rx: list[tuple[str, list[str]]]  # this visit's signed prescriptions: (id, lines)


def open_for_consult(db, actor: Actor, patient_id: str, appointment_id: str | None = None, encounter_id: str | None = None) -> OpenedVisit:
    """Everything the desk shows for a patient, in one trip to the write lane (opening the record
    is itself audited, and a visit may have to be started)."""
    from sqlalchemy import select  # noqa: PLC0415

    from core.storage.models import Prescription, PrescriptionItem  # noqa: PLC0415

    encounter_id = encounter_id or consult.open_consult(db, actor, patient_id, appointment_id)
    summary = patient_summary(db, actor, patient_id)
    visit = consult.load_visit(db, actor, encounter_id)
    with db.read() as session:
        signed = []
        for rx in session.scalars(select(Prescription).where(Prescription.encounter_id == encounter_id, Prescription.signed_at.is_not(None),
                                                              Prescription.voided_at.is_(None)).order_by(Prescription.signed_at)):
            items = session.scalars(select(PrescriptionItem).where(PrescriptionItem.prescription_id == rx.id).order_by(PrescriptionItem.position))
            signed.append((rx.id, [i.source_text or i.drug_name for i in items]))
    return OpenedVisit(summary, visit, drafts.load_draft(db, encounter_id), signed)


class ConsultView(QWidget):
    autosaved = Signal(str)  # encounter id: what was typed is safe on disk
    opened = Signal(str)  # encounter id: a visit is on screen

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.current: OpenedVisit | None = None
        self.encounter_id: str | None = None
        self._dirty = False
        self._templates: list = []

        # left: the queue and a way to any patient
        self.queue = QueueView(desk, compact=True)
        if desk.actor.role == "doctor":
            self.queue.only_doctor = desk.actor.staff_id
        self.queue.activated.connect(lambda e: self.open_patient(e.patient_id, e.appointment_id))
        next_button = QPushButton("Call next patient  (Ctrl+N)", objectName="next_patient")
        next_button.setProperty("kind", "primary")
        next_button.clicked.connect(self.call_next)
        self.search = PatientSearch(desk)
        self.search.box.setPlaceholderText("Any patient: name, mobile…  (Ctrl+F)")
        self.search.table.setColumnHidden(3, True)
        self.search.chosen.connect(lambda hit: self.open_patient(hit.id))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("My queue")
        title.setProperty("heading", True)
        left_layout.addWidget(title)
        left_layout.addWidget(next_button)
        left_layout.addWidget(self.queue, 3)
        left_layout.addWidget(self.search, 2)

        # right: the patient
        self.summary = SummaryPanel()
        self.editor = VisitEditor(desk)
        self.pad = RxPad(desk)
        self.timeline = Timeline()
        self.labs = self._labs_panel()
        self.scribe = ScribePanel(desk, self.editor, self.pad)
        self.tabs = QTabWidget(objectName="consult_tabs")
        self.tabs.addTab(self.editor, "Visit  Alt+1")
        self.tabs.addTab(self.pad, "Prescription  Alt+2")
        if self.labs is not None:
            self.tabs.addTab(self.labs, "Labs  Alt+3")
        self.tabs.addTab(self.timeline, "History  Alt+4")
        self.tabs.addTab(self.scribe, "Scribe  Alt+5")
        self.template = QComboBox(objectName="template_choice")
        self.template.setMinimumWidth(260)
        self.template.activated.connect(self._apply_template)
        favourite = QPushButton("Save as my favourite", objectName="save_favourite")
        favourite.clicked.connect(self.save_favourite)
        self.saved_label = QLabel(objectName="autosave_label")
        self.saved_label.setProperty("tone", "muted")
        # Wrapped and bounded: a long "brought back" line widened the whole window past 1366 px.
        self.saved_label.setWordWrap(True)
        self.saved_label.setMaximumWidth(420)
        self.save_button = QPushButton("Save  (Ctrl+S)", objectName="save_visit")
        self.save_button.clicked.connect(self.save)
        self.finish_button = QPushButton("Finish visit  (Ctrl+Enter)", objectName="finish_visit")
        self.finish_button.setProperty("kind", "primary")
        self.finish_button.clicked.connect(self.finish)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Template  (Ctrl+T)"))
        bottom.addWidget(self.template)
        bottom.addWidget(favourite)
        bottom.addStretch(1)
        bottom.addWidget(self.saved_label)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.finish_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addLayout(bottom)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 1040])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self.autosave)
        self.editor.changed.connect(self._edited)
        self.pad.changed.connect(self._edited)
        self.scribe.transcript_edited.connect(self._edited)
        self.pad.signed.connect(lambda *_: self.desk.patient_changed.emit(self.current.summary.patient_id if self.current else ""))
        shortcuts = (("Ctrl+N", self.call_next), ("Ctrl+F", self.search.focus), ("Ctrl+S", self.save), ("Ctrl+Return", self.finish),
                     ("Ctrl+Enter", self.finish), ("Ctrl+T", self._focus_template),
                     ("Alt+1", lambda: self._tab(self.editor)), ("Alt+2", lambda: self._tab(self.pad)),
                     ("Alt+3", lambda: self._tab(self.labs)), ("Alt+4", lambda: self._tab(self.timeline)),
                     ("Alt+5", lambda: self._tab(self.scribe)))
        for seq, fn in shortcuts:
            QShortcut(QKeySequence(seq), self, fn, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._enable(False)
        self.queue.refresh()
        self._load_templates()
        desk.read(lambda db: drafts.drafts_by(db, desk.actor.staff_id), self._offer_unsaved)

    def _labs_panel(self):
        try:
            from desktop.consult.labs import LabsPanel  # noqa: PLC0415
        except ImportError:
            return None
        return LabsPanel(self.desk)

    def focus_first(self) -> None:
        if self.encounter_id:
            self.editor.focus_first()
        else:
            self.queue.table.setFocus()

    def _tab(self, widget) -> None:
        if widget is not None and self.encounter_id:
            self.tabs.setCurrentWidget(widget)
            focus = getattr(widget, "focus_first", None)
            (focus or widget.setFocus)()

    def _enable(self, on: bool) -> None:
        for w in (self.tabs, self.save_button, self.finish_button, self.template):
            w.setEnabled(on)

    # -- opening a patient ------------------------------------------------------------------------

    def call_next(self) -> None:
        waiting = [e for e in self.queue.entries if e.status == "checked_in"]
        if not waiting:
            self.desk.info("Nobody is waiting in your queue.")
            return
        self.open_patient(waiting[0].patient_id, waiting[0].appointment_id)

    def open_patient(self, patient_id: str, appointment_id: str | None = None, encounter_id: str | None = None) -> None:
        self.flush()
        self.desk.write(lambda db, actor: open_for_consult(db, actor, patient_id, appointment_id, encounter_id), self._opened)

    def _opened(self, opened: OpenedVisit) -> None:
        self.current = opened
        self.encounter_id = opened.visit.encounter_id
        self._dirty = False
        s = opened.summary
        self.summary.show_summary(s)
        self.timeline.show_visits(s)
        form, lines, overrides = opened.visit.form, None, None
        restored = ""
        if opened.draft is not None and not opened.visit.signed:
            # Over the saved visit, so a box the draft does not hold (a draft autosaved by an
            # older Nadi had no Assessment or Plan) keeps its saved text instead of being emptied.
            form = {**form, **opened.draft.body.get("form", {})}
            lines = opened.draft.body.get("rx_lines")
            overrides = opened.draft.body.get("overrides")
            restored = f"Brought back what was typed and not saved (autosaved {opened.draft.saved_at.astimezone():%H:%M:%S})."
        self.editor.set_form(form)
        self.editor.set_read_only(opened.visit.signed)
        if opened.signed_rx and not lines:
            rx_id, rx_lines = opened.signed_rx[-1]
            self.pad.patient_id, self.pad.encounter_id, self.pad.last_prescription = s.patient_id, self.encounter_id, s.last_prescription
            self.pad.show_signed(rx_id, rx_lines)
        else:
            self.pad.open_visit(s.patient_id, self.encounter_id, s.last_prescription, lines, overrides)
        if self.labs is not None:
            self.labs.show_patient(s.patient_id, s.gender, self.encounter_id)
        transcript = opened.draft.body.get("scribe_transcript", "") if opened.draft is not None and not opened.visit.signed else ""
        self.scribe.show_visit(s.patient_id, self.encounter_id, read_only=opened.visit.signed, transcript=transcript)
        self._enable(True)
        self.save_button.setEnabled(not opened.visit.signed)
        self.finish_button.setEnabled(not opened.visit.signed)
        self.saved_label.setText(restored or ("Signed visit (read only; amend to correct)." if opened.visit.signed else "Nothing unsaved."))
        self.queue.refresh()
        self.tabs.setCurrentWidget(self.editor)
        self.editor.focus_first()
        if restored:
            self.desk.info(restored)
        self.opened.emit(self.encounter_id)

    def _offer_unsaved(self, left: list[drafts.Draft]) -> None:
        if left and self.encounter_id is None:
            draft = left[0]
            self.saved_label.setText(f"A visit typed at {draft.saved_at.astimezone():%H:%M} was not saved; it was kept by autosave. "
                                     "Opening that patient brings it back.")
            self.desk.read(lambda db: consult.load_visit(db, self.desk.actor, draft.encounter_id).patient_id,
                           lambda pid: self.open_patient(pid, encounter_id=draft.encounter_id))

    # -- saving ---------------------------------------------------------------------------------------

    def _edited(self) -> None:
        if self.encounter_id is None or (self.current and self.current.visit.signed):
            return
        self._dirty = True
        self.saved_label.setText("Typing…")
        if not self._autosave_timer.isActive():
            self._autosave_timer.start()  # not restarted by later keys: saved within AUTOSAVE_MS however fast the typing

    def _draft_body(self) -> dict:
        body = {"form": self.editor.form(), "rx_lines": [] if self.pad.signed_id else self.pad.lines(), "overrides": self.pad.overrides}
        transcript = self.scribe.transcript.toPlainText()
        if transcript.strip():
            body["scribe_transcript"] = transcript  # working material, kept until the visit is finished; not the record
        return body

    def autosave(self) -> None:
        if not (self._dirty and self.encounter_id):
            return
        self._dirty = False
        encounter_id, body = self.encounter_id, self._draft_body()
        self.desk.write(lambda db, actor: drafts.save_draft(db, actor, encounter_id, body),
                        lambda at: self._autosaved(encounter_id, at), self._autosave_failed)

    def _autosaved(self, encounter_id: str, at) -> None:
        if encounter_id == self.encounter_id and not self._dirty:
            self.saved_label.setText(f"Autosaved {at.astimezone():%H:%M:%S}")
        self.autosaved.emit(encounter_id)

    def _autosave_failed(self, message: str) -> None:
        self._dirty = True
        self.desk.error(f"Autosave failed: {message}. What you typed is still on screen; press Ctrl+S to try saving.")

    def flush(self) -> None:
        """Autosave now (leaving the patient, locking, closing)."""
        self._autosave_timer.stop()
        self.autosave()

    def closing(self) -> None:
        self.scribe.closing()
        self.flush()

    def save(self) -> None:
        if not self.encounter_id or (self.current and self.current.visit.signed):
            return
        self._autosave_timer.stop()
        self._dirty = False
        encounter_id, form = self.encounter_id, self.editor.form()
        self.desk.write(lambda db, actor: consult.save_visit(db, actor, encounter_id, form), self._saved, self._save_failed)

    def _saved(self, state: consult.VisitState) -> None:
        self.saved_label.setText("Saved.")
        self.desk.patient_changed.emit(state.patient_id)
        if (self.pad.lines() and not self.pad.signed_id) or self.scribe.transcript.toPlainText().strip():
            self._edited()  # the unsigned prescription lines and the scribe's transcript stay safe in the autosave

    def _save_failed(self, message: str) -> None:
        self._dirty = True
        self.desk.error(message)

    def finish(self) -> None:
        if not self.encounter_id or (self.current and self.current.visit.signed):
            return
        if self.pad.lines() and not self.pad.signed_id:
            self.desk.error("The prescription is not signed yet: sign it (Alt+2, then Ctrl+Shift+S) or clear it, then finish the visit.")
            self._tab(self.pad)
            return
        self._autosave_timer.stop()
        self._dirty = False
        encounter_id, form = self.encounter_id, self.editor.form()
        self.desk.write(lambda db, actor: consult.finish_visit(db, actor, encounter_id, form), self._finished, self._save_failed)

    def _finished(self, state: consult.VisitState) -> None:
        name = self.current.summary.name if self.current else "The patient"
        self.current, self.encounter_id = None, None
        self.summary.show_nobody()
        self.editor.set_form({})
        self.pad.open_visit("", "", [], [])
        self.pad.patient_id = None
        self.scribe.show_visit(None, None)
        self._enable(False)
        self.saved_label.setText("")
        self.desk.queue_changed.emit()
        self.desk.patient_changed.emit(state.patient_id)
        self.desk.info(f"{name}: visit finished and signed. Ctrl+N for the next patient." if state.signed else f"{name}: visit finished.")
        self.queue.table.setFocus()

    # -- templates ----------------------------------------------------------------------------------

    def _load_templates(self) -> None:
        from core.services.templates import list_templates  # noqa: PLC0415

        staff_id = self.desk.actor.staff_id
        self.desk.read(lambda db: list_templates(db, staff_id), self._show_templates)

    def _show_templates(self, templates: list) -> None:
        self._templates = templates
        self.template.clear()
        self.template.addItem("Apply a template…", None)
        for n, t in enumerate(templates):
            mark = "★ " if getattr(t, "favourite", False) else ""
            self.template.addItem(f"{mark}{t.name}", n)

    def _focus_template(self) -> None:
        if self.encounter_id:
            self.template.setFocus()
            self.template.showPopup()

    def _apply_template(self, index: int) -> None:
        n = self.template.itemData(index)
        if n is None or not self.encounter_id:
            return
        body = self._templates[n].body
        self.editor.apply_template(body)
        if body.get("rx_lines"):
            self.pad.add_lines(list(body["rx_lines"]))
        self.template.setCurrentIndex(0)
        self.desk.info(f"Template '{self._templates[n].name}' applied: check each section before saving.")

    def save_favourite(self) -> None:
        if not self.encounter_id:
            return
        name, ok = QInputDialog.getText(self, "Save as favourite", "Name for this favourite (e.g. 'Viral fever adult'):")
        if not (ok and name.strip()):
            return
        self.save_favourite_as(name.strip())

    def save_favourite_as(self, name: str) -> None:
        from core.services.templates import save_template  # noqa: PLC0415

        form = self.editor.form()
        body = {k: form.get(k) for k in ("chief_complaint", "history", "examination", "advice") if form.get(k)}
        body["diagnoses"] = [{"text": d["text"], "code": d.get("code")} for d in form["diagnoses"]]
        body["investigations"] = form["investigations"]
        body["rx_lines"] = self.pad.lines()
        self.desk.write(lambda db, actor: save_template(db, actor, name, body, favourite=True),
                        lambda _t: (self._load_templates(), self.desk.info(f"Saved '{name}' to your favourites.")))
