"""The bar for Nadi's sync: three PCs of one clinic (reception, doctor, nurse) and a real hub over
loopback, on SQLite and on PostgreSQL, through a network that cuts calls, repeats them and delivers
old pushes late, with PCs offline for long stretches and clocks hours apart.

When the dust settles (fault-free rounds until nothing moves) every PC holds exactly what the hub's
fold of the change stream says, and:
- no committed write is lost: a write that is the last by (HLC, node id) to its field is the value
  on every PC; a write that lost is still in every PC's change history;
- no change record is lost or held twice, anywhere;
- a signed prescription is, on every PC, what the signing PC signed (its fields, its items, a
  signature that verifies);
- a merged duplicate's visits, and everything else of it, point at the survivor on every PC.

`test_three_pcs_converge` drives random operations (hypothesis makes the lists; one hub server per
backend, a new clinic and three new PCs per example). It is derandomized, so it is the same bar on
every run; NADI_CONVERGENCE_EXAMPLES=200 runs that many fresh random examples instead, to search.
The deterministic tests after it each pin one failure mode with a clearer message.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from core.hlc import HybridLogicalClock
from core.prescribing import signing
from core.services.clinic import add_staff, setup_clinic
from core.services.common import void
from core.services.consult import finish_visit, open_consult, save_visit
from core.services.merges import dismiss_candidate, merge_patients, open_candidates
from core.services.patients import record_allergy, register_patient, register_patients, update_patient
from core.services.prescriptions import create_prescription, prescription_items, sign_prescription
from core.storage.database import Actor, Database
from core.storage.models import SYNCED_MODELS, Allergy, AuditEvent, Change, Patient, Prescription, PrescriptionItem, Signable, SyncState
from core.storage.outbox import SIGNED_PARENT, VOID_FIELDS
from sync.agent.enrol import enrol
from sync.agent.exchange import pull_and_apply, push_outbox
from sync.agent.hub_client import HubClient, HubUnreachable
from sync.agent.run import SyncReport, sync_once
from sync.hub.clinics import add_clinic
from sync.hub.schema import change as hub_change
from sync.hub.schema import device as hub_device
from tests.sync.devices import IT, Hub, device_state, differences, make_device_template, open_device_from_template, running_hub
from tests.sync.faults import CUT_AFTER_SEND, DUPLICATE, PULL_PATH, PUSH_PATH, REPLAY, FaultPlan, FaultyTransport, faulty_client

PCS = ("reception", "doctor", "nurse")
HOUR_MS = 3600 * 1000
SIGNABLE = frozenset(m.__tablename__ for m in SYNCED_MODELS if issubclass(m, Signable))
CHILD_FK = {child.__tablename__: (parent.__tablename__, fk) for child, (parent, fk) in SIGNED_PARENT.items()}
# Every synced table that says which patient a row belongs to: all of it follows a merge.
PATIENT_TABLES = tuple(sorted(m.__tablename__ for m in SYNCED_MODELS if "patient_id" in m.__table__.c))
QUIET_PASSES_MAX = 8
KILL_DEADLINE_S = 90.0

FIRST = ("Ramesh", "Sunita", "Anil", "Priya", "Suresh", "Kavita", "Mahesh", "Lakshmi", "Vijay", "Geeta", "Arjun", "Meera")
LAST = ("Kumar", "Sharma", "Patil", "Deshmukh", "Joshi", "Reddy", "Iyer", "Khan", "Nair", "Gupta")
STREETS = ("MG Road", "Station Road", "Gandhi Nagar", "Shivaji Chowk", "Laxmi Road", "Karve Nagar")


# --- the clinic under test ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """One change record an operation of the test produced, as its PC recorded it."""

    id: str
    entity: str
    row_id: str
    data: dict
    hlc: int
    node_id: str
    pc: str
    op: str
    tx_id: str = ""
    change_op: str = "update"  # insert | update | restate (the signing transaction's full record)

    @property
    def stamp(self) -> tuple[int, str]:
        return (self.hlc, self.node_id)


@dataclass(frozen=True)
class SignedRx:
    """A prescription as the signing PC held it the moment it was signed."""

    rx_id: str
    pc: str
    row: dict
    items: dict[str, dict]  # live item id -> row


@dataclass(repr=False)
class Clinic:
    hub: Hub
    pcs: dict[str, Database]
    transports: dict[str, FaultyTransport]
    clients: dict[str, HubClient]
    staff: dict[str, Actor]
    rng: random.Random
    written: list[Written] = field(default_factory=list)
    signed: list[SignedRx] = field(default_factory=list)
    visits_on_duplicates: list[tuple[str, str]] = field(default_factory=list)  # (encounter id, duplicate patient id)
    serial: int = 0

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def __repr__(self) -> str:  # a failing assertion shows this; the whole record would drown it
        return f"Clinic({self.hub.clinic_id}, {', '.join(self.pcs)}, {len(self.written)} changes written)"

    def clinician(self, pc: str) -> Actor:
        return self.staff["doctor"] if pc == "doctor" else self.staff["nurse"]


def new_clinic_on(server: Hub, name: str) -> Hub:
    """A clinic of its own on a running hub: examples share the server, never a clinic."""
    made = add_clinic(server.engine, name)
    return Hub(server.url, server.engine, made.clinic_id, made.enrolment_token, made.relay_secret)


@contextmanager
def open_clinic(server: Hub, root: Path, template: Path, seed: int, plan: FaultPlan | None = None,
                names: tuple[str, ...] = PCS, set_up: bool = True) -> Iterator[Clinic]:
    """A new clinic on `server` with a PC per name, each enrolled and talking through its own faulty
    transport (seeded from `seed`); with `set_up`, the clinic and its staff are made on the first PC
    and reach the others before anything else happens."""
    hub = new_clinic_on(server, f"Clinic {seed}")
    rng = random.Random(seed)
    with ExitStack() as stack:
        pcs, transports, clients = {}, {}, {}
        for name in names:
            db = open_device_from_template(template, root, name)
            stack.callback(db.close)
            enrol(db, IT, hub.url, hub.token, name)
            transports[name] = FaultyTransport(random.Random(rng.random()), plan)
            clients[name] = faulty_client(db, transports[name])
            stack.callback(clients[name].close)
            pcs[name] = db
        clinic = Clinic(hub, pcs, transports, clients, {}, rng)
        if set_up:
            set_up_staff(clinic, names[0])
            settle(clinic)
        yield clinic


def set_up_staff(c: Clinic, pc: str) -> None:
    db = c.pcs[pc]
    _, admin = setup_clinic(db, {"name": "Shanti Clinic", "city": "Pune"}, {"full_name": "Meena Joshi", "role": "admin"})
    admin_actor = Actor(admin.id, admin.full_name, "admin")
    doctor = add_staff(db, admin_actor, {"full_name": "Anand Kulkarni", "role": "doctor", "qualification": "MBBS",
                                         "registration_council": "Maharashtra Medical Council", "registration_number": "MMC-2011-04567"})
    nurse = add_staff(db, admin_actor, {"full_name": "Rekha Pawar", "role": "nurse"})
    desk = add_staff(db, admin_actor, {"full_name": "Sunita More", "role": "receptionist"})
    c.staff.update(admin=admin_actor, doctor=Actor(doctor.id, doctor.full_name, "doctor"), nurse=Actor(nurse.id, nurse.full_name, "nurse"),
                   reception=Actor(desk.id, desk.full_name, "receptionist"))


def sync(c: Clinic, pc: str) -> SyncReport:
    """One round of the agent on `pc`, through its faulty network. Being offline is normal; the hub
    refusing, or changes that cannot be applied, is a failure of the sync itself."""
    report = sync_once(c.pcs[pc], client=c.clients[pc], run_jobs=False)
    if report.error is not None and report.online:
        raise AssertionError(f"{pc}: the round failed while the hub was reachable: {report.error}")
    return report


def settle(c: Clinic) -> int:
    """Heal the network and run rounds on every PC, in turn, until one whole pass moves nothing: then
    every PC has pulled everything every other PC pushed. Returns the passes it took."""
    for transport in c.transports.values():
        transport.offline = False
        transport.plan = FaultPlan.none()
        transport.clear_scheduled()
    for n in range(1, QUIET_PASSES_MAX + 1):
        moved = 0
        for pc in c.pcs:
            report = sync(c, pc)
            assert report.online and report.error is None, f"{pc}: {report.error}"
            moved += report.pushed + report.pulled
        if moved == 0:
            return n
    raise AssertionError(f"the clinic did not settle in {QUIET_PASSES_MAX} fault-free passes: some PC keeps making or receiving changes")


def skew_clock(db: Database, hours: float) -> None:
    """This PC's wall clock `hours` off the true time from now on (the HLC keeps what it has seen)."""
    offset = int(hours * HOUR_MS)
    db.clock = HybridLogicalClock(db.clock.last, wall_ms=lambda: time.time_ns() // 1_000_000 + offset)


def last_seq(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.max(Change.seq))) or 0


