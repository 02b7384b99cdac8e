"""Which model drafts the note, where it runs, how long to wait, and whether raw patient details may
reach it.

Clinic settings (NADI_* / settings.toml) hold what IT sets for the local model; the AI_* and vendor
variables (AI_PROVIDER, OPENAI_API_KEY, …) are read from the environment as their names are
commonly used, so a PC already set up for another tool needs nothing new.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from core.scribe.errors import MissingApiKey, ScribeSetupError

PROVIDERS = ("local", "openai", "anthropic")
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5"
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com"
# What the cloud models accept in one request (tokens). Conservative: the consult is split before
# it comes anywhere near these.
CLOUD_CONTEXT = {"openai": 128_000, "anthropic": 200_000}
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ScribeConfig:
    provider: str = "local"
    model: str = "qwen2.5:7b"
    base_url: str = DEFAULT_OLLAMA_URL
    base_url_source: str = "the default"  # which variable named the address, for error messages
    api_key: str | None = None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 180.0
    keep_alive: str = "30m"
    max_ctx: int = 16_384
    stream: bool = False
    no_raw_patient_data: bool = False

    @classmethod
    def from_settings(cls, settings=None, env: Mapping[str, str] | None = None, model: str | None = None) -> ScribeConfig:
        """The configuration for this PC: `settings` (core.settings.Settings, or None for the
        built-in defaults), the environment, and a model named for this run (`--model`)."""
        env = os.environ if env is None else env
        if settings is None:
            settings = _scribe_settings(env)
        provider = (env.get("AI_PROVIDER") or "local").strip().lower()
        if provider not in PROVIDERS:
            raise ScribeSetupError(f"AI_PROVIDER must be local, openai or anthropic (it is {provider!r})")
        privacy = _flag(env, "AI_NO_RAW_PATIENT_DATA", default=provider != "local")
        common = {
            "connect_timeout_s": float(getattr(settings, "scribe_connect_timeout_s", 5.0)),
            "read_timeout_s": float(getattr(settings, "scribe_timeout_s", 180.0)),
            "keep_alive": getattr(settings, "scribe_keep_alive", "30m"),
            "max_ctx": int(getattr(settings, "scribe_max_ctx", 16_384)),
            "stream": bool(getattr(settings, "scribe_stream", False)),
            "no_raw_patient_data": privacy,
        }
        if provider == "local":
            url, source = ollama_address(settings, env)
            return cls("local", model or getattr(settings, "scribe_model", None) or "qwen2.5:7b", url, source, None, **common)
        if provider == "openai":
            key = (env.get("OPENAI_API_KEY") or "").strip()
            if not key:
                raise MissingApiKey("openai", "OPENAI_API_KEY")
            url = _web_address(env.get("AI_OPENAI_BASE_URL") or DEFAULT_OPENAI_BASE_URL, "AI_OPENAI_BASE_URL")
            return cls("openai", model or env.get("AI_OPENAI_MODEL") or DEFAULT_OPENAI_MODEL, url,
                       "AI_OPENAI_BASE_URL" if env.get("AI_OPENAI_BASE_URL") else "the default", key, **common)
        key = (env.get("ANTHROPIC_API_KEY") or "").strip()
        if not key:
            raise MissingApiKey("anthropic", "ANTHROPIC_API_KEY")
        url = _web_address(env.get("AI_ANTHROPIC_BASE_URL") or DEFAULT_ANTHROPIC_BASE_URL, "AI_ANTHROPIC_BASE_URL")
        return cls("anthropic", model or env.get("AI_ANTHROPIC_MODEL") or DEFAULT_ANTHROPIC_MODEL, url,
                   "AI_ANTHROPIC_BASE_URL" if env.get("AI_ANTHROPIC_BASE_URL") else "the default", key, **common)

    def with_model(self, model: str | None) -> ScribeConfig:
        return replace(self, model=model) if model else self

    def describe(self) -> dict:
        """What the draft's metadata and `nadi scribe` show: never the key."""
        return {"provider": self.provider, "model": self.model, "url": self.base_url, "no_raw_patient_data": self.no_raw_patient_data}


def _scribe_settings(env: Mapping[str, str]):
    """Without the clinic's settings at hand, the scribe's own NADI_* variables still count, checked
    as load_settings checks them."""
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from pydantic import ValidationError  # noqa: PLC0415

    from core.settings import ENV_PREFIX, Settings  # noqa: PLC0415

    names = [n for n in Settings.model_fields if n.startswith("scribe_") or n == "ollama_url"]
    values = {n: env[ENV_PREFIX + n.upper()] for n in names if env.get(ENV_PREFIX + n.upper())}
    scratch = Path(tempfile.gettempdir())
    try:  # the two folders only satisfy the model: nothing is read from or written to them
        return Settings(data_dir=scratch / "nadi-scribe-settings", key_dir=scratch / "nadi-scribe-settings-keys", **values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ENV_PREFIX + str(err["loc"][0]).upper() if err["loc"] else "a NADI_SCRIBE_* variable"
        raise ScribeSetupError(f"{name}: {err['msg'].removeprefix('Value error, ')}") from None


def ollama_address(settings, env: Mapping[str, str]) -> tuple[str, str]:
    """Where Ollama answers, and which variable said so: NADI_OLLAMA_URL (the clinic setting), then
    AI_LOCAL_MODEL_URL, then Ollama's own OLLAMA_HOST, then the default."""
    configured = getattr(settings, "ollama_url", None)
    if configured:
        return configured, "NADI_OLLAMA_URL"
    for name in ("AI_LOCAL_MODEL_URL", "OLLAMA_HOST"):
        value = (env.get(name) or "").strip()
        if value:
            return _web_address(value, name, default_port=11434), name
    return DEFAULT_OLLAMA_URL, "the default"


def _web_address(value: str, variable: str, default_port: int | None = None) -> str:
    """A base URL from what people write: OLLAMA_HOST is often just "0.0.0.0" or "host:port"."""
    text = value.strip().rstrip("/")
    if re.match(r"^[a-z]+://", text):
        default_port = None  # a full address means its scheme's own port, as Ollama's client reads it
    else:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScribeSetupError(f"{variable}={value!r} is not a web address like http://127.0.0.1:11434")
    host = parts.hostname
    if host in ("0.0.0.0", "::", ""):  # where a server listens, not where a client calls
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or default_port
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}{path}"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ScribeSetupError(f"{name} must be true or false (it is {value!r})")
