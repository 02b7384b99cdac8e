"""Applying changes pulled from the hub to this PC's record: one transaction per page.

In that transaction: the changes join the local change history (each once, by id), every row they
touch is re-folded from its whole history (sync/fold.py: per field, last writer by (HLC, node id);
signed rows frozen), only the fields whose folded value differs are written, the clock observes the
newest stamp, the pull cursor moves past the page, the search index follows, and likely duplicate
patients go to the merge queue. If anything fails, none of it happened and the page is pulled
again.

Rows are written with plain SQL on the write transaction's connection, not through the ORM: the
ORM would record them as new local changes (an echo to every other PC). Foreign keys are checked
at commit (defer_foreign_keys), since a page may touch a child row before the parent it was moved
to arrives a few changes later.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import LargeBinary
from sqlalchemy.exc import IntegrityError

from core import audit
from core.errors import NadiError
from core.search.index import reindex_patients
from core.services.merges import detect_candidates, follow_merges
from core.storage.database import Actor, Database
from core.storage.models import SYNCED_MODELS, SyncState
from core.storage.types import utc_text
from sync.fold import CHILD_OF, CHILDREN_OF, RecordedChange, Signing, fold, signing_of
from sync.protocol import WireChange

SYNC_ACTOR = Actor(None, "sync", "system")
_CHUNK = 900


@dataclass(frozen=True)
class _TableShape:
    columns: tuple[str, ...]
    column_set: frozenset[str]
    binary: frozenset[str]


_SHAPES = {
    m.__tablename__: _TableShape(
        tuple(c.name for c in m.__table__.columns),
        frozenset(c.name for c in m.__table__.columns),
        frozenset(c.name for c in m.__table__.columns if isinstance(c.type, LargeBinary)),
    )
    for m in SYNCED_MODELS
}


@dataclass
class ApplyReport:
    received: int = 0
    new: int = 0  # not already held here
    rows_inserted: int = 0
    rows_updated: int = 0
    # Changes that arrived after the row was signed elsewhere and were not applied (kept in history).
    frozen_out: int = 0
    # Entities this version of Nadi does not know (a newer PC in the clinic): kept, not applied.
    unknown_entities: dict[str, int] = field(default_factory=dict)
    # Rows whose first change has not arrived yet (kept; applied when it does).
    waiting_rows: int = 0
    merge_candidates: int = 0
    references_moved: int = 0

    def merge(self, other: ApplyReport) -> None:
        for name in ("received", "new", "rows_inserted", "rows_updated", "frozen_out", "waiting_rows", "merge_candidates", "references_moved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for entity, count in other.unknown_entities.items():
            self.unknown_entities[entity] = self.unknown_entities.get(entity, 0) + count


class ApplyFailed(NadiError):
    pass


def apply_changes(db: Database, changes: list[WireChange], cursor: int | None = None, cursor_change_id: str | None = None) -> ApplyReport:
    """Apply one page of pulled changes (in server order) and, with `cursor`, move the pull cursor
    to it in the same transaction."""
    report = ApplyReport(received=len(changes))
    try:
        with db.write(SYNC_ACTOR) as session:
            cur = session.connection().connection.driver_connection.cursor()
            cur.execute("PRAGMA defer_foreign_keys = ON")
            fresh = _not_held(cur, changes)
            report.new = len(fresh)
            if fresh:
                _record(cur, fresh)
                touched = _apply_rows(cur, fresh, report)
                db.clock.observe(max(c.hlc for c in fresh))
                patients = touched.get("patient", []) + _patients_of_identifiers(cur, touched.get("patient_identifier", []))
                if patients:
                    reindex_patients(session, patients)
                    report.merge_candidates = len(detect_candidates(session, touched.get("patient", [])))
                report.references_moved = follow_merges(session)
                audit.record(session, "sync.applied", detail={k: v for k, v in report.__dict__.items() if v})
            if cursor is not None:
                state = session.get(SyncState, 1)
                if state is None:
                    raise ApplyFailed("this PC is not enrolled with a hub (no sync state)")
                if cursor >= state.pull_cursor:
                    state.pull_cursor, state.pull_cursor_change_id = cursor, cursor_change_id
    except IntegrityError as exc:
        raise ApplyFailed(f"changes from the hub could not be applied and were left for the next try ({exc.orig}); nothing was changed") from None
    except ApplyFailed:
        raise
    except NadiError as exc:
        # A rule of the record refused what applying led to (following a merge onto a signed row,
        # say). Reported like any failed page, so the round ends with the reason on the status bar
        # instead of escaping the agent with nothing recorded.
        raise ApplyFailed(f"changes from the hub could not be applied and were left for the next try ({exc}); nothing was changed") from None
    return report


def _not_held(cur, changes: list[WireChange]) -> list[WireChange]:
    held: set[str] = set()
    ids = [c.id for c in changes]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        held.update(r[0] for r in cur.execute(f"SELECT id FROM change WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    fresh = []
    for c in changes:
        if c.id not in held:
            held.add(c.id)  # the same change twice in one page (a duplicated delivery) counts once
            fresh.append(c)
    return fresh


def _record(cur, fresh: list[WireChange]) -> None:
    now = utc_text()
    cur.executemany(
        "INSERT INTO change(id, tx_id, entity, row_id, op, data, hlc, node_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.id, c.tx_id, c.entity, c.row_id, c.op, c.data, c.hlc, c.node_id, now) for c in fresh],
    )


def _apply_rows(cur, fresh: list[WireChange], report: ApplyReport) -> dict[str, list[str]]:
    by_entity: dict[str, dict[str, None]] = defaultdict(dict)
    for c in fresh:
        if c.entity not in _SHAPES:
            report.unknown_entities[c.entity] = report.unknown_entities.get(c.entity, 0) + 1
            continue
        by_entity[c.entity][c.row_id] = None
    _add_children_of_newly_signed(cur, fresh, by_entity)
    touched: dict[str, list[str]] = {}
    for entity, rows in by_entity.items():
        row_ids = list(rows)
        touched[entity] = row_ids
        shape = _SHAPES[entity]
        for start in range(0, len(row_ids), _CHUNK):
            _apply_chunk(cur, entity, shape, row_ids[start : start + _CHUNK], report)
    return touched


def _apply_chunk(cur, entity: str, shape: _TableShape, row_ids: list[str], report: ApplyReport) -> None:
    marks = ",".join("?" * len(row_ids))
    history: dict[str, list[RecordedChange]] = defaultdict(list)
    for cid, row_id, data, hlc, node_id, tx_id, op in cur.execute(
        f"SELECT id, row_id, data, hlc, node_id, tx_id, op FROM change WHERE entity = ? AND row_id IN ({marks})", [entity, *row_ids]
    ):
        history[row_id].append(RecordedChange.from_text(cid, entity, row_id, data, hlc, node_id, tx_id, op))
    parents = _parent_signings(cur, entity, history)
    columns = shape.columns
    current = {}
    for row in cur.execute(f"SELECT {', '.join(columns)} FROM {entity} WHERE id IN ({marks})", row_ids):
        values = dict(zip(columns, row, strict=True))
        current[values["id"]] = values
    inserts: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for row_id in row_ids:
        changes = history[row_id]
        parent = parents.get(row_id)
        if len(changes) == 1 and parent is None:  # most rows arrive once, as their insert: nothing to fold
            values = dict(changes[0].data)
        else:
            folded = fold(entity, changes, parent)
            report.frozen_out += len(folded.frozen_out)
            values = folded.values
        if not shape.column_set.issuperset(values):
            # A field this version does not have (sent by a newer PC) stays in the history, unapplied.
            values = {name: value for name, value in values.items() if name in shape.column_set}
        for name in shape.binary.intersection(values):
            if isinstance(values[name], str):
                values[name] = base64.b64decode(values[name])
        have = current.get(row_id)
        if have is None:
            if "created_at" not in values:  # only updates so far: the row's insert is still on its way
                report.waiting_rows += 1
                continue
            values["id"] = row_id
            names = tuple(sorted(values))
            inserts[names].append(tuple(values[n] for n in names))
            report.rows_inserted += 1
            continue
        diff = {name: value for name, value in values.items() if name != "id" and have.get(name) != value}
        if diff:
            names = sorted(diff)
            cur.execute(f"UPDATE {entity} SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?", [*(diff[n] for n in names), row_id])
            report.rows_updated += 1
    for names, rows in inserts.items():
        cur.executemany(f"INSERT INTO {entity} ({', '.join(names)}) VALUES ({','.join('?' * len(names))})", rows)


def _add_children_of_newly_signed(cur, fresh: list[WireChange], by_entity: dict[str, dict[str, None]]) -> None:
    """A note or prescription signed in this page re-folds all its items (or vitals and diagnoses),
    including ones made here that the signer never saw, which the signature now voids."""
    signed: dict[str, set[str]] = defaultdict(set)
    for c in fresh:
        if c.entity in CHILDREN_OF and '"signed_at": "' in c.data:
            signed[c.entity].add(c.row_id)
    for parent_entity, parent_ids in signed.items():
        ids = list(parent_ids)
        for child_entity, fk in CHILDREN_OF[parent_entity]:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                for (child_id,) in cur.execute(f"SELECT id FROM {child_entity} WHERE {fk} IN ({','.join('?' * len(chunk))})", chunk):
                    by_entity[child_entity][child_id] = None


def _parent_signings(cur, entity: str, history: dict[str, list[RecordedChange]]) -> dict[str, Signing]:
    """For items, vitals and diagnoses: the first signature of the note or prescription each belongs
    to, by child row id (rows whose parent is unsigned are absent)."""
    if entity not in CHILD_OF:
        return {}
    parent_entity, fk = CHILD_OF[entity]
    parent_of: dict[str, str] = {}
    for row_id, changes in history.items():
        with_fk = [c for c in changes if c.data.get(fk)]
        if with_fk:
            parent_of[row_id] = max(with_fk, key=lambda c: (c.hlc, c.node_id, c.id)).data[fk]
    ids = list(set(parent_of.values()))
    signing_changes: dict[str, list[RecordedChange]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        # Only changes that carry a signature (every restatement does): one indexed probe per parent.
        for cid, row_id, data, hlc, node_id, tx_id, op in cur.execute(
            f"SELECT id, row_id, data, hlc, node_id, tx_id, op FROM change WHERE entity = ? AND row_id IN ({','.join('?' * len(chunk))}) "
            "AND data LIKE '%\"signed_at\": \"%'",
            [parent_entity, *chunk],
        ):
            signing_changes[row_id].append(RecordedChange.from_text(cid, parent_entity, row_id, data, hlc, node_id, tx_id, op))
    signings = {pid: signing_of(changes) for pid, changes in signing_changes.items()}
    return {row_id: signings[pid] for row_id, pid in parent_of.items() if signings.get(pid) is not None}


def _patients_of_identifiers(cur, identifier_ids: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(identifier_ids), _CHUNK):
        chunk = identifier_ids[start : start + _CHUNK]
        found += [r[0] for r in cur.execute(f"SELECT patient_id FROM patient_identifier WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
    return found

