"""Visit templates: the ones shipped with Nadi, the clinic's own, and each doctor's favourites.

A template fills a new visit: the note's complaint, history, examination and advice, diagnoses,
investigations to order, prescription lines as the doctor types them, and when to come back. The
shipped templates are read from core/clinical/data/visit_templates.toml and cannot be removed; the
clinic's templates (owner_id null) and favourites (owner_id = the doctor) are synced records,
voided when removed.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import Field
from sqlalchemy import or_, select

from core import audit
from core.errors import InvalidInput, NotFound
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import VisitTemplate
from core.storage.types import utcnow
from core.validation import Input, Text, parse

SHIPPED_PREFIX = "shipped:"


class TemplateDiagnosis(Input):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    code: Annotated[str | None, Field(max_length=20)] = None


class TemplateBody(Input):
    """What a template holds. Unknown keys are refused, so a typo never silently drops a field."""

    chief_complaint: Text = None
    history: Text = None
    examination: Text = None
    advice: Text = None
    diagnoses: list[TemplateDiagnosis] = []
    investigations: list[Annotated[str, Field(min_length=1, max_length=200)]] = []
    rx_lines: list[Annotated[str, Field(min_length=1, max_length=300)]] = []
    follow_up_days: Annotated[int | None, Field(ge=1, le=365)] = None


class _ShippedTemplate(TemplateBody):
    key: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: Annotated[str, Field(min_length=1, max_length=120)]


class TemplateName(Input):
    name: Annotated[str, Field(min_length=1, max_length=120)]


@dataclass(frozen=True)
class TemplateInfo:
    id: str  # "shipped:<key>" for a shipped template, else the VisitTemplate id
    name: str
    source: Literal["favourite", "clinic", "shipped"]
    owner_id: str | None
    body: dict  # TemplateBody as a dict: what applying the template fills in

    @property
    def favourite(self) -> bool:
        return self.source == "favourite"

    @property
    def removable(self) -> bool:
        return self.source != "shipped"

    @property
    def diagnoses(self) -> tuple[str, ...]:
        return tuple(d["text"] for d in self.body.get("diagnoses", []))


@cache
def shipped_templates() -> tuple[_ShippedTemplate, ...]:
    text = resources.files("core.clinical").joinpath("data", "visit_templates.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text).get("template", [])
    return tuple(parse(_ShippedTemplate, entry, f"visit_templates.toml[{n}]") for n, entry in enumerate(entries))


def _info(row: VisitTemplate, source: str) -> TemplateInfo:
    return TemplateInfo(row.id, row.name, source, row.owner_id, TemplateBody.model_validate_json(row.body).model_dump())


def list_templates(db: Database, staff_id: str | None) -> list[TemplateInfo]:
    """This doctor's favourites, then the clinic's templates, then the shipped ones; each by name."""
    with db.read() as session:
        rows = list(session.scalars(
            select(VisitTemplate).where(VisitTemplate.voided_at.is_(None),
                                        or_(VisitTemplate.owner_id.is_(None), VisitTemplate.owner_id == staff_id))
        ))
    favourites = sorted((_info(r, "favourite") for r in rows if r.owner_id is not None), key=lambda t: t.name.lower())
    clinic = sorted((_info(r, "clinic") for r in rows if r.owner_id is None), key=lambda t: t.name.lower())
    shipped = sorted(
        (TemplateInfo(SHIPPED_PREFIX + t.key, t.name, "shipped", None, t.model_dump(exclude={"key", "name"})) for t in shipped_templates()),
        key=lambda t: t.name.lower(),
    )
    return favourites + clinic + shipped


def template_body(db: Database, template_id: str) -> TemplateBody:
    """The body of any template, shipped or saved, ready to fill a visit."""
    if template_id.startswith(SHIPPED_PREFIX):
        key = template_id.removeprefix(SHIPPED_PREFIX)
        for t in shipped_templates():
            if t.key == key:
                return TemplateBody.model_validate(t.model_dump(exclude={"key", "name"}))
        raise NotFound(f"no shipped template {key!r}")
    with db.read() as session:
        row = get_or_fail(session, VisitTemplate, template_id)
        return TemplateBody.model_validate_json(row.body)


def _may_keep_templates(actor: Actor, favourite: bool) -> None:
    if favourite and actor.role != "doctor":
        raise InvalidInput({"actor": "only a doctor keeps favourite templates"})
    if not favourite and actor.role not in ("doctor", "admin"):
        raise InvalidInput({"actor": "only a doctor or an administrator changes the clinic's templates"})


def save_template(db: Database, actor: Actor, name: str, body: TemplateBody | dict, favourite: bool) -> VisitTemplate:
    """Save a template for the clinic, or as this doctor's favourite. Saving under a name already
    used in the same place replaces that template's contents."""
    _may_keep_templates(actor, favourite)
    clean_name = " ".join(parse(TemplateName, {"name": name}, "template").name.split())
    parsed = parse(TemplateBody, body, "template")
    if not any(parsed.model_dump().values()):
        raise InvalidInput({"template": "the template is empty: fill in at least one part of the visit"})
    owner = actor.staff_id if favourite else None
    document = json.dumps(parsed.model_dump(), ensure_ascii=False, sort_keys=True)
    with db.write(actor) as session:
        owner_clause = VisitTemplate.owner_id == owner if owner else VisitTemplate.owner_id.is_(None)
        same_name = [r for r in session.scalars(select(VisitTemplate).where(VisitTemplate.voided_at.is_(None), owner_clause))
                     if r.name.lower() == clean_name.lower()]
        if same_name:
            row = same_name[0]
            row.name, row.body = clean_name, document
        else:
            row = VisitTemplate(owner_id=owner, name=clean_name, body=document)
            session.add(row)
        session.flush()
        audit.record(session, "template.save", entity="visit_template", entity_id=row.id,
                     detail={"name": clean_name, "favourite": favourite, "replaced": bool(same_name)})
        return row


def remove_template(db: Database, actor: Actor, template_id: str, reason: str = "no longer used") -> VisitTemplate:
    """Void a saved template. Shipped templates stay; a favourite is removed only by its doctor."""
    if template_id.startswith(SHIPPED_PREFIX):
        raise InvalidInput({"template": "templates that come with Nadi cannot be removed; save your own version instead"})
    with db.write(actor) as session:
        row = get_or_fail(session, VisitTemplate, template_id)
        _may_keep_templates(actor, row.owner_id is not None)
        if row.owner_id is not None and row.owner_id != actor.staff_id:
            raise InvalidInput({"template": "this is another doctor's favourite; only they can remove it"})
        row.voided_at = utcnow()
        row.voided_by = actor.staff_id
        row.void_reason = reason.strip() or "no longer used"
        audit.record(session, "void", entity="visit_template", entity_id=row.id, detail={"reason": row.void_reason, "name": row.name})
        return row
