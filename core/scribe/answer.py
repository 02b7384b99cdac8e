"""What the model must return, as pydantic models: their JSON schema is sent as Ollama's `format`
(and as OpenAI's json_schema, Anthropic's tool input), and the answer is validated against them.

Every field is required and no object allows extra keys, so the same schema also satisfies
OpenAI's strict mode. Medicines carry the transcript words that support them: the grounding check
does not trust the quote, but it helps the doctor see where an item came from.
"""

from __future__ import annotations

import copy
import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SoapNote(_Strict):
    subjective: str = Field(description="complaints and history as the patient told them")
    objective: str = Field(description="examination findings and vital signs that were said")
    assessment: str = Field(description="the doctor's impression")
    plan: str = Field(description="treatment, tests and follow-up in a sentence or two")


class VitalMentioned(_Strict):
    name: str = Field(description="BP, pulse, temperature, SpO2, respiratory rate, weight, height or blood sugar")
    value: str = Field(description="the value as said, in digits (BP as 130/80)")
    unit: str = Field(description="the unit as said (mmHg, /min, F, C, %, kg, cm, mg/dL), empty if none was said")


class DiagnosisMentioned(_Strict):
    text: str = Field(description="the diagnosis or impression as a short medical term")
    quote: str = Field(description="the transcript words where the doctor says it")


class MedicationLine(_Strict):
    line: str = Field(description="one prescription line in the clinic's shorthand, e.g. Tab Paracetamol 650 mg 1-0-1 x 5 days after food")
    quote: str = Field(description="the transcript words where the doctor prescribes it")


class ScribeAnswer(_Strict):
    note: SoapNote
    vitals: list[VitalMentioned]
    diagnoses: list[DiagnosisMentioned]
    medications: list[MedicationLine]
    investigations: list[str] = Field(description="tests ordered, e.g. CBC, Urine routine, HbA1c")
    advice: list[str] = Field(description="advice to the patient, one short sentence each")
    follow_up: str = Field(description="when to come back, as said (after 5 days, in 2 weeks); empty if not said")


def answer_schema() -> dict:
    """The JSON schema the model's answer must follow (pydantic's, with its $defs)."""
    return ScribeAnswer.model_json_schema()


def inlined_schema() -> dict:
    """The same schema with every $ref replaced by its definition, for APIs that prefer one
    self-contained object (Anthropic's tool input_schema)."""
    schema = copy.deepcopy(answer_schema())
    defs = schema.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]))
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def empty_answer() -> ScribeAnswer:
    return ScribeAnswer(note=SoapNote(subjective="", objective="", assessment="", plan=""), vitals=[], diagnoses=[],
                        medications=[], investigations=[], advice=[], follow_up="")


class AnswerRejected(ValueError):
    """The model's text is not a valid answer; `problem` is what the model is told on the retry."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(problem)


def parse_answer(text: str) -> ScribeAnswer:
    """The model's text as an answer, or AnswerRejected naming what is wrong (in words a model can
    act on: which field, what was expected)."""
    stripped = (text or "").strip()
    if stripped.startswith("```"):  # some models fence JSON even when told not to; the content is what counts
        stripped = stripped.strip("`").removeprefix("json").strip()
    if not stripped:
        raise AnswerRejected("the answer was empty")
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise AnswerRejected(f"the answer is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    try:
        return ScribeAnswer.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:8]:
            where = ".".join(str(p) for p in err["loc"]) or "the answer"
            problems.append(f"{where}: {err['msg']}")
        more = f" (and {exc.error_count() - 8} more)" if exc.error_count() > 8 else ""
        raise AnswerRejected("the JSON does not match the schema: " + "; ".join(problems) + more) from None
