"""Clinic PCs and a hub for sync tests: each device a real encrypted database in its own data
directory, the hub a real FastAPI server over loopback on SQLite or PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from core.storage.database import Actor, Database, open_database
from core.storage.models import SYNCED_MODELS
from core.settings import Settings
from sync.agent.enrol import enrol
from sync.hub.app import create_app
from sync.hub.changes import clinic_state
from sync.hub.clinics import add_clinic
from sync.hub.engine import open_hub
from tests.sync.hub_server import serve_app

IT = Actor(None, "clinic IT (test)", "admin")


def open_device(root: Path, name: str) -> Database:
    settings = Settings(data_dir=root / name, key_dir=root / f"{name}-keys")
    db, _ = open_database(settings, create=True)
    return db


@dataclass
class Hub:
    url: str
    engine: object
    clinic_id: str
    token: str
    relay_secret: str

    def state(self) -> dict[str, dict[str, dict]]:
        return clinic_state(self.engine, self.clinic_id)


@contextmanager
def running_hub(db_url: str, clinic_name: str = "Shanti Clinic") -> Iterator[Hub]:
    engine = open_hub(db_url)
    made = add_clinic(engine, clinic_name)
    try:
        with serve_app(create_app(engine)) as url:
            yield Hub(url, engine, made.clinic_id, made.enrolment_token, made.relay_secret)
    finally:
        engine.dispose()


@contextmanager
def devices(root: Path, names: list[str], hub: Hub | None = None) -> Iterator[dict[str, Database]]:
    with ExitStack() as stack:
        opened = {}
        for name in names:
            db = open_device(root, name)
            stack.callback(db.close)
            if hub is not None:
                enrol(db, IT, hub.url, hub.token, name)
            opened[name] = db
        yield opened


def device_state(db: Database) -> dict[str, dict[str, dict]]:
    """Every synced row on a PC, in the JSON shape the change stream carries (so it compares with
    the hub's fold): {table: {id: {column: value}}}."""
    state: dict[str, dict[str, dict]] = {}
    with db.engine.connect() as conn:
        for model in SYNCED_MODELS:
            table = model.__table__
            columns = [c.name for c in table.columns]
            rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM {table.name}")).all()
            if rows:
                state[table.name] = {row["id"]: _jsonable(row) for row in (dict(zip(columns, r, strict=True)) for r in rows)}
        conn.rollback()
    return state


def _jsonable(row: dict) -> dict:
    import base64  # noqa: PLC0415

    return {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in row.items()}


def normalised(state: dict) -> str:
    """A state as canonical JSON (booleans as 0/1, as SQLite keeps them) for exact comparison."""
    def norm(value):
        return int(value) if isinstance(value, bool) else value

    return json.dumps({t: {i: {k: norm(v) for k, v in row.items()} for i, row in rows.items()} for t, rows in sorted(state.items())}, sort_keys=True)


def differences(a: dict, b: dict, a_name: str = "a", b_name: str = "b", limit: int = 20) -> list[str]:
    """Where two states differ, field by field (empty when identical), for a readable failure."""
    a, b = json.loads(normalised(a)), json.loads(normalised(b))
    out: list[str] = []
    for table in sorted(set(a) | set(b)):
        rows_a, rows_b = a.get(table, {}), b.get(table, {})
        for row_id in sorted(set(rows_a) | set(rows_b)):
            if row_id not in rows_a or row_id not in rows_b:
                out.append(f"{table} {row_id}: only on {a_name if row_id in rows_a else b_name}")
                continue
            for name in sorted(set(rows_a[row_id]) | set(rows_b[row_id])):
                va, vb = rows_a[row_id].get(name, "<absent>"), rows_b[row_id].get(name, "<absent>")
                if va != vb:
                    out.append(f"{table} {row_id} {name}: {a_name}={va!r} {b_name}={vb!r}")
    return out[:limit]


def make_device_template(root: Path) -> Path:
    """A migrated, empty clinic database with no node identity yet, to copy for each test PC:
    migrating a new database takes most of a second, a copy takes milliseconds."""
    from sqlalchemy import select  # noqa: PLC0415

    from core.storage.models import LocalNode  # noqa: PLC0415

    db = open_device(root, "template")
    try:
        with db.write(IT) as session:
            for node in session.scalars(select(LocalNode)).all():
                session.delete(node)  # the copy makes its own node id when first opened
    finally:
        db.close()
    return root


def open_device_from_template(template_root: Path, root: Path, name: str) -> Database:
    """A new PC (its own node id and data directory) made from `make_device_template`'s copy."""
    import shutil  # noqa: PLC0415

    shutil.copytree(template_root / "template", root / name)
    shutil.copytree(template_root / "template-keys", root / f"{name}-keys")
    return open_device(root, name)