@contextmanager
def recording(c: Clinic, pc: str, op: str) -> Iterator[None]:
    """Keep every change record the enclosed writes on `pc` made, with its stamp."""
    db = c.pcs[pc]
    before = last_seq(db)
    yield
    with db.read() as session:
        rows = session.execute(select(Change).where(Change.seq > before, Change.node_id == db.node_id).order_by(Change.seq)).scalars().all()
    c.written += [Written(r.id, r.entity, r.row_id, json.loads(r.data), r.hlc, r.node_id, pc, op, r.tx_id, r.op) for r in rows]


def row_of(db: Database, table: str, row_id: str) -> dict | None:
    return device_state(db).get(table, {}).get(row_id)


def live_ids(db: Database, table: str, where: str = "") -> list[str]:
    with db.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(f"SELECT id FROM {table} WHERE voided_at IS NULL {where} ORDER BY id"))]
        conn.rollback()
    return ids


def live_patients(db: Database) -> list[str]:
    return live_ids(db, "patient", "AND merged_into_id IS NULL")


def pick(ids: list[str], n: int) -> str | None:
    return ids[n % len(ids)] if ids else None


def other_pc(pc: str, wanted: str) -> str:
    return wanted if wanted != pc else PCS[(PCS.index(pc) + 1) % len(PCS)]


# --- what a person does at each PC -----------------------------------------------------------------


def new_person(c: Clinic) -> dict:
    n = c.next_serial()
    return {"full_name": f"{c.rng.choice(FIRST)} {c.rng.choice(LAST)}", "gender": c.rng.choice(["male", "female"]),
            "age_years": 20 + n % 50, "mobile": f"9{c.rng.randrange(10**8, 10**9):09d}"}


def op_register(c: Clinic, pc: str) -> None:
    with recording(c, pc, "register"):
        register_patient(c.pcs[pc], c.staff["reception"], new_person(c))


def op_twin(c: Clinic, pc: str, other: str) -> None:
    """The same person registered at two PCs before either has seen the other's record."""
    other = other_pc(pc, other)
    person = new_person(c)
    first, last = person["full_name"].split()
    with recording(c, pc, "twin"):
        register_patient(c.pcs[pc], c.staff["reception"], person)
    with recording(c, other, "twin"):
        register_patient(c.pcs[other], c.staff["reception"], person | {"full_name": f"{first} {last[:-1]}{last[-1] * 2}"})


def field_value(c: Clinic, name: str) -> Any:
    if name == "mobile":
        return f"8{c.rng.randrange(10**8, 10**9):09d}"
    if name == "address_line":
        return f"{c.rng.randrange(1, 400)}, {c.rng.choice(STREETS)}"
    return f"{c.rng.choice(FIRST)} {c.rng.choice(LAST)}"


def op_update(c: Clinic, pc: str, n: int, name: str) -> None:
    patient = pick(live_patients(c.pcs[pc]), n)
    if patient:
        with recording(c, pc, f"update {name}"):
            update_patient(c.pcs[pc], c.staff["reception"], patient, {name: field_value(c, name)})


def op_same_field(c: Clinic, pc: str, other: str, n: int, name: str) -> None:
    """Two PCs change the same field of the same patient between syncs."""
    other = other_pc(pc, other)
    shared = sorted(set(live_patients(c.pcs[pc])) & set(live_patients(c.pcs[other])))
    patient = pick(shared, n)
    if patient:
        for where in (pc, other):
            with recording(c, where, f"same field {name}"):
                update_patient(c.pcs[where], c.staff["reception"], patient, {name: field_value(c, name)})


