"""Signed prescriptions: the canonical document, the Ed25519 signature, and the QR payload.

What is signed is a small JSON document holding everything a pharmacist needs to dispense (clinic,
doctor and registration, patient, date, each medicine with dose, frequency, duration and quantity),
written canonically (sorted keys, no spaces, UTF-8) so the same prescription always gives the same
bytes. The QR code printed on the prescription carries those bytes (deflated), the signature and the
public key:

    NRX1.<base64url(deflate(document))>.<base64url(signature)>.<base64url(public key)>

Anyone can check that the document was not altered after signing. Whether the key belongs to the
doctor named is answered by a key register: the clinic's synced `signing_key` table (and, once sync
lands, the hub), looked up by the key's fingerprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

PREFIX = "NRX1"
MAX_DOCUMENT_BYTES = 64 * 1024  # a prescription is a few hundred bytes; refuse to inflate anything huge


class VerificationError(ValueError):
    """The payload is not a Nadi prescription, or its signature does not hold."""


def canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint(public_key: bytes) -> str:
    """Short, printable name of a public key: the first 16 bytes of its SHA-256, hex, in groups of 4."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return digest


def display_fingerprint(fp: str) -> str:
    return " ".join(fp[i:i + 4] for i in range(0, len(fp), 4)).upper()


def new_key_pair() -> tuple[bytes, bytes]:
    """(private, public) raw 32-byte Ed25519 keys."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return raw_private, raw_public


def sign(document_bytes: bytes, private_key: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(document_bytes)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise VerificationError(f"the {what} part of the code is damaged") from exc


def qr_payload(document_bytes: bytes, signature: bytes, public_key: bytes) -> str:
    return ".".join((PREFIX, _b64(zlib.compress(document_bytes, 9)), _b64(signature), _b64(public_key)))


@dataclass
class Verified:
    document: dict
    document_bytes: bytes
    fingerprint: str
    public_key: bytes
    problems: list[str] = field(default_factory=list)


def open_payload(payload: str) -> Verified:
    """Decode a QR payload and check its signature against the key it carries. Raises
    VerificationError naming what is wrong; the caller still has to decide whether it trusts the key."""
    parts = payload.strip().split(".")
    if parts[0] != PREFIX:
        raise VerificationError("this is not a Nadi prescription code (it should start with NRX1.)")
    if len(parts) != 4:
        raise VerificationError("this Nadi prescription code is incomplete or damaged (it has the wrong number of parts)")
    packed, signature, public_key = _unb64(parts[1], "document"), _unb64(parts[2], "signature"), _unb64(parts[3], "key")
    if len(signature) != 64 or len(public_key) != 32:
        raise VerificationError("the signature or key in the code has the wrong length: the code is damaged or altered")
    inflater = zlib.decompressobj()
    try:
        document_bytes = inflater.decompress(packed, MAX_DOCUMENT_BYTES)
    except zlib.error as exc:
        raise VerificationError("the prescription inside the code is damaged") from exc
    if inflater.unconsumed_tail:
        raise VerificationError("the prescription inside the code is too large to be genuine")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, document_bytes)
    except InvalidSignature as exc:
        raise VerificationError("the signature does not match: this prescription was altered after it was signed") from exc
    try:
        document = json.loads(document_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerificationError("the signed content is not a prescription document") from exc
    fp = fingerprint(public_key)
    verified = Verified(document, document_bytes, fp, public_key)
    if document.get("key") != fp:
        verified.problems.append("the document names a different signing key from the one that signed it")
    return verified


def verify_signature(document_bytes: bytes, signature: bytes, public_key: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, document_bytes)
    except InvalidSignature:
        return False
    return True
