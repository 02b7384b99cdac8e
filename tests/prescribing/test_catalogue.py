"""The medicine catalogue: the shipped lists hold together, search ranks as a doctor expects, and a
clinic's own list imports cleanly or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.errors import InvalidInput
from core.prescribing.catalogue import Strength, shipped_catalogue
from core.prescribing.expand import expand
from core.prescribing.rules import shipped_rules
from core.prescribing.vocabulary import FORMS
from core.services.medicines import clinic_catalogue, import_medicine_list


def test_every_brand_names_known_ingredients_forms_and_strengths():
    catalogue = shipped_catalogue()
    assert len(catalogue.generics) >= 300 and len(catalogue.products) >= 300
    unknown = sorted({i for p in catalogue.products for i in p.ingredients if catalogue.generic(i) is None})
    assert not unknown, f"brands name ingredients missing from generics.csv: {unknown}"
    for product in catalogue.products:
        assert product.form in FORMS, product
        assert not product.strengths or len(product.strengths) == len(product.ingredients), product
        assert all(Strength.parse(s) for s in product.strengths), product


def test_every_rule_names_a_class_some_generic_carries_or_a_known_generic():
    catalogue = shipped_catalogue()
    rules = shipped_rules()
    classes = {c for g in catalogue.generics.values() for c in g.classes}
    selectors = [s for group in (rules.interactions, rules.herb_interactions) for r in group for s in (*r.a, *r.b)]
    selectors += [s for r in rules.allergens for s in (*r.covers, *r.cross)]
    selectors += [s for r in rules.conditions for s in r.drugs] + [s for r in rules.dose_patterns for s in r.drugs]
    dead_classes = sorted({s.value for s in selectors if s.kind == "class" and s.value not in classes})
    assert not dead_classes, f"rules name classes no generic carries (the rule could never fire): {dead_classes}"
    duplicate_classes = sorted({r.drug_class for r in rules.duplicates if r.drug_class != "*" and r.drug_class not in classes})
    assert not duplicate_classes


def test_every_abbreviation_points_at_generics():
    catalogue = shipped_catalogue()
    assert len(catalogue.names) >= 400
    for meanings in catalogue.names.values():
        for ingredients in meanings:
            assert all(catalogue.generic(i) for i in ingredients), ingredients


@pytest.mark.parametrize(
    ("query", "first"),
    [("dolo", "Dolo 650"), ("dolo 6", "Dolo 650"), ("paracetamol", "Paracetamol"), ("pan d", "Pan D"), ("augmentin", "Augmentin 625 Duo"),
     ("telma 40", "Telma 40"), ("amoxi", "Amoxicillin")],
)
def test_search_puts_what_the_doctor_is_typing_first(query, first):
    hits = shipped_catalogue().search(query)
    assert hits and hits[0].name == first, [h.name for h in hits[:5]]


def test_search_by_generic_also_finds_its_brands():
    names = {h.name for h in shipped_catalogue().search("paracetamol", limit=50)}
    assert {"Dolo 650", "Crocin Advance", "Combiflam"} <= names


CLINIC_CSV = """brand,composition,strength,form,manufacturer
Nadicet 10,Cetirizine,10 mg,tab,Pune Generics
Nadiclav 625,Amoxicillin + Clavulanic acid,500 mg + 125 mg,tab,Pune Generics
Nadiherb,Ashwagandha + Mystery root,250 mg + 100 mg,cap,Pune Ayurveda
"""


def test_a_clinic_list_imports_is_searched_and_expands_alongside_the_shipped_one(db, team):
    report = import_medicine_list(db, team.admin, CLINIC_CSV)
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert report.unknown_ingredients == {"Mystery root": 1}
    catalogue = clinic_catalogue(db)
    assert catalogue.search("nadic")[0].name == "Nadicet 10" and catalogue.search("nadic")[0].source == "clinic"
    item = expand("Tab Nadiclav 625 1-0-1 x 5 days", catalogue)
    assert (item.generic, item.strength, item.quantity_value) == ("Amoxicillin + Clavulanic acid", "500 mg + 125 mg", 10)
    again = import_medicine_list(db, team.admin, CLINIC_CSV)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    changed = import_medicine_list(db, team.admin, CLINIC_CSV.replace("Pune Generics\nNadiclav", "Mumbai Generics\nNadiclav"))
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 2)


def test_a_bad_clinic_list_is_refused_whole_with_every_bad_line_named(db, team):
    bad = CLINIC_CSV + "Brokenol,Paracetamol,500 mg + 10 mg,tab,X\n,Cetirizine,10 mg,tab,X\nOddform,Cetirizine,10 mg,elixir-ish,X\nNadicet 10,Cetirizine,10 mg,tab,X\n"
    with pytest.raises(InvalidInput) as refused:
        import_medicine_list(db, team.admin, bad)
    problems = refused.value.problems
    assert set(problems) == {"line 5", "line 6", "line 7", "line 8"}
    assert "1 ingredients but 2 strengths" in problems["line 5"] and "brand is empty" in problems["line 6"]
    assert "elixir-ish" in problems["line 7"] and "line 2" in problems["line 8"]
    with db.read() as session:
        assert session.execute(text("select count(*) from clinic_medicine")).scalar() == 0
    with pytest.raises(InvalidInput, match="columns"):
        import_medicine_list(db, team.admin, "name,drug\nA,B\n")


def test_a_brand_stem_typed_whole_lists_the_family_before_longer_names():
    names = [h.name for h in shipped_catalogue().search("pan", limit=5)]
    assert {"Pan 40", "Pan D"} <= set(names[:3]), names


def test_the_demo_consults_read_cleanly_so_demo_data_can_always_be_signed():
    from core.demo.generate import TODAYS_CONSULTS

    for *_, lines in TODAYS_CONSULTS:
        for line in lines:
            item = expand(line)
            assert not item.ambiguities and not item.warnings, (line, item.ambiguities, item.warnings)
