"""A network that misbehaves the way a clinic's does, under the agent's real HTTP calls.

`FaultyTransport` wraps httpx's own transport, so every call still crosses loopback to the real hub;
it only decides, from a seeded `random.Random` and a plan, what happens on the way:

- cut after send: the hub receives and processes the call, then the connection drops and the
  answer is lost (`httpx.ReadError`), as when a cable is pulled mid-batch;
- cut before send: the call never leaves (`httpx.ConnectError`);
- duplicate: the call is delivered twice and the agent sees the second answer;
- replay: a copy of an earlier push is delivered again later, after newer pushes (a proxy or a
  retrying middlebox delivering out of order);
- offline: while `offline` is set, every call fails to connect.

Faults can also be scheduled one by one (`schedule`), for tests that need one exact failure.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from dataclasses import dataclass

import httpx

from core.storage.database import Database
from sync.agent.hub_client import HubClient
from sync.agent.state import load_state

PASS = "pass"
CUT_AFTER_SEND = "cut_after_send"
CUT_BEFORE_SEND = "cut_before_send"
DUPLICATE = "duplicate"
REPLAY = "replay"
FAULTS = (CUT_AFTER_SEND, CUT_BEFORE_SEND, DUPLICATE, REPLAY)

PUSH_PATH = "/v1/push"
PULL_PATH = "/v1/pull"


@dataclass(frozen=True)
class FaultPlan:
    """How often each fault strikes a call (the rest pass untouched). Replay applies to pushes only."""

    cut_after_send: float = 0.0
    cut_before_send: float = 0.0
    duplicate: float = 0.0
    replay: float = 0.0

    @classmethod
    def none(cls) -> FaultPlan:
        return cls()

    @classmethod
    def rough(cls) -> FaultPlan:
        """A bad day: roughly one call in three goes wrong somehow."""
        return cls(cut_after_send=0.12, cut_before_send=0.08, duplicate=0.08, replay=0.10)


@dataclass(frozen=True)
class _Scheduled:
    fault: str
    path: str | None
    skip: int


class FaultyTransport(httpx.BaseTransport):
    def __init__(self, rng: random.Random, plan: FaultPlan | None = None, *, max_kept_pushes: int = 20) -> None:
        # A fresh connection per call: the test hub (uvicorn, h11) leaves Nagle on, so a call on a
        # kept-alive connection waits ~40 ms for a delayed ACK, which would dominate these tests.
        self._inner = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
        self.rng = rng
        self.plan = plan or FaultPlan.none()
        self.offline = False
        self.injected: Counter[str] = Counter()  # fault -> how many times it struck
        self.calls: Counter[str] = Counter()  # path -> calls the agent made
        self._scheduled: deque[_Scheduled] = deque()
        self._kept_pushes: deque[tuple[str, str, list[tuple[bytes, bytes]], bytes]] = deque(maxlen=max_kept_pushes)

    def schedule(self, fault: str, *, path: str | None = None, skip: int = 0) -> None:
        """Strike `fault` on a coming call to `path` (any path if None), after letting `skip` such
        calls through. Scheduled faults take precedence over the plan, in the order scheduled."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r} (one of {', '.join(FAULTS)})")
        self._scheduled.append(_Scheduled(fault, path, skip))

    def clear_scheduled(self) -> None:
        self._scheduled.clear()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls[path] += 1
        if self.offline:
            self.injected["offline"] += 1
            raise httpx.ConnectError("the network is down (test: offline)", request=request)
        is_push = request.method == "POST" and path == PUSH_PATH
        body = request.read()
        fault = self._choose(path, is_push)
        if fault != PASS:
            self.injected[fault] += 1
        if fault == CUT_BEFORE_SEND:
            raise httpx.ConnectError("connection refused (test: cut before send)", request=request)
        if fault == CUT_AFTER_SEND:
            self._deliver_and_discard(request.method, str(request.url), request.headers.raw, body)
            self._keep(request, body, is_push)
            raise httpx.ReadError("connection reset while reading the answer (test: cut after send)", request=request)
        if fault == DUPLICATE:
            self._deliver_and_discard(request.method, str(request.url), request.headers.raw, body)
        replay_before = fault == REPLAY and self._kept_pushes and self.rng.random() < 0.5
        replay_after = fault == REPLAY and self._kept_pushes and not replay_before
        if replay_before:  # the old copy arrives just before the new push...
            self._deliver_and_discard(*self.rng.choice(self._kept_pushes))
        response = self._inner.handle_request(_copy(request.method, str(request.url), request.headers.raw, body))
        if replay_after:  # ...or just after it: either way, out of order
            response.read()
            self._deliver_and_discard(*self.rng.choice(self._kept_pushes))
        self._keep(request, body, is_push)
        return response

    def close(self) -> None:
        self._inner.close()

    def _choose(self, path: str, is_push: bool) -> str:
        for n, item in enumerate(self._scheduled):
            if item.path is not None and item.path != path:
                continue
            if item.skip > 0:
                self._scheduled[n] = _Scheduled(item.fault, item.path, item.skip - 1)
                return PASS
            del self._scheduled[n]
            return item.fault
        roll = self.rng.random()
        for fault, chance in ((CUT_AFTER_SEND, self.plan.cut_after_send), (CUT_BEFORE_SEND, self.plan.cut_before_send),
                              (DUPLICATE, self.plan.duplicate), (REPLAY, self.plan.replay if is_push else 0.0)):
            if roll < chance:
                return fault
            roll -= chance
        return PASS

    def _keep(self, request: httpx.Request, body: bytes, is_push: bool) -> None:
        if is_push:
            self._kept_pushes.append((request.method, str(request.url), list(request.headers.raw), body))

    def _deliver_and_discard(self, method: str, url: str, headers, body: bytes) -> None:
        response = self._inner.handle_request(_copy(method, url, headers, body))
        try:
            response.read()
        finally:
            response.close()


def _copy(method: str, url: str, headers, body: bytes) -> httpx.Request:
    return httpx.Request(method, url, headers=list(headers), content=body)


def faulty_client(db: Database, transport: httpx.BaseTransport) -> HubClient:
    """The agent's own client for this PC (its enrolled hub and credentials), over `transport`."""
    state = load_state(db)
    if state is None:
        raise RuntimeError("this test PC is not enrolled; enrol it before making its client")
    return HubClient(state.hub_url, state.device_id, state.device_secret, transport=transport)
