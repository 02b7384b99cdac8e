"""A small deterministic "model" for the stand-in servers: it reads the transcript it was sent with
plain patterns and answers in the scribe's JSON shape, the way a well-behaved model would for
simple consults. It knows nothing of Nadi's code (it must not: it is what Nadi is tested against).

It can be told to misbehave: answer with text that is not JSON, or JSON that breaks the schema,
invent a medicine, or change a dose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# name said -> how the stand-in writes it on a prescription line
MEDICINES = {
    "paracetamol": ("Tab", "Paracetamol"), "dolo": ("Tab", "Dolo"), "crocin": ("Tab", "Crocin"),
    "levocetirizine": ("Tab", "Levocetirizine"), "cetirizine": ("Tab", "Cetirizine"), "montelukast": ("Tab", "Montelukast"),
    "metformin": ("Tab", "Metformin"), "glimepiride": ("Tab", "Glimepiride"), "amlodipine": ("Tab", "Amlodipine"),
    "telmisartan": ("Tab", "Telmisartan"), "pan": ("Tab", "Pan"), "pantoprazole": ("Tab", "Pantoprazole"),
    "digene": ("Syp", "Digene"), "ors": ("", "ORS"), "zinc": ("Syp", "Zinc"), "ondansetron": ("Syp", "Ondansetron"),
    "budecort": ("Inh", "Budecort"), "asthalin": ("Inh", "Asthalin"), "nitrofurantoin": ("Tab", "Nitrofurantoin"),
    "amoxicillin": ("Cap", "Amoxicillin"), "azithromycin": ("Tab", "Azithromycin"), "ibuprofen": ("Tab", "Ibuprofen"),
}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "fourteen": 14, "thirty": 30, "ek": 1, "do": 2, "teen": 3, "char": 4, "chaar": 4, "paanch": 5, "saat": 7, "das": 10,
    "chaudah": 14,
}
FREQUENCIES = [
    (r"\b(three times|teen baar|tds|thrice)\b", "TDS"), (r"\b(twice|do baar|bd|morning and night|subah shaam)\b", "BD"),
    (r"\b(four times|char baar|qid)\b", "QID"),
    (r"\b(only if needed|as needed|whenever|sos|zarurat ho|only when)\b", "SOS"),
    (r"\b(raat ko|at bedtime|at night|bedtime)\b", "HS"), (r"\b(once a day|roz|once daily|od|every morning|subah)\b", "OD"),
]
DIAGNOSES = [
    ("viral fever", "Viral fever"), ("urti", "Acute upper respiratory tract infection"), ("diabetes", "Type 2 diabetes mellitus"),
    ("hypertension", "Essential hypertension"), ("gastritis", "Gastritis"), ("gastroenteritis", "Acute gastroenteritis"),
    ("exacerbation of asthma", "Acute exacerbation of asthma"), ("urine infection", "Urinary tract infection"),
    ("tonsillitis", "Acute tonsillitis"), ("sardi khansi", "Acute upper respiratory tract infection"),
]
TESTS = [("cbc", "CBC"), ("hba1c", "HbA1c"), ("lipid profile", "Lipid profile"), ("ecg", "ECG"), ("urine routine", "Urine routine"),
         ("urine culture", "Urine culture"), ("kidney function", "Kidney function test")]
VITALS = [
    (r"\bbp (?:is |today is )?(\d{2,3}) (?:by|/|over) (\d{2,3})", "BP", "{0}/{1}", "mmHg"),
    (r"\bpulse (?:is )?(\d{2,3})", "Pulse", "{0}", "/min"),
    (r"\btemperature (?:is )?(\d{2,3}(?:\.\d)?)", "Temperature", "{0}", "F"),
    (r"\bspo2 (?:is )?(\d{2,3})", "SpO2", "{0}", "%"),
    (r"\bweight (?:is )?(\d{1,3})", "Weight", "{0}", "kg"),
    (r"\brespiratory rate (\d{1,2})", "Respiratory rate", "{0}", "/min"),
    (r"\bfasting sugar (?:today )?(?:is )?(\d{2,3})", "Blood sugar", "{0}", "mg/dL"),
]


@dataclass
class Misbehaviour:
    invalid_json: int = 0  # the next N answers are not JSON
    schema_violations: int = 0  # the next N answers are JSON without the required fields
    invent: str | None = None  # a medicine line added to every answer, as if the model made it up
    change: tuple[str, str] | None = None  # (old, new) text replaced in the medicine lines
    answers_given: int = 0
    transcripts_seen: list[str] = field(default_factory=list)


def transcript_of(prompt: str) -> str:
    match = re.search(r"<transcript>\s*(.*?)\s*(?:</transcript>|$)", prompt, re.S)
    return match.group(1) if match else prompt


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _medicine_line(line: str) -> str | None:
    low = line.lower()
    words = re.findall(r"[a-z]+|\d+(?:\.\d+)?", low)
    name_at = next((i for i, w in enumerate(words) if w in MEDICINES), None)
    if name_at is None:
        return None
    form, name = MEDICINES[words[name_at]]
    if "syrup" in low and form == "Tab":
        form = "Syp"
    parts = [p for p in (form, name) if p]
    after = words[name_at + 1:name_at + 6]
    if after and after[0].replace(".", "").isdigit():
        unit = after[1] if len(after) > 1 else ""
        parts.append(f"{after[0]} mg" if unit == "mg" else f"{after[0]} ml" if unit == "ml" else after[0])
    for pattern, code in FREQUENCIES:
        if re.search(pattern, low):
            parts.append(code)
            break
    duration = next((m for m in re.finditer(r"\b(\w+) (days?|din)\b", low) if _number(m.group(1))), None)
    if duration and not re.search(r"\b(since|se)\b", low[max(0, duration.start() - 8):duration.start()]):
        parts.append(f"x {_number(duration.group(1))} days")
    elif re.search(r"\b(one month|ek mahine)\b", low):
        parts.append("x 1 month")
    elif re.search(r"\b(one week|ek hafte)\b", low):
        parts.append("x 1 week")
    if re.search(r"after food|khane ke baad", low):
        parts.append("after food")
    elif re.search(r"before breakfast|nashte se pehle|khali pet", low):
        parts.append("before breakfast")
    return " ".join(parts)


def answer_for(prompt: str, misbehave: Misbehaviour) -> str:
    """The answer's text, as a model would put it in message.content."""
    transcript = transcript_of(prompt)
    misbehave.transcripts_seen.append(transcript)
    misbehave.answers_given += 1
    if misbehave.invalid_json > 0:
        misbehave.invalid_json -= 1
        return "Sure! Here is the draft of the note: the patient has fever, give paracetamol."
    if misbehave.schema_violations > 0:
        misbehave.schema_violations -= 1
        return json.dumps({"medications": [{"line": "Tab Paracetamol 650 mg TDS"}], "diagnoses": "fever"})
    return json.dumps(extract(transcript, misbehave))