def op_allergy(c: Clinic, pc: str, n: int) -> None:
    patient = pick(live_patients(c.pcs[pc]), n)
    if patient:
        with recording(c, pc, "allergy"):
            record_allergy(c.pcs[pc], c.clinician(pc), patient, {"substance": c.rng.choice(["Penicillin", "Sulfa drugs", "Peanuts"]), "severity": "severe"})


def op_void_allergy(c: Clinic, pc: str, n: int) -> None:
    allergy = pick(live_ids(c.pcs[pc], "allergy"), n)
    if allergy:
        with recording(c, pc, "void allergy"):
            void(c.pcs[pc], c.clinician(pc), Allergy, allergy, "entered against the wrong patient")


def op_void_patient(c: Clinic, pc: str, n: int) -> None:
    patient = pick(live_patients(c.pcs[pc]), n)
    if patient:
        with recording(c, pc, "void patient"):
            void(c.pcs[pc], c.staff["reception"], Patient, patient, "registered by mistake")


def add_visit(c: Clinic, pc: str, patient: str, finish: bool) -> str:
    actor = c.clinician(pc)
    with recording(c, pc, "visit"):
        encounter = open_consult(c.pcs[pc], actor, patient)
        form = {"chief_complaint": "fever for three days", "vitals": {"pulse": 70 + c.rng.randrange(30), "systolic": 124, "diastolic": 82}}
        save_visit(c.pcs[pc], actor, encounter, form)
        if finish:
            finish_visit(c.pcs[pc], actor, encounter, form)  # a doctor's finish signs the note
    return encounter


def op_visit(c: Clinic, pc: str, n: int, finish: bool) -> None:
    patient = pick(live_patients(c.pcs[pc]), n)
    if patient:
        add_visit(c, pc, patient, finish)


def snapshot_signed(c: Clinic, pc: str, rx_id: str) -> SignedRx:
    state = device_state(c.pcs[pc])
    items = {i: row for i, row in state.get("prescription_item", {}).items() if row["prescription_id"] == rx_id and row["voided_at"] is None}
    return SignedRx(rx_id, pc, state["prescription"][rx_id], items)


def op_sign_race(c: Clinic, signer: str, editor: str, n: int, edit: str, edit_first: bool) -> None:
    """The doctor signs a prescription on one PC while another PC, which has the unsigned draft,
    edits it (drops an item, or changes the notes) before or after, without having synced."""
    editor = other_pc(signer, editor)
    db, doctor = c.pcs[signer], c.staff["doctor"]
    patient = pick(live_patients(db), n)
    if patient is None:
        return
    with recording(c, signer, "prescribe"):
        encounter = open_consult(db, doctor, patient)
        rx = create_prescription(db, doctor, encounter, [
            {"drug_name": "Paracetamol 500 mg", "dose": "1 tablet", "frequency": "1-0-1", "duration_days": 3},
            {"drug_name": "Cetirizine 10 mg", "dose": "1 tablet", "frequency": "0-0-1", "duration_days": 5},
        ], notes="after food")
    sync(c, signer)
    sync(c, editor)
    draft = row_of(c.pcs[editor], "prescription", rx.id)
    editable = draft is not None and draft["signed_at"] is None

    def edit_draft() -> None:
        with recording(c, editor, f"edit draft ({edit})"):
            if edit == "void_item":
                dropped = prescription_items(c.pcs[editor], rx.id)[-1]
                void(c.pcs[editor], doctor, PrescriptionItem, dropped.id, "not needed after all")
            else:
                with c.pcs[editor].write(doctor) as session:
                    session.get(Prescription, rx.id).notes = "before food, with water"

    if editable and edit_first:
        edit_draft()
    with recording(c, signer, "sign"):
        sign_prescription(db, doctor, rx.id)
    c.signed.append(snapshot_signed(c, signer, rx.id))
    if editable and not edit_first:
        edit_draft()


def op_merge(c: Clinic, merger: str, visitor: str, n: int, keep_a: bool) -> None:
    """The desk merges a queued duplicate on one PC while another PC, not yet aware, adds a visit
    to the duplicate."""
    visitor = other_pc(merger, visitor)
    queue = open_candidates(c.pcs[merger])
    if not queue:
        return
    cand = queue[n % len(queue)]
    survivor, duplicate = (cand.a.patient_id, cand.b.patient_id) if keep_a else (cand.b.patient_id, cand.a.patient_id)
    if duplicate in live_patients(c.pcs[visitor]):
        c.visits_on_duplicates.append((add_visit(c, visitor, duplicate, finish=False), duplicate))
    with recording(c, merger, "merge"):
        merge_patients(c.pcs[merger], c.staff["reception"], cand.id, survivor)


def op_dismiss(c: Clinic, pc: str, n: int) -> None:
    """The desk says a queued pair are two different people."""
    queue = open_candidates(c.pcs[pc])
    if queue:
        with recording(c, pc, "dismiss"):
            dismiss_candidate(c.pcs[pc], c.staff["reception"], queue[n % len(queue)].id, "father and son sharing a phone")


def op_sync(c: Clinic, pc: str) -> None:
    with recording(c, pc, "sync"):  # applying can write (references following a merge, the merge queue)
        sync(c, pc)


def op_offline(c: Clinic, pc: str, offline: bool) -> None:
    c.transports[pc].offline = offline


def op_skew(c: Clinic, pc: str, hours: int) -> None:
    skew_clock(c.pcs[pc], hours)


OPERATIONS: dict[str, Callable[..., None]] = {
    "register": op_register, "twin": op_twin, "update": op_update, "same_field": op_same_field, "allergy": op_allergy,
    "void_allergy": op_void_allergy, "void_patient": op_void_patient, "visit": op_visit, "sign_race": op_sign_race,
    "merge": op_merge, "dismiss": op_dismiss, "sync": op_sync, "offline": op_offline, "skew": op_skew,
}


def populate(c: Clinic) -> None:
    """A few patients on every PC and one person registered twice, all seen everywhere (so the merge
    queue has a pair to decide from the first operation on)."""
    for pc in c.pcs:
        for _ in range(2):
            op_register(c, pc)
    op_twin(c, "reception", "doctor")
    settle(c)


# --- what must hold once the clinic has settled ----------------------------------------------------------


