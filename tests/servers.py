"""Local stand-ins for outside services, served by uvicorn in background threads on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_threads(app: Any, hosts: int = 1) -> Iterator[list[str]]:
    """Serve `app` on `hosts` loopback ports (each a host to per-host limits); their base URLs."""
    servers, threads, urls = [], [], []
    for _ in range(hosts):
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append(server)
        threads.append(thread)
        urls.append(f"http://127.0.0.1:{port}")
    for server in servers:
        for _ in range(250):
            if server.started:
                break
            time.sleep(0.02)
        assert server.started, "a local stand-in did not start"
    try:
        yield urls
    finally:
        for server in servers:
            server.should_exit = True
        for thread in threads:
            thread.join(timeout=5)
