"""Settings that point JobSwap's optional AI providers at the local OpenAI stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from jobswap.ai import client as ai_client
from jobswap.config import Settings
from jobswap.embeddings import reembed
from tests.ai.fake_openai import FakeOpenAI, openai, openai_server  # noqa: F401  (fixtures)

AISettings = Callable[..., Settings]


@pytest.fixture
async def ai_settings(
    settings: Settings,
    openai: tuple[FakeOpenAI, str],  # noqa: F811
) -> AsyncIterator[AISettings]:
    """A factory: the session's settings with the provider at the stand-in, plus overrides.
    Fast retries, so that failure paths take milliseconds."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "ai_base_url": openai[1],
            "ai_api_key": SecretStr("sk-test-key"),
            "ai_backoff_seconds": 0.01,
            "ai_max_retries": 2,
            "ai_breaker_failures": 2,
            "ai_breaker_seconds": 0.5,
            "ai_requests_per_minute": 6000.0,
            "ai_tokens_per_minute": 10_000_000,
            **overrides,
        }
        return settings.model_copy(update=values)

    yield make
    await ai_client.close_all()
    reembed.forget_missing_batch_apis()  # each test's stand-in starts with its Batch API
