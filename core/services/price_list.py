"""The clinic's price list: what reception picks from when billing a visit."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from sqlalchemy import select

from core import audit
from core.errors import InvalidInput
from core.services.billing import Paise
from core.services.common import get_or_fail
from core.storage.database import Actor, Database
from core.storage.models import PriceItem
from core.validation import Input, parse

Category = Literal["consultation", "procedure", "test", "other"]

# A starting list for a new clinic, in rupees; the admin edits it to the clinic's own fees.
STARTER_PRICE_LIST = (
    ("Consultation", "consultation", 500),
    ("Follow-up consultation (within 7 days)", "consultation", 200),
    ("Dressing", "procedure", 150),
    ("Injection (administration)", "procedure", 100),
    ("Nebulisation", "procedure", 150),
    ("ECG", "test", 300),
    ("Blood sugar (glucometer)", "test", 80),
)


class PriceItemInput(Input):
    name: Annotated[str, Field(min_length=2, max_length=200)]
    category: Category = "other"
    amount: Paise


def _admin_only(actor: Actor) -> None:
    if actor.role not in ("admin", "system"):
        raise InvalidInput({"price_list": "only the admin changes the price list"})


def add_price_item(db: Database, actor: Actor, data: PriceItemInput | dict) -> PriceItem:
    _admin_only(actor)
    item = parse(PriceItemInput, data, "price_item")
    with db.write(actor) as session:
        clash = session.scalar(select(PriceItem.id).where(PriceItem.name == item.name, PriceItem.voided_at.is_(None)))
        if clash:
            raise InvalidInput({"price_item.name": f"{item.name!r} is already on the price list"})
        row = PriceItem(name=item.name, category=item.category, amount_paise=item.amount)
        session.add(row)
        session.flush()
        audit.record(session, "price_item.add", entity="price_item", entity_id=row.id, detail={"name": row.name, "amount_paise": row.amount_paise})
        return row


def change_price(db: Database, actor: Actor, item_id: str, amount: object) -> PriceItem:
    _admin_only(actor)
    paise = parse(PriceItemInput, {"name": "xx", "amount": amount}, "price_item").amount
    with db.write(actor) as session:
        row = get_or_fail(session, PriceItem, item_id)
        before, row.amount_paise = row.amount_paise, paise
        audit.record(session, "price_item.price", entity="price_item", entity_id=row.id, detail={"from_paise": before, "to_paise": paise})
        return row


def price_list(db: Database) -> list[PriceItem]:
    with db.read() as session:
        return list(session.scalars(select(PriceItem).where(PriceItem.voided_at.is_(None)).order_by(PriceItem.category, PriceItem.name)))


def add_starter_price_list(db: Database, actor: Actor) -> int:
    """Give a clinic with an empty price list the starter one (first run, demo). Returns items added."""
    if price_list(db):
        return 0
    for name, category, rupees in STARTER_PRICE_LIST:
        add_price_item(db, actor, {"name": name, "category": category, "amount": rupees})
    return len(STARTER_PRICE_LIST)
