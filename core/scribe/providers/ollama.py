"""Ollama on this PC (or on the clinic's LAN), over its HTTP API with httpx.

The note is asked for in one non-streamed call with the answer's JSON schema as `format`:
structured output combined with streaming has been unreliable, so streaming is only used when the
clinic turns it on (scribe_stream). Every request says `stream` explicitly, sets `num_ctx` and
`num_predict`, and asks Ollama to keep the model loaded (`keep_alive`) for the next consult.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from core.scribe.config import ScribeConfig
from core.scribe.errors import ModelNotInstalled, ProviderBusy, ProviderFailed
from core.scribe.providers.base import ChatRequest, ChatResult, HangUpTransport, ModelFacts, Timeouts, error_text, translate_transport_error

# When /api/show does not say what the model was trained on: the smallest any current instruct
# model is trained on (and Ollama's own default window).
UNKNOWN_CONTEXT = 4_096


def same_model(a: str, b: str) -> bool:
    """Ollama's names: "llama3.2" is "llama3.2:latest"."""
    def full(name: str) -> str:
        name = name.strip().lower()
        return name if ":" in name.rsplit("/", 1)[-1] else name + ":latest"
    return full(a) == full(b)


class OllamaProvider:
    name = "local"

    def __init__(self, config: ScribeConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.model = config.model
        self.base_url = config.base_url
        self.keep_alive = config.keep_alive
        self.stream = config.stream
        self._where = f"(the address now comes from {config.base_url_source})" if config.base_url_source != "the default" else ""
        # the variable to correct when the address is wrong
        self._address_variable = config.base_url_source if config.base_url_source != "the default" else "NADI_OLLAMA_URL"
        self._timeouts = Timeouts("Ollama", config.base_url, config.connect_timeout_s, config.read_timeout_s)
        self._transport = HangUpTransport(transport)
        self._client = httpx.Client(base_url=config.base_url, transport=self._transport,
                                    timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s))

    # -- what the scribe asks -------------------------------------------------------------------

    def check(self) -> ModelFacts:
        try:
            version = self._client.get("/api/version")
        except httpx.HTTPError as exc:
            raise translate_transport_error(exc, self._timeouts, "checking that Ollama is running", self._start_advice()) from None
        try:
            is_ollama = version.status_code == 200 and "version" in version.json()
        except ValueError:
            is_ollama = False
        if not is_ollama:
            raise ProviderFailed(f"something answered at {self.base_url}, but not as Ollama does ({version.status_code} for /api/version): "
                                 f"check {self._address_variable}")
        show = self._call("POST", "/api/show", {"model": self.model}, doing="looking up the model")
        info = show.json().get("model_info") or {}
        lengths = [v for k, v in info.items() if k.endswith(".context_length") and isinstance(v, int) and v > 0]
        loaded = None
        try:
            running = self._client.get("/api/ps")
            if running.status_code == 200:
                loaded = any(same_model(self.model, m.get("name") or m.get("model") or "") for m in running.json().get("models") or [])
        except httpx.HTTPError:
            loaded = None  # only a hint for the progress shown; the note call reports real failures
        if lengths:
            return ModelFacts(lengths[0], loaded)
        return ModelFacts(UNKNOWN_CONTEXT, loaded, context_known=False)

    def load(self) -> float | None:
        """Load the model into memory now (a chat with no messages), so the wait shows as loading."""
        response = self._call("POST", "/api/chat", {"model": self.model, "messages": [], "stream": False, "keep_alive": self.keep_alive},
                              doing="loading the model into memory")
        nanoseconds = response.json().get("load_duration")
        return nanoseconds / 1e9 if isinstance(nanoseconds, (int, float)) else None

    def chat(self, request: ChatRequest, on_text: Callable[[int], None] | None = None) -> ChatResult:
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": request.system}, {"role": "user", "content": request.user}],
            "stream": self.stream,
            "format": request.schema,
            "options": {"num_ctx": request.num_ctx, "num_predict": request.max_tokens, "temperature": 0},
            "keep_alive": self.keep_alive,
        }
        started = time.monotonic()
        if not self.stream:
            data = self._call("POST", "/api/chat", body, doing="writing the note").json()
            return self._result(data, (data.get("message") or {}).get("content") or "", started)
        return self._streamed(body, on_text, started)

    def close(self) -> None:
        """Ends the client; safe from another thread, where it also hangs up a request under way."""
        self._transport.hang_up()
        self._client.close()

    # -- HTTP ---------------------------------------------------------------------------------

    def _streamed(self, body: dict, on_text, started: float) -> ChatResult:
        pieces: list[str] = []
        try:
            with self._client.stream("POST", "/api/chat", json=body) as response:
                if response.status_code != 200:
                    response.read()
                    raise self._refused(response, "writing the note")
                for line in response.iter_lines():
                    if not line.strip():
                        continue
                    data = json.loads(line)
                    if "error" in data:
                        raise ProviderFailed(f"Ollama stopped part-way through the answer ({data['error']}): draft again; if it keeps "
                                             "happening, look at Ollama's log or try a smaller model")
                    pieces.append((data.get("message") or {}).get("content") or "")
                    if on_text is not None:
                        on_text(sum(len(p) for p in pieces))
                    if data.get("done"):
                        return self._result(data, "".join(pieces), started)
        except httpx.HTTPError as exc:
            raise translate_transport_error(exc, self._timeouts, "writing the note", self._start_advice()) from None
        except json.JSONDecodeError:
            raise ProviderFailed(f"Ollama at {self.base_url} sent a line that is not JSON part-way through the answer: draft again") from None
        raise ProviderFailed(f"Ollama at {self.base_url} ended the answer without finishing it: draft again")

    @staticmethod
    def _result(data: dict, text: str, started: float) -> ChatResult:
        load = data.get("load_duration")
        return ChatResult(
            text=text, truncated=data.get("done_reason") == "length",
            prompt_tokens=data.get("prompt_eval_count"), answer_tokens=data.get("eval_count"),
            load_seconds=load / 1e9 if isinstance(load, (int, float)) else None, seconds=round(time.monotonic() - started, 3),
        )

    def _start_advice(self) -> str:
        return (f"start Ollama (open the Ollama app, or run `ollama serve`), or point NADI_OLLAMA_URL at where it runs "
                f"{self._where}").strip()

    def _call(self, method: str, path: str, body: dict | None = None, *, doing: str) -> httpx.Response:
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise translate_transport_error(exc, self._timeouts, doing, self._start_advice()) from None
        if response.status_code != 200:
            raise self._refused(response, doing)
        try:
            response.json()
        except ValueError:
            raise ProviderFailed(f"something answered at {self.base_url}, but not as Ollama does ({doing}): check {self._address_variable}") from None
        return response

    def _refused(self, response: httpx.Response, doing: str) -> Exception:
        message = error_text(response)
        if response.status_code == 404 and ("not found" in message.lower() or "pull" in message.lower()):
            return ModelNotInstalled(f"the model {self.model} is not installed in Ollama at {self.base_url}: run `ollama pull {self.model}`"
                                     f"{self._installed()}")
        if response.status_code == 404:
            return ProviderFailed(f"something answered at {self.base_url}, but not as Ollama does ({response.status_code} while {doing}): "
                                  f"check {self._address_variable}")
        if response.status_code == 503:
            return ProviderBusy(f"Ollama at {self.base_url} is busy (its queue of requests is full: {message}): wait a moment and draft "
                                "again")
        if response.status_code == 400:
            return ProviderFailed(f"Ollama refused the request while {doing}: {message}")
        return ProviderFailed(f"Ollama failed while {doing} ({response.status_code}: {message}); if it ran out of memory, choose a "
                              "smaller model or lower NADI_SCRIBE_MAX_CTX")

    def _installed(self) -> str:
        try:
            models = [m.get("name") or m.get("model") for m in self._client.get("/api/tags").json().get("models") or []]
        except (httpx.HTTPError, ValueError, AttributeError):
            return ""
        models = [m for m in models if m]
        if not models:
            return " (no model is installed yet)"
        return f", or use one that is installed with --model or NADI_SCRIBE_MODEL ({', '.join(sorted(models))})"
