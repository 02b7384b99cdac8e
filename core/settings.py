"""Settings: defaults, then `settings.toml` in the data directory, then NADI_* environment variables.

The data directory itself comes from `--data-dir`, else NADI_DATA_DIR, else a per-OS-user default
(platformdirs: ~/.local/share/Nadi on Linux, %LOCALAPPDATA%\\Nadi on Windows,
~/Library/Application Support/Nadi on macOS).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import InvalidInput

SETTINGS_FILE = "settings.toml"
ENV_PREFIX = "NADI_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path
    # Where this OS user's database keys are kept: outside the data directory, so a copy of the
    # data directory (a backup, a stolen disk image of D:\) does not carry its own key.
    key_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_config_dir("Nadi", False)) / "keys")
    # A database key given directly (64 hex characters), for headless servers where a key store
    # file is not wanted. Takes precedence over the key store.
    db_key: str | None = None
    clinic_timezone: str = "Asia/Kolkata"
    search_limit: int = Field(default=20, ge=1, le=500)
    # Record an audit event each time someone opens a patient's clinical record.
    audit_record_opens: bool = True


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("Nadi", False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_PREFIX + "DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def load_settings(data_dir: str | os.PathLike[str] | None = None) -> Settings:
    directory = resolve_data_dir(data_dir)
    values: dict[str, object] = {}
    path = directory / SETTINGS_FILE
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput({str(path): f"not valid TOML ({exc})"}) from None
    fields = set(Settings.model_fields) - {"data_dir"}
    for name in fields:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env is not None:
            values[name] = env
    values["data_dir"] = directory
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = {}
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            source = f"{ENV_PREFIX}{field.upper()}" if os.environ.get(ENV_PREFIX + field.upper()) else f"{SETTINGS_FILE}: {field}"
            problems[source] = err["msg"]
        raise InvalidInput(problems) from None
