"""Keeping who the patient is away from the model (AI_NO_RAW_PATIENT_DATA=true).

Before anything is sent, the patient's name (whole, and each part of it, in the spellings people
use for it), mobile, ABHA number and address, other ids and address are replaced by placeholders
such as [PATIENT] and [MOBILE-1]; so are mobile numbers, Aadhaar-like 12-digit numbers, ABHA
numbers and e-mail / ABHA addresses found anywhere in the transcript, whoever they belong to. The
model writes the placeholders back; `restore` puts the real values in the draft the doctor sees.
The mapping lives only in this object, in memory.
"""

from __future__ import annotations

import re
from collections import Counter

from core.scribe.patient import PatientContext
from core.search.names import name_tokens, phonetic_key

_PLACEHOLDER = re.compile(r"\[(PATIENT(?:-NAME-\d+)?|MOBILE-\d+|ABHA-NUMBER-\d+|ABHA-ADDRESS-\d+|AADHAAR-\d+|ADDRESS-\d+|ID-\d+|EMAIL-\d+)\]",
                          re.IGNORECASE)
_SEP = r"[ \t\-.]?"
# Mobile numbers as people write and dictate them: 10 digits from 6-9, whole or grouped 5+5,
# 3+3+4, 4+3+3, 3+4+3, 2+4+4, 4+6, 6+4; with +91, 91 or 0 in front. Groups are fixed so that a run
# of readings ("SpO2 98, 100 / 120 80") is never taken for a phone number.
_MOBILE_GROUPS = ["10", "5 5", "3 3 4", "4 3 3", "3 4 3", "2 4 4", "4 6", "6 4", "2 2 2 2 2"]


def _grouped(groups: str, first: str) -> str:
    sizes = [int(g) for g in groups.split()]
    parts = []
    for n, size in enumerate(sizes):
        digits = (first + rf"\d{{{size - 1}}}") if n == 0 else rf"\d{{{size}}}"
        parts.append(digits)
    return r"[ \-]".join(parts) if len(parts) > 1 else parts[0]


