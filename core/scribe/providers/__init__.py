"""Model providers behind one interface (base.ChatProvider): Ollama by default, OpenAI or Anthropic
when the clinic chooses (AI_PROVIDER)."""

from __future__ import annotations

import httpx

from core.scribe.config import ScribeConfig
from core.scribe.providers.base import ChatProvider, ChatRequest, ChatResult, ModelFacts


def make_provider(config: ScribeConfig, transport: httpx.BaseTransport | None = None) -> ChatProvider:
    from core.scribe.providers.cloud import AnthropicProvider, OpenAIProvider  # noqa: PLC0415
    from core.scribe.providers.ollama import OllamaProvider  # noqa: PLC0415

    kinds = {"local": OllamaProvider, "openai": OpenAIProvider, "anthropic": AnthropicProvider}
    return kinds[config.provider](config, transport)


__all__ = ["ChatProvider", "ChatRequest", "ChatResult", "ModelFacts", "make_provider"]
