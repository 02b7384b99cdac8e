"""Fixtures for the scribe: a stand-in Ollama on loopback, and configurations pointed at it."""

from __future__ import annotations

import pytest

from core.scribe.config import ScribeConfig
from tests.scribe.ollama_standin import OllamaStandin

FEVER_CONSULT = """\
Doctor: Good morning. What brings you here?
Patient: I have fever since two days, with body ache.
Doctor: Temperature is 101 F. Pulse 96. BP 118 by 76. Throat is normal.
Doctor: This looks like a viral fever.
Doctor: Take Paracetamol 650 mg three times a day after food for three days.
Doctor: Drink plenty of water and rest. Come back after three days if the fever does not settle.
"""


@pytest.fixture
def ollama():
    standin = OllamaStandin()
    yield standin
    standin.close()


def local_config(standin: OllamaStandin, **env) -> ScribeConfig:
    """The configuration a clinic PC would build with NADI_OLLAMA_URL pointing at the stand-in."""
    from core.settings import Settings  # noqa: PLC0415

    fields = {k: env.pop(k) for k in list(env) if k in Settings.model_fields}
    settings = _settings(ollama_url=standin.url, **fields)
    return ScribeConfig.from_settings(settings, env={"AI_PROVIDER": "local", **env})


def _settings(**values):
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from core.settings import Settings  # noqa: PLC0415

    root = Path(tempfile.gettempdir())
    return Settings(data_dir=root / "nadi-scribe-tests", key_dir=root / "nadi-scribe-test-keys", **values)
