"""The desks' look: one calm palette and one stylesheet, with the font size a setting.

Spin boxes, date boxes and combo boxes are left to the platform's style: a stylesheet border on
them replaces their arrows with a broken glyph.

Widgets do not pick colours themselves; they say what a thing is with a dynamic property and the
stylesheet decides: `label.setProperty("tone", "danger")` (allergies, blocking alerts, abnormal
values), "warning", "ok", "muted"; `button.setProperty("kind", "primary")` for the one main action.
"""

from __future__ import annotations

COLOURS = {
    "text": "#101828",
    "muted": "#475467",
    "danger": "#b42318",
    "danger_bg": "#fef3f2",
    "warning": "#93370d",
    "warning_bg": "#fffaeb",
    "ok": "#067647",
    "ok_bg": "#ecfdf3",
    "accent": "#1849a9",
    "accent_bg": "#eff4ff",
    "panel": "#f9fafb",
    "border": "#d0d5dd",
    "window": "#ffffff",
}

DEFAULT_FONT_PT = 10
FONT_SIZES = (9, 10, 11, 12, 14)


def stylesheet(font_pt: int = DEFAULT_FONT_PT) -> str:
    c = COLOURS
    big = font_pt + 3
    return f"""
QWidget {{ font-size: {font_pt}pt; color: {c['text']}; }}
QMainWindow, QDialog {{ background: {c['window']}; }}
QLabel[tone="danger"] {{ color: {c['danger']}; font-weight: bold; }}
QLabel[tone="warning"] {{ color: {c['warning']}; }}
QLabel[tone="ok"] {{ color: {c['ok']}; }}
QLabel[tone="muted"] {{ color: {c['muted']}; }}
QLabel[heading="true"] {{ font-size: {big}pt; font-weight: bold; }}
QFrame[box="danger"] {{ background: {c['danger_bg']}; border: 1px solid {c['danger']}; border-radius: 4px; }}
QFrame[box="warning"] {{ background: {c['warning_bg']}; border: 1px solid #f79009; border-radius: 4px; }}
QFrame[box="ok"] {{ background: {c['ok_bg']}; border: 1px solid {c['ok']}; border-radius: 4px; }}
QFrame[box="panel"] {{ background: {c['panel']}; border: 1px solid {c['border']}; border-radius: 4px; }}
QPushButton {{ padding: 4px 12px; border: 1px solid {c['border']}; border-radius: 4px; background: white; }}
QPushButton:focus {{ border: 2px solid {c['accent']}; }}
QPushButton[kind="primary"] {{ background: {c['accent']}; color: white; border-color: {c['accent']}; font-weight: bold; }}
QPushButton[kind="primary"]:disabled {{ background: {c['border']}; border-color: {c['border']}; }}
QPushButton[kind="danger"] {{ color: {c['danger']}; border-color: {c['danger']}; }}
QLineEdit, QPlainTextEdit, QTextEdit {{
    border: 1px solid {c['border']}; border-radius: 4px; padding: 3px; background: white; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {c['accent']}; }}
QLineEdit[flag="high"], QLineEdit[flag="low"] {{ color: {c['danger']}; font-weight: bold; border: 2px solid {c['danger']}; }}
QLineEdit[invalid="true"] {{ border: 2px solid {c['danger']}; background: {c['danger_bg']}; }}
QTableView, QListView, QTreeView {{ border: 1px solid {c['border']}; selection-background-color: {c['accent_bg']}; selection-color: {c['text']}; }}
QHeaderView::section {{ background: {c['panel']}; border: none; border-bottom: 1px solid {c['border']}; padding: 4px; font-weight: bold; }}
QTabBar::tab {{ padding: 6px 14px; }}
QTabBar::tab:selected {{ font-weight: bold; border-bottom: 2px solid {c['accent']}; }}
QStatusBar {{ background: {c['panel']}; border-top: 1px solid {c['border']}; }}
QStatusBar QLabel {{ padding: 0 4px; }}
QPushButton[kind^="status_"] {{ border: none; background: transparent; padding: 0 4px; font-weight: bold; }}
QPushButton[kind="status_dead"], QPushButton[kind="status_merges"] {{ text-decoration: underline; }}
QPushButton[kind^="status_dead"] {{ color: {c['danger']}; }}
QPushButton[kind^="status_merges"] {{ color: {c['warning']}; }}
"""
