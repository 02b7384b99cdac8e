"""Fonts shipped with Nadi (Noto Sans and Noto Sans Devanagari, SIL OFL 1.1; see fonts/OFL.txt),
registered with Qt once per process so prints never fall back to boxes on a PC without them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase, QGuiApplication

FONT_DIR = Path(__file__).parent / "fonts"
_registered: list[str] = []


def ensure_fonts() -> list[str]:
    """Register the bundled fonts (needs a QGuiApplication); returns the family names."""
    if _registered:
        return _registered
    if QGuiApplication.instance() is None:
        raise RuntimeError("fonts can only be registered once a Qt application exists")
    for path in sorted(FONT_DIR.glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise RuntimeError(f"Qt could not load the bundled font {path.name}")
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in _registered:
                _registered.append(family)
    return _registered
