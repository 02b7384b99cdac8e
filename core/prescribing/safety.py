"""Safety checks over a whole prescription, against the patient's recorded allergies and conditions.

Every alert carries a severity, a one-line reason, the rule's source and a stable key (rule id plus
the medicines involved) so that a doctor's override, given with a reason, still matches the same
alert when the prescription is checked again at signing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from core.prescribing.catalogue import Catalogue, shipped_catalogue
from core.prescribing.rules import SEVERITY_RANK, Rules, shipped_rules

NEEDS_OVERRIDE = {"contraindicated", "major"}
SURFACE_ROUTES = {"topical"}  # creams, gels, lotions, shampoos on the skin
LOCAL_ROUTES = {"ophthalmic", "otic", "nasal"}


@dataclass(frozen=True)
class ItemFacts:
    """What the checks need to know about one prescribed item."""

    label: str  # as the doctor sees it: "Dolo 650 (Paracetamol)"
    ingredients: tuple[str, ...]
    route: str | None = None

    @classmethod
    def of(cls, label: str, composition: str | None, route: str | None = None) -> ItemFacts:
        parts = tuple(p.strip() for p in (composition or "").split(" + ") if p.strip())
        return cls(label, parts, route)

    @property
    def systemic(self) -> bool:
        """Whether interaction and duplicate rules apply: not to a cream on the skin, nor to eye,
        ear or nose drops (their absorption is small; allergies still count, and conditions still
        count for drops, e.g. timolol eye drops in asthma)."""
        return self.route not in LOCAL_ROUTES | SURFACE_ROUTES

    @property
    def absorbed(self) -> bool:
        """Whether condition rules apply: everything except what is put on the skin."""
        return self.route not in SURFACE_ROUTES


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str  # interaction | herb_interaction | allergy | cross_reactivity | duplicate | condition
    severity: str
    message: str
    source: str
    items: tuple[int, ...]  # positions in the list checked

    @property
    def needs_override(self) -> bool:
        return self.severity in NEEDS_OVERRIDE

    def as_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "severity": self.severity, "message": self.message,
                "source": self.source, "items": list(self.items), "needs_override": self.needs_override}


def _key(rule_id: str, names: Iterable[str]) -> str:
    return f"{rule_id}:{'|'.join(sorted(set(names)))}"


def check_prescription(
    items: Sequence[ItemFacts],
    allergies: Sequence[str] = (),
    conditions: Sequence[tuple[str, str | None]] = (),
    catalogue: Catalogue | None = None,
    rules: Rules | None = None,
    only_item: int | None = None,
) -> list[Alert]:
    """All alerts for the prescription; with `only_item`, only those that involve that item (what
    the pad shows as a line is added). Most serious first."""
    catalogue = catalogue or shipped_catalogue()
    rules = rules or shipped_rules()
    classes = {name: catalogue.classes_of(name) for item in items for name in item.ingredients}
    alerts: dict[str, Alert] = {}

    def add(alert: Alert) -> None:
        if only_item is not None and only_item not in alert.items:
            return
        current = alerts.get(alert.key)
        if current is None or SEVERITY_RANK[alert.severity] < SEVERITY_RANK[current.severity]:
            alerts[alert.key] = alert

    # drug-drug and herb-drug interactions, between every pair of items
    for (i, first), (j, second) in combinations(enumerate(items), 2):
        if not (first.systemic and second.systemic):
            continue
        for x in first.ingredients:
            for y in second.ingredients:
                if x.lower() == y.lower():
                    continue  # the same ingredient twice is a duplicate, reported below
                for kind, group in (("interaction", rules.interactions), ("herb_interaction", rules.herb_interactions)):
                    for rule in group:
                        if rule.applies((x, classes[x]), (y, classes[y])):
                            add(Alert(_key(rule.id, (x, y)), kind, rule.severity,
                                      f"{first.label} + {second.label}: {rule.reason}", rule.source, (i, j)))

    # duplicate therapy
    for rule in rules.duplicates:
        if rule.drug_class == "*":
            by_ingredient: dict[str, list[int]] = {}
            for i, item in enumerate(items):
                if not item.systemic:
                    continue
                for name in item.ingredients:
                    by_ingredient.setdefault(name.lower(), []).append(i)
            for name, where in by_ingredient.items():
                if len(set(where)) > 1:
                    labels = " and ".join(items[i].label for i in sorted(set(where)))
                    add(Alert(_key(rule.id, (name,)), "duplicate", rule.severity,
                              f"{labels} both contain {name.capitalize()}: {rule.reason}", rule.source, tuple(sorted(set(where)))))
            continue
        members: dict[int, str] = {}
        for i, item in enumerate(items):
            if not item.systemic:
                continue
            for name in item.ingredients:
                if rule.drug_class in classes[name] and not any(s.matches(name, classes[name]) for s in rule.except_):
                    members[i] = name
        if len(members) > 1 and len({n.lower() for n in members.values()}) > 1:
            where = tuple(sorted(members))
            labels = " and ".join(items[i].label for i in where)
            add(Alert(_key(rule.id, members.values()), "duplicate", rule.severity,
                      f"{labels}: {rule.reason}", rule.source, where))

    # allergies, with class cross-reactivity
    for allergy in allergies:
        for rule in rules.allergens:
            if not rule.named_in(allergy):
                continue
            for i, item in enumerate(items):
                for name in item.ingredients:
                    if any(s.matches(name, classes[name]) for s in rule.covers):
                        add(Alert(_key(rule.id, (name,)), "allergy", "contraindicated",
                                  f"Recorded allergy '{allergy}': {item.label} contains {name}. {rule.reason}", rule.source, (i,)))
                    elif rule.cross_severity and any(s.matches(name, classes[name]) for s in rule.cross):
                        add(Alert(_key(rule.id + "-cross", (name,)), "cross_reactivity", rule.cross_severity,
                                  f"Recorded allergy '{allergy}': {item.label} may cross-react. {rule.cross_reason or rule.reason}",
                                  rule.source, (i,)))
        # an allergy recorded by the medicine's own name needs no rule
        text = allergy.lower()
        for i, item in enumerate(items):
            for name in item.ingredients:
                if re.search(r"(?<![a-z])" + re.escape(name.lower()) + r"(?![a-z])", text):
                    add(Alert(_key("recorded-allergy", (name,)), "allergy", "contraindicated",
                              f"Recorded allergy '{allergy}': {item.label} contains {name}.",
                              "The patient's allergy record", (i,)))

    # recorded conditions
    for condition, code in conditions:
        for rule in rules.conditions:
            if not rule.recorded_in(condition, code):
                continue
            for i, item in enumerate(items):
                if not item.absorbed:
                    continue
                for name in item.ingredients:
                    if any(s.matches(name, classes[name]) for s in rule.drugs):
                        add(Alert(_key(rule.id, (name,)), "condition", rule.severity,
                                  f"{item.label} with recorded {condition}: {rule.reason}", rule.source, (i,)))

    return sorted(alerts.values(), key=lambda a: (SEVERITY_RANK[a.severity], a.items, a.key))
