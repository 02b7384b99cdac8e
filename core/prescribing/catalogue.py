"""The medicine catalogue: generics (NLEM as the core), Indian brands, shorthand, and a clinic's own list.

The shipped lists are CSV files in `data/` (sources in `data/SOURCES-*.md`). A clinic's imported list
lives in the database (`clinic_medicine`) and is laid over the shipped one when the catalogue is
built, so search and expansion treat both alike.
"""

from __future__ import annotations

import bisect
import csv
import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from core.prescribing.vocabulary import FORMS

_STRENGTH = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-zµ%][a-zµ%/ 0-9.]*)$")
_WORD_SPLIT = re.compile(r"[\s,;:()\[\]{}\"+]+|(?<=[a-z])-|-(?=[a-z])")


def words(text: str) -> list[str]:
    """Lower-case tokens as the catalogue and the parser both see them: 'Liv.52' stays whole,
    'Moxikind-CV' becomes two words, trailing full stops go ('Tab.' is 'tab')."""
    out = []
    for raw in _WORD_SPLIT.split(text.lower()):
        token = raw.strip(".'-/")
        if token:
            out.append(token)
    return out


def is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Strength:
    """One ingredient's strength as labelled: '500 mg', '125 mg/5 ml', '1%', '100 mcg/dose'."""

    value: float
    unit: str  # mg, mcg, g, iu, %, ml …
    per: str | None  # '5 ml', 'ml', 'dose' for concentrations

    @classmethod
    def parse(cls, text: str) -> Strength | None:
        match = _STRENGTH.match(text.strip().lower())
        if not match:
            return None
        unit = match.group(2).strip()
        per = None
        if "/" in unit:
            unit, per = (part.strip() for part in unit.split("/", 1))
        unit = unit.split(" ")[0]  # '1% w/w' is 1 %
        return cls(float(match.group(1)), unit, per)

    def in_mg(self) -> float | None:
        """Mass per labelled unit (per tablet, per 5 ml …) in mg, when the unit is a mass."""
        factor = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}.get(self.unit)
        return None if factor is None else self.value * factor

    def text(self) -> str:
        number = f"{self.value:g}"
        return f"{number} {self.unit}" + (f"/{self.per}" if self.per else "") if self.unit != "%" else f"{number}%"


@dataclass(frozen=True)
class Generic:
    name: str
    classes: frozenset[str]
    forms: dict[str, tuple[str, ...]]  # form key -> strengths as labelled
    max_single: Strength | None
    max_daily: Strength | None
    nlem: bool
    ayush: bool
    route: str

    def default_unit(self) -> str:
        for strengths in self.forms.values():
            for text in strengths:
                parsed = Strength.parse(text)
                if parsed and parsed.unit in ("mg", "mcg", "g", "iu"):
                    return parsed.unit
        return "mg"


@dataclass(frozen=True)
class Product:
    """A branded product (shipped or a clinic's own): a composition at a strength in one form."""

    brand: str
    ingredients: tuple[str, ...]
    strengths: tuple[str, ...]  # one per ingredient, or empty when unknown
    form: str
    manufacturer: str
    source: str  # 'shipped' or 'clinic'
    name_words: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name_words", tuple(words(self.brand)))

    @property
    def composition(self) -> str:
        return " + ".join(self.ingredients)

    @property
    def strength(self) -> str | None:
        return " + ".join(self.strengths) if self.strengths else None


@dataclass(frozen=True)
class SearchHit:
    kind: str  # 'brand' or 'generic'
    name: str
    composition: str
    strength: str | None
    form: str | None
    manufacturer: str | None
    source: str  # 'shipped' or 'clinic'

    def as_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "composition": self.composition, "strength": self.strength,
                "form": self.form, "manufacturer": self.manufacturer, "source": self.source}


class CatalogueError(ValueError):
    """A catalogue file that does not hold together (a brand naming an unknown form, say)."""