def hub_changes(hub: Hub) -> list[Written]:
    with hub.engine.connect() as conn:
        rows = conn.execute(select(hub_change.c.change_id, hub_change.c.entity, hub_change.c.row_id, hub_change.c.data, hub_change.c.hlc,
                                   hub_change.c.node_id, hub_change.c.tx_id, hub_change.c.op).where(hub_change.c.clinic_id == hub.clinic_id)).all()
        conn.rollback()
    return [Written(r.change_id, r.entity, r.row_id, json.loads(r.data), r.hlc, r.node_id, "hub", "", r.tx_id, r.op) for r in rows]


def change_ids(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Change.id)))


def _norm(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def final_survivor(patients: dict[str, dict], patient_id: str) -> str:
    seen = set()
    while patients.get(patient_id, {}).get("merged_into_id") and patient_id not in seen:
        seen.add(patient_id)
        patient_id = patients[patient_id]["merged_into_id"]
    return patient_id


def assert_converged(c: Clinic) -> None:
    hub_state = c.hub.state()
    states = {pc: device_state(db) for pc, db in c.pcs.items()}
    for pc, state in states.items():
        diffs = differences(state, hub_state, pc, "hub")
        assert diffs == [], f"{pc} differs from the hub's fold:\n  " + "\n  ".join(diffs)

    history = hub_changes(c.hub)
    held = [w.id for w in history]
    assert len(held) == len(set(held)), "the hub holds a change more than once"
    for pc, db in c.pcs.items():
        ids = change_ids(db)
        assert len(ids) == len(set(ids)), f"{pc} holds a change more than once"
        missing, extra = set(held) - set(ids), set(ids) - set(held)
        assert not missing and not extra, f"{pc}: {len(missing)} changes the hub has are missing here, {len(extra)} never reached the hub"
    lost = [w for w in c.written if w.id not in set(held)]
    assert not lost, f"{len(lost)} committed changes never reached the hub, e.g. {lost[0]}"

    _assert_last_writer_wins(c, history, states)
    _assert_signed_as_signed(c, states)
    _assert_merges_followed(c, hub_state, states)


def _assert_last_writer_wins(c: Clinic, history: list[Written], states: dict[str, dict]) -> None:
    # The first signature of each note or prescription, and the transaction it was made in. That
    # transaction restates the whole record as the signer saw it, and counts as the signature.
    first_sign: dict[tuple[str, str], Written] = {}
    for w in history:
        if w.entity in SIGNABLE and w.data.get("signed_at") is not None:
            key = (w.entity, w.row_id)
            if key not in first_sign or (w.stamp, w.id) < (first_sign[key].stamp, first_sign[key].id):
                first_sign[key] = w
    restating = {w.tx_id for w in history if w.change_op == "restate"}
    # Items, vitals and diagnoses freeze with their parent: child row -> the parent's first signature.
    parent_of: dict[tuple[str, str], tuple[str, str]] = {}
    for w in sorted(history, key=lambda w: w.stamp):
        if w.entity in CHILD_FK and w.data.get(CHILD_FK[w.entity][1]):
            parent_of[(w.entity, w.row_id)] = (CHILD_FK[w.entity][0], w.data[CHILD_FK[w.entity][1]])

    def freeze(w: Written) -> Written | None:
        if w.entity in SIGNABLE:
            return first_sign.get((w.entity, w.row_id))
        parent = parent_of.get((w.entity, w.row_id))
        return first_sign.get(parent) if parent else None

    def counts(w: Written, name: str) -> bool:
        # After the signature (outside its own transaction) only void fields move on a signed row,
        # nothing but the patient on its items, vitals and diagnoses; and the patient everywhere,
        # when that patient is merged into another.
        sign = freeze(w)
        if sign is None or w.stamp <= sign.stamp or w.tx_id == sign.tx_id or name == "patient_id":
            return True
        if w.entity in SIGNABLE:
            return name in VOID_FIELDS
        return name == "updated_at" and "patient_id" in w.data

    def rank(w: Written) -> tuple:
        # The merge queue's rows are inserted by every PC that notices the pair; the desk's decision
        # (an update) outranks any of those inserts, whatever their stamps.
        return (w.entity == "merge_candidate" and "created_at" not in w.data, w.stamp, w.id)

    writers: dict[tuple[str, str, str], list[Written]] = defaultdict(list)
    for w in history:
        for name in w.data:
            if counts(w, name):
                writers[(w.entity, w.row_id, name)].append(w)
    for w in c.written:
        sign = freeze(w)
        not_as_signed = (sign is not None and w.entity in CHILD_FK and sign.tx_id in restating
                         and not any(h.tx_id == sign.tx_id for h in history if (h.entity, h.row_id) == (w.entity, w.row_id)))
        for name, value in w.data.items():
            if not counts(w, name):
                continue
            if not_as_signed and name in VOID_FIELDS - {"updated_at"}:
                continue  # an item the signer never saw: voided as of the signature (checked in _assert_signed_as_signed)
            winner = max(writers[(w.entity, w.row_id, name)], key=rank)
            if winner.id != w.id:
                continue  # overwritten by a later stamp; the value stays in every PC's history (checked above)
            expected = base64.b64encode(value).decode() if isinstance(value, bytes) else value
            for pc, state in states.items():
                got = state.get(w.entity, {}).get(w.row_id, {}).get(name, "<row absent>")
                assert _norm(got) == _norm(expected), (
                    f"{w.op} on {w.pc} wrote {w.entity}.{name}={expected!r} as the last writer (stamp {w.stamp}), but {pc} shows {got!r}")


def _assert_signed_as_signed(c: Clinic, states: dict[str, dict]) -> None:
    for signed in c.signed:
        for pc, state in states.items():
            patients = state.get("patient", {})
            row = state["prescription"][signed.rx_id]
            for name, value in signed.row.items():
                if name in VOID_FIELDS:
                    continue
                if name == "patient_id":  # the one reference that follows a merge of the patient
                    assert row[name] == final_survivor(patients, value), f"{pc}: signed prescription {signed.rx_id} is not with the surviving patient"
                    continue
                assert _norm(row[name]) == _norm(value), (
                    f"{pc}: signed prescription {signed.rx_id} has {name}={row[name]!r}, but {signed.pc} signed it with {value!r}")
            items = {i: r for i, r in state.get("prescription_item", {}).items() if r["prescription_id"] == signed.rx_id and r["voided_at"] is None}
            assert items == signed.items, (
                f"{pc}: signed prescription {signed.rx_id} lists {sorted(r['drug_name'] for r in items.values())}, "
                f"but {signed.pc} signed {sorted(r['drug_name'] for r in signed.items.values())}")
            key = state["signing_key"][row["signing_key_id"]]
            assert signing.verify_signature(row["signed_document"].encode("utf-8"), base64.b64decode(row["signature"]), base64.b64decode(key["public_key"])), (
                f"{pc}: the signature of prescription {signed.rx_id} does not verify")
            document_items = sorted(i["drug"] for i in json.loads(row["signed_document"])["items"])
            assert sorted(r["drug_name"] for r in items.values()) == document_items, f"{pc}: prescription {signed.rx_id}'s items are not the signed ones"


def _assert_merges_followed(c: Clinic, hub_state: dict, states: dict[str, dict]) -> None:
    patients = hub_state.get("patient", {})
    merged = {pid for pid, row in patients.items() if row.get("merged_into_id")}
    for pc, state in states.items():
        for table in PATIENT_TABLES:
            stuck = [(i, r["patient_id"]) for i, r in state.get(table, {}).items() if r["patient_id"] in merged]
            assert not stuck, f"{pc}: {len(stuck)} {table} rows still point at a merged duplicate, e.g. {stuck[0]}"
        for encounter, duplicate in c.visits_on_duplicates:
            assert state["encounter"][encounter]["patient_id"] == final_survivor(patients, duplicate), (
                f"{pc}: the visit added to duplicate {duplicate} during the merge is not with the survivor")


# --- the random-operations driver ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_device_template(tmp_path_factory.mktemp("device-template"))


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return request.getfixturevalue("pg_url")


_pc = st.sampled_from(PCS)
_n = st.integers(0, 1000)
_field = st.sampled_from(["mobile", "address_line", "full_name"])
_operation = st.one_of(
    st.tuples(st.just("register"), _pc),
    st.tuples(st.just("register"), _pc),
    st.tuples(st.just("twin"), _pc, _pc),
    st.tuples(st.just("update"), _pc, _n, _field),
    st.tuples(st.just("same_field"), _pc, _pc, _n, _field),
    st.tuples(st.just("allergy"), _pc, _n),
    st.tuples(st.just("void_allergy"), _pc, _n),
    st.tuples(st.just("void_patient"), _pc, _n),
    st.tuples(st.just("visit"), _pc, _n, st.booleans()),
    st.tuples(st.just("sign_race"), _pc, _pc, _n, st.sampled_from(["void_item", "notes"]), st.booleans()),
    st.tuples(st.just("merge"), _pc, _pc, _n, st.booleans()),
    st.tuples(st.just("dismiss"), _pc, _n),
    st.tuples(st.just("sync"), _pc),
    st.tuples(st.just("sync"), _pc),
    st.tuples(st.just("sync"), _pc),
    st.tuples(st.just("offline"), _pc, st.booleans()),
    st.tuples(st.just("skew"), _pc, st.sampled_from([-5, -3, 0, 3, 5])),
)
_SEARCHING = os.environ.get("NADI_CONVERGENCE_EXAMPLES")


def test_three_pcs_converge(hub_url, tmp_path, template):
    examples = iter(range(10**6))
    with running_hub(hub_url) as server:

        # No shrinking: every example is a clinic of real databases, and shrinking one failure would
        # take minutes; the failing list is printed whole, one operation per line, with its seed.
        @settings(max_examples=int(_SEARCHING or 12), deadline=None, derandomize=not _SEARCHING, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(operations=st.lists(_operation, min_size=15, max_size=45), seed=st.integers(0, 2**31))
        def three_pcs_converge(operations, seed):
            root = tmp_path / f"example-{next(examples)}"
            with open_clinic(server, root, template, seed) as c:
                populate(c)
                for transport in c.transports.values():
                    transport.plan = FaultPlan.rough()
                for operation in operations:
                    note(f"{operation}")
                    OPERATIONS[operation[0]](c, *operation[1:])
                settle(c)
                faults = sum((t.injected for t in c.transports.values()), start=Counter())
                note(f"faults injected: {dict(faults)}")
                assert_converged(c)

        three_pcs_converge()


# --- one failure mode at a time ------------------------------------------------------------------------


def patient_mobile_changes(c: Clinic, patient: str) -> dict[str, list[str]]:
    """Every mobile number the patient's change history holds, per PC."""
    out = {}
    for pc, db in c.pcs.items():
        with db.read() as session:
            datas = session.scalars(select(Change.data).where(Change.entity == "patient", Change.row_id == patient)).all()
        out[pc] = sorted(json.loads(d)["mobile"] for d in datas if "mobile" in json.loads(d))
    return out


def test_the_same_field_edited_on_two_offline_pcs_ends_as_the_later_write_everywhere(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=1) as c:
        with recording(c, "reception", "register"):
            patient = register_patient(c.pcs["reception"], c.staff["reception"], {"full_name": "Ramesh Kumar", "gender": "male", "age_years": 52, "mobile": "9876543210"}).id
        settle(c)
        for t in c.transports.values():
            t.offline = True
        with recording(c, "reception", "reception edits"):
            update_patient(c.pcs["reception"], c.staff["reception"], patient, {"mobile": "9811111111", "address_line": "12, MG Road"})
        with recording(c, "doctor", "doctor edits"):
            update_patient(c.pcs["doctor"], c.staff["doctor"], patient, {"mobile": "9822222222"})
        reception_edit, doctor_edit = c.written[-2], c.written[-1]
        winner, loser = (doctor_edit, reception_edit) if doctor_edit.stamp > reception_edit.stamp else (reception_edit, doctor_edit)
        assert winner is doctor_edit  # written later on a PC whose clock is right

        assert sync(c, "reception").online is False  # offline is reported, not an error
        settle(c)

        assert_converged(c)
        for pc, db in c.pcs.items():
            row = row_of(db, "patient", patient)
            assert row["mobile"] == winner.data["mobile"], f"{pc} kept {row['mobile']}"
            assert row["address_line"] == "12, MG Road", f"{pc} lost the address only reception changed"
        # The losing number is not thrown away: it stays in the history on every PC.
        for pc, numbers in patient_mobile_changes(c, patient).items():
            assert loser.data["mobile"] in numbers and winner.data["mobile"] in numbers, f"{pc}: {numbers}"


def hub_change_count(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(hub_change).where(hub_change.c.clinic_id == hub.clinic_id)).scalar_one()
        conn.rollback()
    return count


def hub_high_water(hub: Hub, db: Database) -> int:
    with hub.engine.connect() as conn:
        value = conn.execute(select(hub_device.c.high_water).where(hub_device.c.id == db.node_id)).scalar_one()
        conn.rollback()
    return value


def sync_state(db: Database) -> SyncState:
    with db.read() as session:
        return session.get(SyncState, 1)


def own_change_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Change).where(Change.node_id == db.node_id))


