"""The relay: callbacks from the outside world (ABDM, NHCX, signed webhooks) accepted on a
clinic's behalf, kept exactly as they arrived, and handed to the clinic's PCs in order.

This module holds what the relay decides without HTTP: whether a sender is who it claims to be
(an HMAC signature for webhooks, the gateway's RS256 token for ABDM and NHCX), what an NHCX
envelope says about itself (its protected header is readable without the key), what receipt NHCX
expects, and the store. `relay_routes.py` is the HTTP side.

Messages get a per-clinic `relay_seq`, taken from `hub_clinic.relay_head` under that row's lock in
the transaction that inserts, so a PC paging by cursor never steps past a message that was still
being committed. A sender's retry (same clinic, source and request id) is recognised and not stored
again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers
from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.errors import NadiError
from core.ids import uuid7
from core.storage.types import utc_text, utcnow
from sync.hub.engine import lock_clinic
from sync.hub.schema import clinic, relay_message

SOURCES = ("webhook", "abdm", "nhcx")
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_PATH = 300  # hub_relay_message.path
MAX_REQUEST_ID = 200  # hub_relay_message.request_id
# One page to a PC stops growing once its bodies pass this (always at least one message), so a
# page of large NHCX bundles stays a sensible size to download over a clinic's connection.
PAGE_BYTES = 8 * 1024 * 1024
IST = timezone(timedelta(hours=5, minutes=30))

# Meaningful only for one connection, so not part of the message (RFC 9110 section 7.6.1).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"})


class RelaySettings(BaseModel):
    """How the hub checks inbound callbacks. With no keys configured for a source, its callbacks
    are still accepted and kept, marked as not verified."""

    model_config = ConfigDict(frozen=True)

    abdm_jwks_url: str | None = None  # e.g. https://dev.abdm.gov.in/api/hiecm/gateway/v3/certs
    abdm_jwks_file: Path | None = None
    abdm_audience: str | None = "account"
    nhcx_jwks_url: str | None = None
    nhcx_jwks_file: Path | None = None
    nhcx_audience: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    jwks_cache_seconds: int = 3600
    clock_skew_seconds: int = 60

    @model_validator(mode="after")
    def _one_key_source_each(self) -> RelaySettings:
        for source in ("abdm", "nhcx"):
            if getattr(self, f"{source}_jwks_url") and getattr(self, f"{source}_jwks_file"):
                raise ValueError(f"give the {source.upper()} gateway keys as a URL or as a file, not both")
        return self


class RelayRejected(NadiError):
    """An inbound call the relay refuses; `status` is the HTTP answer, the message says why."""

    status = 400


class UnknownClinic(RelayRejected):
    status = 404


class SignatureRejected(RelayRejected):
    status = 401


class KeysUnavailable(RelayRejected):
    """The gateway's keys could not be fetched: the sender should try again later."""

    status = 503


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- headers -------------------------------------------------------------------------------------


def kept_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The request's headers as a JSON-ready object: names lower-cased, repeats joined with ", "
    (as HTTP allows), and only hop-by-hop headers left out."""
    pairs = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in raw]
    dropped = set(HOP_BY_HOP)
    for name, value in pairs:
        if name == "connection":
            dropped.update(token.strip().lower() for token in value.split(","))
    kept: dict[str, str] = {}
    for name, value in pairs:
        if name not in dropped:
            kept[name] = f"{kept[name]}, {value}" if name in kept else value
    return kept


# --- webhooks: HMAC ------------------------------------------------------------------------------


def webhook_signature(secret: str, body: bytes) -> str:
    """The X-Nadi-Signature value for a body: HMAC-SHA256 keyed with the relay secret's text."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_webhook_signature(secret: str, body: bytes, header: str | None) -> str:
    if not header:
        raise SignatureRejected("this webhook is not signed: send X-Nadi-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the clinic's relay secret>")
    scheme, _, digest = header.strip().partition("=")
    if scheme.strip().lower() != "sha256" or not digest.strip():
        raise SignatureRejected("X-Nadi-Signature must read sha256=<hex HMAC-SHA256 of the body>")
    expected = webhook_signature(secret, body).partition("=")[2]
    if not hmac.compare_digest(expected, digest.strip().lower()):
        raise SignatureRejected("the X-Nadi-Signature does not match the body: check the clinic's relay secret and sign the exact bytes sent")
    return "HMAC-SHA256 signature checked"


