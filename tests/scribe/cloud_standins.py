"""Stand-ins for the OpenAI and Anthropic APIs on loopback: they check the shape of each request as
the real APIs require it (key header, model, schema, Anthropic's cache_control and forced tool)
and answer with the stand-in model's draft. Every request is recorded."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.scribe.standin_model import Misbehaviour, answer_for

KEY = "sk-test-standin-key"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    json: dict | None
    body: bytes


class _Standin:
    models = ("gpt-4o-mini",)

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.misbehave = Misbehaviour()
        self.status_override: tuple[int, dict] | None = None
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    data = json.loads(body) if body else None
                except ValueError:
                    data = None
                standin.requests.append(Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, data, body))
                status, payload = standin.status_override or standin.route(self.command, self.path, standin.requests[-1].headers, data)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def route(self, method, path, headers, data) -> tuple[int, dict]:
        raise NotImplementedError


def _openai_error(message: str, kind: str, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class OpenAIStandin(_Standin):
    models = ("gpt-4o-mini",)

    def route(self, method, path, headers, data):
        if headers.get("authorization") != f"Bearer {KEY}":
            return 401, _openai_error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        if method == "GET" and path.startswith("/v1/models/"):
            model = path.rsplit("/", 1)[-1]
            if model not in self.models:
                return 404, _openai_error(f"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error",
                                          "model_not_found")
            return 200, {"id": model, "object": "model", "created": 1721172741, "owned_by": "system"}
        if method == "POST" and path == "/v1/chat/completions":
            fmt = (data or {}).get("response_format") or {}
            schema = (fmt.get("json_schema") or {}).get("schema") or {}
            if fmt.get("type") != "json_schema" or not fmt["json_schema"].get("strict") or not fmt["json_schema"].get("name"):
                return 400, _openai_error("response_format must be a strict json_schema here", "invalid_request_error")
            if schema.get("additionalProperties") is not False or set(schema.get("required", [])) != set(schema.get("properties", {})):
                return 400, _openai_error("Invalid schema for response_format: in strict mode every property must be required and "
                                          "additionalProperties must be false", "invalid_request_error")
            messages = data.get("messages") or []
            if not messages or messages[0].get("role") != "system":
                return 400, _openai_error("expected a system message first", "invalid_request_error")
            content = answer_for("\n".join(m.get("content", "") for m in messages), self.misbehave)
            return 200, {"id": "chatcmpl-standin", "object": "chat.completion", "model": data.get("model"),
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                                      "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 900, "completion_tokens": len(content) // 4, "total_tokens": 900 + len(content) // 4}}
        return 404, _openai_error(f"Invalid URL ({method} {path})", "invalid_request_error")


class AnthropicStandin(_Standin):
    models = ("claude-sonnet-4-5",)

    def __init__(self) -> None:
        super().__init__()
        self.cached = False

    def route(self, method, path, headers, data):
        if headers.get("x-api-key") != KEY:
            return 401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
        if not headers.get("anthropic-version"):
            return 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version header is required"}}
        if method == "GET" and path.startswith("/v1/models/"):
            model = path.rsplit("/", 1)[-1]
            if model not in self.models:
                return 404, {"type": "error", "error": {"type": "not_found_error", "message": f"model: {model}"}}
            return 200, {"id": model, "type": "model", "display_name": "Claude (stand-in)", "created_at": "2025-09-29T00:00:00Z"}
        if method == "POST" and path == "/v1/messages":
            if not isinstance(data.get("max_tokens"), int):
                return 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: Field required"}}
            tools = data.get("tools") or []
            choice = data.get("tool_choice") or {}
            if choice.get("type") != "tool" or choice.get("name") not in {t.get("name") for t in tools}:
                return 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "tool_choice must name a tool"}}
            system = data.get("system")
            text = "".join(block.get("text", "") for block in system) if isinstance(system, list) else str(system or "")
            prompt = text + "\n" + "\n".join(m.get("content", "") if isinstance(m.get("content"), str) else "" for m in data.get("messages", []))
            answer = json.loads(answer_for(prompt, self.misbehave)) if not self.misbehave.invalid_json else {"oops": True}
            if self.misbehave.invalid_json:
                self.misbehave.invalid_json -= 1
            cached_system = isinstance(system, list) and any((b.get("cache_control") or {}).get("type") == "ephemeral" for b in system)
            usage = {"input_tokens": 300, "output_tokens": 500, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
            if cached_system:
                usage["cache_read_input_tokens" if self.cached else "cache_creation_input_tokens"] = 1200
                self.cached = True
            return 200, {"id": "msg_standin", "type": "message", "role": "assistant", "model": data.get("model"),
                         "content": [{"type": "tool_use", "id": "toolu_standin", "name": choice["name"], "input": answer}],
                         "stop_reason": "tool_use", "stop_sequence": None, "usage": usage}
        return 404, {"type": "error", "error": {"type": "not_found_error", "message": f"{method} {path}"}}