def _columns(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [key for key, _ in pairs], [n for _, n in pairs]


def _prefixed(keys: list[str], ids: list[int], prefix: str) -> set[int]:
    """Entries with a key starting with prefix: the keys are sorted, so they sit in one run."""
    start = bisect.bisect_left(keys, prefix)
    end = bisect.bisect_left(keys, prefix + "\U0010ffff", start)
    return set(ids[start:end])


def _data_rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("core.prescribing.data").joinpath(name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _parse_forms(text: str) -> dict[str, tuple[str, ...]]:
    forms: dict[str, tuple[str, ...]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, strengths = part.partition(":")
        forms[key.strip()] = tuple(s.strip() for s in strengths.split("|") if s.strip())
    return forms


def split_composition(composition: str, strength: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ingredients = tuple(part.strip() for part in composition.split(" + ") if part.strip())
    strengths = tuple(part.strip() for part in strength.split(" + ") if part.strip()) if strength.strip() else ()
    return ingredients, strengths


class Catalogue:
    """Everything the parser and the search box look medicines up in, indexed once."""

    def __init__(self, generics: Iterable[Generic], abbreviations: Iterable[tuple[str, str]], products: Iterable[Product]):
        self.generics: dict[str, Generic] = {g.name.lower(): g for g in generics}
        self._exact = {g.name: g for g in self.generics.values()}
        # Names a doctor may write for a generic or a generic combination, as word tuples.
        self.names: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        for generic in self.generics.values():
            self.names[tuple(words(generic.name))].append((generic.name,))
        for abbreviation, target in abbreviations:
            ingredients = tuple(self.generic(part).name for part in target.split(" + ") if self.generic(part))
            key = tuple(words(abbreviation))
            if ingredients and ingredients not in self.names[key]:
                self.names[key].append(ingredients)
        self.longest_name = max((len(k) for k in self.names), default=1)
        self.products: list[Product] = []
        self.by_stem: dict[str, list[Product]] = defaultdict(list)
        self._by_brand: dict[str, Product] = {}
        for product in products:
            self.add_product(product)
        self._index: bool | None = None
        self._entries: list[SearchHit] = []

    # -- building -------------------------------------------------------------------------

    def add_product(self, product: Product) -> None:
        key = " ".join(product.name_words)
        existing = self._by_brand.get(key)
        if existing is not None:  # a clinic's row replaces the shipped one of the same name
            self.products.remove(existing)
            self.by_stem[existing.name_words[0]].remove(existing)
        self._by_brand[key] = product
        self.products.append(product)
        self.by_stem[product.name_words[0]].append(product)
        self._index = None

    def with_products(self, products: Iterable[Product]) -> Catalogue:
        """A copy with more products laid over this one's (a clinic's list over the shipped one);
        generics and shorthand are shared, not rebuilt."""
        copy = Catalogue((), (), ())
        copy.generics, copy._exact, copy.names, copy.longest_name = self.generics, self._exact, self.names, self.longest_name
        for product in (*self.products, *products):
            copy.add_product(product)
        return copy

    def generic(self, name: str) -> Generic | None:
        found = self._exact.get(name)  # most lookups pass the catalogue's own spelling
        return found if found is not None else self.generics.get(name.strip().lower())

    def product(self, brand: str) -> Product | None:
        return self._by_brand.get(" ".join(words(brand)))

    def classes_of(self, ingredient: str) -> frozenset[str]:
        generic = self.generic(ingredient)
        return generic.classes if generic else frozenset()

    # -- search as you type ---------------------------------------------------------------

    def _build_index(self) -> None:
        """Entries are numbered generics first (alphabetical), then brands in list order, so an
        entry's number is also its rank within a tier. Three sorted arrays answer a keystroke with
        bisect and set operations on integers: name words, composition words, and whole names."""
        entries: list[SearchHit] = []
        for generic in sorted(self.generics.values(), key=lambda g: g.name):
            form = next(iter(generic.forms), None)
            entries.append(SearchHit("generic", generic.name, generic.name, None, form, None, "shipped"))
        for product in self.products:
            entries.append(SearchHit("brand", product.brand, product.composition, product.strength, product.form,
                                     product.manufacturer or None, product.source))
        name_index: list[tuple[str, int]] = []
        composition_index: list[tuple[str, int]] = []
        full_names: list[tuple[str, int]] = []
        for n, entry in enumerate(entries):
            tokens = words(entry.name)
            full_names.append((" ".join(tokens), n))
            name_index.extend((token, n) for token in set(tokens))
            if entry.kind == "brand":
                composition_index.extend((token, n) for token in set(words(entry.composition)) - set(tokens))
        self._entries = entries
        self._name_keys, self._name_ids = _columns(sorted(name_index))
        self._composition_keys, self._composition_ids = _columns(sorted(composition_index))
        self._full_keys, self._full_ids = _columns(sorted(full_names))
        self._index = True

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Brands and generics whose name or composition has words starting with every query word.
        Ranked: the name itself, then names whose first words are what was typed ("pan" → Pan 40),
        then names starting with what was typed, then other name matches,
        then matches only in the composition; within each, generics first, then list order
        (brands.csv puts each family's most prescribed variant first; a clinic's list keeps its order)."""
        terms = words(query)
        if not terms:
            return []
        if self._index is None:
            self._build_index()
        phrase = " ".join(terms)
        exact = set(self._full_ids[bisect.bisect_left(self._full_keys, phrase):bisect.bisect_right(self._full_keys, phrase)])
        whole_word = _prefixed(self._full_keys, self._full_ids, phrase + " ")  # "pan" → Pan 40 before Pantoprazole
        starts = _prefixed(self._full_keys, self._full_ids, phrase)
        if len(starts) >= limit:  # the first keystrokes: names alone fill the list, no need to look further
            return self._ranked((exact, whole_word, starts - exact - whole_word), limit)
        in_name: set[int] | None = None
        anywhere: set[int] | None = None
        for term in sorted(terms, key=len, reverse=True):  # the longest word narrows the most
            named = _prefixed(self._name_keys, self._name_ids, term)
            found = named | _prefixed(self._composition_keys, self._composition_ids, term)
            in_name = named if in_name is None else in_name & named
            anywhere = found if anywhere is None else anywhere & found
            if not anywhere:
                return []
        assert in_name is not None and anywhere is not None
        return self._ranked((exact, whole_word, starts - exact - whole_word, (in_name & anywhere) - starts, anywhere - in_name), limit)

    def _ranked(self, tiers: tuple[set[int], ...], limit: int) -> list[SearchHit]:
        hits: list[int] = []
        for tier in tiers:
            if len(hits) >= limit:
                break
            hits.extend(heapq.nsmallest(limit - len(hits), tier))
        return [self._entries[n] for n in hits]

    def __len__(self) -> int:
        return len(self.generics) + len(self.products)


def load_generics() -> list[Generic]:
    out = []
    for row in _data_rows("generics.csv"):
        out.append(
            Generic(
                name=row["generic"].strip(),
                classes=frozenset(row["classes"].split()),
                forms=_parse_forms(row["forms"]),
                max_single=Strength.parse(row["max_single"]) if row["max_single"].strip() else None,
                max_daily=Strength.parse(row["max_daily"]) if row["max_daily"].strip() else None,
                nlem=row["nlem_2022"].strip().lower() == "yes",
                ayush=row["ayush"].strip().lower() == "yes",
                route=row["route"].strip() or "oral",
            )
        )
    return out


def product_from_row(row: dict[str, str], source: str) -> Product:
    ingredients, strengths = split_composition(row["composition"], row.get("strength") or "")
    return Product(row["brand"].strip(), ingredients, strengths, row["form"].strip().lower(),
                   (row.get("manufacturer") or "").strip(), source)


@cache
def shipped_catalogue() -> Catalogue:
    """The catalogue as shipped, built once per process."""
    generics = load_generics()
    abbreviations = [(row["abbreviation"], row["target"]) for row in _data_rows("abbreviations.csv")]
    products = [product_from_row(row, "shipped") for row in _data_rows("brands.csv")]
    bad = [p.brand for p in products if p.form not in FORMS]
    if bad:
        raise CatalogueError(f"brands.csv names forms Nadi does not know for: {', '.join(bad[:5])}")
    return Catalogue(generics, abbreviations, products)