# --- ABDM / NHCX: the gateway's RS256 token ------------------------------------------------------


class GatewayKeys:
    """A gateway's published signing keys (a JWKS from a URL or a file), cached, and fetched again
    when they are old or a token names a key not seen yet (gateways rotate keys)."""

    MIN_REFETCH_SECONDS = 30  # a stream of tokens naming unknown keys must not hammer the gateway

    def __init__(self, name: str, url: str | None, file: Path | None, cache_seconds: int) -> None:
        self.name = name
        self.url = url
        self.file = file
        self.cache_seconds = cache_seconds
        self._keys: dict[str | None, RSAPublicKey] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def keys_for(self, kid: str | None) -> list[RSAPublicKey]:
        with self._lock:
            now = time.monotonic()
            stale = now - self._fetched_at > self.cache_seconds
            unknown = kid is not None and kid not in self._keys and now - self._fetched_at > self.MIN_REFETCH_SECONDS
            if stale or unknown or not self._keys:
                self._refresh(now)
            if kid is None:
                return list(self._keys.values())
            return [self._keys[kid]] if kid in self._keys else []

    def _refresh(self, now: float) -> None:
        try:
            document = self._load()
            keys = _public_keys(document)
        except (OSError, httpx.HTTPError, ValueError, TypeError) as exc:
            if self._keys:
                return  # keep checking with the keys we have; the gateway may be briefly down
            where = self.url or str(self.file)
            raise KeysUnavailable(f"the hub could not read the {self.name} gateway's keys from {where} ({exc}); the callback was not accepted, send it again later") from None
        self._keys = keys
        self._fetched_at = now

    def _load(self) -> Any:
        if self.file is not None:
            return json.loads(Path(self.file).read_text(encoding="utf-8"))
        response = httpx.get(self.url, timeout=httpx.Timeout(10.0, connect=5.0), follow_redirects=True)
        response.raise_for_status()
        return response.json()


def _public_keys(document: Any) -> dict[str | None, RSAPublicKey]:
    keys: dict[str | None, RSAPublicKey] = {}
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        if entry.get("n") and entry.get("e"):
            numbers = RSAPublicNumbers(int.from_bytes(_b64url(entry["e"]), "big"), int.from_bytes(_b64url(entry["n"]), "big"))
            keys[entry.get("kid")] = numbers.public_key()
        elif entry.get("x5c"):
            cert = x509.load_der_x509_certificate(base64.b64decode(entry["x5c"][0]))
            public = cert.public_key()
            if isinstance(public, RSAPublicKey):
                keys[entry.get("kid")] = public
    if not keys:
        raise ValueError("the key set holds no RSA signing keys")
    return keys


def check_gateway_token(authorization: str | None, keys: GatewayKeys, audience: str | None, skew_seconds: int = 60, now: float | None = None) -> str:
    """Check a gateway's `Bearer <JWT>` (RS256): signature by a published key, expiry, audience.
    Returns how it was checked, in words."""
    who = keys.name
    if not authorization:
        raise SignatureRejected(f"this {who} callback carries no gateway token (Authorization: Bearer <JWT>)")
    scheme, _, token = authorization.strip().partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        raise SignatureRejected(f"the {who} callback's Authorization header is not 'Bearer <JWT>'")
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, TypeError):
        raise SignatureRejected(f"the {who} callback's gateway token cannot be read (not a JWT)") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise SignatureRejected(f"the {who} callback's gateway token cannot be read (not a JWT)")
    if header.get("alg") != "RS256":
        raise SignatureRejected(f"the {who} callback's gateway token is signed with {header.get('alg')!r}; only RS256 is accepted")
    kid = header.get("kid")
    candidates = keys.keys_for(kid)
    if not candidates:
        raise SignatureRejected(f"the {who} callback's gateway token is signed with key {kid!r}, which the gateway does not publish")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    if not any(_verifies(key, signature, signed) for key in candidates):
        raise SignatureRejected(f"the {who} callback's gateway token signature does not match the gateway's published keys")
    now = time.time() if now is None else now
    exp = claims.get("exp")
    if not isinstance(exp, int | float):
        raise SignatureRejected(f"the {who} callback's gateway token has no expiry")
    if now > exp + skew_seconds:
        raise SignatureRejected(f"the {who} callback's gateway token expired at {datetime.fromtimestamp(exp, timezone.utc):%Y-%m-%d %H:%M:%S} UTC")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and now + skew_seconds < nbf:
        raise SignatureRejected(f"the {who} callback's gateway token is not valid yet (check the hub's clock)")
    if audience is not None:
        aud = claims.get("aud")
        if audience not in (aud if isinstance(aud, list) else [aud]):
            raise SignatureRejected(f"the {who} callback's gateway token is meant for {aud!r}, not {audience!r}")
    return f"{who} gateway token checked (RS256, key {kid})"[:200]