def extract(transcript: str, misbehave: Misbehaviour | None = None) -> dict:
    lines = [line.strip() for line in transcript.splitlines() if line.strip()]
    patient_lines, medications, diagnoses, vitals, tests, advice = [], [], [], [], [], []
    follow_up = ""
    for line in lines:
        speaker, _, said = line.partition(":")
        said = said.strip() if _ else line
        low = said.lower()
        if speaker.strip().lower() in ("patient", "mother", "father"):
            patient_lines.append(said)
            continue
        med = _medicine_line(said)
        if med and not re.search(r"\b(took|stopped|taking your|are you)\b", low):
            medications.append({"line": med, "quote": said})
        for key, text in DIAGNOSES:
            if key in low and all(d["text"] != text for d in diagnoses):
                diagnoses.append({"text": text, "quote": said})
        for pattern, name, value, unit in VITALS:
            for match in re.finditer(pattern, low):
                vitals.append({"name": name, "value": value.format(*match.groups()), "unit": unit})
        for key, text in TESTS:
            if key in low and text not in tests:
                tests.append(text)
        if re.search(r"\b(drink|avoid|rest|paani|mat |kam kijiye|gargle|garare)\b", low):
            advice.append(said)
        follow = re.search(r"\b(?:after|in) (\w+) (days?|weeks?|months?)\b|\b(\w+) (din|hafte) baad\b", low)
        if follow and re.search(r"come back|follow up|show|aaiye|aana|dikhaiye|wapas", low):
            count = _number(follow.group(1) or follow.group(3) or "")
            unit = follow.group(2) or {"din": "days", "hafte": "weeks"}[follow.group(4)]
            if count:
                follow_up = f"after {count} {unit if unit.endswith('s') else unit + 's'}"
    if misbehave is not None:
        if misbehave.change is not None:
            old, new = misbehave.change
            for med in medications:
                med["line"] = med["line"].replace(old, new)
        if misbehave.invent:
            medications.append({"line": misbehave.invent, "quote": "as discussed"})
    return {
        "note": {
            "subjective": " ".join(patient_lines),
            "objective": ", ".join(f"{v['name']} {v['value']}" for v in vitals),
            "assessment": ", ".join(d["text"] for d in diagnoses),
            "plan": "; ".join(m["line"] for m in medications),
        },
        "vitals": vitals,
        "diagnoses": diagnoses,
        "medications": medications,
        "investigations": tests,
        "advice": advice,
        "follow_up": follow_up,
    }
