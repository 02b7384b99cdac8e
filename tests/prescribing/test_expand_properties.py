"""No input crashes the parser: anything typed either expands, with unknowns left null and every
doubt reported, or is refused as unreadable with a message."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.prescribing.expand import UnreadableLine, expand

WORDS = ["Tab", "Cap", "Syp", "Inj", "Dolo", "650", "Pan", "D", "40", "Telma", "H", "Augmentin", "625", "Duo", "PCM", "Amox",
         "Metf", "500", "mg", "ml", "5", "1-0-1", "½-0-½", "1/2-0-1/2", "1 0 1", "1-1-1-1", "1--1", "OD", "BD", "TDS", "QID",
         "QD", "HS", "SOS", "STAT", "q6h", "8 hourly", "once weekly", "x", "5d", "x5d", "5/7", "2/52", "3/12", "for", "days",
         "weeks", "AC", "PC", "after food", "khali pet", "khane ke baad", "eye drops", "drops", "puffs", "2", "½", "–", "×",
         "Methotrexate", "7.5", "daily", "0", "1", "-", "/", ".", ",", "खाने के बाद", "Xylofenzamine", "60k", "Liv.52", "1g"]

lines = st.lists(st.sampled_from(WORDS), min_size=0, max_size=10).map(" ".join)


def _check(line: str) -> None:
    try:
        item = expand(line)
    except UnreadableLine as exc:
        assert str(exc)
        return
    data = item.as_dict()
    assert data["input"] == line
    per_day = data["frequency"]["per_day"]
    assert per_day is None or 0 < per_day <= 24
    quantity = data["quantity"]["value"]
    assert quantity is None or (isinstance(quantity, int) and quantity >= 0)
    if data["frequency"]["pattern"]:
        slots = data["frequency"]["pattern"].split("-")
        assert len(slots) in (3, 4) and per_day == sum(1 for s in slots if s != "0")
    if data["drug"]["generic"] is None:
        assert data["ambiguities"], f"{line!r}: no drug identified and no ambiguity reported"
    if per_day is None and not data["prn"] and not data["stat"]:
        assert data["ambiguities"], f"{line!r}: no frequency and nothing reported"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
def test_prescription_like_noise_never_crashes_and_never_guesses_silently(line):
    _check(line)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes(line):
    _check(line)
