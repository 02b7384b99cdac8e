"""The visit editor: complaints, history, examination, vitals (BMI worked out, abnormal values
marked as they are typed), diagnoses (searchable, free text allowed), investigations, advice and
the follow-up date.

It holds the visit as a form (`form()` / `set_form()`); the consult desk saves it, autosaves it and
restores it. `changed` fires on every edit, which is what the autosave listens to.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.clinical.vitals import bmi, bmi_band, vital_flags
from desktop.context import Desk

# The note's boxes (all of NoteInput: a box the editor lacked would be saved back empty).
# Grid place (row, column, columns spanned) and the hint shown while empty.
NOTE_FIELDS = (
    ("chief_complaint", "Complaints", (0, 0, 1), "e.g. fever x 3 days, cough"),
    ("history", "History", (0, 1, 1), "history, past illness, family"),
    ("examination", "Examination", (0, 2, 1), "findings"),
    ("assessment", "Assessment", (1, 0, 1), "impression, differentials"),
    ("plan", "Plan", (1, 1, 2), "management plan: what next, referrals, what to watch for"),
)
VITALS = (  # field, label, width hint, decimals
    ("systolic", "BP sys", 0), ("diastolic", "dia", 0), ("pulse", "Pulse", 0), ("temperature_c", "Temp °C", 1), ("spo2", "SpO₂ %", 0),
    ("respiratory_rate", "Resp/min", 0), ("weight_kg", "Wt kg", 1), ("height_cm", "Ht cm", 1), ("blood_glucose_mg_dl", "Sugar mg/dL", 0),
)
GLUCOSE_CONTEXTS = (("", "sugar when?"), ("fasting", "fasting"), ("random", "random"), ("post_meal", "after meal"))


def _number(text: str, decimals: int):
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text  # left for the service to name as not a number
    return round(value, decimals) if decimals else (int(value) if value == int(value) else value)


class TermBox(QWidget):
    """A line to type a diagnosis or test into, with suggestions as you type, and the list added.
    Enter adds what is typed: the highlighted suggestion, or the free text as it stands."""

    changed = Signal()

    def __init__(self, desk: Desk, name: str, placeholder: str, suggest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.suggest = suggest  # fn(db, text) -> list[(label, value)]
        self.line = QLineEdit(objectName=f"{name}_input")
        self.line.setPlaceholderText(placeholder)
        self.model = QStringListModel()
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.line.setCompleter(self.completer)
        self.values: dict[str, object] = {}
        self.line.textEdited.connect(self._ask)
        self.line.returnPressed.connect(self._add_typed)
        self.list = QListWidget(objectName=f"{name}_list")
        self.list.setMaximumHeight(84)
        remove = QPushButton("Remove", objectName=f"{name}_remove")
        remove.clicked.connect(self.remove_current)
        row = QHBoxLayout()
        row.addWidget(self.line, 1)
        row.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)
        self._name = name

    def _ask(self, text: str) -> None:
        if len(text.strip()) < 2:
            return
        self.desk.read(lambda db: self.suggest(db, text.strip()), self._suggestions, key=f"suggest-{self._name}")

    def _suggestions(self, found: list[tuple[str, object]]) -> None:
        self.values = dict(found)
        # What was typed is exactly a name, an abbreviation or a code ("htn", "E11.9"): Enter takes
        # that term, coded. Anything else typed stays free text.
        for label, value in found:
            if isinstance(value, dict) and value.get("matched", "").lower() == self.line.text().strip().lower():
                self.values[self.line.text().strip()] = (label, value)
                break
        self.model.setStringList([label for label, _ in found])
        if found and self.line.hasFocus():
            self.completer.complete()

    def _add_typed(self) -> None:
        text = self.line.text().strip()
        if not text:
            return
        exact = self.values.get(text)
        if isinstance(exact, tuple):
            self.add(*exact)
        else:
            self.add(text, exact)
        self.line.clear()

    def add(self, label: str, value: object = None) -> None:
        for n in range(self.list.count()):
            if self.list.item(n).text().lower() == label.lower():
                return
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, value)
        self.list.addItem(item)
        self.changed.emit()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.changed.emit()

    def items(self) -> list[tuple[str, object]]:
        return [(self.list.item(n).text(), self.list.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.list.count())]

    def clear(self) -> None:
        self.list.clear()
        self.line.clear()


def suggest_diagnoses(db, text: str) -> list[tuple[str, object]]:
    from sqlalchemy import func, select  # noqa: PLC0415

    from core.clinical.terms import search_diagnoses  # noqa: PLC0415
    from core.storage.models import Diagnosis  # noqa: PLC0415

    # The clinic's own way of writing diagnoses ranks in with the shipped list.
    with db.read() as session:
        own = [(row[0], row[1]) for row in session.execute(
            select(Diagnosis.text, Diagnosis.code).where(Diagnosis.text.ilike(f"%{text}%"), Diagnosis.voided_at.is_(None))
            .group_by(Diagnosis.text, Diagnosis.code).order_by(func.count().desc()).limit(8))]
    out, seen = [], set()
    for term in search_diagnoses(text, limit=12, extra=own):
        label = f"{term.name} — {term.code}" if term.code else term.name
        if label.lower() not in seen:
            seen.add(label.lower())
            out.append((label, {"text": term.name, "code": term.code, "code_system": "ICD-10" if term.code else None, "matched": term.matched}))
    return out


def suggest_investigations(db, text: str) -> list[tuple[str, object]]:
    from core.clinical.terms import search_investigations  # noqa: PLC0415

    return [(inv.name, inv.name) for inv in search_investigations(text, limit=12)]


class VisitEditor(QWidget):
    changed = Signal()

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.notes: dict[str, QPlainTextEdit] = {}
        self._loading = False
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for key, label, (at_row, col, span), hint in NOTE_FIELDS:
            box = QPlainTextEdit(objectName=f"note_{key}")
            box.setTabChangesFocus(True)
            box.setPlaceholderText(hint)
            box.setMinimumHeight(48)
            self.notes[key] = box
            grid.addWidget(self._titled(label, box), at_row, col, 1, span)
        row = 2

        vitals_row = QHBoxLayout()
        self.vitals: dict[str, QLineEdit] = {}
        for key, label, decimals in VITALS:
            edit = QLineEdit(objectName=f"vital_{key}")
            edit.setValidator(QDoubleValidator(0, 2000, decimals))
            edit.setMaximumWidth(64)
            edit.setProperty("decimals", decimals)
            edit.textEdited.connect(self._vitals_edited)
            self.vitals[key] = edit
            vitals_row.addWidget(QLabel(label))
            vitals_row.addWidget(edit)
        self.glucose_context = QComboBox(objectName="vital_glucose_context")
        for value, label in GLUCOSE_CONTEXTS:
            self.glucose_context.addItem(label, value)
        self.glucose_context.currentIndexChanged.connect(self._vitals_edited)
        vitals_row.addWidget(self.glucose_context)
        self.bmi = QLabel("BMI —", objectName="vital_bmi")
        vitals_row.addWidget(self.bmi)
        vitals_row.addStretch(1)
        grid.addLayout(vitals_row, row, 0, 1, 3)
        row += 1

        self.diagnoses = TermBox(desk, "diagnosis", "Diagnosis: type to search (e.g. htn, E11, fever); Enter adds, free text allowed", suggest_diagnoses)
        self.investigations = TermBox(desk, "investigation", "Investigations: type to search (CBC, HbA1c, X-ray chest…); Enter adds", suggest_investigations)
        grid.addWidget(self._titled("Diagnoses (first is the main one)", self.diagnoses), row, 0)
        grid.addWidget(self._titled("Investigations ordered", self.investigations), row, 1)
        self.advice = QPlainTextEdit(objectName="note_advice")
        self.advice.setTabChangesFocus(True)
        self.advice.setPlaceholderText("advice to the patient, in plain words")
        follow = QHBoxLayout()
        self.follow_days = QSpinBox(objectName="follow_up_days")
        self.follow_days.setRange(0, 365)
        self.follow_days.setSpecialValueText("none")
        self.follow_days.setSuffix(" days")
        self.follow_date = QDateEdit(objectName="follow_up_date")
        self.follow_date.setDisplayFormat("dd-MM-yyyy")
        self.follow_date.setCalendarPopup(True)
        self.follow_date.setEnabled(False)
        self.follow_date.setDate(date.today())
        self.follow_date.hide()
        self.follow_days.valueChanged.connect(self._follow_days)
        self.follow_date.dateChanged.connect(lambda _d: self._edited())
        follow.addWidget(QLabel("Follow-up in"))
        follow.addWidget(self.follow_days)
        follow.addWidget(self.follow_date)
        follow.addStretch(1)
        advice_box = QWidget()
        advice_layout = QVBoxLayout(advice_box)
        advice_layout.setContentsMargins(0, 0, 0, 0)
        advice_layout.addWidget(self.advice)
        advice_layout.addLayout(follow)
        grid.addWidget(self._titled("Advice and follow-up", advice_box), row, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(row, 2)
        for box in (*self.notes.values(), self.advice):
            box.textChanged.connect(self._edited)
        self.diagnoses.changed.connect(self._edited)
        self.investigations.changed.connect(self._edited)

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        label = QLabel(f"<b>{title}</b>")
        layout.addWidget(label)
        layout.addWidget(widget, 1)
        return holder

    def focus_first(self) -> None:
        self.notes["chief_complaint"].setFocus()

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit()

    def _follow_days(self, days: int) -> None:
        self.follow_date.setEnabled(days > 0)
        self.follow_date.setVisible(days > 0)
        if days:
            self.follow_date.setDate(date.today() + timedelta(days=days))
        self._edited()

    def _vitals_edited(self, *_args) -> None:
        values = self.vitals_values()
        numeric = {k: v for k, v in values.items() if isinstance(v, int | float)}
        value = bmi(numeric.get("weight_kg"), numeric.get("height_cm"))
        numeric["bmi"] = value
        flags = vital_flags(numeric)
        for key, edit in self.vitals.items():
            flag = flags.get(key, "")
            if edit.property("flag") != flag:
                edit.setProperty("flag", flag)
                edit.setToolTip(f"{flag} for an adult" if flag else "")
                edit.style().polish(edit)
        if value is None:
            self.bmi.setText("BMI —")
            self.bmi.setProperty("tone", "")
        else:
            self.bmi.setText(f"BMI {value:g} ({bmi_band(value)})")
            self.bmi.setProperty("tone", "danger" if flags.get("bmi") else "ok")
        self.bmi.style().polish(self.bmi)
        self._edited()

    def fill_vitals(self, fields: dict) -> list[str]:
        """Fill empty vitals boxes as typing would (flags, BMI, autosave). A box the doctor already
        filled keeps its value; each such reading is returned in words."""
        kept = []
        for name, value in fields.items():
            edit = self.vitals.get(name)
            if edit is None:
                continue
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            typed = edit.text().strip()
            if typed and typed != shown:
                kept.append(f"{name.replace('_', ' ')} {typed} (draft said {shown})")
                continue
            edit.setText(shown)
        self._vitals_edited()
        return kept

    def vitals_values(self) -> dict:
        values = {key: _number(edit.text(), edit.property("decimals")) for key, edit in self.vitals.items()}
        values["glucose_context"] = self.glucose_context.currentData() or None
        return {k: v for k, v in values.items() if v is not None}

    # -- the form -----------------------------------------------------------------------------------

    def form(self) -> dict:
        form = {key: box.toPlainText().strip() or None for key, box in self.notes.items()}
        form["advice"] = self.advice.toPlainText().strip() or None
        form["follow_up_on"] = self.follow_date.date().toPython().isoformat() if self.follow_days.value() else None
        form["vitals"] = self.vitals_values()
        diagnoses = []
        for n, (label, value) in enumerate(self.diagnoses.items()):
            entry = {k: value[k] for k in ("text", "code", "code_system")} if isinstance(value, dict) else {"text": label, "code": None, "code_system": None}
            entry["is_primary"] = n == 0
            diagnoses.append(entry)
        form["diagnoses"] = diagnoses
        form["investigations"] = [label for label, _ in self.investigations.items()]
        return form

    def set_form(self, form: dict) -> None:
        self._loading = True
        try:
            for key, box in self.notes.items():
                box.setPlainText(form.get(key) or "")
            self.advice.setPlainText(form.get("advice") or "")
            vitals = form.get("vitals") or {}
            for key, edit in self.vitals.items():
                value = vitals.get(key)
                edit.setText("" if value is None else f"{value:g}" if isinstance(value, float) else str(value))
            self.glucose_context.setCurrentIndex(max(0, self.glucose_context.findData(vitals.get("glucose_context") or "")))
            self.diagnoses.clear()
            for dx in form.get("diagnoses") or []:
                label = f"{dx['text']} — {dx['code']}" if dx.get("code") else dx["text"]
                self.diagnoses.add(label, {"text": dx["text"], "code": dx.get("code"), "code_system": dx.get("code_system")})
            self.investigations.clear()
            for name in form.get("investigations") or []:
                self.investigations.add(name, name)
            follow = form.get("follow_up_on")
            if follow:
                when = date.fromisoformat(str(follow))
                self.follow_days.setValue(max(0, (when - date.today()).days))
                self.follow_date.setDate(when)
            else:
                self.follow_days.setValue(0)
            self._vitals_edited()
        finally:
            self._loading = False

    def apply_template(self, body: dict) -> None:
        """Fill what is still empty from a template; what the doctor already typed stays."""
        for key, box in self.notes.items():
            if body.get(key) and not box.toPlainText().strip():
                box.setPlainText(body[key])
        if body.get("advice") and not self.advice.toPlainText().strip():
            self.advice.setPlainText(body["advice"])
        for dx in body.get("diagnoses") or []:
            label = f"{dx['text']} — {dx['code']}" if dx.get("code") else dx["text"]
            self.diagnoses.add(label, {"text": dx["text"], "code": dx.get("code"), "code_system": "ICD-10" if dx.get("code") else None})
        for name in body.get("investigations") or []:
            self.investigations.add(name, name)
        if body.get("follow_up_days") and not self.follow_days.value():
            self.follow_days.setValue(int(body["follow_up_days"]))

    def set_read_only(self, read_only: bool) -> None:
        for box in (*self.notes.values(), self.advice):
            box.setReadOnly(read_only)
        for edit in self.vitals.values():
            edit.setReadOnly(read_only)
        for w in (self.diagnoses, self.investigations, self.follow_days, self.follow_date, self.glucose_context):
            w.setEnabled(not read_only)