_MOBILE = re.compile(r"(?<![\d\w])(?:(?:\+|00)?91[ \-]?|0)?(?:" + "|".join(_grouped(g, "[6-9]") for g in _MOBILE_GROUPS) + r")(?![\d])")
_ABHA_NUMBER = re.compile(r"(?<![\d])\d{2}[ \-]?\d{4}[ \-]?\d{4}[ \-]?\d{4}(?![\d])")
_AADHAAR = re.compile(r"(?<![\d])\d{4}[ \-]?\d{4}[ \-]?\d{4}(?![\d])")
# The patient's own details are replaced longest-first in meaning: an ABHA address holds their
# name, an address may too; the name's parts go last.
_ORDER = ["abha_address", "abha_number", "mobile", "id", "address", "name"]
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def _digits_pattern(value: str) -> re.Pattern | None:
    """A number however it is spaced or dashed: 9876543210 as "98765 43210" or "98765-43210"."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 6:
        return None
    if len(digits) == 10:  # a mobile may be said with the country code or a leading 0
        return re.compile(r"(?<!\d)(?:(?:\+|00)?91[ \-]?|0)?" + _SEP.join(digits) + r"(?!\d)")
    return re.compile(r"(?<!\d)" + _SEP.join(digits) + r"(?!\d)")


def _words_pattern(value: str) -> re.Pattern | None:
    words = re.findall(r"\w+", value or "")
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"[\s,.\-/]+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)


class Deidentifier:
    """Placeholders in, real values out, for one draft."""

    def __init__(self, patient: PatientContext | None) -> None:
        self._values: dict[str, str] = {}  # placeholder -> real value (as first seen)
        self._by_value: dict[tuple[str, str], str] = {}
        self._numbers: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()  # what was replaced, by kind (no values): for the draft's metadata
        # (kind, pattern, fixed placeholder or None, the value as recorded): restored as recorded
        self._patient_rules: list[tuple[str, re.Pattern, str | None, str]] = []
        self._name_keys: dict[str, str] = {}
        if patient is not None:
            self._learn(patient)

    def _learn(self, p: PatientContext) -> None:
        rules = self._patient_rules
        if p.name and (pattern := _words_pattern(p.name)):
            rules.append(("name", pattern, "[PATIENT]", p.name))
        as_written = {w.lower(): w for w in re.findall(r"\w+", p.name or "")}
        parts = [t for t in name_tokens(p.name) if len(t) >= 3]
        for part in sorted(set(parts), key=len, reverse=True):
            rules.append(("name", re.compile(r"(?<!\w)" + re.escape(part) + r"(?!\w)", re.IGNORECASE), None, as_written.get(part, part)))
            key = phonetic_key(part)
            if len(part) >= 5 and len(key) >= 4:
                self._name_keys[key] = as_written.get(part, part)
        for kind, value in (("abha_number", p.abha_number), ("mobile", p.mobile), *(("id", v) for v in p.other_ids)):
            pattern = _digits_pattern(value or "") if re.sub(r"\D", "", value or "") == re.sub(r"[\s\-]", "", value or "") else None
            pattern = pattern or (_words_pattern(value) if value and len(value.strip()) >= 4 else None)
            if pattern and value:
                rules.append((kind, pattern, None, value))
        if p.abha_address and p.abha_address.strip():
            literal = re.compile(r"(?<![\w.+-])" + re.escape(p.abha_address.strip()) + r"(?![\w-])", re.IGNORECASE)
            rules.append(("abha_address", literal, None, p.abha_address.strip()))
        for line in p.address:
            if re.fullmatch(r"\d{6}", line.strip()):
                rules.append(("address", re.compile(r"(?<!\d)" + line.strip()[:3] + r"\s?" + line.strip()[3:] + r"(?!\d)"), None, line.strip()))
                continue
            if pattern := _words_pattern(line):
                rules.append(("address", pattern, None, line))
            for piece in re.split(r"[,;\n]+", line):
                piece = piece.strip()
                if len(re.sub(r"\W", "", piece)) >= 4 and not piece.isdigit() and (pattern := _words_pattern(piece)):
                    rules.append(("address", pattern, None, piece))

    def _placeholder(self, kind: str, value: str, fixed: str | None = None) -> str:
        key = (kind, re.sub(r"[\s\-.]", "", value).lower())
        if key in self._by_value:
            return self._by_value[key]
        if fixed is None:
            self._numbers[kind] += 1
            label = {"name": "PATIENT-NAME", "mobile": "MOBILE", "abha_number": "ABHA-NUMBER", "abha_address": "ABHA-ADDRESS",
                     "aadhaar": "AADHAAR", "address": "ADDRESS", "id": "ID", "email": "EMAIL"}[kind]
            fixed = f"[{label}-{self._numbers[kind]}]"
        self._by_value[key] = fixed
        self._values.setdefault(fixed, value)
        return fixed

    def scrub(self, text: str) -> str:
        """The text with everything that identifies a person replaced by placeholders."""
        def replace(kind: str, fixed: str | None = None, recorded: str | None = None):
            def swap(match: re.Match) -> str:
                self.counts[kind] += 1
                return self._placeholder(kind, recorded or match.group(0), fixed)
            return swap

        for kind, pattern, fixed, recorded in sorted(self._patient_rules, key=lambda rule: _ORDER.index(rule[0])):
            text = pattern.sub(replace(kind, fixed, recorded), text)
        if self._name_keys:  # "Laxmi" for a patient registered as Lakshmi
            def other_spelling(match: re.Match) -> str:
                word = match.group(0)
                part = self._name_keys.get(phonetic_key(word.lower())) if len(word) >= 5 else None
                if part is None:
                    return word
                self.counts["name"] += 1
                return self._placeholder("name", part)
            text = re.sub(r"(?<![\w\[\-])[A-Za-z]{5,}(?![\w\]])", other_spelling, text)
        text = _EMAIL.sub(lambda m: self._address_or_email(m.group(0)), text)
        text = _ABHA_NUMBER.sub(replace("abha_number"), text)
        text = _AADHAAR.sub(replace("aadhaar"), text)
        text = _MOBILE.sub(replace("mobile"), text)
        return text

    def _address_or_email(self, value: str) -> str:
        kind = "abha_address" if re.search(r"@(abdm|sbx)$", value, re.IGNORECASE) else "email"
        self.counts[kind] += 1
        return self._placeholder(kind, value)

    def restore(self, text: str) -> str:
        """The model's text with the real values back in place of the placeholders."""
        if not text or "[" not in text:
            return text

        def back(match: re.Match) -> str:
            key = "[" + match.group(1).upper() + "]"
            if key == "[PATIENT]" and key not in self._values:
                return match.group(0)
            return self._values.get(key, match.group(0))

        return _PLACEHOLDER.sub(back, text)

    def secrets(self) -> list[str]:
        """Every real value replaced (for tests and checks that nothing leaked)."""
        return list(self._values.values())
