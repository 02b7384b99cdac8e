"""Which vital signs are out of the usual adult range, for marking them where the doctor looks.

Cut-offs are the common adult screening thresholds: blood pressure per the ISH 2020 guideline
(≥140/90 high), the Asian BMI bands used in India (≥23 overweight, ≥25 obese; WHO expert
consultation 2004 and the Indian consensus statement 2009), fever from 37.8 °C, SpO2 below 94 %,
glucose per the ADA diagnostic thresholds (fasting ≥126, random or after a meal ≥200 mg/dL,
below 70 low). They mark a value for attention; they are not a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping

# field: (low below, high at or above)
ADULT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "systolic": (90, 140),
    "diastolic": (60, 90),
    "pulse": (50, 101),
    "temperature_c": (35.0, 37.8),
    "spo2": (94, None),
    "respiratory_rate": (10, 21),
    "bmi": (18.5, 23.0),
}
GLUCOSE_HIGH = {"fasting": 126, "random": 200, "post_meal": 200}
GLUCOSE_LOW = 70


def vital_flags(values: Mapping[str, object]) -> dict[str, str]:
    """{field: "high" | "low"} for each value outside its usual adult range."""
    flags: dict[str, str] = {}
    for name, (low, high) in ADULT_RANGES.items():
        value = values.get(name)
        if value is None:
            continue
        if low is not None and value < low:
            flags[name] = "low"
        elif high is not None and value >= high:
            flags[name] = "high"
    glucose = values.get("blood_glucose_mg_dl")
    if glucose is not None:
        if glucose < GLUCOSE_LOW:
            flags["blood_glucose_mg_dl"] = "low"
        elif glucose >= GLUCOSE_HIGH.get(str(values.get("glucose_context") or "random"), 200):
            flags["blood_glucose_mg_dl"] = "high"
    return flags


def bmi(weight_kg: float | None, height_cm: float | None) -> float | None:
    if not weight_kg or not height_cm:
        return None
    return round(weight_kg / (height_cm / 100) ** 2, 1)


def bmi_band(value: float) -> str:
    """The Asian BMI band, in words a patient is told."""
    if value < 18.5:
        return "underweight"
    if value < 23:
        return "normal"
    if value < 25:
        return "overweight"
    return "obese"
