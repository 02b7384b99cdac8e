"""The agent's HTTP client for the hub: one place that turns network trouble into two kinds of
answer the agent can act on.

- `HubUnreachable`: no answer, a cut connection, a time-out, or a 5xx. Nothing is wrong with our
  data; try again later (this is what "offline" means to the status bar).
- `HubRefused`: the hub answered and said no (4xx), with its reason. Retrying as-is will not help.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from core.errors import NadiError

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class HubUnreachable(NadiError):
    pass


class HubRefused(NadiError):
    def __init__(self, status: int, detail: Any, body: Any = None) -> None:
        self.status = status
        self.detail = detail
        self.body = body if body is not None else {}
        super().__init__(f"the hub refused the call ({status}): {detail if isinstance(detail, str) else json.dumps(detail)}")


class HubClient:
    def __init__(self, base_url: str, device_id: str | None = None, secret: str | None = None, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"user-agent": "nadi-agent"}
        if device_id and secret:
            headers["authorization"] = f"Bearer {device_id}:{secret}"
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def call(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None, content: bytes | None = None, headers: dict | None = None, raw: bool = False) -> Any:
        """Make a call and return the decoded JSON answer (or None for an empty one); with raw=True
        the answer's bytes, for the caller to validate with its own model."""
        try:
            response = self._http.request(method, path, json=json_body, params=params, content=content, headers=headers)
        except httpx.TransportError as exc:
            raise HubUnreachable(f"the hub at {self.base_url} cannot be reached ({type(exc).__name__}: {exc or 'no detail'})") from None
        if response.status_code >= 500:
            raise HubUnreachable(f"the hub at {self.base_url} had a problem ({response.status_code}); will try again")
        if raw and response.status_code < 400:
            return response.content
        try:
            body = response.json() if response.content else None
        except ValueError:
            raise HubUnreachable(f"the hub at {self.base_url} answered with something that is not JSON ({response.status_code}); is the URL a Nadi hub?") from None
        if response.status_code >= 400:
            detail = body.get("detail", body) if isinstance(body, dict) else body
            raise HubRefused(response.status_code, detail, body)
        return body
