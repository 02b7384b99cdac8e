"""Real-world prescription lines, each with the expansion a pharmacist would read from it.

The table (rx_lines.toml) was written from the contract in docs/prescribing.md, independently of the
parser: every key present is asserted; "null" means the value must be unknown (null in the JSON).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from core.prescribing.expand import UnreadableLine, expand

TABLE = tomllib.loads((Path(__file__).parent / "rx_lines.toml").read_text(encoding="utf-8"))["line"]

FIELDS = {
    "generic": lambda d: d["drug"]["generic"],
    "brand": lambda d: d["drug"]["brand"],
    "strength": lambda d: d["drug"]["strength"],
    "form": lambda d: d["drug"]["form"],
    "route": lambda d: d["drug"]["route"],
    "dose_value": lambda d: d["dose"]["value"],
    "dose_unit": lambda d: d["dose"]["unit"],
    "per_day": lambda d: d["frequency"]["per_day"],
    "pattern": lambda d: d["frequency"]["pattern"],
    "timing": lambda d: d["timing"],
    "prn": lambda d: d["prn"],
    "stat": lambda d: d["stat"],
    "duration_days": lambda d: d["duration_days"],
    "quantity": lambda d: d["quantity"]["value"],
    "quantity_unit": lambda d: d["quantity"]["unit"],
    "ambiguities": lambda d: sorted(a["code"] for a in d["ambiguities"]),
    "warnings": lambda d: sorted(w["code"] for w in d["warnings"]),
}


def test_the_table_is_big_enough_to_mean_something():
    assert len(TABLE) >= 150
    assert len({row["input"] for row in TABLE}) == len(TABLE)


@pytest.mark.parametrize("row", TABLE, ids=[repr(r["input"])[:60] for r in TABLE])
def test_line_expands_as_a_pharmacist_would_read_it(row):
    if row.get("error"):
        with pytest.raises(UnreadableLine):
            expand(row["input"])
        return
    got = expand(row["input"]).as_dict()
    mismatches = {}
    for key, expected in row.items():
        if key in ("input", "error"):
            continue
        actual = FIELDS[key](got)
        if expected == "null":
            expected = None
        if key in ("ambiguities", "warnings"):
            expected = sorted(expected)
        if isinstance(expected, float) and isinstance(actual, (int, float)):
            ok = abs(expected - actual) < 1e-4
        else:
            ok = actual == expected
        if not ok:
            mismatches[key] = (expected, actual)
    assert not mismatches, f"{row['input']!r}: expected vs got {mismatches}\nfull expansion: {got}"
