"""The clinic's own medicine list: imported from CSV, kept in the record (synced), searched and
expanded alongside the shipped catalogue.

CSV columns (a header row is required): brand, composition, strength, form, manufacturer.
Composition names the ingredients joined by " + "; strength gives one strength per ingredient in the
same order ("500 mg + 125 mg"). The whole file is checked before anything is written: one bad row
refuses the import with every problem named by line, and the record stays as it was.
"""

from __future__ import annotations

import csv
import io
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from core import audit
from core.errors import InvalidInput
from core.prescribing.catalogue import Catalogue, Product, Strength, shipped_catalogue, split_composition, words
from core.prescribing.vocabulary import FORMS, FORM_WORDS
from core.storage.database import Actor, Database
from core.storage.models import ClinicMedicine

COLUMNS = ("brand", "composition", "strength", "form", "manufacturer")
MAX_ROWS = 200_000


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    # Ingredients the shipped catalogue does not know: imported, but safety checks cannot cover them.
    unknown_ingredients: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "unknown_ingredients": dict(sorted(self.unknown_ingredients.items()))}


def _form_key(text: str) -> str | None:
    cleaned = text.strip().lower().replace("_", " ")
    if cleaned.replace(" ", "_") in FORMS:
        return cleaned.replace(" ", "_")
    return FORM_WORDS.get(cleaned)


def read_medicine_csv(text: str) -> list[dict[str, str]]:
    """Parse and check a clinic medicine list; raises InvalidInput naming each bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise InvalidInput({"header": f"the CSV needs the columns {', '.join(COLUMNS)} (missing: {', '.join(missing)})"})
    problems: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        where = f"line {line_no}"
        if not row.get("brand"):
            problems[where] = "brand is empty"
            continue
        if not row.get("composition"):
            problems[where] = f"{row['brand']}: composition is empty"
            continue
        form = _form_key(row.get("form", ""))
        if form is None:
            problems[where] = f"{row['brand']}: form {row.get('form')!r} is not one Nadi knows (e.g. tab, cap, syrup, eye_drops, cream, injection)"
            continue
        ingredients, strengths = split_composition(row["composition"], row.get("strength", ""))
        if strengths and len(strengths) != len(ingredients):
            problems[where] = f"{row['brand']}: {len(ingredients)} ingredients but {len(strengths)} strengths (write one strength per ingredient, joined by ' + ')"
            continue
        bad = [s for s in strengths if Strength.parse(s) is None]
        if bad:
            problems[where] = f"{row['brand']}: strength {bad[0]!r} is not a strength (write e.g. 500 mg, 125 mg/5 ml, 1%)"
            continue
        key = " ".join(words(row["brand"]))
        if key in seen:
            problems[where] = f"{row['brand']}: the same brand is already on line {seen[key]}"
            continue
        seen[key] = line_no
        row["form"] = form
        row["composition"] = " + ".join(ingredients)
        row["strength"] = " + ".join(strengths)
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise InvalidInput({"file": f"more than {MAX_ROWS} medicines: split the list"})
    if problems:
        raise InvalidInput(problems)
    if not rows:
        raise InvalidInput({"file": "no medicines found in the CSV"})
    return rows


def import_medicine_list(db: Database, actor: Actor, source: str | Path) -> ImportReport:
    """Import (or re-import) a clinic's list. A brand already imported is updated when its row
    changed and left alone when it did not, so importing the same file twice changes nothing."""
    text = Path(source).read_text(encoding="utf-8-sig") if isinstance(source, Path) else source
    rows = read_medicine_csv(text)
    known = shipped_catalogue()
    report = ImportReport()
    for row in rows:
        for ingredient in row["composition"].split(" + "):
            if known.generic(ingredient) is None:
                report.unknown_ingredients[ingredient] = report.unknown_ingredients.get(ingredient, 0) + 1
    with db.write(actor) as session:
        existing = {" ".join(words(m.brand)): m for m in session.scalars(select(ClinicMedicine).where(ClinicMedicine.voided_at.is_(None)))}
        for row in rows:
            values = {c: (row.get(c) or None) for c in COLUMNS}
            values["composition"] = row["composition"]
            current = existing.get(" ".join(words(row["brand"])))
            if current is None:
                session.add(ClinicMedicine(**values))
                report.added += 1
            elif any(getattr(current, c) != values[c] for c in COLUMNS):
                for c in COLUMNS:
                    setattr(current, c, values[c])
                report.updated += 1
            else:
                report.unchanged += 1
        audit.record(session, "medicines.import", entity="clinic_medicine", detail=report.as_dict() | {"rows": len(rows)})
    return report


_cache: weakref.WeakKeyDictionary[Database, tuple[tuple, Catalogue]] = weakref.WeakKeyDictionary()


def clinic_catalogue(db: Database) -> Catalogue:
    """The shipped catalogue with this clinic's list laid over it; rebuilt only when the list changes."""
    with db.read() as session:
        version = tuple(session.execute(select(func.count(ClinicMedicine.id), func.max(ClinicMedicine.updated_at))).one())
        cached = _cache.get(db)
        if cached and cached[0] == version:
            return cached[1]
        rows = session.execute(
            select(ClinicMedicine.brand, ClinicMedicine.composition, ClinicMedicine.strength, ClinicMedicine.form,
                   ClinicMedicine.manufacturer).where(ClinicMedicine.voided_at.is_(None))
        ).all()
    catalogue = shipped_catalogue().with_products(
        Product(brand, *split_composition(composition, strength or ""), form, manufacturer or "", "clinic")
        for brand, composition, strength, form, manufacturer in rows
    )
    _cache[db] = (version, catalogue)
    return catalogue
