"""Settings: defaults, then `settings.toml` in the data directory, then NADI_* environment variables.

The data directory itself comes from `--data-dir`, else NADI_DATA_DIR, else a per-OS-user default
(platformdirs: ~/.local/share/Nadi on Linux, %LOCALAPPDATA%\\Nadi on Windows,
~/Library/Application Support/Nadi on macOS).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import platformdirs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import InvalidInput

SETTINGS_FILE = "settings.toml"
ENV_PREFIX = "NADI_"
# NADI_* variables that choose how the program runs rather than configure a clinic.
NON_SETTING_VARIABLES = frozenset({"NADI_DATA_DIR", "NADI_DEBUG", "NADI_EXIT_AFTER_SHOW", "NADI_STARTUP_PROBE"})


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path
    # Where this OS user's database keys are kept: outside the data directory, so a copy of the
    # data directory (a backup, a stolen disk image of D:\) does not carry its own key.
    # Its own application folder: on Windows and macOS the config and data folders of one app
    # are the same folder, so "Nadi/keys" would sit inside the default data directory.
    key_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_config_dir("NadiKeys", False)))
    # A database key given directly (64 hex characters), for headless servers where a key store
    # file is not wanted. Takes precedence over the key store.
    db_key: str | None = None
    clinic_timezone: str = "Asia/Kolkata"
    search_limit: int = Field(default=20, ge=1, le=500)
    # Record an audit event each time someone opens a patient's clinical record.
    audit_record_opens: bool = True
    # Changes per sync push batch and pull page. Lower it on a slow or flaky link: a cut connection
    # then loses less, at some cost in speed (see `nadi sync bench`).
    sync_batch: int = Field(default=5_000, ge=100, le=5_000)
    # The AI scribe (core/scribe). Where Ollama answers; unset, AI_LOCAL_MODEL_URL, then
    # OLLAMA_HOST, then http://127.0.0.1:11434 are tried, so an existing Ollama set-up just works.
    ollama_url: str | None = None
    # The local model that drafts visit notes (`ollama pull` it first); `--model` overrides it.
    scribe_model: str = Field(default="qwen2.5:7b", min_length=1, max_length=200)
    # Seconds to wait for the model's answer, and for a cold load: a PC without a GPU can take a
    # minute just to load a 7B model, then write at reading speed.
    scribe_timeout_s: float = Field(default=180, ge=5, le=3600)
    # Seconds to wait for the connection itself: short, so "Ollama is not running" shows at once.
    scribe_connect_timeout_s: float = Field(default=5, ge=0.5, le=120)
    # How long Ollama keeps the model in memory after a draft (Ollama's duration syntax: 30m, 1h).
    scribe_keep_alive: str = "30m"
    # The largest context window (tokens) the scribe asks for, whatever the model was trained on:
    # memory grows with it. A consult too long for it is split into overlapping parts.
    scribe_max_ctx: int = Field(default=16_384, ge=2_048, le=1_048_576)
    # Stream the answer as it is written (progress in words). Off by default: structured output
    # combined with streaming has been unreliable in Ollama.
    scribe_stream: bool = False
    # Speech to text for the scribe (core/scribe/speech.py), set up by IT; unset, the scribe works
    # from typed or pasted text. `speech_model`: a whisper.cpp ggml model file, or a faster-whisper
    # model folder; `speech_whisper_cpp`: the whisper.cpp program (e.g. whisper-cli) when that is used.
    speech_model: str | None = None
    speech_whisper_cpp: str | None = None
    # The microphone the desk records from (desktop/consult/recorder.py): part of its name as the PC
    # lists it, or its number; unset, the PC's default input.
    speech_microphone: str | None = None

    @field_validator("ollama_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value.strip()):
            raise ValueError(f"{value!r} is not a web address like http://127.0.0.1:11434")
        return value.strip().rstrip("/") if value else None

    @field_validator("scribe_keep_alive")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not re.fullmatch(r"-?\d+(\.\d+)?(ms|s|m|h)?", value.strip()):
            raise ValueError(f"{value!r} is not a duration like 30m, 1h or 300s (-1 keeps the model loaded)")
        return value.strip()

    @field_validator("clinic_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name (like Asia/Kolkata)") from None
        return value

    @model_validator(mode="after")
    def _key_outside_data(self) -> Settings:
        if self.key_dir.resolve().is_relative_to(self.data_dir.resolve()):
            raise ValueError(f"key_dir: {self.key_dir} is inside the data directory; the key must be kept apart from the data")
        return self


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
    fields = set(Settings.model_fields) - {"data_dir"}
    path = directory / SETTINGS_FILE
    if path.exists():
        try:
            from_file = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad may add a BOM
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput({str(path): f"not valid TOML ({exc})"}) from None
        if "db_key" in from_file:
            raise InvalidInput({f"{SETTINGS_FILE}: db_key": "the database key must never be written in the data directory; give it as NADI_DB_KEY"})
        for name in sorted(set(from_file) - fields):
            raise InvalidInput({f"{SETTINGS_FILE}: {name}": f"is not a Nadi setting (settings are: {', '.join(sorted(fields))})"})
        values.update(from_file)
    for name, env in os.environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        field = name[len(ENV_PREFIX):].lower()
        if field in fields:
            values[field] = env
        elif name not in NON_SETTING_VARIABLES:
            raise InvalidInput({name: f"is not a Nadi setting (settings are: {', '.join(ENV_PREFIX + f.upper() for f in sorted(fields))})"})
    values["data_dir"] = directory
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = {}
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            field = ".".join(str(p) for p in err["loc"])
            if not field and ": " in message:
                field, message = message.split(": ", 1)
            source = f"{ENV_PREFIX}{field.upper()}" if os.environ.get(ENV_PREFIX + field.upper()) else f"{SETTINGS_FILE}: {field}"
            problems[source] = message
        raise InvalidInput(problems) from None
