"""Scoring drafts against reference consults of our own (data/consults/*.toml, English and
Hinglish), so any model can be judged wherever one is installed: `nadi scribe eval`.

What it measures, per consult and overall, for medicines, diagnoses and vital signs:
  coverage          expected items the accepted draft has (medicines by ingredient, diagnoses by
                    name/alias/ICD-10 code, vitals by kind and value)
  unsupported rate  of everything the model put forward, the share the reference does not have:
                    items the grounding check caught (moved to `unsupported`) plus items that got
                    through although the reference lacks them
  slipped through   accepted items the reference lacks: what a doctor would have to catch
  details           for medicines found, whether strength, frequency and duration match
Investigations and follow-up are scored for coverage too.

The scoring is plain Python and offline. What it cannot show without a real model: how well
that model listens. Against the stand-in used in our tests it only proves the scoring works.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources

from core.scribe.answer import DiagnosisMentioned, MedicationLine, ScribeAnswer, SoapNote, VitalMentioned
from core.scribe.draft import Draft
from core.scribe.grounding import diagnosis_code, vital_key
from core.scribe.said import fold, tokens

FIELDS = ("medications", "diagnoses", "vitals")
VITAL_NAMES = {"bp": "BP", "pulse": "Pulse", "temperature": "Temperature", "spo2": "SpO2", "respiratory_rate": "Respiratory rate",
               "weight": "Weight", "height": "Height", "blood_glucose": "Blood sugar"}


@dataclass(frozen=True)
class ExpectedMedicine:
    line: str
    generic: str
    strength: str | None = None
    per_day: int | None = None
    days: int | None = None


@dataclass(frozen=True)
class ExpectedDiagnosis:
    text: str
    accept: tuple[str, ...]
    code: str | None = None


@dataclass(frozen=True)
class ReferenceConsult:
    id: str
    title: str
    language: str
    transcript: str
    medications: tuple[ExpectedMedicine, ...]
    diagnoses: tuple[ExpectedDiagnosis, ...]
    vitals: tuple[tuple[str, str], ...]  # (kind, value)
    investigations: tuple[str, ...] = ()
    follow_up_days: int | None = None

    def perfect_answer(self) -> ScribeAnswer:
        """What a model that heard everything, and invented nothing, would answer."""
        return ScribeAnswer(
            note=SoapNote(subjective="", objective="", assessment="", plan=""),
            vitals=[VitalMentioned(name=VITAL_NAMES.get(k, k), value=v, unit="") for k, v in self.vitals],
            diagnoses=[DiagnosisMentioned(text=d.text, quote="") for d in self.diagnoses],
            medications=[MedicationLine(line=m.line, quote="") for m in self.medications],
            investigations=list(self.investigations), advice=[],
            follow_up=f"after {self.follow_up_days} days" if self.follow_up_days else "",
        )


def reference_consults() -> list[ReferenceConsult]:
    folder = resources.files("core.scribe").joinpath("data").joinpath("consults")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        raw = tomllib.loads(entry.read_text(encoding="utf-8"))
        expected = raw["expected"]
        out.append(ReferenceConsult(
            id=raw["id"], title=raw["title"], language=raw["language"], transcript=raw["transcript"].strip(),
            medications=tuple(ExpectedMedicine(m["line"], m["generic"], m.get("strength"), m.get("per_day"), m.get("days"))
                              for m in expected.get("medications", [])),
            diagnoses=tuple(ExpectedDiagnosis(d["text"], tuple(d.get("accept", [d["text"]])), d.get("code")) for d in expected.get("diagnoses", [])),
            vitals=tuple((v["name"], v["value"]) for v in expected.get("vitals", [])),
            investigations=tuple(expected.get("investigations", [])), follow_up_days=expected.get("follow_up_days"),
        ))
    return out


# -- scoring --------------------------------------------------------------------------------------


@dataclass
class FieldScore:
    expected: int = 0
    found: int = 0  # expected items present in the accepted draft
    accepted: int = 0  # items in the accepted draft
    extra: int = 0  # accepted items the reference does not have ("slipped through")
    rejected: int = 0  # items the grounding check moved to unsupported
    missed: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def add(self, other: FieldScore) -> None:
        self.expected += other.expected
        self.found += other.found
        self.accepted += other.accepted
        self.extra += other.extra
        self.rejected += other.rejected

    @property
    def coverage(self) -> float | None:
        return round(self.found / self.expected, 3) if self.expected else None

    @property
    def unsupported_rate(self) -> float | None:
        produced = self.accepted + self.rejected
        return round((self.extra + self.rejected) / produced, 3) if produced else None

    @property
    def slipped_rate(self) -> float | None:
        return round(self.extra / self.accepted, 3) if self.accepted else None

    def as_dict(self) -> dict:
        return {"expected": self.expected, "found": self.found, "accepted": self.accepted, "extra": self.extra, "rejected": self.rejected,
                "coverage": self.coverage, "unsupported_rate": self.unsupported_rate, "slipped_rate": self.slipped_rate,
                "missed": self.missed, "extras": self.extras}


@dataclass
class ConsultScore:
    consult: str
    language: str
    fields: dict[str, FieldScore]
    details: dict[str, list[bool]]  # strength / frequency / duration agreement, per medicine found
    investigations: FieldScore
    follow_up_ok: bool | None
    seconds: float | None = None
    error: str | None = None

    def total(self) -> FieldScore:
        out = FieldScore()
        for score in self.fields.values():
            out.add(score)
        return out

    def as_dict(self) -> dict:
        total = self.total()
        return {"consult": self.consult, "language": self.language, "coverage": total.coverage, "unsupported_rate": total.unsupported_rate,
                "slipped_rate": total.slipped_rate, "fields": {k: v.as_dict() for k, v in self.fields.items()},
                "medication_details": {k: _share(v) for k, v in self.details.items()},
                "investigations": self.investigations.as_dict(), "follow_up_ok": self.follow_up_ok, "seconds": self.seconds,
                "error": self.error}


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _numbers(text: str | None) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text or "")]


def score_draft(draft: Draft, consult: ReferenceConsult) -> ConsultScore:
    rejected = {f: sum(1 for u in draft.unsupported if u.field == f) for f in (*FIELDS, "investigations")}
    fields = {f: FieldScore(rejected=rejected[f]) for f in FIELDS}
    details: dict[str, list[bool]] = {"strength": [], "frequency": [], "duration": []}

    meds = fields["medications"]
    meds.expected, meds.accepted = len(consult.medications), len(draft.medications)
    used: set[int] = set()
    for expected in consult.medications:
        wanted = {p.strip().lower() for p in expected.generic.split(" + ")}
        match = next((n for n, m in enumerate(draft.medications) if n not in used
                      and {name.lower() for name, _ in m.expansion.ingredients} == wanted), None)
        if match is None:
            meds.missed.append(expected.line)
            continue
        used.add(match)
        meds.found += 1
        e = draft.medications[match].expansion
        if expected.strength:
            details["strength"].append(_numbers(expected.strength)[:1] == _numbers(e.strength)[:1])
        if expected.per_day:
            details["frequency"].append(e.per_day == Fraction(expected.per_day))
        if expected.days:
            details["duration"].append(e.duration_days == expected.days)
    meds.extras = [m.line for n, m in enumerate(draft.medications) if n not in used]
    meds.extra = len(meds.extras)

    dx = fields["diagnoses"]
    dx.expected, dx.accepted = len(consult.diagnoses), len(draft.diagnoses)
    used = set()
    for expected in consult.diagnoses:
        match = next((n for n, d in enumerate(draft.diagnoses) if n not in used and _same_diagnosis(d.text, d.code, expected)), None)
        if match is None:
            dx.missed.append(expected.text)
            continue
        used.add(match)
        dx.found += 1
    dx.extras = [d.text for n, d in enumerate(draft.diagnoses) if n not in used]
    dx.extra = len(dx.extras)

    vit = fields["vitals"]
    vit.expected, vit.accepted = len(consult.vitals), len(draft.vitals)
    used = set()
    for kind, value in consult.vitals:
        match = next((n for n, v in enumerate(draft.vitals) if n not in used and (v.key or vital_key(v.name)) == kind
                      and _numbers(v.value) == _numbers(value)), None)
        if match is None:
            vit.missed.append(f"{kind} {value}")
            continue
        used.add(match)
        vit.found += 1
    vit.extras = [f"{v.name} {v.value}" for n, v in enumerate(draft.vitals) if n not in used]
    vit.extra = len(vit.extras)

    tests = FieldScore(expected=len(consult.investigations), accepted=len(draft.investigations), rejected=rejected["investigations"])
    said = [" ".join(tokens(t)) for t in draft.investigations]
    for wanted in consult.investigations:
        key = " ".join(tokens(wanted))
        if any(key == s or key in s or s in key for s in said):
            tests.found += 1
        else:
            tests.missed.append(wanted)
    follow_ok = None if consult.follow_up_days is None else draft.follow_up_days == consult.follow_up_days
    return ConsultScore(consult.id, consult.language, fields, details, tests, follow_ok)


def _same_diagnosis(text: str, code: str | None, expected: ExpectedDiagnosis) -> bool:
    if expected.code and (code or diagnosis_code(text)) == expected.code:
        return True
    said = " ".join(tokens(text))
    return any(" ".join(tokens(a)) == said for a in expected.accept) or fold(text).strip() == fold(expected.text).strip()


# -- running a provider over the references --------------------------------------------------------


@dataclass
class EvalReport:
    provider: str
    model: str
    consults: list[ConsultScore]

    def overall(self) -> dict:
        per_field = {f: FieldScore() for f in FIELDS}
        tests = FieldScore()
        details: dict[str, list[bool]] = {"strength": [], "frequency": [], "duration": []}
        follow: list[bool] = []
        for score in self.consults:
            for f in FIELDS:
                per_field[f].add(score.fields[f])
            tests.add(score.investigations)
            for k, v in score.details.items():
                details[k] += v
            if score.follow_up_ok is not None:
                follow.append(score.follow_up_ok)
        total = FieldScore()
        for f in FIELDS:
            total.add(per_field[f])
        return {"coverage": total.coverage, "unsupported_rate": total.unsupported_rate, "slipped_rate": total.slipped_rate,
                "fields": {f: {k: v for k, v in s.as_dict().items() if k not in ("missed", "extras")} for f, s in per_field.items()},
                "medication_details": {k: _share(v) for k, v in details.items()},
                "investigations_coverage": tests.coverage, "follow_up_agreement": _share(follow),
                "consults": len(self.consults), "failed": sum(1 for c in self.consults if c.error)}

    def as_dict(self) -> dict:
        return {"provider": self.provider, "model": self.model, "overall": self.overall(), "consults": [c.as_dict() for c in self.consults]}


def run_eval(draft_for: Callable[[str], Draft], provider: str, model: str, only: list[str] | None = None,
             on_consult: Callable[[ReferenceConsult, ConsultScore], None] | None = None) -> EvalReport:
    """Every reference consult (or those named in `only`) through `draft_for` (a function from a
    transcript to a Draft: the configured provider), scored. A consult whose draft fails is scored
    as nothing found, with the error kept."""
    from core.errors import NadiError  # noqa: PLC0415

    consults = reference_consults()
    if only:
        unknown = sorted(set(only) - {c.id for c in consults})
        if unknown:
            raise NadiError(f"no reference consult {', '.join(unknown)} (there are: {', '.join(c.id for c in consults)})")
        consults = [c for c in consults if c.id in only]
    scores = []
    for consult in consults:
        started = time.monotonic()
        try:
            score = score_draft(draft_for(consult.transcript), consult)
        except NadiError as exc:
            score = _failed(consult, str(exc))
        score.seconds = round(time.monotonic() - started, 2)
        scores.append(score)
        if on_consult is not None:
            on_consult(consult, score)
    return EvalReport(provider, model, scores)


def _failed(consult: ReferenceConsult, error: str) -> ConsultScore:
    fields = {f: FieldScore() for f in FIELDS}
    fields["medications"].expected = len(consult.medications)
    fields["diagnoses"].expected = len(consult.diagnoses)
    fields["vitals"].expected = len(consult.vitals)
    return ConsultScore(consult.id, consult.language, fields, {"strength": [], "frequency": [], "duration": []},
                        FieldScore(expected=len(consult.investigations)), None, error=error)
