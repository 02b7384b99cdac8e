"""A stand-in Ollama server of our own: real HTTP on loopback, answering as Ollama's API does (see
../shared/reference/OLLAMA.md), and recording every request so tests can assert on what was sent.

  GET  /               "Ollama is running"
  GET  /api/version    {"version": …}
  GET  /api/tags       installed models
  GET  /api/ps         models in memory
  POST /api/show       model_info with <arch>.context_length
  POST /api/chat       stream true (the default: NDJSON chunks, then a done line with timings) or
                       false (one JSON object); `format` honoured (no schema, no JSON: the model
                       answers in prose); messages: [] loads the model (done_reason "load")
Errors as Ollama gives them: {"error": "…"} with 404 (unknown model), 400 (bad request), 503
(queue full), and an {"error": …} line with status 200 part-way through a stream. A prompt
longer than num_ctx (2048 when not set) is cut from the front, silently, as Ollama does; the
request is marked `truncated` so a test can see it happened.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.scribe.standin_model import Misbehaviour, answer_for

VERSION = "0.6.5"
DEFAULT_NUM_CTX = 2048
CHARS_PER_TOKEN = 4  # the stand-in's own tokenizer: a little kinder than Nadi's estimate


@dataclass
class Recorded:
    method: str
    path: str
    body: bytes
    json: dict | None
    truncated: bool = False


@dataclass
class Behaviour:
    installed: list[str] = field(default_factory=lambda: ["qwen2.5:7b", "llama3.2:latest"])
    context_length: int = 32_768
    architecture: str = "qwen2"
    loaded: set[str] = field(default_factory=set)
    busy: bool = False  # 503: the queue is full
    bad_request: str | None = None  # 400 with this message on /api/chat
    server_error: str | None = None  # 500 with this message on /api/chat
    fail_mid_stream: str | None = None  # an error line after the first chunks of a streamed answer
    hold_chat: threading.Event | None = None  # a chat waits for this (a slow model); released at the end of the test
    hold_load: threading.Event | None = None  # a load (messages: []) waits for this
    chat_started: threading.Event = field(default_factory=threading.Event)
    client_left: threading.Event = field(default_factory=threading.Event)  # a held request's client hung up, and the work was dropped
    load_seconds: float = 0.0  # reported load_duration
    misbehave: Misbehaviour = field(default_factory=Misbehaviour)
    show_context: bool = True  # False: /api/show has no context length in model_info


def _full(name: str) -> str:
    name = name.strip().lower()
    return name if ":" in name else name + ":latest"


class OllamaStandin:
    def __init__(self) -> None:
        self.behaviour = Behaviour()
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                standin._record(self, b"")
                standin._get(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = standin._record(self, body)
                standin._post(self, recorded)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, name="ollama-standin", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._released.set()
        for hold in (self.behaviour.hold_chat, self.behaviour.hold_load):
            if hold is not None:
                hold.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    # -- what tests look at -------------------------------------------------------------------------

    def chats(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/api/chat" and r.json and r.json.get("messages")]

    def all_bytes(self) -> bytes:
        return b"\n".join(r.body for r in self.requests)

    # -- serving --------------------------------------------------------------------------------------

    def _record(self, handler, body: bytes) -> Recorded:
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        recorded = Recorded(handler.command, handler.path, body, data)
        with self._lock:
            self.requests.append(recorded)
        return recorded

    @staticmethod
    def _send(handler, status: int, payload, content_type: str = "application/json; charset=utf-8") -> None:
        data = payload if isinstance(payload, bytes) else (json.dumps(payload).encode() if not isinstance(payload, str) else payload.encode())
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out test): nothing to tell it

    def _get(self, handler) -> None:
        b = self.behaviour
        if handler.path == "/":
            self._send(handler, 200, "Ollama is running", "text/plain; charset=utf-8")
        elif handler.path == "/api/version":
            self._send(handler, 200, {"version": VERSION})
        elif handler.path == "/api/tags":
            self._send(handler, 200, {"models": [{"name": n, "model": n, "size": 4_683_087_332, "digest": "0" * 64,
                                                  "details": {"family": b.architecture, "parameter_size": "7.6B", "quantization_level": "Q4_K_M"}}
                                                 for n in b.installed]})
        elif handler.path == "/api/ps":
            self._send(handler, 200, {"models": [{"name": n, "model": n, "size": 5_000_000_000, "size_vram": 0} for n in sorted(b.loaded)]})
        else:
            self._send(handler, 404, "404 page not found", "text/plain")

    def _post(self, handler, recorded: Recorded) -> None:
        b = self.behaviour
        body = recorded.json
        if body is None:
            self._send(handler, 400, {"error": "invalid character 'x' looking for beginning of value"})
            return
        if handler.path == "/api/show":
            name = body.get("model") or body.get("name") or ""
            if not any(_full(name) == _full(m) for m in b.installed):
                self._send(handler, 404, {"error": f"model '{name}' not found"})
                return
            info = {"general.architecture": b.architecture, "general.parameter_count": 7_615_616_512}
            if b.show_context:
                info[f"{b.architecture}.context_length"] = b.context_length
            self._send(handler, 200, {"modelfile": "# stand-in", "parameters": "stop \"<|im_end|>\"", "template": "{{ .Prompt }}",
                                      "details": {"family": b.architecture, "parameter_size": "7.6B"}, "model_info": info,
                                      "capabilities": ["completion"]})
            return
        if handler.path != "/api/chat":
            self._send(handler, 404, "404 page not found", "text/plain")
            return
        name = body.get("model") or ""
        if not any(_full(name) == _full(m) for m in b.installed):
            self._send(handler, 404, {"error": f"model \"{name}\" not found, try pulling it first"})
            return
        if b.busy:
            self._send(handler, 503, {"error": "server busy, please try again.  maximum pending requests exceeded"})
            return
        messages = body.get("messages")
        if messages is None or not isinstance(messages, list):
            self._send(handler, 400, {"error": "messages is required"})
            return
        if not messages:  # a load request
            if b.hold_load is not None and not self._hold(handler, b.hold_load):
                return
            b.loaded.add(_full(name))
            self._send(handler, 200, {"model": name, "created_at": _now(), "message": {"role": "assistant", "content": ""},
                                      "done_reason": "load", "done": True})
            return
        if b.bad_request:
            self._send(handler, 400, {"error": b.bad_request})
            return
        if b.server_error:
            self._send(handler, 500, {"error": b.server_error})
            return
        b.chat_started.set()
        if b.hold_chat is not None and not self._hold(handler, b.hold_chat):
            return
        load_ns = int(b.load_seconds * 1e9) if _full(name) not in b.loaded else 0
        b.loaded.add(_full(name))
        prompt = "\n".join(str(m.get("content", "")) for m in messages)
        num_ctx = (body.get("options") or {}).get("num_ctx") or DEFAULT_NUM_CTX
        limit = min(num_ctx, b.context_length) * CHARS_PER_TOKEN
        if len(prompt) > limit:  # Ollama keeps the end of an overflowing prompt, and says nothing
            recorded.truncated = True
            prompt = prompt[-limit:]
        if isinstance(body.get("format"), dict) or body.get("format") == "json":
            content = answer_for(prompt, b.misbehave)
        else:
            content = "The patient came with fever. I would suggest paracetamol and rest."
        final = {"model": name, "created_at": _now(), "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                 "total_duration": 1_500_000_000 + load_ns, "load_duration": load_ns, "prompt_eval_count": len(prompt) // CHARS_PER_TOKEN,
                 "prompt_eval_duration": 400_000_000, "eval_count": len(content) // CHARS_PER_TOKEN, "eval_duration": 1_000_000_000}
        if not body.get("stream", True):
            self._send(handler, 200, {**final, "message": {"role": "assistant", "content": content}})
            return
        self._stream(handler, name, content, final)

    def _hold(self, handler, hold: threading.Event) -> bool:
        """Work until `hold` is set (a slow model): True to answer then. As Ollama does, a client
        that hangs up meanwhile ends the work (False, `client_left` set); so does the test's end."""
        connection = handler.connection
        while not hold.wait(timeout=0.02):
            readable, _, _ = select.select([connection], [], [], 0)
            try:
                gone = bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                gone = True
            if gone:
                self.behaviour.client_left.set()
                handler.close_connection = True
                return False
        if self._released.is_set():  # the test is over: hang up, as a server going away does
            handler.close_connection = True
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return False
        return True

    def _stream(self, handler, name: str, content: str, final: dict) -> None:
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/x-ndjson")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()

            def chunk(obj: dict) -> None:
                data = (json.dumps(obj) + "\n").encode()
                handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                handler.wfile.flush()

            pieces = [content[i:i + 40] for i in range(0, len(content), 40)] or [""]
            for n, piece in enumerate(pieces):
                if self.behaviour.fail_mid_stream and n == 2:
                    chunk({"error": self.behaviour.fail_mid_stream})
                    break
                chunk({"model": name, "created_at": _now(), "message": {"role": "assistant", "content": piece}, "done": False})
            else:
                chunk(final)
            handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
