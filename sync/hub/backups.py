"""The hub's copy of each clinic's backup files: an off-premises second copy.

The files arrive already encrypted with the clinic's database key, which never leaves the clinic,
so the hub keeps them without being able to read them. Each clinic keeps its newest `KEEP`; a file
sent again under the same name (a retried upload) replaces itself.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import Engine, delete, desc, insert, select

from core.errors import NadiError
from core.storage.types import utc_text
from sync.hub.clinics import DeviceIdentity
from sync.hub.schema import backup

KEEP = 14
MAX_BYTES = 2 * 1024**3
NAME = re.compile(r"^nadi-[0-9a-f]{12}-\d{8}-\d{6}-[a-z0-9-]{1,60}\.nadibackup$")


class BackupRefused(NadiError):
    pass


def store_backup(engine: Engine, who: DeviceIdentity, name: str, data: bytes, sha256: str | None) -> dict:
    if not NAME.match(name):
        raise BackupRefused(f"{name!r} is not the name of a Nadi backup file")
    if not data:
        raise BackupRefused("the backup file arrived empty")
    if len(data) > MAX_BYTES:
        raise BackupRefused(f"the backup file is {len(data) / 1e9:.1f} GB; the hub keeps files up to {MAX_BYTES / 1e9:.0f} GB")
    digest = hashlib.sha256(data).hexdigest()
    if sha256 and sha256.lower() != digest:
        raise BackupRefused("the backup file changed on the way (its SHA-256 does not match); send it again")
    with engine.begin() as conn:
        conn.execute(delete(backup).where(backup.c.clinic_id == who.clinic_id, backup.c.name == name))
        conn.execute(insert(backup).values(
            clinic_id=who.clinic_id, name=name, device_id=who.device_id, size_bytes=len(data), sha256=digest, received_at=utc_text(), data=data,
        ))
        names = conn.execute(select(backup.c.name).where(backup.c.clinic_id == who.clinic_id).order_by(desc(backup.c.received_at), desc(backup.c.name))).scalars().all()
        if len(names) > KEEP:
            conn.execute(delete(backup).where(backup.c.clinic_id == who.clinic_id, backup.c.name.in_(names[KEEP:])))
    return {"name": name, "size_bytes": len(data), "sha256": digest}


def list_backups(engine: Engine, who: DeviceIdentity) -> list[dict]:
    columns = (backup.c.name, backup.c.device_id, backup.c.size_bytes, backup.c.sha256, backup.c.received_at)
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(backup.c.clinic_id == who.clinic_id).order_by(backup.c.name)).mappings().all()
        conn.rollback()
    return [dict(row) for row in rows]


def fetch_backup(engine: Engine, who: DeviceIdentity, name: str) -> bytes | None:
    with engine.connect() as conn:
        data = conn.execute(select(backup.c.data).where(backup.c.clinic_id == who.clinic_id, backup.c.name == name)).scalar()
        conn.rollback()
    return data
