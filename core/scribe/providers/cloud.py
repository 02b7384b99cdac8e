"""OpenAI and Anthropic, for clinics that choose a cloud model (AI_PROVIDER=openai|anthropic).

Both over httpx, no vendor SDK. OpenAI gets the answer's schema as a strict json_schema response
format. Anthropic has no such format, so the schema is the input of one tool the model must call;
the standing instructions are marked for prompt caching (`cache_control: ephemeral`), since they
are the same for every consult. With either, AI_NO_RAW_PATIENT_DATA defaults to true.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from core.scribe.answer import inlined_schema
from core.scribe.config import CLOUD_CONTEXT, ScribeConfig
from core.scribe.errors import ApiKeyRefused, InvalidModelOutput, ModelNotInstalled, ProviderBusy, ProviderFailed
from core.scribe.providers.base import ChatRequest, ChatResult, HangUpTransport, ModelFacts, Timeouts, error_text, translate_transport_error

ANTHROPIC_VERSION = "2023-06-01"
DRAFT_TOOL = "record_consult_draft"


class _CloudProvider:
    name = ""
    label = ""
    key_variable = ""
    model_variable = ""

    def __init__(self, config: ScribeConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.model = config.model
        self.base_url = config.base_url
        self._timeouts = Timeouts(self.label, config.base_url, config.connect_timeout_s, config.read_timeout_s)
        self._transport = HangUpTransport(transport)
        self._client = httpx.Client(base_url=config.base_url, transport=self._transport, headers=self._headers(config.api_key or ""),
                                    timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s))

    def _headers(self, key: str) -> dict[str, str]:
        raise NotImplementedError

    def check(self) -> ModelFacts:
        self._call("GET", f"{self._models_path}/{self.model}", None, "checking the model")
        return ModelFacts(CLOUD_CONTEXT[self.name], loaded=True)

    def load(self) -> float | None:
        return None  # nothing to load: the provider keeps its models running

    def close(self) -> None:
        """Ends the client; safe from another thread, where it also hangs up a request under way."""
        self._transport.hang_up()
        self._client.close()

    _models_path = "/models"

    def _call(self, method: str, path: str, body: dict | None, doing: str) -> dict:
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise translate_transport_error(exc, self._timeouts, doing, f"check the PC's internet connection, or {self._base_variable}") from None
        if response.status_code == 200:
            try:
                return response.json()
            except ValueError:
                raise ProviderFailed(f"{self.label} at {self.base_url} answered with something that is not JSON while {doing}") from None
        message = error_text(response)
        if response.status_code in (401, 403):
            raise ApiKeyRefused(f"{self.label} refused the API key in {self.key_variable} ({message}): check the key, or set "
                                "AI_PROVIDER=local to draft with Ollama on this PC")
        if response.status_code == 404:
            raise ModelNotInstalled(f"{self.label} has no model {self.model!r} for this key ({message}): set {self.model_variable} or "
                                    "--model to one it offers")
        if response.status_code in (429, 503, 529):
            raise ProviderBusy(f"{self.label} is busy or this key's rate limit is reached ({message}): wait a moment and draft again")
        raise ProviderFailed(f"{self.label} refused the request while {doing} ({response.status_code}: {message})")

    @property
    def _base_variable(self) -> str:
        return f"AI_{self.name.upper()}_BASE_URL"


class OpenAIProvider(_CloudProvider):
    name, label, key_variable, model_variable = "openai", "OpenAI", "OPENAI_API_KEY", "AI_OPENAI_MODEL"

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def chat(self, request: ChatRequest, on_text: Callable[[int], None] | None = None) -> ChatResult:
        started = time.monotonic()
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": request.system}, {"role": "user", "content": request.user}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "consult_draft", "strict": True, "schema": request.schema}},
            "max_completion_tokens": request.max_tokens,
            "temperature": 0,
        }
        data = self._call("POST", "/chat/completions", body, "writing the note")
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise ProviderFailed("OpenAI's answer had no message in it: draft again") from None
        if message.get("refusal"):
            raise InvalidModelOutput(f"the OpenAI model declined to draft this note ({message['refusal'][:200]})")
        usage = data.get("usage") or {}
        return ChatResult(text=message.get("content") or "", truncated=choice.get("finish_reason") == "length",
                          prompt_tokens=usage.get("prompt_tokens"), answer_tokens=usage.get("completion_tokens"),
                          seconds=round(time.monotonic() - started, 3))


class AnthropicProvider(_CloudProvider):
    name, label, key_variable, model_variable = "anthropic", "Anthropic", "ANTHROPIC_API_KEY", "AI_ANTHROPIC_MODEL"
    _models_path = "/v1/models"

    def _headers(self, key: str) -> dict[str, str]:
        return {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}

    def chat(self, request: ChatRequest, on_text: Callable[[int], None] | None = None) -> ChatResult:
        started = time.monotonic()
        body = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": 0,
            # The instructions are the same for every consult: cached, they are billed and read once
            # per few minutes instead of with every draft.
            "system": [{"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": request.user}],
            "tools": [{"name": DRAFT_TOOL, "description": "Record the draft of the visit note.", "input_schema": inlined_schema()}],
            "tool_choice": {"type": "tool", "name": DRAFT_TOOL},
        }
        data = self._call("POST", "/v1/messages", body, "writing the note")
        blocks = data.get("content") or []
        drafted = next((b for b in blocks if b.get("type") == "tool_use" and b.get("name") == DRAFT_TOOL), None)
        text = json.dumps(drafted.get("input")) if drafted is not None else "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
        usage = data.get("usage") or {}
        prompt = sum(usage.get(k) or 0 for k in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")) or None
        return ChatResult(text=text, truncated=data.get("stop_reason") == "max_tokens", prompt_tokens=prompt,
                          answer_tokens=usage.get("output_tokens"), seconds=round(time.monotonic() - started, 3))