def register_many(c: Clinic, pc: str, count: int, allergies: bool = False) -> list[str]:
    people = [{"full_name": f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]}", "gender": "female" if n % 2 else "male",
               "age_years": 18 + n % 60, "mobile": f"7{n:09d}"} | ({"allergies": [{"substance": "Penicillin"}]} if allergies else {})
              for n in range(count)]
    with recording(c, pc, f"register {count}"):
        return [p.id for p in register_patients(c.pcs[pc], c.staff["reception"], people)]


def test_a_push_whose_answer_was_lost_is_sent_again_and_held_once(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=2) as c:
        reception = c.pcs["reception"]
        register_many(c, "reception", 250)
        before = hub_change_count(c.hub)
        c.transports["reception"].schedule(CUT_AFTER_SEND, path=PUSH_PATH, skip=1)  # the second batch's answer is lost

        with pytest.raises(HubUnreachable):
            push_outbox(reception, c.clients["reception"], batch=100)

        # The hub took the second batch; the PC, never told, still counts only the first as sent.
        assert hub_change_count(c.hub) == before + 200
        acked = sync_state(reception).pushed_seq
        assert hub_high_water(c.hub, reception) > acked

        accepted = push_outbox(reception, c.clients["reception"], batch=100)
        assert accepted == 250 - 200, "the re-sent batch was taken as new"
        assert hub_change_count(c.hub) == before + 250
        settle(c)
        assert_converged(c)
        for pc, db in c.pcs.items():
            with db.read() as session:
                doubled = session.execute(select(Change.id).group_by(Change.id).having(func.count() > 1)).all()
                patients = session.scalar(text("SELECT count(*) FROM patient"))
            assert doubled == [] and patients == 250, f"{pc}: {len(doubled)} changes held twice, {patients} patients"


