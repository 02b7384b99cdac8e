"""Safety checks a careful clinician expects, on lines as a doctor types them."""

from __future__ import annotations

import pytest

from core.prescribing.expand import expand
from core.prescribing.rules import shipped_rules
from core.prescribing.safety import ItemFacts, check_prescription


def alerts_for(lines, allergies=(), conditions=()):
    items = [expand(line) for line in lines]
    return check_prescription([ItemFacts.of(e.drug_label, e.generic, e.route) for e in items], allergies, conditions)


def kinds(alerts):
    return {(a.kind, a.severity) for a in alerts}


@pytest.mark.parametrize(
    ("lines", "kind", "at_least"),
    [
        (["Tab Warf 5 OD", "Tab Brufen 400 TDS x 3 days"], "interaction", "major"),  # warfarin + NSAID
        (["Tab Acitrom 2 OD", "Tab Clopilet 75 OD"], "interaction", "major"),  # VKA + antiplatelet
        (["Azee 500 OD x 3d", "Tab Levofloxacin 500 mg OD x 5 days"], "interaction", "moderate"),  # two QT-prolonging drugs
        (["Tab Nexito 10 OD", "Tab Ultracet 1-0-1 x 5 days"], "interaction", "major"),  # SSRI + tramadol: serotonergic
        (["Tab Aldactone 25 OD", "Tab Ramipril 5 mg OD"], "interaction", "moderate"),  # K-sparing diuretic + ACE inhibitor: monitor K+
        (["Tab Folitrax 7.5 once weekly x 4 weeks", "Tab Septran DS BD x 5 days"], "interaction", "major"),  # methotrexate + co-trimoxazole
        (["Tab Clarithromycin 500 mg BD x 7 days", "Tab Storvas 10 OD"], "interaction", "major"),  # clarithromycin + statin
        (["Tab Sildenafil 50 mg SOS", "Tab Sorbitrate 5 SOS"], "interaction", "contraindicated"),  # PDE5 + nitrate
        (["Tab Warf 5 OD", "Cap Ginkgo 120 mg OD"], "herb_interaction", "major"),  # herb-drug
        (["Tab Amaryl 1 OD", "Cap Karela 500 mg BD"], "herb_interaction", "moderate"),  # sulfonylurea + bitter gourd: hypoglycaemia
    ],
)
def test_interactions_are_caught_with_severity_reason_and_source(lines, kind, at_least):
    order = ["contraindicated", "major", "moderate", "minor"]
    found = [a for a in alerts_for(lines) if a.kind == kind]
    assert found, f"no {kind} alert for {lines}"
    worst = min(found, key=lambda a: order.index(a.severity))
    assert order.index(worst.severity) <= order.index(at_least), worst
    assert worst.message and worst.source and worst.items == (0, 1)


def test_penicillin_allergy_catches_amoxicillin_and_warns_of_cephalosporin_cross_reactivity():
    alerts = alerts_for(["Augmentin 625 Duo 1-0-1 x 5 days", "Tab Cefixime 200 mg BD x 5 days"], allergies=["Penicillin"])
    assert ("allergy", "contraindicated") in kinds(alerts)
    cross = [a for a in alerts if a.kind == "cross_reactivity"]
    assert cross and "Cefixime" in cross[0].message and cross[0].severity in ("moderate", "minor", "major")


def test_sulfa_allergy_as_a_receptionist_types_it_catches_cotrimoxazole():
    alerts = alerts_for(["Tab Septran DS BD x 5 days"], allergies=["Sulfonamides (sulfa drugs)"])
    assert ("allergy", "contraindicated") in kinds(alerts)


def test_duplicate_therapy_two_nsaids_two_ppis_and_the_same_ingredient_twice():
    assert any(a.kind == "duplicate" for a in alerts_for(["Tab Brufen 400 TDS", "Tab Voveran 50 BD"]))
    assert any(a.kind == "duplicate" for a in alerts_for(["Tab Pan 40 OD", "Cap Omez 20 BD"]))
    paracetamol_twice = [a for a in alerts_for(["Dolo 650 TDS x 3 days", "Combiflam SOS"]) if a.kind == "duplicate"]
    assert any("Paracetamol" in a.message for a in paracetamol_twice)


def test_recorded_conditions_raise_alerts_nsaid_in_kidney_disease_and_beta_blocker_in_asthma():
    ckd = alerts_for(["Tab Brufen 400 TDS x 3 days"], conditions=[("Chronic kidney disease", "N18.9")])
    assert any(a.kind == "condition" and a.severity in ("major", "contraindicated") for a in ckd)
    by_code_only = alerts_for(["Tab Brufen 400 TDS x 3 days"], conditions=[("Stage 3 renal impairment", "N18.3")])
    assert any(a.kind == "condition" for a in by_code_only)
    asthma = alerts_for(["Tab Inderal 40 BD"], conditions=[("Bronchial asthma", "J45.9")])
    assert any(a.kind == "condition" for a in asthma)


def test_an_ordinary_fever_prescription_raises_no_alert():
    assert alerts_for(["Dolo 650 1-1-1 x 3 days", "Tab Cetirizine 10 mg HS x 5 days", "Pan 40 OD AC x 5 days"]) == []


def test_alert_keys_are_stable_so_an_override_still_matches_after_reordering():
    a = alerts_for(["Tab Warf 5 OD", "Tab Brufen 400 TDS"])
    b = alerts_for(["Tab Brufen 400 TDS", "Tab Warf 5 OD"])
    assert {x.key for x in a} == {x.key for x in b}


def test_every_rule_carries_a_reason_and_a_source():
    rules = shipped_rules()
    groups = (rules.interactions, rules.herb_interactions, rules.allergens, rules.duplicates, rules.conditions, rules.dose_patterns)
    assert len(rules) >= 150
    for group in groups:
        assert group
        for rule in group:
            assert rule.reason.strip() and rule.source.strip() and "\n" not in rule.reason, rule.id


def test_a_broken_rules_file_is_refused_with_the_rule_named():
    from core.prescribing.catalogue import CatalogueError
    from core.prescribing.rules import parse_rules

    with pytest.raises(CatalogueError, match="warfarin-x"):
        parse_rules({"interaction": [{"id": "warfarin-x", "a": ["drug:Warfarin"], "b": ["klass:nsaid"], "severity": "major", "reason": "r", "source": "s"}]})
    with pytest.raises(CatalogueError, match="source"):
        parse_rules({"interaction": [{"id": "y", "a": ["drug:Warfarin"], "b": ["class:nsaid"], "severity": "major", "reason": "r"}]})
    with pytest.raises(CatalogueError, match="severity"):
        parse_rules({"condition": [{"id": "z", "drugs": ["class:nsaid"], "severity": "bad", "reason": "r", "source": "s"}]})


def test_a_cream_on_the_skin_does_not_interact_but_an_allergy_to_it_still_counts():
    assert not [a for a in alerts_for(["Tab Warf 5 OD", "Voveran gel apply locally TDS"]) if a.kind == "interaction"]
    assert [a for a in alerts_for(["Tab Warf 5 OD", "Tab Voveran 50 BD"]) if a.kind == "interaction"]
    allergy = alerts_for(["Voveran gel apply locally TDS"], allergies=["Diclofenac"])
    assert any(a.kind == "allergy" for a in allergy)


def test_eye_drops_still_count_against_a_recorded_condition():
    # timolol eye drops reach the blood enough to cause bronchospasm in asthma
    alerts = alerts_for(["Timolol 0.5% eye drops 1 drop BD"], conditions=[("Bronchial asthma", "J45.9")])
    assert any(a.kind == "condition" for a in alerts), alerts
