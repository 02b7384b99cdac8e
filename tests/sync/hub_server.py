"""Serving an ASGI app (the hub, or a stand-in gateway) over real loopback HTTP for a test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

START_DEADLINE_S = 15.0


@contextmanager
def serve_app(app, *, deadline_s: float = START_DEADLINE_S) -> Iterator[str]:
    """Run `app` with uvicorn on 127.0.0.1 in a background thread; yields its base URL and stops
    it (waiting for the thread) on the way out."""
    # Bound here, so the port is ours before uvicorn starts: no race for a "free" port number.
    # proto=IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on accepted
    # sockets whose proto says TCP, and with Nagle on every answer waited ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="auto", timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        until = time.monotonic() + deadline_s
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the test server stopped before it started (see the log above)")
            if time.monotonic() > until:
                raise RuntimeError(f"the test server did not start within {deadline_s} s")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=deadline_s)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"the test server on port {port} did not stop within {deadline_s} s")
