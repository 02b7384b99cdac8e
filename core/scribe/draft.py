"""The draft the doctor sees: the model's answer with the real patient details back in place, every
medicine read by the prescribing engine (shorthand, ambiguities, safety alerts for this patient),
and everything the transcript does not support moved to `unsupported` with the reason.

Nothing here is saved anywhere. The desk shows the draft; the doctor accepts or edits it section by
section, and only what they accept reaches the record.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from core.prescribing.catalogue import Catalogue
from core.prescribing.expand import Expansion, UnreadableLine, expand
from core.prescribing.safety import Alert, ItemFacts, check_prescription
from core.scribe.answer import ScribeAnswer, SoapNote
from core.scribe.grounding import Grounding, diagnosis_code, vital_key
from core.scribe.patient import PatientContext
from core.scribe.said import fold, tokens

SECTIONS = ("subjective", "objective", "assessment", "plan")


@dataclass
class DraftMedicine:
    line: str  # as the model wrote it, in the clinic's shorthand: what the prescription pad takes
    quote: str  # the transcript words the model said support it
    expansion: Expansion
    alerts: list[Alert] = field(default_factory=list)  # safety alerts involving this item

    @property
    def needs_attention(self) -> bool:
        return bool(self.expansion.ambiguities) or any(a.needs_override for a in self.alerts)

    def as_dict(self) -> dict:
        return {"line": self.line, "quote": self.quote, "drug": self.expansion.drug_label, "expansion": self.expansion.as_dict(),
                "ambiguities": [a.as_dict() for a in self.expansion.ambiguities], "alerts": [a.as_dict() for a in self.alerts]}


@dataclass
class DraftDiagnosis:
    text: str
    code: str | None  # ICD-10, when the text is an entry (name or alias) of Nadi's diagnosis list
    quote: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class DraftVital:
    name: str
    value: str
    unit: str
    key: str | None  # bp | pulse | temperature | spo2 | respiratory_rate | weight | height | blood_glucose
    fields: dict  # the visit's vitals fields this reading fills (systolic, diastolic, temperature_c, …)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Unsupported:
    field: str  # vitals | diagnoses | medications | investigations | follow_up | note.<section> (a sentence of the note)
    text: str
    reason: str

    def as_dict(self) -> dict:
        return {"text": self.text, "reason": self.reason, "field": self.field}


@dataclass
class DraftMeta:
    provider: str
    model: str
    attempts: int = 0  # model calls made for the note (a retry counts)
    seconds: float = 0.0  # from asking to the draft
    load_seconds: float | None = None  # spent loading the model, when it was not in memory
    num_ctx: list[int] = field(default_factory=list)  # the window asked for, per part (empty for cloud providers)
    context_length: int | None = None  # what the model was trained to read
    context_limit: int | None = None  # the most the scribe would ask for (trained length or scribe_max_ctx)
    chunks: int = 1  # parts the transcript was split into
    deidentified: bool = False
    redacted: dict[str, int] = field(default_factory=dict)  # placeholders put in, by kind (never the values)
    prompt_tokens: int | None = None  # as the provider counted them
    answer_tokens: int | None = None
    patient_id: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Draft:
    note: dict[str, str]
    vitals: list[DraftVital]
    diagnoses: list[DraftDiagnosis]
    medications: list[DraftMedicine]
    investigations: list[str]
    advice: list[str]
    follow_up: str | None
    follow_up_days: int | None
    alerts: list[Alert]  # all safety alerts; `items` index into `medications`
    unsupported: list[Unsupported]
    meta: DraftMeta

    def prescription_lines(self) -> list[str]:
        """The accepted medicines as lines for the prescription pad."""
        return [m.line for m in self.medications]

    def as_dict(self) -> dict:
        return {
            "note": dict(self.note),
            "medications": [m.as_dict() for m in self.medications],
            "diagnoses": [d.as_dict() for d in self.diagnoses],
            "vitals": [v.as_dict() for v in self.vitals],
            "investigations": list(self.investigations),
            "advice": list(self.advice),
            "follow_up": {"text": self.follow_up, "days": self.follow_up_days} if self.follow_up else None,
            "alerts": [a.as_dict() for a in self.alerts],
            "unsupported": [u.as_dict() for u in self.unsupported],
            "meta": self.meta.as_dict(),
        }


# -- merging the answers for the parts of a long consult --------------------------------------


def _key(text: str) -> str:
    return " ".join(tokens(text))


def merge_answers(answers: list[ScribeAnswer]) -> ScribeAnswer:
    """One answer from the answers for overlapping parts: repeated items (the overlap is read
    twice) appear once; the notes' sentences are joined without repeats; the last follow-up said
    wins. Medicines are merged later, once the prescribing engine has read them."""
    note: dict[str, list[str]] = {s: [] for s in SECTIONS}
    seen_sentences: dict[str, set[str]] = {s: set() for s in SECTIONS}
    vitals, diagnoses, medications, investigations, advice = [], [], [], [], []
    seen: dict[str, set] = {"vitals": set(), "diagnoses": set(), "medications": set(), "investigations": set(), "advice": set()}
    follow_up = ""
    for answer in answers:
        for section in SECTIONS:
            for sentence in re.split(r"(?<=[.!?])\s+", getattr(answer.note, section).strip()):
                key = _key(sentence)
                if key and key not in seen_sentences[section]:
                    seen_sentences[section].add(key)
                    note[section].append(sentence.strip())
        for vital in answer.vitals:
            key = (vital_key(vital.name) or _key(vital.name), tuple(re.findall(r"\d+(?:\.\d+)?", vital.value)) or _key(vital.value))
            if key not in seen["vitals"]:
                seen["vitals"].add(key)
                vitals.append(vital)
        for kind, items, out, text_of in (("diagnoses", answer.diagnoses, diagnoses, lambda d: d.text),
                                          ("medications", answer.medications, medications, lambda m: m.line),
                                          ("investigations", answer.investigations, investigations, lambda t: t),
                                          ("advice", answer.advice, advice, lambda t: t)):
            for item in items:
                key = _key(text_of(item))
                if key and key not in seen[kind]:
                    seen[kind].add(key)
                    out.append(item)
        if answer.follow_up.strip():
            follow_up = answer.follow_up.strip()
    return ScribeAnswer(note=SoapNote(**{s: " ".join(note[s]) for s in SECTIONS}), vitals=vitals, diagnoses=diagnoses,
                        medications=medications, investigations=investigations, advice=advice, follow_up=follow_up)


# -- building the draft -------------------------------------------------------------------------


def build_draft(answer: ScribeAnswer, transcript: str, catalogue: Catalogue, meta: DraftMeta,
                patient: PatientContext | None = None, restore=None) -> Draft:
    """The draft from a (merged) answer. `transcript` is the real one: grounding is checked against
    what was said, not against the de-identified copy. `restore` puts real values back."""
    restore = restore or (lambda text: text)
    grounding = Grounding(transcript, catalogue)
    unsupported: list[Unsupported] = []

    vitals: list[DraftVital] = []
    for v in answer.vitals:
        name, value, unit = restore(v.name).strip(), restore(v.value).strip(), restore(v.unit).strip()
        reason = grounding.vital(name, value, unit)
        if reason:
            unsupported.append(Unsupported("vitals", f"{name} {value} {unit}".strip(), reason))
        else:
            key = vital_key(name)
            vitals.append(DraftVital(name, value, unit, key, vital_fields(key, value, unit)))

    diagnoses: list[DraftDiagnosis] = []
    for d in answer.diagnoses:
        text = restore(d.text).strip()
        if not text:
            continue
        reason = grounding.diagnosis(text)
        if reason:
            unsupported.append(Unsupported("diagnoses", text, reason))
        else:
            diagnoses.append(DraftDiagnosis(text, diagnosis_code(text), restore(d.quote).strip()))

    medications = _medicines(answer, grounding, catalogue, restore, unsupported)

    investigations: list[str] = []
    for test in answer.investigations:
        text = restore(test).strip()
        if not text:
            continue
        reason = grounding.investigation(text)
        if reason:
            unsupported.append(Unsupported("investigations", text, reason))
        else:
            investigations.append(text)

    follow_up = restore(answer.follow_up).strip() or None
    if follow_up and (reason := grounding.follow_up(follow_up)):
        unsupported.append(Unsupported("follow_up", follow_up, reason))
        follow_up = None

    note = _note(answer.note, grounding, restore, unsupported, patient)
    alerts = _alerts(medications, patient, catalogue)
    for n, medicine in enumerate(medications):
        medicine.alerts = [a for a in alerts if n in a.items]
    meta.patient_id = patient.patient_id if patient else None
    return Draft(note=note, vitals=vitals, diagnoses=diagnoses, medications=medications, investigations=investigations,
                 advice=[restore(a).strip() for a in answer.advice if a.strip()], follow_up=follow_up,
                 follow_up_days=follow_up_days(follow_up) if follow_up else None, alerts=alerts, unsupported=unsupported, meta=meta)


def _note(soap: SoapNote, grounding: Grounding, restore, unsupported: list[Unsupported], patient: PatientContext | None) -> dict[str, str]:
    """The note's free text, sentence by sentence: a sentence with a number or a medicine nobody
    said, or that repeats an unsupported item, is moved to `unsupported` like any other item.
    Checked before the real patient details go back in, so their digits are never mistaken for
    numbers the model made up."""
    rejected = [_item_name(u) for u in unsupported]
    allowed = [patient.age] if patient is not None and patient.age is not None else []
    note: dict[str, str] = {}
    for section in SECTIONS:
        kept = []
        for sentence in re.split(r"(?<=[.!?;])\s+", getattr(soap, section).strip()):
            if not sentence.strip():
                continue
            reason = grounding.prose(sentence, allowed, [r for r in rejected if r])
            if reason:
                unsupported.append(Unsupported(f"note.{section}", restore(sentence).strip(), reason))
            else:
                kept.append(restore(sentence).strip())
        note[section] = " ".join(kept).rstrip(" ;,")
    return note


def _item_name(item: Unsupported) -> str:
    """How a rejected item would be repeated in prose. Medicines and vitals need no marker: a
    medicine nobody said, or a number nobody said, is caught in any sentence anyway."""
    return "" if item.field in ("medications", "vitals") else item.text


def _medicines(answer: ScribeAnswer, grounding: Grounding, catalogue: Catalogue, restore, unsupported: list[Unsupported]) -> list[DraftMedicine]:
    accepted: list[DraftMedicine] = []
    by_drug: dict[object, int] = {}
    for m in answer.medications:
        line, quote = restore(m.line).strip(), restore(m.quote).strip()
        if not line:
            continue
        try:
            expansion = expand(line, catalogue)
        except UnreadableLine as exc:
            unsupported.append(Unsupported("medications", line, f"not a prescription line Nadi can read ({exc})"))
            continue
        reason = grounding.medicine(line, quote, expansion)
        if reason:
            unsupported.append(Unsupported("medications", line, reason))
            continue
        # The same medicine twice (read in two overlapping parts, or repeated by the doctor): the
        # fuller line stays, the later one when equally full, since the doctor's last word counts.
        drug = (expansion.brand or "", expansion.generic) if expansion.generic else fold(line)
        item = DraftMedicine(line, quote, expansion)
        if drug in by_drug:
            earlier = accepted[by_drug[drug]]
            if _fullness(expansion) >= _fullness(earlier.expansion):
                accepted[by_drug[drug]] = item
            continue
        by_drug[drug] = len(accepted)
        accepted.append(item)
    return accepted


def _fullness(e: Expansion) -> int:
    return sum(x is not None for x in (e.strength, e.dose_value, e.per_day, e.duration_days, e.timing)) - len(e.ambiguities)


def _alerts(medications: list[DraftMedicine], patient: PatientContext | None, catalogue: Catalogue) -> list[Alert]:
    """Safety alerts for the drafted medicines, checked together with what the patient already
    takes and against their allergies and conditions; only alerts involving a drafted medicine."""
    if not medications:
        return []
    items = [ItemFacts.of(m.expansion.drug_label, m.expansion.generic, m.expansion.route) for m in medications]
    current = list(patient.current_medicines) if patient else []
    found = check_prescription(items + current, patient.allergies if patient else (), patient.conditions if patient else (), catalogue)
    drafted = len(items)
    out = []
    for alert in found:
        mine = tuple(i for i in alert.items if i < drafted)
        if mine:
            out.append(Alert(alert.key, alert.kind, alert.severity, alert.message, alert.source, mine))
    return out


def vital_fields(key: str | None, value: str, unit: str) -> dict:
    """The visit's vitals fields a reading fills, in the units the record keeps (°C, kg, cm,
    mg/dL); empty when the reading cannot be placed with confidence."""
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", value)]
    unit = fold(unit)
    if not numbers or key is None:
        return {}
    first = numbers[0]
    if key == "bp" and len(numbers) >= 2:
        return {"systolic": int(numbers[0]), "diastolic": int(numbers[1])}
    if key == "pulse":
        return {"pulse": int(first)}
    if key == "spo2":
        return {"spo2": int(first)}
    if key == "respiratory_rate":
        return {"respiratory_rate": int(first)}
    if key == "temperature":
        fahrenheit = "f" in unit or (not unit.strip() and first > 45)
        celsius = round((first - 32) * 5 / 9, 1) if fahrenheit else first
        return {"temperature_c": celsius} if 30 <= celsius <= 45 else {}
    if key == "weight" and unit.strip() in ("", "kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"):
        return {"weight_kg": first}
    if key == "height" and unit.strip() in ("cm", "cms", "centimetre", "centimetres"):
        return {"height_cm": first}
    if key == "blood_glucose" and ("mg" in unit or not unit.strip()):
        return {"blood_glucose_mg_dl": first}
    return {}


def follow_up_days(text: str) -> int | None:
    """Days until the follow-up, when the text says it plainly ("after 5 days", "in 2 weeks")."""
    folded = fold(text)
    match = re.search(r"(\d+)\s*(day|days|d|week|weeks|wk|wks|month|months)\b", folded)
    if match:
        n, unit = int(match.group(1)), match.group(2)
        return n * (7 if unit.startswith("w") else 30 if unit.startswith("m") else 1)
    if re.search(r"\b(a|one)\s+week\b", folded):
        return 7
    if re.search(r"\b(a|one)\s+month\b", folded):
        return 30
    if "tomorrow" in folded:
        return 1
    return None
