"""Hybrid logical clock: orders changes across PCs whose wall clocks disagree.

A stamp is one integer: wall-clock milliseconds in the high bits, a 16-bit logical counter in
the low bits. It never goes backwards on a node, even if the PC's clock is set back, and after
`observe()`ing a remote stamp every later local stamp is greater than it. Ties between nodes are
broken by node id at the point of comparison (see `core.storage.outbox`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

COUNTER_BITS = 16
_COUNTER_MAX = (1 << COUNTER_BITS) - 1


def pack(wall_ms: int, counter: int) -> int:
    return (wall_ms << COUNTER_BITS) | counter


def unpack(stamp: int) -> tuple[int, int]:
    return stamp >> COUNTER_BITS, stamp & _COUNTER_MAX


class HybridLogicalClock:
    def __init__(self, last: int = 0, wall_ms: Callable[[], int] | None = None) -> None:
        self._last = last
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        return self._last

    def now(self) -> int:
        """A stamp for a local event, greater than every stamp this clock has issued or seen."""
        with self._lock:
            wall = self._wall_ms()
            last_wall, last_counter = unpack(self._last)
            if wall > last_wall:
                stamp = pack(wall, 0)
            elif last_counter < _COUNTER_MAX:
                stamp = pack(last_wall, last_counter + 1)
            else:
                # 65,536 events in one millisecond: borrow the next millisecond rather than wrap.
                stamp = pack(last_wall + 1, 0)
            self._last = stamp
            return stamp

    def observe(self, remote: int) -> None:
        """Take in a stamp received from another node so later local stamps follow it."""
        with self._lock:
            if remote > self._last:
                self._last = remote