def test_a_duplicated_push_and_an_old_push_delivered_late_change_nothing(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=3) as c:
        reception, transport = c.pcs["reception"], c.transports["reception"]
        with recording(c, "reception", "register"):
            patient = register_patient(reception, c.staff["reception"], {"full_name": "Sita Devi", "gender": "female", "age_years": 30, "mobile": "9123456780"}).id
        transport.schedule(DUPLICATE, path=PUSH_PATH)
        assert sync(c, "reception").error is None
        assert transport.injected[DUPLICATE] == 1
        count = hub_change_count(c.hub)

        # Newer writes that overwrite what the first push carried; then that first push turns up
        # again (before and after the new one) while the new one is delivered.
        with recording(c, "reception", "update"):
            update_patient(reception, c.staff["reception"], patient, {"mobile": "9123400000", "full_name": "Sita Devi Rao"})
        transport.schedule(REPLAY, path=PUSH_PATH)
        assert sync(c, "reception").error is None
        with recording(c, "reception", "update again"):
            update_patient(reception, c.staff["reception"], patient, {"address_line": "4, Laxmi Road"})
        transport.schedule(REPLAY, path=PUSH_PATH)
        assert sync(c, "reception").error is None
        assert transport.injected[REPLAY] == 2

        assert hub_change_count(c.hub) == count + 2
        settle(c)
        assert_converged(c)
        for pc, db in c.pcs.items():
            row = row_of(db, "patient", patient)
            assert (row["mobile"], row["full_name"], row["address_line"]) == ("9123400000", "Sita Devi Rao", "4, Laxmi Road"), pc


def test_pcs_with_clocks_hours_apart_converge_and_a_write_after_seeing_another_wins(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=4) as c:
        with recording(c, "reception", "register"):
            patient = register_patient(c.pcs["reception"], c.staff["reception"], {"full_name": "Anil Patil", "gender": "male", "age_years": 40, "mobile": "9000000001"}).id
        settle(c)
        skew_clock(c.pcs["doctor"], +5)
        skew_clock(c.pcs["nurse"], -5)

        # Offline edits: the fast clock's stamp is later, so its value wins, whatever the real order.
        with recording(c, "nurse", "nurse edits first"):
            update_patient(c.pcs["nurse"], c.staff["nurse"], patient, {"address_line": "nurse's address"})
        with recording(c, "doctor", "doctor edits"):
            update_patient(c.pcs["doctor"], c.staff["doctor"], patient, {"address_line": "doctor's address"})
        with recording(c, "nurse", "nurse edits later"):
            update_patient(c.pcs["nurse"], c.staff["nurse"], patient, {"address_line": "nurse's second address"})
        doctor_edit = c.written[-2]
        assert doctor_edit.stamp > c.written[-1].stamp
        settle(c)
        assert_converged(c)
        assert {row_of(db, "patient", patient)["address_line"] for db in c.pcs.values()} == {"doctor's address"}

        # Having seen the doctor's change, the slow PC's next write follows it and wins.
        with recording(c, "nurse", "nurse edits after seeing"):
            update_patient(c.pcs["nurse"], c.staff["nurse"], patient, {"address_line": "nurse's considered address"})
        assert c.written[-1].stamp > doctor_edit.stamp
        # And the fast PC, having seen that, still writes after it.
        settle(c)
        with recording(c, "doctor", "doctor edits after seeing"):
            update_patient(c.pcs["doctor"], c.staff["doctor"], patient, {"mobile": "9000000002"})
        with recording(c, "nurse", "nurse edits the mobile after the doctor"):
            update_patient(c.pcs["nurse"], c.staff["nurse"], patient, {"mobile": "9000000003"})
        settle(c)
        assert_converged(c)
        rows = [row_of(db, "patient", patient) for db in c.pcs.values()]
        # The nurse had not seen the doctor's mobile when writing hers: the doctor's fast clock wins.
        assert {(r["address_line"], r["mobile"]) for r in rows} == {("nurse's considered address", "9000000002")}


