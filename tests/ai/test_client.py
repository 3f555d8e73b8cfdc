"""The OpenAI-compatible client against the local stand-in: pacing, Retry-After, rate-limit
headers, retries, slow answers, the circuit breaker, and what each call cost."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jobswap.ai.client import AIClient, ProviderUnavailable, cost_of
from jobswap.ai.limits import Breaker, BreakerState, RateLimiter, parse_duration, retry_after
from jobswap.config import Settings
from jobswap.embeddings.model import MODEL_ID
from jobswap.embeddings.provider import embed_texts, openai_model_id
from tests.ai.conftest import AISettings
from tests.ai.fake_openai import FakeOpenAI, vector_for
from tests.conftest import Account, client_at


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_durations_and_retry_after() -> None:
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_duration("20ms") == pytest.approx(0.02)
    assert parse_duration("1.5") == 1.5
    assert parse_duration("soon") is None
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0) == 10.0
    assert retry_after({}) is None


def test_token_bucket_holds_a_minute_to_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(requests_per_minute=6000, tokens_per_minute=6000, clock=clock)
    assert limiter.delay_for(4000) == 0
    limiter.take(4000)
    assert limiter.delay_for(2000) == pytest.approx(0.01)  # only the request spacing
    clock.now += 0.01
    limiter.take(2000)
    # the bucket is empty: 3000 more tokens take 30 s at 100 tokens a second
    assert limiter.delay_for(3000) == pytest.approx(30.0, abs=0.2)
    clock.now += 30.0
    assert limiter.delay_for(3000) == pytest.approx(0.0, abs=0.2)
    limiter.settle(estimated=3000, used=1000)  # the provider counted fewer than estimated
    assert limiter._tokens > 3000 - 1


def test_breaker_opens_then_lets_one_trial_through() -> None:
    clock = Clock()
    breaker = Breaker(failures=2, cooldown=10, clock=clock)
    breaker.failed()
    assert breaker.allow()
    breaker.failed()
    assert breaker.state == BreakerState.OPEN and not breaker.allow()
    clock.now += 10
    assert breaker.state == BreakerState.HALF_OPEN
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.failed()
    assert breaker.state == BreakerState.OPEN
    clock.now += 10
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == BreakerState.CLOSED and breaker.allow()


async def test_embeddings_round_trip_with_384_dimensions(
    ai_settings: AISettings, openai: tuple[FakeOpenAI, str]
) -> None:
    fake, _ = openai
    settings = ai_settings(embedding_provider="openai")
    embedded = await embed_texts(settings, ["Python developer", "Registered nurse"])
    assert embedded.model == openai_model_id(settings) == "openai:text-embedding-3-small:384"
    assert embedded.vectors[0] == pytest.approx(vector_for("Python developer"))
    assert len(embedded.vectors[1]) == 384
    [(_, body)] = fake.calls("/v1/embeddings")
    assert body["dimensions"] == 384 and body["model"] == "text-embedding-3-small"
    assert fake.auth == "Bearer sk-test-key"


async def test_requests_are_spaced_to_the_per_minute_limit(
    ai_settings: AISettings, openai: tuple[FakeOpenAI, str]
) -> None:
    fake, _ = openai
    client = AIClient(ai_settings(ai_requests_per_minute=300.0))  # one request every 0.2 s
    try:
        await asyncio.gather(*(client.embeddings([f"text {i}"], "m", 384) for i in range(6)))
    finally:
        await client.aclose()
    times = [t for t, _ in fake.calls("/v1/embeddings")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 6
    assert min(gaps) >= 0.19, gaps  # never faster than the limit


async def test_429_waits_as_long_as_retry_after_says(
    ai_settings: AISettings, openai: tuple[FakeOpenAI, str]
) -> None:
    fake, _ = openai
    fake.limit_next, fake.retry_after_ms = 2, 300
    client = AIClient(ai_settings())
    try:
        vectors, _ = await client.embeddings(["hello"], "m", 384)
    finally:
        await client.aclose()
    assert len(vectors) == 1
    times = [t for t, _ in fake.calls("/v1/embeddings")]
    assert len(times) == 3
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(times)), times


async def test_a_spent_quota_in_the_headers_holds_the_next_request(
    ai_settings: AISettings, openai: tuple[FakeOpenAI, str]
) -> None:
    fake, _ = openai
    fake.spent_quota_reset = "400ms"
    client = AIClient(ai_settings())
    try:
        await client.embeddings(["one"], "m", 384)
        await client.embeddings(["two"], "m", 384)
    finally:
        await client.aclose()
    (first, _), (second, _) = fake.calls("/v1/embeddings")
    assert second - first >= 0.39


async def test_server_errors_are_retried(ai_settings: AISettings, openai: tuple[FakeOpenAI, str]) -> None:
    fake, _ = openai
    fake.fail_next = 2
    client = AIClient(ai_settings(ai_max_retries=2))
    try:
        vectors, _ = await client.embeddings(["retry me"], "m", 384)
    finally:
        await client.aclose()
    assert vectors[0] == pytest.approx(vector_for("retry me"))
    assert len(fake.calls("/v1/embeddings")) == 3


async def test_a_slow_provider_times_out(ai_settings: AISettings, openai: tuple[FakeOpenAI, str]) -> None:
    fake, _ = openai
    fake.slow_seconds = 3.0
    client = AIClient(ai_settings(ai_timeout_seconds=0.3, ai_max_retries=1))
    started = time.monotonic()
    try:
        with pytest.raises(ProviderUnavailable, match="ReadTimeout"):
            await client.embeddings(["slow"], "m", 384)
    finally:
        await client.aclose()
    assert time.monotonic() - started < 2.0


async def test_the_breaker_falls_back_to_the_local_model_and_recovers(
    ai_settings: AISettings, openai: tuple[FakeOpenAI, str]
) -> None:
    fake, _ = openai
    settings = ai_settings(embedding_provider="openai", ai_max_retries=1, ai_breaker_seconds=0.5)
    fake.down = True
    for _ in range(2):  # two failed calls open the breaker; each falls back
        embedded = await embed_texts(settings, ["fallback text"])
        assert embedded.model == MODEL_ID and len(embedded.vectors[0]) == 384
    sent = len(fake.seen)
    assert sent == 4  # two calls of two attempts each
    embedded = await embed_texts(settings, ["while open"])
    assert embedded.model == MODEL_ID
    assert len(fake.seen) == sent  # open: nothing sent at all
    fake.down = False
    await asyncio.sleep(0.55)
    embedded = await embed_texts(settings, ["recovered"])
    assert embedded.model == openai_model_id(settings)
    assert embedded.vectors[0] == pytest.approx(vector_for("recovered"))


async def test_wrong_dimensions_are_refused_not_stored(
    ai_settings: AISettings, openai: tuple[FakeOpenAI, str]
) -> None:
    fake, _ = openai
    fake.dimensions_override = 768  # a server that ignores `dimensions`
    embedded = await embed_texts(ai_settings(embedding_provider="openai"), ["text"])
    assert embedded.model == MODEL_ID  # the local model stood in


def test_cost_uses_the_longest_price_prefix(settings: Settings) -> None:
    assert cost_of(settings, "gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert cost_of(settings, "gpt-4o-2024-08-06", 1_000_000, 0) == pytest.approx(2.5)
    assert cost_of(settings, "text-embedding-3-small", 1_000_000, 0, batch=True) == pytest.approx(0.01)
    assert cost_of(settings, "my-local-llama", 5000, 5000) == 0.0


async def test_usage_and_cost_shown_to_admins_and_in_metrics(
    ai_settings: AISettings,
    openai: tuple[FakeOpenAI, str],
    runtime: Any,
    app: Any,
    client: httpx.AsyncClient,
    admin: Account,
    alice: Account,
    admin_engine: Any,
) -> None:
    fake, _ = openai
    with admin_engine.begin() as conn:  # earlier tests without a database fixture recorded calls too
        conn.execute(text("TRUNCATE ai_usage"))
    settings = ai_settings(embedding_provider="openai")
    await embed_texts(settings, ["four words of text", "two words"])  # 6 tokens at the stand-in
    fake.down = True
    await embed_texts(settings, ["fails"])
    with admin_engine.connect() as conn:
        rows = conn.execute(text("SELECT operation, outcome, prompt_tokens, cost_usd FROM ai_usage")).all()
    assert sorted((r.operation, r.outcome, r.prompt_tokens) for r in rows) == [
        ("embeddings", "failed", 0),
        ("embeddings", "ok", 6),
    ]
    assert sum(r.cost_usd for r in rows) == pytest.approx(6 * 0.02 / 1_000_000)

    assert (await client.get("/api/admin/usage", headers=alice.headers)).status_code == 403
    usage = (await client.get("/api/admin/usage", headers=admin.headers)).json()
    assert usage["calls"] == 2 and usage["prompt_tokens"] == 6
    [row] = usage["by_model"]
    assert row["model"] == "text-embedding-3-small" and row["failed"] == 1
    assert usage["embedding_provider"] == "local"  # the app's own settings: nothing turned on
    assert (await client.get("/api/admin/usage?days=0", headers=admin.headers)).status_code == 422

    async with client_at(app, "127.0.0.1") as local:
        metrics = (await local.get("/metrics")).text
    assert (
        'jobswap_ai_tokens_total{kind="prompt",model="text-embedding-3-small",operation="embeddings"}'
        in metrics
    )
    assert 'jobswap_ai_calls_24h{model="text-embedding-3-small",outcome="failed"} 1.0' in metrics
