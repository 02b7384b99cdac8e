"""A patient's lab results over time, for the trend chart, and the orders still awaiting a result.

A result row holds its value, unit and reference range but not which test of a panel it is. For
an order of a single test the order names it; for a panel (CBC, LFT, ...) each result is matched to
the panel's tests by unit, then by reference range, then in the order the report lists them, so
a CBC's haemoglobin joins the haemoglobin series whether it came alone or in a CBC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.clinical.terms import Investigation, investigation, panel_components
from core.storage.database import Database
from core.storage.models import LabOrder, LabResult


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    unit: str | None
    flag: str | None  # low | high | normal | None when no range was given
    low: float | None
    high: float | None


@dataclass(frozen=True)
class OpenOrder:
    id: str
    test_name: str
    code: str | None
    encounter_id: str
    ordered_at: datetime


def _unit(text: str | None) -> str:
    return (text or "").replace(" ", "").lower()


def _same_range(result: LabResult, inv: Investigation) -> bool:
    given = (result.reference_low, result.reference_high)
    return given in ((inv.low_male, inv.high_male), (inv.low_female, inv.high_female))


def _component_names(results: list[LabResult], components: list[Investigation]) -> list[str | None]:
    numeric = [c for c in components if c.numeric]
    used: set[str] = set()
    names: list[str | None] = []
    for result in results:
        candidates = [c for c in numeric if c.name not in used and _unit(c.unit) == _unit(result.unit)]
        in_range = [c for c in candidates if _same_range(result, c)]
        pick = (in_range or candidates or [None])[0]
        if pick is not None:
            used.add(pick.name)
        names.append(pick.name if pick else None)
    return names


def _series_names(order: LabOrder, results: list[LabResult]) -> list[str]:
    known = investigation(order.test_name)
    label = known.name if known else " ".join(order.test_name.split())
    components = panel_components(label) if known else []
    if not components:
        return [label] * len(results)
    return [name or f"{label} ({result.unit or 'no unit'})" for name, result in zip(_component_names(results, components), results, strict=True)]


def lab_series(db: Database, patient_id: str) -> dict[str, list[Point]]:
    """Each test's numeric results, oldest first, keyed by the test's name as Nadi knows it."""
    with db.read() as session:
        orders = {o.id: o for o in session.scalars(select(LabOrder).where(LabOrder.patient_id == patient_id, LabOrder.voided_at.is_(None)))}
        by_order: dict[str, list[LabResult]] = {}
        query = select(LabResult).where(LabResult.patient_id == patient_id, LabResult.voided_at.is_(None)).order_by(LabResult.resulted_at, LabResult.id)
        for result in session.scalars(query):
            if result.lab_order_id in orders:
                by_order.setdefault(result.lab_order_id, []).append(result)
    series: dict[str, list[Point]] = {}
    for order_id, results in by_order.items():
        for name, r in zip(_series_names(orders[order_id], results), results, strict=True):
            if r.value_number is not None:
                series.setdefault(name, []).append(Point(r.resulted_at, r.value_number, r.unit, r.flag, r.reference_low, r.reference_high))
    for points in series.values():
        points.sort(key=lambda p: p.at)
    return dict(sorted(series.items(), key=lambda item: item[0].lower()))


def open_lab_orders(db: Database, patient_id: str) -> list[OpenOrder]:
    """Orders with no result yet, newest first."""
    with db.read() as session:
        resulted = select(LabResult.lab_order_id).where(LabResult.voided_at.is_(None))
        query = (
            select(LabOrder)
            .where(LabOrder.patient_id == patient_id, LabOrder.voided_at.is_(None), LabOrder.id.not_in(resulted))
            .order_by(LabOrder.created_at.desc(), LabOrder.id.desc())
        )
        return [OpenOrder(o.id, o.test_name, o.code, o.encounter_id, o.created_at) for o in session.scalars(query)]
