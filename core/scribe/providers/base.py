"""The one small interface every model provider offers the scribe, and the HTTP failures they share.

A provider is asked three things: is the model there and how much can it read (`check`), load it
now so the wait can be shown as loading (`load`), and answer one structured request (`chat`).
Each call blocks; the pipeline runs it off the caller's thread and reports progress meanwhile.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from core.scribe.errors import ModelTooSlow, ProviderFailed, ProviderUnreachable


@dataclass(frozen=True)
class ModelFacts:
    context_length: int  # what the model was trained to read, in tokens
    loaded: bool | None  # in memory now; None when the server cannot say
    context_known: bool = True  # False: the server did not say, a safe small window is assumed


@dataclass(frozen=True)
class ChatRequest:
    system: str
    user: str
    schema: dict
    num_ctx: int | None  # the context window to ask for (Ollama); cloud APIs size their own
    max_tokens: int  # room for the answer


@dataclass(frozen=True)
class ChatResult:
    text: str
    truncated: bool = False  # stopped at max_tokens: the JSON is cut off
    prompt_tokens: int | None = None
    answer_tokens: int | None = None
    load_seconds: float | None = None
    seconds: float | None = None


class ChatProvider(Protocol):
    name: str  # local | openai | anthropic
    model: str
    base_url: str

    def check(self) -> ModelFacts: ...

    def load(self) -> float | None: ...

    def chat(self, request: ChatRequest, on_text: Callable[[int], None] | None = None) -> ChatResult: ...

    def close(self) -> None: ...


def error_text(response: httpx.Response) -> str:
    """The server's own words: Ollama's {"error": "…"}, OpenAI's and Anthropic's {"error": {"message": …}}."""
    try:
        data = response.json()
    except ValueError:
        return (response.text or response.reason_phrase or "").strip()[:300]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error)[:300]
    return str(error or data)[:300]


class HangUpTransport(httpx.BaseTransport):
    """A provider's transport that can hang up from another thread.

    Closing an httpx client does not wake a request blocked reading the answer, so a stopped draft
    would leave the server working on for the minute the model takes (on a clinic PC's CPU). This
    transport notes each connection as it is made (httpcore's `trace` extension) and `hang_up`
    shuts those sockets down: the blocked read ends at once, and the server sees its client go
    (Ollama then stops generating; a cloud provider stops as well)."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions = {**request.extensions, "trace": self._trace}
        return self._inner.handle_request(request)

    def _trace(self, event: str, info: dict) -> None:
        if event == "connection.connect_tcp.complete":
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                with self._lock:
                    self._sockets = [s for s in self._sockets if s.fileno() != -1] + [sock]

    def hang_up(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def close(self) -> None:
        self._inner.close()


class Timeouts:
    """The words a time-out is reported in, per provider: which setting raises which wait."""

    def __init__(self, server: str, url: str, connect_s: float, read_s: float) -> None:
        self.server, self.url, self.connect_s, self.read_s = server, url, connect_s, read_s


def translate_transport_error(exc: httpx.HTTPError, t: Timeouts, doing: str, not_running: str) -> Exception:
    """An httpx failure as the error a person can act on. `doing` says what was under way
    ("loading the model", "writing the note"); `not_running` what to do when nothing answers."""
    if isinstance(exc, httpx.ConnectTimeout):
        return ProviderUnreachable(
            f"nothing answered at {t.url} within {t.connect_s:g} s: {not_running} "
            f"(NADI_SCRIBE_CONNECT_TIMEOUT_S sets how long to wait for the connection)"
        )
    if isinstance(exc, httpx.ConnectError):
        return ProviderUnreachable(f"{t.server} is not running at {t.url} (connection refused): {not_running}")
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return ModelTooSlow(
            f"the model gave no answer within {t.read_s:g} s while {doing}. A cold start on a PC without a GPU can take a minute "
            f"or more: try again (the model stays loaded for a while), choose a smaller model (--model / NADI_SCRIBE_MODEL), "
            f"or allow longer with NADI_SCRIBE_TIMEOUT_S"
        )
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return ProviderFailed(f"the connection to {t.server} at {t.url} broke while {doing}: try again; if it keeps happening, "
                              f"look at {t.server}'s own log")
    return ProviderFailed(f"talking to {t.server} at {t.url} failed while {doing}: {exc}")
