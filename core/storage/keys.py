"""The database key: made once per clinic database, kept out of the data directory.

- The key is 32 random bytes, given to SQLCipher as a raw key (no passphrase stretching at every
  start-up, so opening is fast).
- It lives in this OS user's key store: `<key_dir>/<database_id>.key`, readable only by that user
  (see `Settings.key_dir`). NADI_DB_KEY may supply it instead on a headless server.
- The data directory holds `keyslot.json`: the database id and the key *wrapped* (AES-256-GCM) under
  a recovery key derived with scrypt. The recovery key is shown once, when the clinic is created;
  with it, `nadi key recover` puts the key into a new PC's key store. Without both the data
  directory and either the key store or the recovery key, the data cannot be read.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core.errors import DatabaseKeyError
from core.ids import uuid7
from core.settings import Settings

KEYSLOT_FILE = "keyslot.json"
KEY_BYTES = 32
# Crockford base32: no I, L, O, U, so a recovery key read aloud or copied by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECOVERY_CHARS = 25  # 125 bits
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


@dataclass(frozen=True)
class NewKey:
    key: bytes
    database_id: str
    recovery_key: str


def keyslot_path(settings: Settings) -> Path:
    return settings.data_dir / KEYSLOT_FILE


def has_keyslot(settings: Settings) -> bool:
    return keyslot_path(settings).exists()


def create_key(settings: Settings) -> NewKey:
    """Make the key for a new database, write its keyslot and store it for this OS user."""
    if has_keyslot(settings):
        raise DatabaseKeyError(f"{keyslot_path(settings)} already exists; refusing to replace the key of an existing database")
    key = secrets.token_bytes(KEY_BYTES)
    database_id = uuid7()
    recovery_key = _new_recovery_key()
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(_derive(recovery_key, salt)).encrypt(nonce, key, database_id.encode())
    slot = {
        "format": 1,
        "database_id": database_id,
        "created_at": datetime.now(UTC).isoformat(),
        "recovery": {
            "kdf": "scrypt",
            **_SCRYPT,
            "salt": _b64(salt),
            "cipher": "AES-256-GCM",
            "nonce": _b64(nonce),
            "wrapped_key": _b64(wrapped),
        },
    }
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _write_private(keyslot_path(settings), json.dumps(slot, indent=2).encode())
    if not settings.db_key:
        _write_private(_stored_key_path(settings, database_id), key.hex().encode())
    return NewKey(key=key, database_id=database_id, recovery_key=_group(recovery_key))


def load_key(settings: Settings) -> bytes:
    """The key for the database in `settings.data_dir`, or a DatabaseKeyError saying what to do."""
    if settings.db_key:
        return _parse_hex_key(settings.db_key, "NADI_DB_KEY")
    slot = _read_slot(settings)
    path = _stored_key_path(settings, slot["database_id"])
    if not path.exists():
        raise DatabaseKeyError(
            f"the key for the database in {settings.data_dir} is not on this computer (looked in {path}); "
            f"run `nadi key recover --data-dir {settings.data_dir}` with the clinic's recovery key"
        )
    return _parse_hex_key(path.read_text().strip(), str(path))


def recover_key(settings: Settings, recovery_key: str) -> bytes:
    """Unwrap the key with the recovery key and store it in this OS user's key store."""
    slot = _read_slot(settings)
    key = unwrap_key(slot, recovery_key, "this database")
    store_key(settings, slot["database_id"], key)
    return key


def unwrap_key(slot: dict, recovery_key: str, what: str) -> bytes:
    """The database key from a key slot (the data directory's, or the copy a backup carries)."""
    rec = slot["recovery"]
    normalised = _normalise_recovery_key(recovery_key)
    kek = _derive(normalised, base64.b64decode(rec["salt"]), n=rec["n"], r=rec["r"], p=rec["p"])
    try:
        return AESGCM(kek).decrypt(base64.b64decode(rec["nonce"]), base64.b64decode(rec["wrapped_key"]), slot["database_id"].encode())
    except InvalidTag:
        raise DatabaseKeyError(f"that recovery key does not open {what}; check it character by character") from None


def stored_key(settings: Settings, database_id: str) -> bytes | None:
    """The key this OS user's key store holds for that database, if any."""
    path = _stored_key_path(settings, database_id)
    return _parse_hex_key(path.read_text().strip(), str(path)) if path.exists() else None


def forget_key(settings: Settings, database_id: str) -> None:
    """Remove this OS user's stored key for a database that never came to be (a set-up abandoned
    half-way). Never call it for a database that exists: without the recovery key it is lost."""
    _stored_key_path(settings, database_id).unlink(missing_ok=True)


def store_key(settings: Settings, database_id: str, key: bytes) -> None:
    _write_private(_stored_key_path(settings, database_id), key.hex().encode())


def parse_slot(text: str, where: str) -> dict:
    """A key slot read from text, or a DatabaseKeyError naming where it came from."""
    try:
        slot = json.loads(text)
        slot["database_id"], slot["recovery"]["wrapped_key"]  # noqa: B018 - shape check
    except (ValueError, KeyError, TypeError):
        raise DatabaseKeyError(f"{where} is damaged; restore it from a backup of the data directory") from None
    return slot


def install_slot(settings: Settings, slot_bytes: bytes) -> None:
    """Put a key slot (from a backup being restored) into the data directory."""
    _write_private(keyslot_path(settings), slot_bytes)


def database_id(settings: Settings) -> str:
    return _read_slot(settings)["database_id"]


def _read_slot(settings: Settings) -> dict:
    path = keyslot_path(settings)
    if not path.exists():
        raise DatabaseKeyError(f"{path} is missing: {settings.data_dir} does not hold a Nadi database")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return parse_slot(text, str(path))


def _stored_key_path(settings: Settings, database_id: str) -> Path:
    return settings.key_dir / f"{database_id}.key"


def _parse_hex_key(text: str, source: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise DatabaseKeyError(f"{source} must hold the database key as {KEY_BYTES * 2} hexadecimal characters")
    return key


def _derive(recovery_key: str, salt: bytes, n: int = _SCRYPT["n"], r: int = _SCRYPT["r"], p: int = _SCRYPT["p"]) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(recovery_key.encode())


def _new_recovery_key() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_CHARS))


def _group(key: str) -> str:
    return "-".join(key[i : i + 5] for i in range(0, len(key), 5))


def _normalise_recovery_key(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != _RECOVERY_CHARS or any(ch not in _ALPHABET for ch in cleaned):
        raise DatabaseKeyError(f"a recovery key is {_RECOVERY_CHARS} letters and digits in groups of five, like ABCDE-12345-…")
    return cleaned


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable by this OS user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
