"""The hub's tables, in SQLAlchemy Core so the same definitions run on PostgreSQL and SQLite.

Sequences are kept per clinic in `hub_clinic` (head_seq, relay_head) and advanced under that row's
lock in the transaction that inserts, so a clinic's stream has no gaps and commits in sequence
order. (A database-wide SERIAL would let a puller read 11 while 10 is still uncommitted, step its
cursor past 10 and never see it.)
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, LargeBinary, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

clinic = Table(
    "hub_clinic",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("head_seq", BigInteger, nullable=False, default=0),
    Column("relay_head", BigInteger, nullable=False, default=0),
    # Shared with whoever sends this clinic generic webhooks: they sign each body with HMAC-SHA256.
    Column("relay_secret", String(64), nullable=False),
)

enrolment_token = Table(
    "hub_enrolment_token",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 hex; the token itself is never stored
    Column("clinic_id", String(36), ForeignKey("hub_clinic.id"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

device = Table(
    "hub_device",
    metadata,
    Column("id", String(36), primary_key=True),  # the PC's node id
    Column("clinic_id", String(36), ForeignKey("hub_clinic.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("enrolled_at", String(32), nullable=False),
    Column("last_seen_at", String(32)),
    Column("revoked_at", String(32)),
    # The highest local change sequence of this device the hub holds: pushes continue from it.
    # Duplicates are recognised by change id, not by this number, so a PC restored from an older
    # backup (whose sequence numbers start again lower) loses nothing.
    Column("high_water", BigInteger, nullable=False, default=0),
)

change = Table(
    "hub_change",
    metadata,
    Column("clinic_id", String(36), ForeignKey("hub_clinic.id"), primary_key=True),
    Column("server_seq", BigInteger, primary_key=True),
    Column("change_id", String(36), nullable=False),
    Column("node_id", String(36), nullable=False),
    Column("node_seq", BigInteger, nullable=False),
    Column("tx_id", String(36), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("op", String(8), nullable=False),
    Column("data", Text, nullable=False),
    Column("hlc", BigInteger, nullable=False),
    Column("received_at", String(32), nullable=False),
    UniqueConstraint("clinic_id", "change_id", name="uq_hub_change_id"),
    Index("ix_hub_change_row", "clinic_id", "entity", "row_id"),
)

relay_message = Table(
    "hub_relay_message",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("clinic_id", String(36), ForeignKey("hub_clinic.id"), nullable=False),
    Column("relay_seq", BigInteger, nullable=False),
    Column("source", String(40), nullable=False),  # abdm | nhcx | webhook
    Column("request_id", String(200)),  # the sender's id for the call (duplicates recognised by it)
    Column("path", String(300), nullable=False),
    Column("headers", Text, nullable=False),  # JSON object, as received
    Column("body", LargeBinary, nullable=False),  # as received: still encrypted where it came so
    Column("verified", String(200), nullable=False),  # how it was checked, in words
    Column("received_at", String(32), nullable=False),
    UniqueConstraint("clinic_id", "relay_seq", name="uq_hub_relay_seq"),
    UniqueConstraint("clinic_id", "source", "request_id", name="uq_hub_relay_request"),
)


# Encrypted backup files the clinic's PCs send (a second copy off the premises). The hub cannot read
# them: they are encrypted with the clinic's database key, which never leaves the clinic.
backup = Table(
    "hub_backup",
    metadata,
    Column("clinic_id", String(36), ForeignKey("hub_clinic.id"), primary_key=True),
    Column("name", String(120), primary_key=True),
    Column("device_id", String(36), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("received_at", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
)
