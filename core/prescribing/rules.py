"""Safety rules as data: `data/rules.toml`, every rule with a severity, a one-line reason and a source.

Rules name medicines by selector: "class:<key>" (a drug class from generics.csv) or "drug:<Generic>".
Loading checks the whole file and refuses it with a message naming the rule when anything is off,
so a mistyped edit to the rules cannot quietly switch a check off.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

from core.prescribing.catalogue import CatalogueError

SEVERITIES = ("contraindicated", "major", "moderate", "minor")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}  # 0 is the most serious
_PREDICATE = re.compile(r"^\s*(per_day|duration_days)\s*(>=|>|<=|<|==)\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Selector:
    kind: str  # 'class' or 'drug'
    value: str

    @classmethod
    def parse(cls, text: str, where: str) -> Selector:
        kind, sep, value = text.partition(":")
        if not sep or kind not in ("class", "drug") or not value.strip():
            raise CatalogueError(f"rules.toml {where}: {text!r} is not a selector (write class:<key> or drug:<Generic name>)")
        return cls(kind, value.strip() if kind == "drug" else value.strip().lower())

    def matches(self, ingredient: str, classes: frozenset[str]) -> bool:
        if self.kind == "class":
            return self.value in classes
        return ingredient.lower() == self.value.lower()

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def _any(selectors: tuple[Selector, ...], ingredient: str, classes: frozenset[str]) -> bool:
    return any(s.matches(ingredient, classes) for s in selectors)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    reason: str
    source: str


@dataclass(frozen=True)
class Interaction(Rule):
    a: tuple[Selector, ...]
    b: tuple[Selector, ...]

    def applies(self, first: tuple[str, frozenset[str]], second: tuple[str, frozenset[str]]) -> bool:
        return (_any(self.a, *first) and _any(self.b, *second)) or (_any(self.a, *second) and _any(self.b, *first))


@dataclass(frozen=True)
class Allergen(Rule):
    names: tuple[str, ...]
    covers: tuple[Selector, ...]
    cross: tuple[Selector, ...]
    cross_severity: str | None
    cross_reason: str | None

    def named_in(self, allergy_text: str) -> bool:
        text = allergy_text.lower()
        return any(re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", text) for name in self.names)


@dataclass(frozen=True)
class Duplicate(Rule):
    drug_class: str
    except_: tuple[Selector, ...]


@dataclass(frozen=True)
class ConditionRule(Rule):
    names: tuple[str, ...]
    icd10: tuple[str, ...]
    drugs: tuple[Selector, ...]

    def recorded_in(self, name: str, code: str | None) -> bool:
        text = name.lower()
        if any(re.search(r"(?<![a-z])" + re.escape(n) + r"(?![a-z])", text) for n in self.names):
            return True
        return bool(code) and any(code.upper().startswith(prefix.upper()) for prefix in self.icd10)


@dataclass(frozen=True)
class DosePattern(Rule):
    drugs: tuple[Selector, ...]
    route: str | None
    field: str
    op: str
    value: float

    @cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(s.value.lower() for s in self.drugs if s.kind == "drug")

    @cached_property
    def _classes(self) -> frozenset[str]:
        return frozenset(s.value for s in self.drugs if s.kind == "class")

    def covers(self, ingredient: str, classes: frozenset[str]) -> bool:
        """Whether the rule is about this ingredient (checked on every line typed, so by set lookup)."""
        return ingredient.lower() in self._names or not self._classes.isdisjoint(classes)

    def holds(self, per_day: float | None, duration_days: int | None) -> bool:
        actual = per_day if self.field == "per_day" else duration_days
        if actual is None:
            return False
        return {">=": actual >= self.value, ">": actual > self.value, "<=": actual <= self.value,
                "<": actual < self.value, "==": actual == self.value}[self.op]


@dataclass(frozen=True)
class Rules:
    interactions: tuple[Interaction, ...]
    herb_interactions: tuple[Interaction, ...]
    allergens: tuple[Allergen, ...]
    duplicates: tuple[Duplicate, ...]
    conditions: tuple[ConditionRule, ...]
    dose_patterns: tuple[DosePattern, ...]

    def __len__(self) -> int:
        return sum(len(group) for group in (self.interactions, self.herb_interactions, self.allergens,
                                             self.duplicates, self.conditions, self.dose_patterns))


def _common(entry: dict, kind: str, seen: set[str]) -> dict:
    rule_id = entry.get("id")
    where = f"[[{kind}]] {rule_id or '(no id)'}"
    if not rule_id or rule_id in seen:
        raise CatalogueError(f"rules.toml {where}: every rule needs a unique id")
    seen.add(rule_id)
    severity = entry.get("severity")
    if kind != "allergen" and severity not in SEVERITIES:
        raise CatalogueError(f"rules.toml {where}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    for key in ("reason", "source"):
        if not str(entry.get(key, "")).strip():
            raise CatalogueError(f"rules.toml {where}: {key} is missing (every rule carries its reason and its source)")
    return {"id": rule_id, "severity": severity or "contraindicated", "reason": entry["reason"].strip(), "source": entry["source"].strip()}


def _selectors(entry: dict, key: str, where: str) -> tuple[Selector, ...]:
    return tuple(Selector.parse(text, where) for text in entry.get(key, []))


def parse_rules(document: dict) -> Rules:
    seen: set[str] = set()
    interactions = tuple(
        Interaction(**_common(e, "interaction", seen), a=_selectors(e, "a", e["id"]), b=_selectors(e, "b", e["id"]))
        for e in document.get("interaction", [])
    )
    herbs = tuple(
        Interaction(**_common(e, "herb_interaction", seen), a=_selectors(e, "herb", e["id"]), b=_selectors(e, "drug", e["id"]))
        for e in document.get("herb_interaction", [])
    )
    allergens = []
    for e in document.get("allergen", []):
        common = _common(e, "allergen", seen)
        cross_severity = e.get("cross_severity")
        if e.get("cross") and cross_severity not in SEVERITIES:
            raise CatalogueError(f"rules.toml [[allergen]] {e['id']}: cross_severity {cross_severity!r} is not one of {', '.join(SEVERITIES)}")
        allergens.append(Allergen(**common, names=tuple(n.lower() for n in e.get("names", [])), covers=_selectors(e, "covers", e["id"]),
                                  cross=_selectors(e, "cross", e["id"]), cross_severity=cross_severity, cross_reason=e.get("cross_reason")))
    duplicates = tuple(
        Duplicate(**_common(e, "duplicate", seen), drug_class=e["class"], except_=_selectors(e, "except", e["id"]))
        for e in document.get("duplicate", [])
    )
    conditions = tuple(
        ConditionRule(**_common(e, "condition", seen), names=tuple(n.lower() for n in e.get("condition_names", [])),
                      icd10=tuple(e.get("icd10", [])), drugs=_selectors(e, "drugs", e["id"]))
        for e in document.get("condition", [])
    )
    patterns = []
    for e in document.get("dose_pattern", []):
        common = _common(e, "dose_pattern", seen)
        match = _PREDICATE.match(e.get("when", ""))
        if not match:
            raise CatalogueError(f"rules.toml [[dose_pattern]] {e['id']}: when = {e.get('when')!r} is not 'per_day >= N' or 'duration_days > N'")
        patterns.append(DosePattern(**common, drugs=_selectors(e, "drugs", e["id"]), route=e.get("route"),
                                    field=match.group(1), op=match.group(2), value=float(match.group(3))))
    return Rules(interactions, herbs, tuple(allergens), duplicates, conditions, tuple(patterns))


@cache
def shipped_rules() -> Rules:
    text = resources.files("core.prescribing.data").joinpath("rules.toml").read_text(encoding="utf-8")
    return parse_rules(tomllib.loads(text))
