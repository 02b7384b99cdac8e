"""The patient in front of the doctor, taken in at a glance, and the timeline of past visits."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QTextBrowser, QWidget

from core.services.patient_summary import PatientSummary

ARROWS = {"up": "↑", "down": "↓", "steady": "→"}
SEX = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Sex not recorded"}


def _e(text) -> str:
    return html.escape(str(text))


class SummaryPanel(QFrame):
    """Age and sex, allergies in red, chronic conditions, current medicines, last vitals with their
    trend, and the last visits in a line each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("box", "panel")
        self.setObjectName("summary_panel")
        self.header = QLabel(objectName="summary_header")
        self.header.setProperty("heading", True)
        self.allergies = QLabel(objectName="summary_allergies")
        self.allergies.setWordWrap(True)
        self.conditions = QLabel(objectName="summary_conditions")
        self.conditions.setWordWrap(True)
        self.medicines = QLabel(objectName="summary_medicines")
        self.medicines.setWordWrap(True)
        self.vitals = QLabel(objectName="summary_vitals")
        self.vitals.setWordWrap(True)
        self.recent = QLabel(objectName="summary_recent")
        self.recent.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setVerticalSpacing(3)
        grid.addWidget(self.header, 0, 0, 1, 2)
        grid.addWidget(self.allergies, 1, 0, 1, 2)
        grid.addWidget(self.conditions, 2, 0)
        grid.addWidget(self.medicines, 2, 1)
        grid.addWidget(self.vitals, 3, 0)
        grid.addWidget(self.recent, 3, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.show_nobody()

    def show_nobody(self) -> None:
        self.header.setText("No patient open")
        for label in (self.allergies, self.conditions, self.medicines, self.vitals, self.recent):
            label.clear()
        self.allergies.setText("Pick the next patient from the queue (Ctrl+N), or press Enter on a name.")
        self.allergies.setProperty("tone", "muted")
        self.allergies.style().polish(self.allergies)

    def show_summary(self, s: PatientSummary) -> None:
        age = f"{s.age} y" if s.age is not None else "age unknown"
        bits = [SEX.get(s.gender, s.gender), age, f"Mobile {s.mobile}" if s.mobile else None, f"ABHA {s.abha_number}" if s.abha_number else None,
                s.language]
        self.header.setText(f"{_e(s.name)}  <span style='font-weight:normal'>· {' · '.join(_e(b) for b in bits if b)}</span>")
        if s.allergies:
            self.allergies.setText("⚠ ALLERGIES: " + "; ".join(_e(a) for a in s.allergies))
            self.allergies.setProperty("tone", "danger")
        else:
            self.allergies.setText("No known allergies recorded")
            self.allergies.setProperty("tone", "muted")
        self.allergies.style().polish(self.allergies)
        self.conditions.setText("<b>Conditions:</b> " + (", ".join(_e(c) for c in s.conditions) or "none recorded"))
        self.medicines.setText("<b>Current medicines:</b> " + ("; ".join(_e(m) for m in s.current_medicines) or "none running"))
        if s.vitals:
            parts = []
            for v in s.vitals:
                text = f"{_e(v.label)} <b>{_e(v.text)}</b>"
                if v.flag:
                    text = f"<span style='color:#b42318'>{text} ({v.flag})</span>"
                if v.trend:
                    text += f" {ARROWS[v.trend]}<span style='color:#475467'> from {_e(v.previous)}</span>"
                parts.append(text)
            self.vitals.setText(f"<b>Last vitals</b> ({s.vitals_day:%d %b %Y}): " + " · ".join(parts))
        else:
            self.vitals.setText("<b>Last vitals:</b> none recorded")
        past = [v for v in s.visits if not v.in_progress][:3]
        self.recent.setText("<b>Recent visits:</b> " + ("<br>".join(
            f"{v.day:%d %b %Y}: {_e(v.complaint or '—')}" + (f" — {_e(', '.join(v.diagnoses))}" if v.diagnoses else "") for v in past) or "first visit"))


class Timeline(QTextBrowser):
    """Every past visit, newest first: what was said, found, given and tested."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setOpenLinks(False)

    def show_visits(self, s: PatientSummary) -> None:
        blocks = []
        for v in s.visits:
            state = "in progress" if v.in_progress else ("signed" if v.signed else "not signed")
            lines = [f"<h3 style='margin-bottom:2px'>{v.day:%d %b %Y} <span style='font-weight:normal;color:#475467'>({state})</span></h3>"]
            if v.complaint:
                lines.append(f"<b>Complaint:</b> {_e(v.complaint)}")
            if v.diagnoses:
                lines.append(f"<b>Diagnosis:</b> {_e('; '.join(v.diagnoses))}")
            if v.medicines:
                lines.append("<b>Medicines:</b> " + "; ".join(_e(m) for m in v.medicines))
            if v.tests:
                lines.append("<b>Tests:</b> " + "; ".join(_e(t) for t in v.tests))
            if v.advice:
                lines.append(f"<b>Advice:</b> {_e(v.advice)}")
            blocks.append("<br>".join(lines))
        self.setHtml("<hr>".join(blocks) or "<p>No earlier visits.</p>")

