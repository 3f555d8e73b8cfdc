"""The outbound request policy: no fetch reaches loopback, private or link-local addresses
unless the operator allowed them, checked at connect time and at every redirect."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import anyio
import httpx
import pytest

from jobswap import outbound
from jobswap.config import Settings
from jobswap.jobs.fetch import Fetcher, FetchError
from jobswap.runtime import Runtime
from tests.jobs.board import Board
from tests.jobs.test_runs import scrape


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.20.0.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata services
        ("100.64.0.1", "not public"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),  # noqa: S104  (an address checked, not bound)
        ("224.0.0.1", "multicast"),
        ("::1", "loopback"),
        ("fd00::1", "private"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("240.0.0.1", "reserved"),
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    assert outbound.why_refused(ipaddress.ip_address(address)) == reason
    assert outbound.why_refused(ipaddress.ip_address("93.184.216.34")) is None


async def test_the_scraper_refuses_loopback_unless_allowed(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    strict = scrape_settings.model_copy(update={"outbound_allow": []})
    async with Fetcher(strict) as fetch:
        with pytest.raises(FetchError) as refused:
            await fetch.get(f"{board_url}/careers")
    assert refused.value.kind == "blocked" and "loopback" in str(refused.value)
    assert all(path != "/careers" for _, _, path in board.hits)  # never reached
    async with Fetcher(scrape_settings) as fetch:  # the tests' settings allow 127.0.0.0/8
        assert (await fetch.get(f"{board_url}/careers")).status == 200


async def test_a_name_that_resolves_to_loopback_is_refused(board_url: str, scrape_settings: Settings) -> None:
    strict = scrape_settings.model_copy(update={"outbound_allow": []})
    port = httpx.URL(board_url).port
    async with Fetcher(strict) as fetch:
        with pytest.raises(FetchError) as refused:
            await fetch.get(f"http://localhost:{port}/careers")
    assert refused.value.kind == "blocked" and "resolves to" in str(refused.value)


async def test_redirects_are_checked_hop_by_hop(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    port = httpx.URL(board_url).port
    by_name = scrape_settings.model_copy(update={"outbound_allow": ["localhost"]})
    async with Fetcher(by_name) as fetch:
        assert (await fetch.get(f"http://localhost:{port}/careers")).status == 200
        with pytest.raises(FetchError) as refused:
            await fetch.get(f"http://localhost:{port}/go", params={"to": f"http://127.0.0.1:{port}/careers"})
    assert refused.value.kind == "blocked" and "127.0.0.1" in str(refused.value)


async def test_resolution_happens_once_and_the_checked_address_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: a name that is public when checked and private when used. The backend
    resolves once and connects to the address it checked."""
    answers = iter(["93.184.216.34", "127.0.0.1"])
    calls: list[str] = []

    async def rebinding(host: str, port: int, **_: Any) -> list[Any]:
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(anyio, "getaddrinfo", rebinding)
    connected: list[str] = []

    class Recorder:
        async def connect_tcp(self, host: str, port: int, *args: Any) -> Any:
            connected.append(host)
            raise OSError("not really connecting")

    backend = outbound.GuardedBackend(outbound.Policy([]), Recorder())  # type: ignore[arg-type]
    with pytest.raises(OSError):
        await backend.connect_tcp("rebind.example", 80)
    assert calls == ["rebind.example"] and connected == ["93.184.216.34"]
    with pytest.raises(outbound.OutboundBlocked):  # the next lookup says loopback: refused
        await backend.connect_tcp("rebind.example", 80)


async def test_an_admin_run_against_the_service_itself_fails_and_says_why(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime
) -> None:
    strict = scrape_settings.model_copy(update={"outbound_allow": []})
    run = await scrape(
        runtime,
        strict,
        ["generic"],
        board_url,
        options={"url": f"{board_url}/openapi.json", "company_name": "Us"},
    )
    assert run.status == "failed"
    assert run.errors.get("blocked", 0) >= 1 and "robots" not in run.errors
    assert "loopback" in (run.per_source["generic"].get("message") or "")


async def test_an_unreachable_robots_txt_is_not_called_a_disallow(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    async with Fetcher(scrape_settings.model_copy(update={"scrape_connect_timeout": 1.0})) as fetch:
        with pytest.raises(FetchError) as unreachable:
            await fetch.get(f"{dead}/careers")
    assert unreachable.value.kind == "robots_unreachable"
    assert "robots.txt could not be read" in str(unreachable.value) and "disallowed" not in str(
        unreachable.value
    )


async def test_the_browser_is_held_to_the_policy(board_url: str, scrape_settings: Settings) -> None:
    from jobswap.jobs import browser

    if not browser.available():
        pytest.skip("Chromium or Playwright is not installed")
    strict = scrape_settings.model_copy(update={"outbound_allow": []})
    async with Fetcher(strict) as fetch:
        with pytest.raises(FetchError) as refused:
            await browser.render(fetch, f"{board_url}/spa")
    assert refused.value.kind == "blocked"
    port = httpx.URL(board_url).port
    by_name = scrape_settings.model_copy(update={"outbound_allow": ["localhost"]})
    async with Fetcher(by_name) as fetch:
        assert await fetch.pinned_address(f"http://localhost:{port}/spa") == "localhost"