def audit_count(db: Database, action: str) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.mark.slow
def test_a_new_pc_pulls_a_big_clinic_in_pages_and_resumes_after_a_cut(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=5, names=("reception", "doctor")) as c:
        register_many(c, "reception", 3000)
        settle(c)
        total = hub_change_count(c.hub)
        assert total > 3000

        # The new PC joins; its pull is cut (the answer lost) on the seventh page.
        newcomer = open_device_from_template(template, tmp_path, "nurse")
        try:
            enrol(newcomer, IT, c.hub.url, c.hub.token, "nurse")
            transport = FaultyTransport(random.Random(5))
            client = faulty_client(newcomer, transport)
            transport.schedule(CUT_AFTER_SEND, path=PULL_PATH, skip=6)
            with pytest.raises(HubUnreachable):
                pull_and_apply(newcomer, client, page=200)
            cursor = sync_state(newcomer).pull_cursor
            assert cursor >= 6 * 200, "the pages applied before the cut were not kept"
            assert len(change_ids(newcomer)) == cursor
            assert audit_count(newcomer, "sync.applied") == 6

            calls_before = transport.calls[PULL_PATH]
            pulled, _ = pull_and_apply(newcomer, client, page=200)
            assert pulled == total - cursor, "the next round did not start from the cursor"
            pages = -(-total // 200)
            assert transport.calls[PULL_PATH] - calls_before == pages - 6
            assert audit_count(newcomer, "sync.applied") == pages, "a page was applied twice, or one was skipped"
            assert differences(device_state(newcomer), c.hub.state(), "new PC", "hub") == []
            ids = change_ids(newcomer)
            assert len(ids) == len(set(ids)) == total
            client.close()
        finally:
            newcomer.close()


def test_a_pc_used_on_its_own_joins_the_clinic_later(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=6, names=("reception", "doctor")) as c:
        own = open_device_from_template(template, tmp_path, "nurse")
        try:
            # Used for a while before anyone enrolled it: its own clinic row, staff and patients.
            _, admin = setup_clinic(own, {"name": "Shanti Clinic (nurse's PC)"}, {"full_name": "Rekha Pawar", "role": "admin"})
            nurse = Actor(admin.id, admin.full_name, "admin")
            solo_patients = [register_patient(own, nurse, {"full_name": f"Solo Patient{n}", "gender": "female", "age_years": 30 + n, "mobile": f"6{n:09d}"}).id for n in range(5)]
            encounter = open_consult(own, Actor(admin.id, admin.full_name, "nurse"), solo_patients[0])
            clinic_patients = register_many(c, "reception", 20)
            settle(c)

            enrol(own, IT, c.hub.url, c.hub.token, "nurse")
            transport = FaultyTransport(random.Random(6))
            c.pcs["nurse"], c.transports["nurse"], c.clients["nurse"] = own, transport, faulty_client(own, transport)
            settle(c)
            assert_converged(c)
            for pc, db in c.pcs.items():
                state = device_state(db)
                assert set(solo_patients + clinic_patients) <= set(state["patient"]), f"{pc} is missing patients"
                assert encounter in state["encounter"], f"{pc} is missing the nurse's visit"
                assert len(state["clinic"]) == 2 and len(state["staff"]) == 5, f"{pc}: {len(state['clinic'])} clinics, {len(state['staff'])} staff"
            c.clients["nurse"].close()
        finally:
            own.close()


def wait_for(condition: Callable[[], bool], what: str, child: subprocess.Popen, deadline_s: float = KILL_DEADLINE_S) -> None:
    until = time.monotonic() + deadline_s
    while not condition():
        if child.poll() is not None:
            raise AssertionError(f"the sync process ended (exit {child.returncode}) before {what}; it could not be killed mid-way")
        if time.monotonic() > until:
            raise AssertionError(f"{what} did not happen within {deadline_s} s")
        time.sleep(0.005)


def start_sync_process(db: Database, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NADI_")}
    # Batches of 1,000, so the 5,000 waiting changes take several and a kill can land between them.
    env |= {"NADI_KEY_DIR": str(db.settings.key_dir), "PYTHONDONTWRITEBYTECODE": "1", "NADI_SYNC_BATCH": "1000"}
    repo = Path(__file__).resolve().parents[2]
    return subprocess.Popen([sys.executable, "-m", "desktop", "sync", "run", "--once", "--data-dir", str(db.settings.data_dir)],
                            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))


def kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL


@pytest.mark.slow
def test_a_sync_killed_mid_push_and_mid_pull_resumes_without_loss_or_duplicates(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=7) as c:
        reception, doctor = c.pcs["reception"], c.pcs["doctor"]
        register_many(c, "reception", 2500, allergies=True)
        base = hub_change_count(c.hub)
        waiting = own_change_count(reception) - sync_state(reception).pushed_seq
        assert waiting >= 5000

        pusher = start_sync_process(reception, tmp_path / "push.log")
        try:
            wait_for(lambda: hub_change_count(c.hub) > base, "the hub received the first batch", pusher)
        finally:
            kill(pusher)
        acknowledged = sync_state(reception).pushed_seq
        assert acknowledged < last_seq(reception), "the push finished before the kill"

        head = hub_change_count(c.hub)
        puller = start_sync_process(doctor, tmp_path / "pull.log")
        try:
            wait_for(lambda: sync_state(doctor).pull_cursor > 0, "the doctor's PC applied a page", puller)
        finally:
            kill(puller)
        assert 0 < sync_state(doctor).pull_cursor < max(head, hub_change_count(c.hub)), "the pull finished before the kill"

        settle(c)
        assert_converged(c)
        assert hub_change_count(c.hub) == len(change_ids(doctor))
        assert hub_high_water(c.hub, reception) == sync_state(reception).pushed_seq
        for pc, db in c.pcs.items():
            with db.read() as session:
                patients = session.scalar(text("SELECT count(*) FROM patient"))
                allergies = session.scalar(text("SELECT count(*) FROM allergy"))
            assert (patients, allergies) == (2500, 2500), f"{pc}: {patients} patients, {allergies} allergies"


def twins_on_two_pcs(c: Clinic, first: str, second: str) -> tuple[str, str, str]:
    """One person registered at two PCs, seen everywhere and queued for the desk; returns the two
    patient ids and the queue entry."""
    person = {"full_name": "Kavita Deshmukh", "gender": "female", "age_years": 34, "mobile": "9765432100"}
    with recording(c, first, "twin"):
        a = register_patient(c.pcs[first], c.staff["reception"], person).id
    with recording(c, second, "twin"):
        b = register_patient(c.pcs[second], c.staff["reception"], person | {"full_name": "Kavita Deshmukhh"}).id
    settle(c)
    queue = open_candidates(c.pcs[first])
    assert [{q.a.patient_id, q.b.patient_id} for q in queue] == [{a, b}], "the duplicate was not queued"
    return a, b, queue[0].id


def test_a_visit_finished_on_a_duplicate_while_the_desk_merges_it_follows_the_survivor(hub_url, tmp_path, template):
    """Reception merges the duplicate while the doctor, not yet synced, finishes (and so signs) a
    visit for it. The signed visit must end up with the survivor on every PC, and no PC's sync may
    stall on it."""
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=8) as c:
        survivor, duplicate, candidate = twins_on_two_pcs(c, "reception", "doctor")
        encounter = add_visit(c, "doctor", duplicate, finish=True)
        assert row_of(c.pcs["doctor"], "encounter", encounter)["signed_at"] is not None
        with recording(c, "reception", "merge"):
            merge_patients(c.pcs["reception"], c.staff["reception"], candidate, survivor)
        c.visits_on_duplicates.append((encounter, duplicate))

        settle(c)
        assert_converged(c)


