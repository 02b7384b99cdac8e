"""The one rule that decides what a row looks like from its changes, wherever it is applied.

Per field, the change with the greatest (HLC, node id) stamp wins. The same set of changes gives
the same row on every PC and on the hub, whatever order they arrived in; values that lost stay in
the change history. Three rules from the record come before it:

- A signed row is frozen. Once the first change that signs it is known, a later-stamped change to
  anything but the void fields (made on a PC that had not yet seen the signature) does not apply.
  Which signature is first is again decided by stamp, so every node agrees.
  The one other field that may follow a signature is `patient_id`: when the patient is merged into
  another registration, the signed record moves with them (the storage layer allows that change
  only down a merge, see core/storage/outbox.py).
- Nothing is deleted, so there are no tombstones to order: a void is a change to the void fields.
- A row whose id is made from what it describes (the merge queue's pair) may be inserted by several
  PCs, each on noticing the pair. Such an insert restates facts; it never undoes a decision recorded
  later as an update (merged, or "two different people"), whatever the two stamps say: its inserts
  are folded first, then its updates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.storage.models import SYNCED_MODELS, Signable
from core.storage.outbox import VOID_FIELDS

SIGNABLE_ENTITIES = frozenset(m.__tablename__ for m in SYNCED_MODELS if issubclass(m, Signable))

Stamp = tuple[int, str]
AFTER_SIGNING = VOID_FIELDS | {"patient_id"}

# Rows with ids made from their content, inserted independently wherever the content is noticed.
INSERTED_BY_MANY = frozenset({"merge_candidate"})


@dataclass(frozen=True)
class RecordedChange:
    id: str
    entity: str
    row_id: str
    data: dict[str, Any]
    hlc: int
    node_id: str

    @property
    def stamp(self) -> Stamp:
        return (self.hlc, self.node_id)

    @classmethod
    def from_text(cls, id: str, entity: str, row_id: str, data: str, hlc: int, node_id: str) -> RecordedChange:
        return cls(id, entity, row_id, json.loads(data), hlc, node_id)


@dataclass
class FoldedRow:
    values: dict[str, Any] = field(default_factory=dict)
    stamps: dict[str, Stamp] = field(default_factory=dict)
    # Changes to a signed row that came after its signature and were not applied, by change id.
    frozen_out: list[str] = field(default_factory=list)


def fold(entity: str, changes: Iterable[RecordedChange]) -> FoldedRow:
    if entity in INSERTED_BY_MANY:
        # An insert carries created_at; an update never changes it.
        ordered = sorted(changes, key=lambda c: ("created_at" not in c.data, c.hlc, c.node_id, c.id))
    else:
        ordered = sorted(changes, key=lambda c: (c.hlc, c.node_id, c.id))
    signed_at: Stamp | None = None
    if entity in SIGNABLE_ENTITIES:
        signed_at = next((c.stamp for c in ordered if c.data.get("signed_at") is not None), None)
    row = FoldedRow()
    for change in ordered:
        late = signed_at is not None and change.stamp > signed_at
        for name, value in change.data.items():
            if late and name not in AFTER_SIGNING:
                continue
            row.values[name] = value
            row.stamps[name] = change.stamp
        if late and set(change.data) - AFTER_SIGNING:
            row.frozen_out.append(change.id)
    return row
