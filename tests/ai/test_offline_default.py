"""With the default configuration, nothing opens a connection anywhere but loopback: every
socket connect and name lookup in this process is watched while the product works."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from jobswap.config import Settings
from jobswap.embeddings import reembed
from jobswap.runtime import Runtime
from tests.conftest import Account
from tests.jobmatch.conftest import IT_PDF, load_corpus, place, set_home, with_resume
from tests.resumes.test_resumes_api import drain_queue


class NetworkGuard:
    """Refuses, and records, any connection or lookup that would leave the machine."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    @staticmethod
    def _local(host: Any) -> bool:
        if isinstance(host, bytes):
            host = host.decode()
        if not isinstance(host, str) or host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False  # a name: looking it up would ask a DNS server

    def check(self, what: str, address: Any) -> None:
        if isinstance(address, tuple) and not self._local(address[0]):
            self.refused.append(f"{what} {address[:2]}")
            raise ConnectionRefusedError(f"network guard: {what} to {address[:2]}")


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    watch = NetworkGuard()
    connect, connect_ex, lookup = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            watch.check("connect", address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            watch.check("connect", address)
        return connect_ex(self, address)

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        watch.check("lookup", (host, 0))
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_lookup)
    yield watch


async def test_the_guard_catches_an_outside_connection(guard: NetworkGuard) -> None:
    """So that the test below can fail: a request to a public address is stopped and seen."""
    async with httpx.AsyncClient() as outside:
        with pytest.raises(httpx.ConnectError):
            await outside.get("http://192.0.2.10/")  # TEST-NET-1, never routed
    assert guard.refused == ["connect ('192.0.2.10', 80)"]


@pytest.mark.slow
async def test_default_configuration_stays_on_this_machine(
    guard: NetworkGuard,
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    admin: Account,
    alice: Account,
) -> None:
    assert settings.embedding_provider == "local" and settings.resume_parser == "rules"
    assert settings.geocoder == "offline" and settings.router == "estimate"
    await load_corpus(client, runtime, admin)  # import, normalise, embed (the real queue)
    await with_resume(client, runtime, alice, IT_PDF)  # upload, parse, embed
    await set_home(client, alice, place("Chicago, IL"), work_location={"address": "Evanston, IL"})
    ranked = await client.post("/api/job-matches", headers=alice.headers, json={})
    assert ranked.status_code == 200 and ranked.json()["items"]
    alert = await client.post(
        "/api/job-alerts", headers=alice.headers, json={"name": "a", "query": "analyst"}
    )
    assert alert.status_code == 201
    preview = await client.post(
        "/api/resumes/parse",
        headers=alice.headers,
        files={"file": ("cv.pdf", IT_PDF.read_bytes(), "application/pdf")},
    )
    assert preview.status_code == 200
    assert (await client.get("/api/matches", headers=alice.headers)).status_code == 200
    assert (await reembed.run(runtime.database, settings))["outcome"] == "idle"
    await drain_queue(runtime)
    assert guard.refused == []
