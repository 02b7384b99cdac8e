"""This PC's preferences: kept in desk.toml, and never a reason for Nadi not to start."""

import pytest

from desktop.preferences import Preferences, load_preferences, preferences_path, save_preferences
from desktop.style import DEFAULT_FONT_PT


def test_a_new_pc_gets_the_defaults(tmp_path):
    prefs = load_preferences(tmp_path / "no such folder")
    assert prefs == Preferences(font_pt=DEFAULT_FONT_PT, idle_lock_minutes=5)


def test_saved_preferences_come_back_and_leave_no_stray_files(tmp_path):
    save_preferences(tmp_path, Preferences(font_pt=14, idle_lock_minutes=15))
    assert load_preferences(tmp_path) == Preferences(font_pt=14, idle_lock_minutes=15)
    save_preferences(tmp_path, Preferences(font_pt=9, idle_lock_minutes=1))
    assert load_preferences(tmp_path) == Preferences(font_pt=9, idle_lock_minutes=1)
    assert [p.name for p in tmp_path.iterdir()] == ["desk.toml"]


@pytest.mark.parametrize("text", ["font_pt = [", "\x00\xff garbage", "font_pt = 'big'\nidle_lock_minutes = true"])
def test_a_damaged_file_means_defaults(tmp_path, text):
    preferences_path(tmp_path).write_text(text, encoding="latin-1")
    assert load_preferences(tmp_path) == Preferences()


def test_each_unusable_value_falls_back_on_its_own(tmp_path):
    preferences_path(tmp_path).write_text("font_pt = 13\nidle_lock_minutes = 30\n")
    assert load_preferences(tmp_path) == Preferences(font_pt=DEFAULT_FONT_PT, idle_lock_minutes=30)
    preferences_path(tmp_path).write_text("font_pt = 12\nidle_lock_minutes = 600\n")
    assert load_preferences(tmp_path) == Preferences(font_pt=12, idle_lock_minutes=5)


def test_preferences_outside_the_offered_choices_are_refused():
    with pytest.raises(ValueError, match="font size"):
        Preferences(font_pt=13)
    with pytest.raises(ValueError, match="1 to 60 minutes"):
        Preferences(idle_lock_minutes=0)
