"""Input models for the service boundary. A rejected input raises InvalidInput naming each field.

Values are normalised on the way in (mobile to 10 digits, ABHA number to XX-XXXX-XXXX-XXXX,
ABHA address to lower case) so that search and duplicate detection compare like with like.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from core.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

_SEPARATORS = re.compile(r"[\s\-().]")


def indian_mobile(value: str) -> str:
    digits = _SEPARATORS.sub("", value)
    if digits.startswith("+91"):
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    if not (len(digits) == 10 and digits.isdigit() and digits[0] in "6789"):
        raise ValueError(f"{value!r} is not an Indian mobile number (10 digits starting with 6, 7, 8 or 9; +91 optional)")
    return digits


def phone_number(value: str) -> str:
    """A clinic's phone: a mobile or a landline with its STD code, kept as 10 digits."""
    digits = _SEPARATORS.sub("", value)
    digits = digits[3:] if digits.startswith("+91") else digits
    digits = digits[1:] if len(digits) == 11 and digits.startswith("0") else digits
    if not (len(digits) == 10 and digits.isdigit() and digits[0] != "0"):
        raise ValueError(f"{value!r} is not an Indian phone number (10 digits with the STD code, +91 optional)")
    return digits


def abha_number(value: str) -> str:
    digits = _SEPARATORS.sub("", value)
    if not (len(digits) == 14 and digits.isdigit()):
        raise ValueError(f"{value!r} is not an ABHA number (14 digits, written XX-XXXX-XXXX-XXXX)")
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


_ABHA_ADDRESS = re.compile(r"^[a-z0-9](?:[a-z0-9._]{1,30})[a-z0-9]@(abdm|sbx)$")


def abha_address(value: str) -> str:
    cleaned = value.strip().lower()
    if not _ABHA_ADDRESS.match(cleaned) or ".." in cleaned:
        raise ValueError(
            f"{value!r} is not an ABHA address (a handle of letters, digits, '.' or '_' then @abdm, or @sbx in the sandbox)"
        )
    return cleaned


def pincode(value: str) -> str:
    digits = value.replace(" ", "")
    if not (len(digits) == 6 and digits.isdigit() and digits[0] != "0"):
        raise ValueError(f"{value!r} is not a PIN code (6 digits, not starting with 0)")
    return digits


def person_name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not any(ch.isalpha() for ch in cleaned):
        raise ValueError("a name needs at least one letter")
    return cleaned


_GENDERS = {"m": "male", "male": "male", "f": "female", "female": "female", "o": "other", "other": "other", "u": "unknown", "unknown": "unknown"}


def gender(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in _GENDERS:
        return _GENDERS[value.strip().lower()]
    raise ValueError(f"{value!r} is not a gender Nadi records (male, female, other or unknown)")


def past_date(value: date) -> date:
    if value > date.today():
        raise ValueError(f"{value.isoformat()} is in the future")
    if value.year < 1900:
        raise ValueError(f"{value.isoformat()} is before 1900")
    return value


def plausible(low: float, high: float, unit: str):
    """A vital sign inside the range a living patient can show; outside it is a typing slip."""

    def check(value: float | None) -> float | None:
        if value is not None and not (low <= value <= high):
            raise ValueError(f"{value:g} {unit} is outside the plausible range {low:g}–{high:g} {unit}")
        return value

    return AfterValidator(check)


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Mobile = Annotated[str, AfterValidator(indian_mobile)]
Phone = Annotated[str, AfterValidator(phone_number)]
AbhaNumber = Annotated[str, AfterValidator(abha_number)]
AbhaAddress = Annotated[str, AfterValidator(abha_address)]
Pincode = Annotated[str, AfterValidator(pincode)]
PersonName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(person_name)]
Gender = Annotated[str, BeforeValidator(gender)]
PastDate = Annotated[date, AfterValidator(past_date)]
Text = Annotated[str | None, BeforeValidator(_blank_to_none)]


class Input(BaseModel):
    # NaN and infinity pass range checks that compare; no clinical or money value is ever one.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


def _optional(kind):
    return Annotated[kind | None, BeforeValidator(_blank_to_none)]


class IdentifierInput(Input):
    system: Annotated[str, Field(min_length=1, max_length=80)]
    value: Annotated[str, Field(min_length=1, max_length=80)]


class AllergyInput(Input):
    substance: Annotated[str, Field(min_length=1, max_length=200)]
    reaction: Text = None
    severity: Literal["mild", "moderate", "severe"] | None = None


