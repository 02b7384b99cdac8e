"""Settings come from the data directory's file and NADI_* variables; mistakes are named."""

import pytest

from core.errors import InvalidInput
from core.settings import load_settings


def test_file_then_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("NADI_SEARCH_LIMIT", raising=False)
    (tmp_path / "settings.toml").write_text("search_limit = 7\nclinic_timezone = 'Asia/Kolkata'\n", encoding="utf-8-sig")  # Notepad's BOM
    assert load_settings(tmp_path).search_limit == 7
    monkeypatch.setenv("NADI_SEARCH_LIMIT", "9")
    assert load_settings(tmp_path).search_limit == 9


@pytest.mark.parametrize(
    "file_text, env, where, words",
    [
        ("serch_limit = 3\n", {}, "settings.toml: serch_limit", "is not a Nadi setting"),
        ("clinic_timezone = 'IST'\n", {}, "settings.toml: clinic_timezone", "not a time zone name"),
        ("db_key = '" + "ab" * 32 + "'\n", {}, "settings.toml: db_key", "never be written in the data directory"),
        ("", {"NADI_SEARCH_LIMT": "3"}, "NADI_SEARCH_LIMT", "is not a Nadi setting"),
        ("", {"NADI_SEARCH_LIMIT": "many"}, "NADI_SEARCH_LIMIT", "integer"),
    ],
)
def test_mistakes_are_refused_and_named(tmp_path, monkeypatch, file_text, env, where, words):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "settings.toml").write_text(file_text)
    with pytest.raises(InvalidInput) as err:
        load_settings(tmp_path)
    assert where in err.value.problems and words in err.value.problems[where]


def test_the_key_folder_may_not_be_inside_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("NADI_KEY_DIR", str(tmp_path / "keys"))
    with pytest.raises(InvalidInput, match="inside the data directory"):
        load_settings(tmp_path)


def test_the_default_key_folder_is_apart_from_the_default_data_folder(monkeypatch):
    monkeypatch.delenv("NADI_KEY_DIR", raising=False)
    monkeypatch.delenv("NADI_DATA_DIR", raising=False)
    settings = load_settings()
    assert not settings.key_dir.resolve().is_relative_to(settings.data_dir.resolve())
