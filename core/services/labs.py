"""Lab orders and the results entered against them."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field

from core import audit
from core.errors import InvalidInput
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import Encounter, LabOrder, LabResult
from core.storage.types import utcnow
from core.validation import Input, Text, parse


class LabOrderInput(Input):
    test_name: Annotated[str, Field(min_length=1, max_length=200)]
    code: Text = None


class LabResultInput(Input):
    value: Annotated[str, Field(min_length=1, max_length=200)]
    unit: Text = None
    reference_low: float | None = None
    reference_high: float | None = None


def order_lab(db: Database, actor: Actor, encounter_id: str, data: LabOrderInput | dict) -> LabOrder:
    order = parse(LabOrderInput, data, "lab_order")
    with db.write(actor) as session:
        enc = get_or_fail(session, Encounter, encounter_id)
        row = LabOrder(encounter_id=enc.id, patient_id=enc.patient_id, ordered_by=actor.staff_id, status="ordered", **order.model_dump())
        session.add(row)
        session.flush()
        audit.record(session, "lab.order", entity="lab_order", entity_id=row.id, patient_id=row.patient_id, detail={"test": row.test_name})
        return row


def record_lab_result(db: Database, actor: Actor, lab_order_id: str, data: LabResultInput | dict) -> LabResult:
    """Enter a result; numeric values are flagged low/high against the reference range given."""
    return record_lab_results(db, actor, lab_order_id, [data])[0]


def record_lab_results(db: Database, actor: Actor, lab_order_id: str, values: list[LabResultInput | dict]) -> list[LabResult]:
    """Enter the values of one report (a CBC's parts) together: all of them are saved, or none."""
    if not values:
        raise InvalidInput({"lab_result": "enter at least one value"})
    results = [parse(LabResultInput, data, f"lab_result[{n}]") for n, data in enumerate(values)]
    for n, result in enumerate(results):
        if result.reference_low is not None and result.reference_high is not None and result.reference_low > result.reference_high:
            raise InvalidInput({f"lab_result[{n}].reference_low": "the low end of the reference range is above the high end"})
    with db.write(actor) as session:
        order = get_or_fail(session, LabOrder, lab_order_id)
        return [_result_row(session, actor, order, result) for result in results]


def _result_row(session, actor: Actor, order: LabOrder, result: LabResultInput) -> LabResult:
    number, flag = flag_for(result)
    row = LabResult(
        lab_order_id=order.id,
        patient_id=order.patient_id,
        recorded_by=actor.staff_id,
        resulted_at=utcnow(),
        value_text=result.value,
        value_number=number,
        unit=result.unit,
        reference_low=result.reference_low,
        reference_high=result.reference_high,
        flag=flag,
    )
    session.add(row)
    order.status = "resulted"
    session.flush()
    audit.record(session, "lab.result", entity="lab_result", entity_id=row.id, patient_id=order.patient_id, detail={"test": order.test_name, "flag": flag})
    return row


def flag_for(result: LabResultInput) -> tuple[float | None, str | None]:
    """The numeric value, and low/high/normal against the reference range given (if any)."""
    number = _number(result.value)
    if number is None or (result.reference_low is None and result.reference_high is None):
        return number, None
    if result.reference_low is not None and number < result.reference_low:
        return number, "low"
    if result.reference_high is not None and number > result.reference_high:
        return number, "high"
    return number, "normal"


def _number(value: str) -> float | None:
    """The value as a number when it is one ("13.2", "1,50,000"); text like "Reactive" stays text."""
    try:
        number = float(value.replace(",", "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None