def _verifies(key: RSAPublicKey, signature: bytes, signed: bytes) -> bool:
    try:
        key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# --- NHCX envelopes and receipts -----------------------------------------------------------------


@dataclass(frozen=True)
class NhcxEnvelope:
    """What an NHCX message says about itself: the JWE protected header (base64url JSON, readable
    without the key) or, for a clear-text ProtocolResponse, its own x-hcx-* fields."""

    encrypted: bool
    fields: dict[str, Any]

    def get(self, name: str) -> str:
        value = self.fields.get(f"x-hcx-{name}")
        return value if isinstance(value, str) else ""


def read_nhcx_envelope(body: bytes) -> NhcxEnvelope:
    unreadable = RelayRejected("the NHCX body is neither a JWE envelope ({\"payload\": \"<compact JWE>\"}) nor a ProtocolResponse")
    try:
        document = json.loads(body)
    except ValueError:
        raise unreadable from None
    if not isinstance(document, dict):
        raise unreadable
    payload = document.get("payload")
    if isinstance(payload, str):
        parts = payload.split(".")
        if len(parts) != 5 or not parts[0]:
            raise RelayRejected("the NHCX payload is not a compact JWE (five base64url parts)")
        try:
            header = json.loads(_b64url(parts[0]))
        except (ValueError, TypeError):
            raise RelayRejected("the NHCX payload's protected header cannot be read") from None
        if not isinstance(header, dict):
            raise RelayRejected("the NHCX payload's protected header cannot be read")
        return NhcxEnvelope(True, header)
    if document.get("type") == "ProtocolResponse" or any(key.startswith("x-hcx-") for key in document):
        return NhcxEnvelope(False, document)
    raise unreadable


# NHCX paths name an entity; the receipt names it in NHCX's own words.
_RECEIPT_ENTITY = {"coverageeligibility": "coverageeligibility", "preauth": "preauth", "predetermination": "preauth", "claim": "claim",
                   "communication": "task", "task": "task", "paymentnotice": "payment", "insuranceplan": "insuranceplan"}


def nhcx_receipt(envelope: NhcxEnvelope, path: str, now: datetime | None = None) -> dict[str, Any]:
    """The acknowledgement NHCX expects within 30 s: this delivery's ids, who it is between, and
    that it is queued. NHCX writes its timestamp as dd/MM/yyyy HH:mm:ss:SSS, India time."""
    at = (now or utcnow()).astimezone(IST)
    segments = [s for s in path.split("?")[0].strip("/").lower().split("/") if s]
    entity = next((_RECEIPT_ENTITY[s] for s in segments if s in _RECEIPT_ENTITY), "")
    return {
        "timestamp": at.strftime("%d/%m/%Y %H:%M:%S:") + f"{at.microsecond // 1000:03d}",
        "api_call_id": envelope.get("api_call_id"),
        "correlation_id": envelope.get("correlation_id"),
        "result": {"sender_code": envelope.get("sender_code"), "recipient_code": envelope.get("recipient_code"),
                   "entity_type": entity, "protocol_status": "request.queued"},
        "error": {"code": "", "message": ""},
    }


# --- the store -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    id: str
    relay_seq: int
    duplicate: bool  # the sender had sent this already; nothing new was stored


@dataclass(frozen=True)
class RelayPage:
    messages: list[dict[str, Any]]
    head: int  # the clinic's newest relay_seq