def test_a_prescription_signed_for_a_duplicate_while_the_desk_merges_it_follows_the_survivor(hub_url, tmp_path, template):
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=9) as c:
        survivor, duplicate, candidate = twins_on_two_pcs(c, "reception", "doctor")
        doctor = c.staff["doctor"]
        with recording(c, "doctor", "prescribe and sign"):
            encounter = open_consult(c.pcs["doctor"], doctor, duplicate)
            rx = create_prescription(c.pcs["doctor"], doctor, encounter, [{"drug_name": "Amoxicillin 500 mg", "frequency": "1-1-1", "duration_days": 5}])
            sign_prescription(c.pcs["doctor"], doctor, rx.id)
        c.signed.append(snapshot_signed(c, "doctor", rx.id))
        with recording(c, "reception", "merge"):
            merge_patients(c.pcs["reception"], c.staff["reception"], candidate, survivor)

        settle(c)
        assert_converged(c)


@pytest.mark.parametrize("edit", ["void_item", "notes"])
@pytest.mark.parametrize("when", ["after", "before"])
def test_a_prescription_signed_on_one_pc_stays_as_signed_while_another_pc_edits_the_draft(hub_url, tmp_path, template, edit, when):
    """The doctor signs at the consult PC; the nurse's PC, holding the unsigned draft and not yet
    synced, drops an item or changes the notes, just after (or just before) the signature. What
    was signed is what every PC holds."""
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=10) as c:
        with recording(c, "reception", "register"):
            patient = register_patient(c.pcs["reception"], c.staff["reception"], {"full_name": "Vijay Nair", "gender": "male", "age_years": 61, "mobile": "9898989898"}).id
        settle(c)
        op_sign_race(c, "doctor", "nurse", 0, edit, edit_first=(when == "before"))
        assert len(c.signed) == 1 and any(w.op.startswith("edit draft") for w in c.written), "the race did not happen"
        assert patient in live_patients(c.pcs["doctor"])

        settle(c)
        assert_converged(c)


def test_a_pair_the_desk_called_two_people_stays_decided_when_another_pc_noticed_it_too(hub_url, tmp_path, template):
    """The nurse's PC (its clock three hours fast) queues the same pair on its own; reception then
    says they are two different people. The later-stamped queue entry must not reopen the pair."""
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=11) as c:
        skew_clock(c.pcs["nurse"], +3)
        person = {"full_name": "Kavita Deshmukh", "gender": "female", "age_years": 34, "mobile": "9765432100"}
        register_patient(c.pcs["reception"], c.staff["reception"], person)
        register_patient(c.pcs["doctor"], c.staff["reception"], person | {"full_name": "Kavita Deshmukhh"})
        for pc in ("reception", "doctor", "nurse", "doctor", "reception"):  # the doctor's and the nurse's PCs both queue the pair
            sync(c, pc)
        queue = open_candidates(c.pcs["reception"])
        assert len(queue) == 1
        with recording(c, "reception", "dismiss"):
            dismiss_candidate(c.pcs["reception"], c.staff["reception"], queue[0].id, "mother and daughter sharing a phone")

        settle(c)
        assert_converged(c)
        for pc, db in c.pcs.items():
            assert open_candidates(db) == [], f"{pc} asks about the pair again"
            assert row_of(db, "merge_candidate", queue[0].id)["status"] == "dismissed", pc


def test_the_same_pair_merged_opposite_ways_on_two_pcs_ends_as_one_record_everywhere(hub_url, tmp_path, template):
    """Reception keeps the first registration, the doctor's PC (offline) keeps the second: every PC
    must end with the same one record, holding both registrations' visits."""
    with running_hub(hub_url) as server, open_clinic(server, tmp_path, template, seed=12) as c:
        first, second, candidate = twins_on_two_pcs(c, "reception", "doctor")
        visits = [add_visit(c, "nurse", first, finish=False), add_visit(c, "nurse", second, finish=False)]
        settle(c)
        with recording(c, "reception", "merge keeping the first"):
            merge_patients(c.pcs["reception"], c.staff["reception"], candidate, first)
        with recording(c, "doctor", "merge keeping the second"):
            merge_patients(c.pcs["doctor"], c.staff["reception"], candidate, second)

        settle(c)
        assert_converged(c)
        for pc, db in c.pcs.items():
            alive = [p for p in live_patients(db) if p in (first, second)]
            assert len(alive) == 1, f"{pc} holds {len(alive)} live records of the person"
            assert {row_of(db, "encounter", v)["patient_id"] for v in visits} == set(alive), f"{pc}: the visits are not with the kept record"
