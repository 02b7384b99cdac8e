"""The duplicate-patient merge queue: one person registered twice (on two PCs while offline, say).

After sync, `detect_candidates` puts each likely pair in the queue (`MergeCandidate`, a synced row
whose id is made from the pair, so two PCs that spot the same pair write the same row). Someone at
the desk merges the pair or says they are two different people. A merge voids the duplicate, marks
it `merged_into_id`, and moves every row that references it to the survivor; all of that is
ordinary synced change, so other PCs see the same merge. Rows made on a PC that had not yet seen the
merge arrive still pointing at the duplicate: `follow_merges` moves them on, in the transaction that
applied them.

What counts as a likely duplicate is decided once, in `patients.duplicate_evidence`, for this queue
and for the warning reception sees while registering.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from core import audit
from core.errors import InvalidInput, NadiError
from core.services.common import get_or_fail
from core.services.patients import duplicate_evidence
from core.services.staff_access import may
from core.storage.database import Actor, Database
from core.storage.models import SYNCED_MODELS, Base, Encounter, MergeCandidate, Patient
from core.storage.types import utcnow
from core.validation import age_on

# Fixed for ever: changing it would give an already-queued pair a second row on PCs that upgrade.
_PAIR_NAMESPACE = uuid.UUID("1eee9a34-8da2-4f83-a117-57bb61495a6c")
_CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on bound values

# Every synced table that says which patient a row belongs to, found from the models so a table
# added later follows merges without anyone remembering to list it here.
PATIENT_REFERENCES: tuple[type[Base], ...] = tuple(
    sorted((m for m in SYNCED_MODELS if "patient_id" in m.__table__.c), key=lambda m: m.__tablename__)
)
# Details the survivor takes from the duplicate when it has none of its own.
FILLABLE = ("mobile", "abha_number", "abha_address", "address_line", "city", "district", "state", "pincode", "preferred_language")

T = TypeVar("T")


class MergeRefused(NadiError):
    """A merge or dismissal that cannot be done as asked; the message says why and what to do."""


def candidate_id(a: str, b: str) -> str:
    """The merge-queue row id for a pair of patients, the same whichever order they come in and
    on whichever PC spots them."""
    if a == b:
        raise ValueError("a patient is not a duplicate of itself")
    low, high = sorted((a, b))
    return str(uuid.uuid5(_PAIR_NAMESPACE, f"{low}:{high}"))


# --- finding pairs ---------------------------------------------------------------------------------


def _live(patient=Patient):
    # Not "merged_into_id IS NULL": without table statistics SQLite drives that from
    # ix_patient_merged_into_id, which for IS NULL is nearly every patient, instead of the
    # mobile / ABHA / id index that finds the few rows wanted.
    return and_(patient.voided_at.is_(None), func.coalesce(patient.merged_into_id, "") == "")


def _gone(patient=Patient):
    return or_(patient.voided_at.is_not(None), func.coalesce(patient.merged_into_id, "") != "")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def detect_candidates(session: Session, patient_ids: Iterable[str]) -> list[MergeCandidate]:
    """Queue every live patient that looks like one of these (live) patients, inside the caller's
    write transaction. A pair that already has a row, in any status, is left alone: a pair marked
    as different people is never asked about again. Returns the rows added."""
    ids = list(dict.fromkeys(patient_ids))
    added: list[MergeCandidate] = []
    decided: set[str] = set()
    for chunk in _chunks(ids):
        batch = list(session.execute(select(*_KEY_COLUMNS).where(Patient.id.in_(chunk), _live())))
        lookup = _patients_sharing_keys(session, batch)
        pairs: dict[str, tuple[str, str, str]] = {}
        for patient in batch:
            for other in _sharing(lookup, patient):
                cid = candidate_id(patient.id, other.id)
                if cid in decided:
                    continue
                decided.add(cid)
                # Judged from the lower id's side, so every PC words the same pair the same way.
                a, b = sorted((patient, other), key=lambda p: p.id)
                reason = _reason(a, b)
                if reason:
                    pairs[cid] = (a.id, b.id, reason)
        existing: set[str] = set()
        for cids in _chunks(list(pairs)):
            existing.update(session.scalars(select(MergeCandidate.id).where(MergeCandidate.id.in_(cids))))
        for cid, (a_id, b_id, reason) in pairs.items():
            if cid not in existing:
                row = MergeCandidate(id=cid, patient_a_id=a_id, patient_b_id=b_id, reason=reason, status="open")
                session.add(row)
                added.append(row)
    if added:
        session.flush()
    return added


_KEYS = ("mobile", "abha_number", "abha_address")
# Only what the judgement reads: whole Patient objects would cost more to load than to compare.
_KEY_COLUMNS = (Patient.id, Patient.full_name, Patient.date_of_birth, Patient.birth_date_estimated,
                Patient.mobile, Patient.abha_number, Patient.abha_address)


def _patients_sharing_keys(session: Session, batch: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """Live patients with any of the batch's mobiles or ABHA ids, by (key, value): one indexed
    IN lookup per key and chunk, whatever the size of the clinic."""
    found: dict[str, Row] = {}
    for key in _KEYS:
        values = sorted({getattr(p, key) for p in batch if getattr(p, key)})
        column = getattr(Patient, key)
        for chunk in _chunks(values):
            for other in session.execute(select(*_KEY_COLUMNS).where(column.in_(chunk), _live())):
                found[other.id] = other
    lookup: dict[tuple[str, str], list[Row]] = {}
    for other in found.values():
        for key in _KEYS:
            if getattr(other, key):
                lookup.setdefault((key, getattr(other, key)), []).append(other)
    return lookup


def _sharing(lookup: dict[tuple[str, str], list[Row]], patient: Row) -> list[Row]:
    others: dict[str, Row] = {}
    for key in _KEYS:
        value = getattr(patient, key)
        for other in lookup.get((key, value), ()) if value else ():
            if other.id != patient.id:
                others[other.id] = other
    return list(others.values())


def _reason(a: Row, b: Row) -> str | None:
    born = a.date_of_birth.year if a.date_of_birth else None
    evidence = duplicate_evidence(a.full_name, born, a.mobile, a.abha_number, a.abha_address, b)
    if evidence == "abha_number":
        return f"same ABHA number {a.abha_number}"
    if evidence == "abha_address":
        return f"same ABHA address {a.abha_address}"
    if evidence == "mobile":
        years = [_birth_year(p) for p in (a, b)]
        when = years[0] if years[0] == years[1] else f"{years[0]}/{years[1]}"
        return f"same mobile {a.mobile} and a close name, born {when}"
    return None


def _birth_year(patient: Row) -> str:
    assert patient.date_of_birth is not None
    return f"about {patient.date_of_birth.year}" if patient.birth_date_estimated else str(patient.date_of_birth.year)


# --- the desk's queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateSide:
    """One of the two registrations, as the desk compares them."""

    patient_id: str
    name: str
    gender: str
    age: int | None
    date_of_birth: date | None
    birth_date_estimated: bool
    mobile: str | None
    abha_number: str | None
    abha_address: str | None
    registered_at: datetime
    visits: int  # live consultations, amendments not counted twice


@dataclass(frozen=True)
class CandidateView:
    id: str
    reason: str
    found_at: datetime
    a: CandidateSide
    b: CandidateSide


_SIDE_A, _SIDE_B = aliased(Patient, name="side_a"), aliased(Patient, name="side_b")
# Built once: the queue is counted for the desk's badge and checked after every sync pull.
_PAIRS = (
    select(MergeCandidate, _SIDE_A, _SIDE_B)
    .join(_SIDE_A, _SIDE_A.id == MergeCandidate.patient_a_id)
    .join(_SIDE_B, _SIDE_B.id == MergeCandidate.patient_b_id)
    .where(MergeCandidate.status == "open")
)
# A pair with a side already merged or voided (elsewhere, and not yet settled by follow_merges) is
# nothing the desk can act on.
_OPEN_PAIRS = _PAIRS.where(_live(_SIDE_A), _live(_SIDE_B))
_COUNT_OPEN = select(func.count()).select_from(_OPEN_PAIRS.subquery())
_SETTLED_PAIRS = _PAIRS.where(or_(_gone(_SIDE_A), _gone(_SIDE_B)))
# "> ''" rather than IS NOT NULL: SQLite uses the index for a range, and scans the table for IS NOT NULL.
_MERGE_LINKS = select(Patient.id, Patient.merged_into_id).where(Patient.merged_into_id > "")


def open_candidates(db: Database) -> list[CandidateView]:
    """The merge queue, oldest first."""
    today = date.today()
    with db.read() as session:
        rows = session.execute(_OPEN_PAIRS.order_by(MergeCandidate.created_at, MergeCandidate.id)).all()
        ids = list({p.id for _c, a, b in rows for p in (a, b)})
        visits: dict[str, int] = {}
        for chunk in _chunks(ids):
            visits.update(session.execute(
                select(Encounter.patient_id, func.count())
                .where(Encounter.patient_id.in_(chunk), Encounter.voided_at.is_(None), Encounter.amends_id.is_(None))
                .group_by(Encounter.patient_id)
            ).all())

    def side(p: Patient) -> CandidateSide:
        return CandidateSide(p.id, p.full_name, p.gender, age_on(p.date_of_birth, today) if p.date_of_birth else None,
                             p.date_of_birth, bool(p.birth_date_estimated), p.mobile, p.abha_number, p.abha_address,
                             p.created_at, visits.get(p.id, 0))

    return [CandidateView(c.id, c.reason, c.created_at, side(a), side(b)) for c, a, b in rows]


def count_open(db: Database) -> int:
    with db.read() as session:
        return session.scalar(_COUNT_OPEN) or 0


# --- deciding a pair -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    survivor_id: str
    duplicate_id: str
    moved: dict[str, int] = field(default_factory=dict)  # table -> rows now pointing at the survivor
    filled: list[str] = field(default_factory=list)  # survivor details taken from the duplicate

    @property
    def rows_moved(self) -> int:
        return sum(self.moved.values())


def _require_desk(actor: Actor, doing: str) -> None:
    # Whoever may register patients may say two registrations are one person; and the admin.
    if not (may(actor.role, "reception") or actor.role == "admin"):
        raise MergeRefused(f"{actor.label} is signed in as {actor.role}; {doing} is done by reception staff, doctors, nurses or the admin")


def _open_candidate(session: Session, db: Database, candidate_id: str) -> MergeCandidate:
    cand = get_or_fail(session, MergeCandidate, candidate_id)
    if cand.status != "open":
        when = f" on {cand.resolved_at.astimezone(ZoneInfo(db.settings.clinic_timezone)):%d %b %Y}" if cand.resolved_at else ""
        done = "merged" if cand.status == "merged" else "marked as two different people"
        raise MergeRefused(f"this pair was already {done}{when}; refresh the merge queue")
    return cand


def _live_or_refuse(session: Session, patient_id: str) -> Patient:
    patient = get_or_fail(session, Patient, patient_id, live=False)
    if patient.merged_into_id:
        into = session.get(Patient, patient.merged_into_id)
        raise MergeRefused(f"{patient.full_name} was already merged into {into.full_name if into else patient.merged_into_id} "
                           "(on this PC or another); refresh the merge queue")
    if patient.voided_at is not None:
        raise MergeRefused(f"{patient.full_name}'s registration was voided ({patient.void_reason}); "
                           "a voided registration cannot be merged — refresh the merge queue")
    return patient


def merge_patients(db: Database, actor: Actor, candidate_id: str, survivor_id: str) -> MergeResult:
    """Make one record of a queued pair, keeping `survivor_id`; all in one transaction."""
    _require_desk(actor, "merging patients")
    with db.write(actor) as session:
        cand = _open_candidate(session, db, candidate_id)
        pair = (cand.patient_a_id, cand.patient_b_id)
        if survivor_id not in pair:
            names = " or ".join(get_or_fail(session, Patient, pid, live=False).full_name for pid in pair)
            raise MergeRefused(f"the record to keep must be one of the pair ({names})")
        survivor = _live_or_refuse(session, survivor_id)
        duplicate = _live_or_refuse(session, pair[1] if survivor_id == pair[0] else pair[0])

        filled = _fill_from(survivor, duplicate)
        now = utcnow()
        # Marked merged before any row moves: each query while moving them flushes what moved so
        # far, and a row is only allowed to follow a merge that is already there to see.
        duplicate.merged_into_id = survivor.id
        duplicate.voided_at = now
        duplicate.voided_by = actor.staff_id
        duplicate.void_reason = f"merged into {survivor.full_name} ({survivor.id})"
        cand.status, cand.survivor_id, cand.resolved_by, cand.resolved_at = "merged", survivor.id, actor.staff_id, now
        session.flush()
        moved = _repoint(session, {duplicate.id: survivor.id})
        session.flush()
        audit.record(session, "patient.merged", entity="patient", entity_id=duplicate.id, patient_id=survivor.id,
                     detail={"survivor": survivor.id, "duplicate": duplicate.id, "candidate": cand.id, "moved": moved,
                             "rows_moved": sum(moved.values()), "filled": filled})
        # Other pairs the duplicate was in are settled by this merge; the survivor, with the
        # details it just gained, may pair with someone new.
        _close_settled_candidates(session, {duplicate.id: survivor.id})
        detect_candidates(session, [survivor.id])
        return MergeResult(survivor.id, duplicate.id, moved, filled)


def _repoint(session: Session, final: dict[str, str]) -> dict[str, int]:
    """Move every row referencing a key of `final` to its value; counts per table."""
    moved: dict[str, int] = {}
    old_ids = list(final)
    for model in PATIENT_REFERENCES:
        for chunk in _chunks(old_ids):
            for row in session.scalars(select(model).where(model.patient_id.in_(chunk))):
                row.patient_id = final[row.patient_id]
                moved[model.__tablename__] = moved.get(model.__tablename__, 0) + 1
    return moved


def _fill_from(survivor: Patient, duplicate: Patient) -> list[str]:
    filled = []
    for key in FILLABLE:
        if not getattr(survivor, key) and getattr(duplicate, key):
            setattr(survivor, key, getattr(duplicate, key))
            filled.append(key)
    # A date of birth someone gave beats one worked out from a told age.
    if duplicate.date_of_birth and (survivor.date_of_birth is None or (survivor.birth_date_estimated and not duplicate.birth_date_estimated)):
        survivor.date_of_birth = duplicate.date_of_birth
        survivor.birth_date_estimated = duplicate.birth_date_estimated
        filled.append("date_of_birth")
    return filled


def dismiss_candidate(db: Database, actor: Actor, candidate_id: str, reason: str) -> MergeCandidate:
    """The desk says the pair are two different people: the pair leaves the queue for good."""
    _require_desk(actor, "deciding the merge queue")
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput({"reason": "say why these are two different people (e.g. father and son sharing a phone)"})
    with db.write(actor) as session:
        cand = _open_candidate(session, db, candidate_id)
        cand.status, cand.resolved_by, cand.resolved_at = "dismissed", actor.staff_id, utcnow()
        session.flush()
        audit.record(session, "patient.merge_dismissed", entity="merge_candidate", entity_id=cand.id, patient_id=cand.patient_a_id,
                     detail={"reason": reason, "patients": [cand.patient_a_id, cand.patient_b_id], "detected_because": cand.reason})
        return cand


# --- after sync ------------------------------------------------------------------------------------


def follow_merges(session: Session) -> int:
    """Inside the caller's write transaction (the one that applied a sync batch): move rows that
    still reference a merged patient to the final survivor, and settle queued pairs one side of
    which was merged or voided elsewhere. Returns how many rows moved.

    With nothing to do this is one indexed query on patient.merged_into_id and one over the open
    queue."""
    links = dict(session.execute(_MERGE_LINKS).all())
    final: dict[str, str] = {}
    moved = 0
    if links:
        final = _final_survivors(session, links)
        moved = sum(_repoint(session, final).values())
    _close_settled_candidates(session, final)
    return moved


def _final_survivors(session: Session, links: dict[str, str]) -> dict[str, str]:
    """Where each merged patient's chain (A -> B -> C) ends. Two PCs merging the same pair opposite
    ways at once leave a cycle (A -> B -> A); every PC breaks it the same way, by bringing back the
    lowest id in it, so all of them end with the same record."""
    while True:
        final, cycle = _walk(links)
        if cycle is None:
            return final
        keep = min(cycle)
        patient = session.get(Patient, keep)
        assert patient is not None
        patient.merged_into_id = None
        patient.voided_at = patient.voided_by = patient.void_reason = None
        del links[keep]
        audit.record(session, "patient.merge_cycle_broken", entity="patient", entity_id=keep, patient_id=keep,
                     detail={"cycle": sorted(cycle), "kept": keep,
                             "why": "these registrations were merged into each other on two PCs at once; this one is kept"})


def _walk(links: dict[str, str]) -> tuple[dict[str, str], list[str] | None]:
    final: dict[str, str] = {}
    for start in links:
        path: list[str] = []
        node = start
        while node in links and node not in final and node not in path:
            path.append(node)
            node = links[node]
        if node in path:
            return final, path[path.index(node):]
        end = final.get(node, node)
        final.update(dict.fromkeys(path, end))
    return final, None


def _close_settled_candidates(session: Session, final: dict[str, str]) -> None:
    """Close open pairs one side of which is merged or voided. Every value written comes from the
    rows themselves (who voided the side that went, and when), so each PC that does this writes
    the same thing, and the record of who decided is never overwritten by a blank."""
    rows = session.execute(_SETTLED_PAIRS).all()
    recheck: set[str] = set()
    for cand, a, b in rows:
        survivor = None
        for went, stayed in ((a, b), (b, a)):
            if went.merged_into_id and final.get(went.id, went.merged_into_id) == stayed.id:
                survivor, closer = stayed, went
                break
        else:
            closer = a if (a.voided_at or a.merged_into_id) else b
        cand.status = "merged"
        cand.survivor_id = survivor.id if survivor else None
        cand.resolved_by = closer.voided_by
        cand.resolved_at = closer.voided_at or utcnow()
        for side in (a, b):
            recheck.add(final.get(side.id, side.merged_into_id or side.id))
    if recheck:
        session.flush()
        detect_candidates(session, sorted(recheck))