def relay_secret(engine: Engine, clinic_id: str) -> str:
    """The clinic's webhook secret; UnknownClinic if the hub has no such clinic."""
    with engine.connect() as conn:
        secret = conn.execute(select(clinic.c.relay_secret).where(clinic.c.id == clinic_id)).scalar()
        conn.rollback()
    if secret is None:
        raise UnknownClinic(f"there is no clinic {clinic_id} on this hub; check the callback URL")
    return secret


def accept_message(engine: Engine, clinic_id: str, *, source: str, request_id: str | None, path: str, headers: dict[str, str], body: bytes, verified: str,
                   now: datetime | None = None) -> Accepted:
    """Keep one inbound message for the clinic, or recognise it as one already kept."""
    if source not in SOURCES:
        raise ValueError(f"unknown relay source {source!r}")
    if request_id is not None and len(request_id) > MAX_REQUEST_ID:
        raise RelayRejected(f"the request id is longer than {MAX_REQUEST_ID} characters")
    if len(path) > MAX_PATH:
        raise RelayRejected(f"the callback path is longer than {MAX_PATH} characters")
    try:
        with engine.begin() as conn:
            row = lock_clinic(conn, clinic_id)
            if row is None:
                raise UnknownClinic(f"there is no clinic {clinic_id} on this hub; check the callback URL")
            earlier = _earlier(conn, clinic_id, source, request_id)
            if earlier is not None:
                return earlier
            seq = row.relay_head + 1
            message_id = uuid7()
            conn.execute(insert(relay_message).values(
                id=message_id, clinic_id=clinic_id, relay_seq=seq, source=source, request_id=request_id, path=path,
                headers=json.dumps(headers, ensure_ascii=False), body=body, verified=verified[:200], received_at=utc_text(now),
            ))
            conn.execute(update(clinic).where(clinic.c.id == clinic_id).values(relay_head=seq))
            return Accepted(message_id, seq, False)
    except IntegrityError:
        # Both halves of a retry raced past the check (the clinic lock should prevent it; the
        # unique constraint is the last word): the other one was kept.
        with engine.connect() as conn:
            earlier = _earlier(conn, clinic_id, source, request_id)
            conn.rollback()
        if earlier is None:
            raise
        return earlier


def _earlier(conn, clinic_id: str, source: str, request_id: str | None) -> Accepted | None:
    if request_id is None:
        return None
    row = conn.execute(
        select(relay_message.c.id, relay_message.c.relay_seq).where(
            relay_message.c.clinic_id == clinic_id, relay_message.c.source == source, relay_message.c.request_id == request_id)
    ).first()
    return None if row is None else Accepted(row.id, row.relay_seq, True)


def messages_after(engine: Engine, clinic_id: str, after: int, limit: int = 100, max_bytes: int = PAGE_BYTES) -> RelayPage:
    """The clinic's messages after a cursor, in order, as the PCs receive them."""
    columns = [relay_message.c.id, relay_message.c.relay_seq, relay_message.c.source, relay_message.c.request_id, relay_message.c.path,
               relay_message.c.headers, relay_message.c.verified, relay_message.c.received_at, func.length(relay_message.c.body).label("size")]
    with engine.connect() as conn:
        head = conn.execute(select(clinic.c.relay_head).where(clinic.c.id == clinic_id)).scalar() or 0
        # Sizes first, bodies only for the rows that fit: a page of 100 large bundles is not read whole.
        rows = conn.execute(select(*columns).where(relay_message.c.clinic_id == clinic_id, relay_message.c.relay_seq > after)
                            .order_by(relay_message.c.relay_seq).limit(limit)).all()
        chosen, total = [], 0
        for row in rows:
            if chosen and total + row.size > max_bytes:
                break
            chosen.append(row)
            total += row.size
        bodies = {}
        if chosen:
            bodies = dict(conn.execute(select(relay_message.c.id, relay_message.c.body).where(relay_message.c.id.in_([r.id for r in chosen]))).all())
        conn.rollback()
    messages = [
        {"id": r.id, "relay_seq": r.relay_seq, "source": r.source, "request_id": r.request_id, "path": r.path, "headers": json.loads(r.headers),
         "body_b64": base64.b64encode(bytes(bodies[r.id])).decode("ascii"), "verified": r.verified, "received_at": r.received_at}
        for r in chosen
    ]
    return RelayPage(messages, head)
