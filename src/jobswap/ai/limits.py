"""Pacing, back-off and the circuit breaker for calls to an AI provider (pure, clock-driven).

Requests are spaced evenly (a minute's quota never arrives as one burst), tokens come from a
bucket that refills at the per-minute rate, and a provider's own `x-ratelimit-*` headers can
only tighten the pace: when they say a quota is spent, nothing is sent before it resets.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def parse_duration(value: str | None) -> float | None:
    """OpenAI's reset durations ("1s", "6m0s", "20ms", "1h2m3.5s") or plain seconds, in seconds."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[u] for n, u in parts)


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds a 429 or 503 asks us to wait: `retry-after-ms`, `Retry-After` (seconds or an
    HTTP date), else None."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else datetime.now(UTC).timestamp()))


def backoff(attempt: int, base: float, cap: float = 60.0, rng: random.Random | None = None) -> float:
    """Exponential back-off with full jitter: uniform in [0, base * 2**attempt], at most cap."""
    ceiling = min(cap, base * (2**attempt))
    return (rng or random).uniform(0, ceiling)


@dataclass
class RateLimiter:
    """Requests per minute as an even spacing, tokens per minute as a refilling bucket."""

    requests_per_minute: float
    tokens_per_minute: int
    clock: Callable[[], float] = time.monotonic
    _next_request: float = 0.0
    _tokens: float = field(default=-1.0)
    _refilled: float = 0.0
    _blocked_until: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self._tokens = float(self.tokens_per_minute)
        self._refilled = self.clock()

    @property
    def interval(self) -> float:
        return 60.0 / self.requests_per_minute

    def _refill(self, now: float) -> None:
        rate = self.tokens_per_minute / 60.0
        self._tokens = min(float(self.tokens_per_minute), self._tokens + (now - self._refilled) * rate)
        self._refilled = now

    def delay_for(self, tokens: int) -> float:
        """How long a request of `tokens` must wait from now (0 when it may go)."""
        now = self.clock()
        self._refill(now)
        tokens = min(tokens, self.tokens_per_minute)  # a huge request waits for a full bucket
        token_wait = max(0.0, (tokens - self._tokens) / (self.tokens_per_minute / 60.0))
        return max(0.0, self._next_request - now, self._blocked_until - now, token_wait)

    def take(self, tokens: int) -> None:
        """Spend a slot and the tokens (call when the request is sent)."""
        now = self.clock()
        self._refill(now)
        self._tokens -= min(tokens, self.tokens_per_minute)
        self._next_request = max(now, self._next_request) + self.interval

    async def acquire(self, tokens: int) -> float:
        """Wait until a request of `tokens` may be sent, and spend its share; returns the wait."""
        waited = 0.0
        async with self._lock:
            while (delay := self.delay_for(tokens)) > 0:
                await asyncio.sleep(delay)
                waited += delay
            self.take(tokens)
        return waited

    def settle(self, estimated: int, used: int) -> None:
        """Correct the bucket once the provider says how many tokens the request really used."""
        self._tokens += min(estimated, self.tokens_per_minute) - used

    def observe(self, headers: Mapping[str, str]) -> None:
        """The provider's own view: a spent quota blocks until its reset."""
        now = self.clock()
        for kind in ("requests", "tokens"):
            remaining = headers.get(f"x-ratelimit-remaining-{kind}")
            reset = parse_duration(headers.get(f"x-ratelimit-reset-{kind}"))
            try:
                spent = remaining is not None and float(remaining) <= 0
            except ValueError:
                spent = False
            if spent and reset is not None:
                self._blocked_until = max(self._blocked_until, now + reset)


class BreakerState:
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class Breaker:
    """Opens after `failures` failed calls in a row; after `cooldown` seconds one trial call
    may pass (half-open): its success closes the breaker, its failure opens it again."""

    failures: int
    cooldown: float
    clock: Callable[[], float] = time.monotonic
    _failed: int = 0
    _opened_at: float | None = None
    _trial: bool = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self._opened_at >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a call may be made now (in half-open, only one at a time)."""
        state = self.state
        if state == BreakerState.CLOSED:
            return True
        if state == BreakerState.HALF_OPEN and not self._trial:
            self._trial = True
            return True
        return False

    def succeeded(self) -> None:
        self._failed, self._opened_at, self._trial = 0, None, False

    def failed(self) -> None:
        self._failed += 1
        self._trial = False
        if self._opened_at is not None or self._failed >= self.failures:
            self._opened_at = self.clock()