class ConditionInput(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    code: Text = None
    code_system: Text = None
    since: _optional(PastDate) = None


class PatientInput(Input):
    full_name: PersonName
    gender: Gender
    date_of_birth: _optional(PastDate) = None
    age_years: Annotated[int | None, Field(ge=0, le=125)] = None
    mobile: _optional(Mobile) = None
    address_line: Text = None
    city: Text = None
    district: Text = None
    state: Text = None
    pincode: _optional(Pincode) = None
    preferred_language: Text = None
    abha_number: _optional(AbhaNumber) = None
    abha_address: _optional(AbhaAddress) = None
    identifiers: list[IdentifierInput] = []
    allergies: list[AllergyInput] = []
    conditions: list[ConditionInput] = []

    @model_validator(mode="after")
    def _birth(self) -> PatientInput:
        if self.date_of_birth is None and self.age_years is None:
            raise ValueError("date_of_birth: give a date of birth or an age in years")
        if self.date_of_birth is not None and self.age_years is not None:
            if abs(age_on(self.date_of_birth, date.today()) - self.age_years) > 1:
                raise ValueError(f"age_years: age {self.age_years} does not match date of birth {self.date_of_birth.isoformat()}")
        return self


class PatientUpdate(Input):
    """Only the fields given change; None clears a field, absent leaves it alone."""

    full_name: PersonName | None = None
    gender: Gender | None = None
    date_of_birth: _optional(PastDate) = None
    mobile: _optional(Mobile) = None
    address_line: Text = None
    city: Text = None
    district: Text = None
    state: Text = None
    pincode: _optional(Pincode) = None
    preferred_language: Text = None
    abha_number: _optional(AbhaNumber) = None
    abha_address: _optional(AbhaAddress) = None


class VitalsInput(Input):
    systolic: Annotated[int | None, plausible(50, 300, "mmHg")] = None
    diastolic: Annotated[int | None, plausible(20, 200, "mmHg")] = None
    pulse: Annotated[int | None, plausible(20, 250, "beats/min")] = None
    temperature_c: Annotated[float | None, plausible(30, 45, "°C")] = None
    temperature_f: Annotated[float | None, plausible(86, 113, "°F")] = None
    spo2: Annotated[int | None, plausible(50, 100, "%")] = None
    respiratory_rate: Annotated[int | None, plausible(4, 80, "breaths/min")] = None
    weight_kg: Annotated[float | None, plausible(0.3, 350, "kg")] = None
    height_cm: Annotated[float | None, plausible(20, 250, "cm")] = None
    blood_glucose_mg_dl: Annotated[float | None, plausible(10, 1500, "mg/dL")] = None
    glucose_context: Literal["fasting", "random", "post_meal"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> VitalsInput:
        if (self.systolic is None) != (self.diastolic is None):
            raise ValueError("diastolic: blood pressure needs both systolic and diastolic")
        if self.systolic is not None and self.systolic <= self.diastolic:
            raise ValueError(f"systolic: {self.systolic} must be higher than diastolic {self.diastolic}")
        if self.temperature_c is not None and self.temperature_f is not None:
            raise ValueError("temperature_f: give temperature in °C or °F, not both")
        if all(getattr(self, f) is None for f in type(self).model_fields if f != "glucose_context"):
            raise ValueError("no vital sign was given")
        return self

    def celsius(self) -> float | None:
        if self.temperature_f is not None:
            return round((self.temperature_f - 32) * 5 / 9, 1)
        return self.temperature_c

    def bmi(self) -> float | None:
        if self.weight_kg and self.height_cm:
            return round(self.weight_kg / (self.height_cm / 100) ** 2, 1)
        return None


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def parse(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate `data` into `model`, or raise InvalidInput with one message per bad field."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err["loc"] if not str(p).startswith(("function-after", "function-before"))]
            message = err["msg"].removeprefix("Value error, ")
            # Checks across fields name the field they are about as "field: problem".
            named = re.match(r"^([a-z_]+): (.*)$", message)
            if not loc and named:
                loc, message = [named.group(1)], named.group(2)
            field = ".".join(([prefix] if prefix else []) + loc) or (prefix or model.__name__)
            if err["type"] == "extra_forbidden":
                message = "is not a field Nadi knows"
            elif err["type"] == "missing" or (err["type"] == "string_too_short" and err.get("ctx", {}).get("min_length") == 1):
                message = "is required"
            problems.setdefault(field, message)
        raise InvalidInput(problems) from None
