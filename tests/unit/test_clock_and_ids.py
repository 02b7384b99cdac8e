from core.hlc import HybridLogicalClock, pack, unpack
from core.ids import uuid7, uuid7_time_ms
import time
import uuid


def test_uuid7_ids_sort_in_creation_order_and_carry_version_7():
    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert abs(uuid7_time_ms(ids[-1]) - time.time() * 1000) < 5000


def test_clock_never_goes_backwards_when_the_pc_clock_is_set_back():
    wall = [1_000_000]
    clock = HybridLogicalClock(wall_ms=lambda: wall[0])
    first = clock.now()
    wall[0] -= 3_600_000  # someone sets the clinic PC back an hour
    later = [clock.now() for _ in range(3)]
    assert first < later[0] < later[1] < later[2]
    assert unpack(later[2])[0] == 1_000_000  # still on the old wall time, counting


def test_after_seeing_a_remote_stamp_local_stamps_follow_it():
    clock = HybridLogicalClock(wall_ms=lambda: 5_000)
    remote = pack(9_000_000, 7)  # another PC whose clock runs hours ahead
    clock.observe(remote)
    assert clock.now() > remote


def test_counter_overflow_borrows_the_next_millisecond():
    clock = HybridLogicalClock(last=pack(10, 0xFFFF), wall_ms=lambda: 10)
    assert unpack(clock.now()) == (11, 0)
