"""The one rule that decides what a row looks like from its changes, wherever it is applied.

Per field, the change with the greatest (HLC, node id) stamp wins. The same set of changes gives
the same row on every PC and on the hub, whatever order they arrived in; values that lost stay in
the change history. These rules from the record come before it:

- A signed row is frozen. Once the first change that signs it is known, a later-stamped change to
  anything but the void fields (made on a PC that had not yet seen the signature) does not apply.
  Which signature is first is again decided by stamp, so every node agrees.
  The one other field that may follow a signature is `patient_id`: when the patient is merged into
  another registration, the signed record moves with them (the storage layer allows that change
  only down a merge, see core/storage/outbox.py).
- The signing transaction restates the whole record as the signer saw it (the row, its items or its
  vitals and diagnoses, every field), and counts as part of the signature: an edit to the draft on
  another PC that the signer never saw is overridden by it if stamped earlier, and frozen out if
  later; an item added there is kept, voided as of the signature. Items, vitals and diagnoses
  freeze with their signed parent (`fold(..., parent=signing_of(parent's changes))`).
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
from core.storage.outbox import SIGNED_PARENT, VOID_FIELDS

SIGNABLE_ENTITIES = frozenset(m.__tablename__ for m in SYNCED_MODELS if issubclass(m, Signable))

Stamp = tuple[int, str]
AFTER_SIGNING = VOID_FIELDS | {"patient_id"}
# An item, vitals or diagnosis of a signed record cannot even be voided on its own (the storage layer
# refuses it); it only follows its patient down a merge (patient_id, with that change's updated_at).
CHILD_AFTER_SIGNING = frozenset({"patient_id", "updated_at"})

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
    tx_id: str = ""
    op: str = "update"

    @property
    def stamp(self) -> Stamp:
        return (self.hlc, self.node_id)

    @classmethod
    def from_text(cls, id: str, entity: str, row_id: str, data: str, hlc: int, node_id: str, tx_id: str = "", op: str = "update") -> RecordedChange:
        return cls(id, entity, row_id, json.loads(data), hlc, node_id, tx_id, op)


@dataclass(frozen=True)
class Signing:
    """A note's or prescription's first signature: its stamp and transaction, and whether that
    transaction restated the whole signed record (core/storage/outbox.py does since sync; a
    signature made before it did not, and keeps the plain freeze)."""

    stamp: Stamp
    tx_id: str
    restated: bool
    signed_at: Any
    signed_by: Any


def signing_of(changes: Iterable[RecordedChange]) -> Signing | None:
    changes = list(changes)
    signs = [c for c in changes if c.data.get("signed_at") is not None]
    if not signs:
        return None
    first = min(signs, key=lambda c: (c.hlc, c.node_id, c.id))
    restated = any(c.tx_id == first.tx_id and c.op == "restate" for c in changes)
    return Signing(first.stamp, first.tx_id, restated, first.data["signed_at"], first.data.get("signed_by"))


# Rows that freeze with a signed parent: child table -> (parent table, foreign key).
CHILD_OF = {child.__tablename__: (parent.__tablename__, fk) for child, (parent, fk) in SIGNED_PARENT.items()}
CHILDREN_OF: dict[str, list[tuple[str, str]]] = {}
for _child, (_parent, _fk) in CHILD_OF.items():
    CHILDREN_OF.setdefault(_parent, []).append((_child, _fk))

NOT_AS_SIGNED = "not part of the record as signed: added on another PC while it was being signed"


@dataclass
class FoldedRow:
    values: dict[str, Any] = field(default_factory=dict)
    stamps: dict[str, Stamp] = field(default_factory=dict)
    # Changes to a signed row that came after its signature and were not applied, by change id.
    frozen_out: list[str] = field(default_factory=list)


def fold(entity: str, changes: Iterable[RecordedChange], parent: Signing | None = None) -> FoldedRow:
    """The row from its changes. `parent`: for an item, vitals or diagnosis, its note's or
    prescription's first signature (see `signing_of`), which freezes it too."""
    if entity in INSERTED_BY_MANY:
        # An insert carries created_at; an update never changes it.
        ordered = sorted(changes, key=lambda c: ("created_at" not in c.data, c.hlc, c.node_id, c.id))
    else:
        ordered = sorted(changes, key=lambda c: (c.hlc, c.node_id, c.id))
    freeze = signing_of(ordered) if entity in SIGNABLE_ENTITIES else parent
    allowed = AFTER_SIGNING if entity in SIGNABLE_ENTITIES else CHILD_AFTER_SIGNING
    row = FoldedRow()
    for change in ordered:
        # After the signature only the void fields (and patient_id, down a merge) move; the signing
        # transaction itself, which restates the whole record as signed, is part of the signature.
        late = freeze is not None and change.stamp > freeze.stamp and change.tx_id != freeze.tx_id
        if late and allowed is CHILD_AFTER_SIGNING and "patient_id" not in change.data:
            row.frozen_out.append(change.id)
            continue
        for name, value in change.data.items():
            if late and name not in allowed:
                continue
            row.values[name] = value
            row.stamps[name] = change.stamp
        if late and set(change.data) - allowed:
            row.frozen_out.append(change.id)
    if parent is not None and parent.restated and row.values.get("voided_at") is None and not any(c.tx_id == parent.tx_id for c in ordered):
        # Added to the draft on another PC while this one signed it, so not in what was signed: it
        # stays in the record, voided, as of the signature.
        row.values.update(voided_at=parent.signed_at, voided_by=parent.signed_by, void_reason=NOT_AS_SIGNED)
        for name in ("voided_at", "voided_by", "void_reason"):
            row.stamps[name] = parent.stamp
    return row
