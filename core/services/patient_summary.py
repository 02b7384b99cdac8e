"""What the doctor takes in at a glance when a patient sits down: who, what they react to, what
they live with, what they take, how their numbers are moving, and what happened last time.

Built from the audited record (`open_patient_record`), as plain data the desk can show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.clinical.vitals import vital_flags
from core.services.patients import PatientRecord, VisitRecord, open_patient_record
from core.services.staff_access import require_clinician
from core.storage.database import Actor, Database
from core.validation import age_on

RECENT_VISITS = 5
# Trend arrows compare with the previous reading; a change smaller than this is "steady".
STEADY = {"systolic": 5, "diastolic": 4, "pulse": 6, "weight_kg": 1.0, "blood_glucose_mg_dl": 10, "temperature_c": 0.3, "spo2": 1, "bmi": 0.4}
VITAL_LABELS = {
    "bp": "BP", "pulse": "Pulse", "temperature_c": "Temp", "spo2": "SpO₂", "respiratory_rate": "Resp",
    "weight_kg": "Weight", "bmi": "BMI", "blood_glucose_mg_dl": "Sugar",
}


@dataclass(frozen=True)
class VitalReading:
    key: str
    label: str
    text: str
    flag: str | None  # high | low
    trend: str | None  # up | down | steady
    previous: str | None


@dataclass(frozen=True)
class VisitLine:
    encounter_id: str
    day: date
    complaint: str | None
    diagnoses: list[str]
    medicines: list[str]
    tests: list[str]
    advice: str | None
    signed: bool
    in_progress: bool


@dataclass(frozen=True)
class PatientSummary:
    patient_id: str
    name: str
    gender: str
    age: int | None
    mobile: str | None
    abha_number: str | None
    language: str | None
    allergies: list[str]
    conditions: list[str]
    current_medicines: list[str]
    vitals_day: date | None
    vitals: list[VitalReading]
    visits: list[VisitLine] = field(default_factory=list)  # newest first, all of them (the timeline)
    last_prescription: list[str] = field(default_factory=list)  # lines to repeat in one action


def patient_summary(db: Database, actor: Actor, patient_id: str, today: date | None = None) -> PatientSummary:
    require_clinician(actor)
    record = open_patient_record(db, actor, patient_id)
    zone = ZoneInfo(db.settings.clinic_timezone)
    today = today or date.today()
    return summarise(record, zone, today)


def summarise(record: PatientRecord, zone: ZoneInfo, today: date) -> PatientSummary:
    p = record.patient
    allergies = [a.substance + (f" ({a.reaction})" if a.reaction else "") + (f", {a.severity}" if a.severity else "") for a in record.allergies]
    conditions = [c.name + (f" since {c.since.year}" if c.since else "") for c in record.conditions]
    visits = [_visit_line(v, zone) for v in record.visits]
    vitals_day, vitals = _vitals(record.visits, zone)
    return PatientSummary(
        patient_id=p.id, name=p.full_name, gender=p.gender, age=age_on(p.date_of_birth, today) if p.date_of_birth else None,
        mobile=p.mobile, abha_number=p.abha_number, language=p.preferred_language,
        allergies=allergies, conditions=conditions, current_medicines=_current_medicines(record.visits, zone, today),
        vitals_day=vitals_day, vitals=vitals, visits=visits, last_prescription=_last_prescription(record.visits),
    )


def _day(at, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def _visit_line(v: VisitRecord, zone: ZoneInfo) -> VisitLine:
    e = v.encounter
    diagnoses = [d.text + (f" ({d.code})" if d.code else "") for d in sorted(v.diagnoses, key=lambda d: not d.is_primary)]
    medicines = [_item_text(i) for rx, items in v.prescriptions for i in items]
    tests = [o.test_name + (f": {results[-1].value_text}{' ' + results[-1].unit if results[-1].unit else ''}" if results else " (awaited)")
             for o, results in v.lab_orders]
    return VisitLine(e.id, _day(e.started_at, zone), e.chief_complaint, diagnoses, medicines, tests, e.advice, e.signed_at is not None, e.status == "in_progress")


def _item_text(item) -> str:
    parts = [item.drug_name, item.strength if item.strength and item.strength not in item.drug_name else None,
             item.frequency, f"{item.duration_days} d" if item.duration_days else None]
    return " ".join(p for p in parts if p)


def _current_medicines(visits: list[VisitRecord], zone: ZoneInfo, today: date) -> list[str]:
    """Items of signed prescriptions whose course has not run out: started on the prescription's
    day, lasting its duration (as-needed and one-off doses are not 'current')."""
    out, seen = [], set()
    for v in visits:
        for rx, items in v.prescriptions:
            if rx.signed_at is None:
                continue
            start = _day(rx.signed_at, zone)
            for item in items:
                if item.prn or item.stat or not item.duration_days:
                    continue
                if start + timedelta(days=item.duration_days) > today and (item.generic or item.drug_name) not in seen:
                    seen.add(item.generic or item.drug_name)
                    left = (start + timedelta(days=item.duration_days) - today).days
                    out.append(f"{_item_text(item)} — {left} d left")
    return out


def _last_prescription(visits: list[VisitRecord]) -> list[str]:
    for v in visits:
        for rx, items in reversed(v.prescriptions):
            if rx.signed_at is not None and items:
                return [i.source_text or _item_text(i) for i in items]
    return []


def _reading_values(vit) -> dict:
    return {k: getattr(vit, k) for k in ("systolic", "diastolic", "pulse", "temperature_c", "spo2", "respiratory_rate", "weight_kg", "bmi",
                                          "blood_glucose_mg_dl", "glucose_context")}


def _vitals(visits: list[VisitRecord], zone: ZoneInfo) -> tuple[date | None, list[VitalReading]]:
    readings = [vit for v in reversed(visits) for vit in v.vitals]  # oldest first
    if not readings:
        return None, []
    readings.sort(key=lambda r: r.recorded_at)
    last = _reading_values(readings[-1])
    flags = vital_flags(last)
    out: list[VitalReading] = []
    for key, label in VITAL_LABELS.items():
        fields = ("systolic", "diastolic") if key == "bp" else (key,)
        if last.get(fields[0]) is None:
            continue
        earlier = next((_reading_values(r) for r in reversed(readings[:-1]) if getattr(r, fields[0]) is not None), None)
        text = _format(key, last)
        flag = flags.get("systolic") or flags.get("diastolic") if key == "bp" else flags.get(key)
        trend = _trend(fields[0], last[fields[0]], earlier[fields[0]]) if earlier else None
        out.append(VitalReading(key, label, text, flag, trend, _format(key, earlier) if earlier else None))
    return _day(readings[-1].recorded_at, zone), out


def _trend(key: str, now: float, before: float) -> str:
    if abs(now - before) < STEADY.get(key, 0.5):
        return "steady"
    return "up" if now > before else "down"


def _format(key: str, values: dict) -> str:
    if key == "bp":
        return f"{values['systolic']}/{values['diastolic']}"
    value = values[key]
    unit = {"pulse": "/min", "temperature_c": " °C", "spo2": "%", "respiratory_rate": "/min", "weight_kg": " kg", "blood_glucose_mg_dl": " mg/dL"}.get(key, "")
    number = f"{value:g}" if isinstance(value, float) else str(value)
    context = f" ({values['glucose_context'].replace('_', ' ')})" if key == "blood_glucose_mg_dl" and values.get("glucose_context") else ""
    return number + unit + context
