"""UUIDv7 ids (RFC 9562), made locally so a row can cross machines without renumbering.

Ids sort by creation time, which keeps B-tree inserts append-mostly and makes a rough
creation order visible in the id itself. Within one millisecond a 12-bit counter keeps
ids from one process strictly increasing.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> str:
    """A new UUIDv7 as the canonical 36-character string."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            # Same millisecond, or the wall clock stepped back: keep counting from the last
            # stamp so ids made here never go backwards.
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                ms += 1
                _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:
            # Random start (upper bits clear) leaves room to count within the millisecond.
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        _last_ms = ms
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= _counter << 64
        value |= 0b10 << 62
        value |= rand_b
    return str(uuid.UUID(int=value))


def uuid7_time_ms(value: str) -> int:
    """The Unix millisecond a UUIDv7 was made at."""
    return uuid.UUID(value).int >> 80
