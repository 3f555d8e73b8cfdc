"""One polite HTTP client for every job source.

- robots.txt is read once per origin (protego) and obeyed, Crawl-delay included. A
  robots.txt that answers 4xx allows everything; one that cannot be read (5xx, network)
  disallows everything for this run, as RFC 9309 asks.
- Each host gets a minimum interval between request starts (the per-host rate, or the
  Crawl-delay when longer) and a concurrency bound; a global bound caps everything.
  Retries pass through the same gate, so no retry ever exceeds the rate.
- Timeouts, 429 and 5xx are retried with exponential backoff and full jitter (tenacity);
  a Retry-After header sets the wait instead, and one longer than the configured maximum
  ends the request at once.
- Bodies are read as a stream and cut off at a size cap.
- Every connection obeys the outbound request policy (jobswap.outbound): no loopback,
  private or link-local destinations unless the operator allowed them.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from protego import Protego
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from jobswap import outbound
from jobswap.config import Settings

log = logging.getLogger(__name__)


class FetchError(Exception):
    """A request that did not produce a usable response; `kind` names why, for run metrics."""

    def __init__(self, kind: str, url: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{kind}: {message} ({url})")
        self.kind = kind
        self.url = url
        self.message = message
        self.status = status


class _Retryable(FetchError):
    def __init__(
        self, kind: str, url: str, message: str, *, status: int | None = None, wait: float | None = None
    ) -> None:
        super().__init__(kind, url, message, status=status)
        self.wait = wait  # from Retry-After, when the server gave one


@dataclass
class Response:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers) or "utf-8", errors="replace")

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise FetchError("malformed", self.url, f"not JSON: {exc}") from exc


def _charset(headers: httpx.Headers) -> str | None:
    for part in headers.get("content-type", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return str(value).strip('"')
    return None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


@dataclass
class _Host:
    interval: float
    slots: asyncio.Semaphore
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class FetchStats:
    requests: int = 0
    retries: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    starts: dict[str, list[float]] = field(default_factory=dict)  # host -> monotonic request starts


class Fetcher:
    """Shared by the adapters of one run (or of several runs in one process)."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.stats = FetchStats()
        self._transport = transport
        self._clients: dict[str | None, httpx.AsyncClient] = {}
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, Protego | FetchError] = {}
        self._policy = outbound.Policy.from_settings(settings)
        self._robots_lock: dict[str, asyncio.Lock] = {}
        self._global = asyncio.Semaphore(settings.scrape_concurrency)
        agents = settings.scrape_user_agents or [settings.scrape_user_agent]
        self._agents = itertools.cycle(agents)
        self._robots_agent = settings.scrape_user_agent

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _client(self, host: str) -> httpx.AsyncClient:
        proxies = self.settings.scrape_proxies
        proxy = proxies[hash(host) % len(proxies)] if proxies else None
        if proxy not in self._clients:
            timeout = httpx.Timeout(
                self.settings.scrape_read_timeout,
                connect=self.settings.scrape_connect_timeout,
                pool=self.settings.scrape_read_timeout,
            )
            limits = httpx.Limits(max_connections=self.settings.scrape_concurrency)
            self._clients[proxy] = httpx.AsyncClient(
                timeout=timeout,
                follow_redirects=True,
                max_redirects=5,
                transport=self._transport or outbound.transport(self.settings, proxy=proxy, limits=limits),
            )
        return self._clients[proxy]

    def _host(self, origin: str) -> _Host:
        if origin not in self._hosts:
            self._hosts[origin] = _Host(
                interval=1.0 / self.settings.scrape_per_host_per_second,
                slots=asyncio.Semaphore(self.settings.scrape_per_host_concurrency),
            )
        return self._hosts[origin]

    async def turn(self, origin: str) -> None:
        """Wait for this host's next start slot. Waiters queue on the host's lock and the next
        slot counts from the moment a request really starts, so that a late wake-up (a busy
        event loop) never lets two requests start closer than the interval."""
        host = self._host(origin)
        async with host.lock:
            wait = host.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            started = time.monotonic()
            host.next_start = started + host.interval
        self.stats.starts.setdefault(origin, []).append(started)

    # --- robots.txt ------------------------------------------------------------------

    async def check(self, url: str) -> None:
        """Raise FetchError, with the true reason, unless `url` may be fetched: the outbound
        policy allows its address, and its robots.txt was read and allows it."""
        try:
            self._policy.check_url(url)
        except outbound.OutboundBlocked as exc:
            self.stats.errors["blocked"] += 1
            raise FetchError("blocked", url, str(exc)) from None
        origin = origin_of(url)
        lock = self._robots_lock.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._robots:
                self._robots[origin] = await self._read_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, FetchError):
            self.stats.errors[rules.kind] += 1
            raise FetchError(rules.kind, url, rules.message)
        if not rules.can_fetch(url, self._robots_agent):
            self.stats.errors["robots"] += 1
            raise FetchError("robots", url, "disallowed by robots.txt")

    async def pinned_address(self, url: str) -> str:
        """The address `url`'s host resolves to, checked by the outbound policy (for a client,
        such as the browser, that must then be told to connect there and nowhere else)."""
        parts = httpx.URL(url)
        try:
            return await self._policy.resolve(
                parts.host, parts.port or (443 if parts.scheme == "https" else 80)
            )
        except outbound.OutboundBlocked as exc:
            self.stats.errors["blocked"] += 1
            raise FetchError("blocked", url, str(exc)) from None

    async def _read_robots(self, origin: str) -> Protego | FetchError:
        """The origin's rules; an empty rule set when there is no robots.txt; the reason when
        it could not be read (then nothing there may be fetched, as RFC 9309 asks)."""
        try:
            response = await self._send("GET", f"{origin}/robots.txt", None, None, robots=True)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return Protego.parse("")
            log.warning("robots.txt unreachable, host skipped", extra={"origin": origin, "error": str(exc)})
            if exc.kind == "blocked":
                return FetchError("blocked", exc.url, exc.message)
            return FetchError("robots_unreachable", exc.url, f"robots.txt could not be read ({exc.message})")
        rules = Protego.parse(response.text)
        delay = rules.crawl_delay(self._robots_agent)
        rate = rules.request_rate(self._robots_agent)
        host = self._host(origin)
        if delay:
            host.interval = max(host.interval, float(delay))
        if rate:
            host.interval = max(host.interval, rate.seconds / max(rate.requests, 1))
        return rules

    # --- requests --------------------------------------------------------------------

    async def get(
        self, url: str, *, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        return await self.request("GET", url, params=params, headers=headers)

    async def post(self, url: str, *, json: Any = None, headers: dict[str, str] | None = None) -> Response:
        return await self.request("POST", url, json=json, headers=headers)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        full = str(httpx.URL(url, params=params)) if params else url
        await self.check(full)
        try:
            return await self._send(method, full, json, headers)
        except FetchError as exc:
            self.stats.errors[exc.kind] += 1
            raise

    async def _send(
        self,
        method: str,
        url: str,
        json: Any,
        headers: dict[str, str] | None,
        *,
        robots: bool = False,
    ) -> Response:
        settings = self.settings

        def wait(state: Any) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Retryable) and exc.wait is not None:
                return float(exc.wait)
            base = settings.scrape_backoff_seconds * 2 ** (state.attempt_number - 1)
            return random.uniform(0, min(base, 60.0))  # noqa: S311  (jitter, not security)

        def before_sleep(state: Any) -> None:
            self.stats.retries += 1

        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            stop=stop_after_attempt(1 if robots else settings.scrape_retries + 1),
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(method, url, json, headers)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(self, method: str, url: str, json: Any, headers: dict[str, str] | None) -> Response:
        origin = origin_of(url)
        host = self._host(origin)
        sent = {"User-Agent": next(self._agents), "Accept-Language": "en-US,en;q=0.8", **(headers or {})}
        async with self._global, host.slots:
            await self.turn(origin)
            self.stats.requests += 1
            try:
                async with self._client(origin).stream(method, url, json=json, headers=sent) as response:
                    content = await self._read(response, url)
            except httpx.TimeoutException as exc:
                raise _Retryable("timeout", url, type(exc).__name__) from exc
            except httpx.TooManyRedirects as exc:
                raise FetchError("redirects", url, "too many redirects") from exc
            except httpx.TransportError as exc:
                raise _Retryable("network", url, str(exc) or type(exc).__name__) from exc
            except outbound.OutboundBlocked as exc:  # at connect time, or a redirect's target
                raise FetchError("blocked", url, str(exc)) from exc
        status = response.status_code
        if status == 429 or status >= 500:
            after = retry_after_seconds(response.headers.get("retry-after"))
            kind = "rate_limited" if status == 429 else "server"
            if after is not None and after > self.settings.scrape_max_retry_after:
                raise FetchError(kind, url, f"Retry-After {after:.0f}s is too long", status=status)
            raise _Retryable(kind, url, f"HTTP {status}", status=status, wait=after)
        if status >= 400:
            raise FetchError("client", url, f"HTTP {status}", status=status)
        return Response(str(response.url), status, response.headers, content)

    async def _read(self, response: httpx.Response, url: str) -> bytes:
        cap = self.settings.scrape_max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError("too_large", url, f"{declared} bytes declared, cap {cap}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError("too_large", url, f"over {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
