"""This PC's own preferences: the font size and how soon an idle desk locks.

They belong to the PC (a small screen at reception, a large one in the consult room), so they live
in `<data dir>/desk.toml` and never sync. A missing or damaged file means the defaults: a
preference is never a reason for the app not to start.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from desktop.style import DEFAULT_FONT_PT, FONT_SIZES

PREFERENCES_FILE = "desk.toml"
IDLE_LOCK_RANGE = (1, 60)
DEFAULT_IDLE_LOCK_MINUTES = 5


@dataclass(frozen=True)
class Preferences:
    font_pt: int = DEFAULT_FONT_PT
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES

    def __post_init__(self) -> None:
        if self.font_pt not in FONT_SIZES:
            raise ValueError(f"font size {self.font_pt} pt is not one of {', '.join(map(str, FONT_SIZES))}")
        low, high = IDLE_LOCK_RANGE
        if not (isinstance(self.idle_lock_minutes, int) and low <= self.idle_lock_minutes <= high):
            raise ValueError(f"the idle lock is {low} to {high} minutes, not {self.idle_lock_minutes}")


def preferences_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / PREFERENCES_FILE


def load_preferences(data_dir: str | os.PathLike) -> Preferences:
    """This PC's preferences; each value that is missing or unusable falls back to its default."""
    try:
        stored = tomllib.loads(preferences_path(data_dir).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return Preferences()
    font_pt = stored.get("font_pt")
    minutes = stored.get("idle_lock_minutes")
    low, high = IDLE_LOCK_RANGE
    return Preferences(
        font_pt=font_pt if type(font_pt) is int and font_pt in FONT_SIZES else DEFAULT_FONT_PT,
        idle_lock_minutes=minutes if type(minutes) is int and low <= minutes <= high else DEFAULT_IDLE_LOCK_MINUTES,
    )


def save_preferences(data_dir: str | os.PathLike, prefs: Preferences) -> None:
    """Write the file whole or not at all: a power cut mid-write leaves the old file, not half of one."""
    path = preferences_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# This PC's Nadi preferences (set under Admin → This PC). Not synced.\n"
        f"font_pt = {int(prefs.font_pt)}\n"
        f"idle_lock_minutes = {int(prefs.idle_lock_minutes)}\n"
    )
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
