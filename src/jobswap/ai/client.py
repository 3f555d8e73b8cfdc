"""An OpenAI-compatible HTTP client: embeddings, chat with a JSON schema, files and batches.

Every call is paced (`limits.RateLimiter`), retried on 429, 5xx and network errors with
jittered exponential back-off that honours `Retry-After`, guarded by a circuit breaker, and
accounted: tokens, an estimated cost and the outcome go to a sink (the `ai_usage` table) and
to /metrics. Callers catch `ProviderUnavailable` and fall back to the local model or parser.

Works with OpenAI, Azure OpenAI (`ai_api_version` set: `api-key` header and `api-version`
query), and self-hosted servers that speak the same API (vLLM, Ollama, llama.cpp).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import Counter, Gauge

from jobswap import outbound
from jobswap.ai.limits import Breaker, BreakerState, RateLimiter, backoff, retry_after
from jobswap.ai.models import AIUsage, UsageOutcome
from jobswap.config import Settings
from jobswap.metrics import REGISTRY

log = logging.getLogger(__name__)

AI_REQUESTS = Counter(
    "jobswap_ai_calls_total", "Calls to the AI provider", ["operation", "model", "outcome"], registry=REGISTRY
)
AI_TOKENS = Counter(
    "jobswap_ai_tokens_total",
    "Tokens the AI provider counted",
    ["operation", "model", "kind"],
    registry=REGISTRY,
)
AI_COST = Counter(
    "jobswap_ai_cost_usd_total",
    "Estimated cost of AI calls in US dollars",
    ["operation", "model"],
    registry=REGISTRY,
)
AI_BREAKER = Gauge(
    "jobswap_ai_breaker_open", "1 while the AI provider's circuit breaker is open", registry=REGISTRY
)
MAX_RESPONSE_BYTES = 256 * 1024 * 1024  # a batch's output file can be large; nothing else is


class ProviderError(Exception):
    """The provider refused this request (a 4xx other than 429): retrying will not help."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ProviderUnavailable(ProviderError):
    """The provider is down, overloaded past our patience, or the breaker is open."""


@dataclass(frozen=True)
class Call:
    """One accounted call: what `ai_usage` and /metrics record."""

    operation: str
    model: str
    outcome: UsageOutcome
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 1
    seconds: float = 0.0
    detail: str | None = None


Sink = Callable[[Call], Awaitable[None]]


def price_of(settings: Settings, model: str) -> tuple[float, float] | None:
    """Dollars per million input and output tokens: the exact model, else the longest price key
    the model's name starts with ("gpt-4o-mini-2024-07-18" costs what "gpt-4o-mini" does)."""
    if model in settings.ai_prices:
        return settings.ai_prices[model]
    keys = sorted((k for k in settings.ai_prices if model.startswith(k)), key=len, reverse=True)
    return settings.ai_prices[keys[0]] if keys else None


def cost_of(settings: Settings, model: str, prompt: int, completion: int, *, batch: bool = False) -> float:
    price = price_of(settings, model)
    if price is None:
        return 0.0
    cost = (prompt * price[0] + completion * price[1]) / 1_000_000
    return cost * settings.ai_batch_discount if batch else cost


def estimate_tokens(texts: list[str]) -> int:
    """About four characters a token for English; an estimate only for pacing."""
    return sum(len(t) // 4 + 1 for t in texts)


def database_sink(database: Any) -> Sink:
    """A sink writing each call to `ai_usage` in its own transaction (a call is paid for even
    when the caller's work rolls back)."""
    from jobswap.db import Identity

    async def record(call: Call) -> None:
        try:
            async with database.transaction(Identity.service()) as session:
                session.add(
                    AIUsage(
                        operation=call.operation,
                        model=call.model,
                        outcome=call.outcome.value,
                        prompt_tokens=call.prompt_tokens,
                        completion_tokens=call.completion_tokens,
                        cost_usd=call.cost_usd,
                        attempts=call.attempts,
                        seconds=call.seconds,
                        detail=call.detail[:2000] if call.detail else None,
                    )
                )
        except Exception:  # accounting must never break the work it accounts for
            log.exception("could not record AI usage")

    return record


class AIClient:
    def __init__(
        self, settings: Settings, sink: Sink | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.sink = sink
        self.base_url = settings.ai_base_url.rstrip("/")
        self.limiter = RateLimiter(settings.ai_requests_per_minute, settings.ai_tokens_per_minute)
        self.breaker = Breaker(settings.ai_breaker_failures, settings.ai_breaker_seconds)
        headers = {"User-Agent": settings.http_user_agent}
        if settings.ai_api_key is not None:
            key = settings.ai_api_key.get_secret_value()
            if settings.ai_api_version:
                headers["api-key"] = key
            else:
                headers["Authorization"] = f"Bearer {key}"
        self.http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(
                settings.ai_timeout_seconds, connect=min(10.0, settings.ai_timeout_seconds)
            ),
            transport=transport or outbound.transport(settings),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def breaker_state(self) -> str:
        return self.breaker.state

    def _url(self, path: str) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        if self.settings.ai_api_version:
            url += ("&" if "?" in url else "?") + f"api-version={self.settings.ai_api_version}"
        return url

    async def _account(self, call: Call) -> None:
        AI_REQUESTS.labels(call.operation, call.model, call.outcome.value).inc()
        if call.prompt_tokens:
            AI_TOKENS.labels(call.operation, call.model, "prompt").inc(call.prompt_tokens)
        if call.completion_tokens:
            AI_TOKENS.labels(call.operation, call.model, "completion").inc(call.completion_tokens)
        if call.cost_usd:
            AI_COST.labels(call.operation, call.model).inc(call.cost_usd)
        AI_BREAKER.set(1 if self.breaker.state == BreakerState.OPEN else 0)
        if self.sink is not None:
            await self.sink(call)

    async def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        model: str,
        tokens: int = 0,
        account: bool = True,
        optional: bool = False,
        **options: Any,
    ) -> httpx.Response:
        """One call with pacing, retries and the breaker; the response of a 2xx answer.
        `optional`: an endpoint the provider may lack (a 404 then says so, not that it is down)."""
        started = time.monotonic()
        if not self.breaker.allow():
            await self._account(Call(operation, model, UsageOutcome.REFUSED, detail="circuit breaker open"))
            raise ProviderUnavailable("The AI provider's circuit breaker is open after repeated failures.")
        attempt = 0

        def outcome(kind: UsageOutcome, detail: str | None = None) -> Call:
            seconds = time.monotonic() - started
            return Call(operation, model, kind, attempts=attempt + 1, seconds=seconds, detail=detail)

        while True:
            await self.limiter.acquire(tokens)
            wait: float | None = None
            try:
                response = await self.http.request(method, self._url(path), **options)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                self.limiter.observe(response.headers)
                if response.status_code < 400:
                    self.breaker.succeeded()
                    if account:
                        await self._account(outcome(UsageOutcome.OK))
                    return response
                problem = f"HTTP {response.status_code}: {response.text[:300]}"
                if response.status_code != 429 and response.status_code < 500:
                    if response.status_code in (401, 403) or (response.status_code == 404 and not optional):
                        self.breaker.failed()
                    else:
                        self.breaker.succeeded()  # it answered; this request alone was wrong or absent
                    await self._account(outcome(UsageOutcome.FAILED, problem))
                    raise ProviderError(
                        f"The AI provider refused the request ({problem})", response.status_code
                    )
                wait = retry_after(response.headers)
            too_long = wait is not None and wait > self.settings.ai_max_retry_after
            if attempt >= self.settings.ai_max_retries or too_long:
                self.breaker.failed()
                await self._account(outcome(UsageOutcome.FAILED, problem))
                raise ProviderUnavailable(f"The AI provider did not answer ({problem}).")
            delay = wait if wait is not None else backoff(attempt, self.settings.ai_backoff_seconds)
            log.warning("AI call retried", extra={"operation": operation, "problem": problem, "delay": delay})
            await asyncio.sleep(delay)
            attempt += 1

    async def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"The AI provider answered something that is not JSON: {exc}") from exc

    async def embeddings(
        self, texts: list[str], model: str, dimensions: int | None
    ) -> tuple[list[list[float]], int]:
        """Vectors for `texts` in order, and the tokens counted."""
        body: dict[str, Any] = {"model": model, "input": texts, "encoding_format": "float"}
        if dimensions is not None:
            body["dimensions"] = dimensions
        started = time.monotonic()
        response = await self.request(
            "POST",
            "/embeddings",
            operation="embeddings",
            model=model,
            tokens=estimate_tokens(texts),
            json=body,
            account=False,
        )
        answer = await self._json(response)
        try:
            rows = sorted(answer["data"], key=lambda row: row["index"])
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderUnavailable(f"The embeddings answer has an unexpected shape ({exc}).") from exc
        if len(vectors) != len(texts):
            raise ProviderUnavailable(f"The provider returned {len(vectors)} vectors for {len(texts)} texts.")
        used = int((answer.get("usage") or {}).get("prompt_tokens") or estimate_tokens(texts))
        self.limiter.settle(estimate_tokens(texts), used)
        await self._account(
            Call(
                "embeddings",
                model,
                UsageOutcome.OK,
                prompt_tokens=used,
                cost_usd=cost_of(self.settings, model, used, 0),
                seconds=time.monotonic() - started,
            )
        )
        return vectors, used

    async def chat_json(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        model: str,
        max_tokens: int = 4000,
    ) -> dict[str, Any]:
        """A chat completion whose answer must follow `schema` (structured output), parsed."""
        body = {
            "model": model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": schema},
            },
        }
        estimate = estimate_tokens([m["content"] for m in messages]) + max_tokens
        started = time.monotonic()
        response = await self.request(
            "POST",
            "/chat/completions",
            operation="chat",
            model=model,
            tokens=estimate,
            json=body,
            account=False,
        )
        answer = await self._json(response)
        usage = answer.get("usage") or {}
        prompt, completion = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        self.limiter.settle(estimate, prompt + completion)
        await self._account(
            Call(
                "chat",
                model,
                UsageOutcome.OK,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cost_usd=cost_of(self.settings, model, prompt, completion),
                seconds=time.monotonic() - started,
            )
        )
        try:
            message = answer["choices"][0]["message"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderUnavailable(f"The chat answer has an unexpected shape ({exc}).") from exc
        if message.get("refusal"):
            raise ProviderError(f"The model refused: {str(message['refusal'])[:200]}")
        try:
            parsed = json.loads(message.get("content") or "")
        except ValueError as exc:
            raise ProviderError(f"The model's answer is not JSON ({exc}).") from exc
        if not isinstance(parsed, dict):
            raise ProviderError("The model's answer is not a JSON object.")
        return parsed

    # --- files and batches (the Batch API: half price, answers within a day) -------------------

    async def upload_file(self, content: bytes, filename: str, model: str) -> str:
        response = await self.request(
            "POST",
            "/files",
            operation="batch",
            model=model,
            files={"file": (filename, content, "application/jsonl")},
            data={"purpose": "batch"},
            optional=True,
            account=False,
        )
        return str((await self._json(response))["id"])

    async def create_batch(
        self, file_id: str, endpoint: str, metadata: dict[str, str], model: str
    ) -> dict[str, Any]:
        body = {
            "input_file_id": file_id,
            "endpoint": endpoint,
            "completion_window": "24h",
            "metadata": metadata,
        }
        response = await self.request(
            "POST", "/batches", operation="batch", model=model, json=body, account=False
        )
        return dict(await self._json(response))

    async def get_batch(self, batch_id: str, model: str) -> dict[str, Any]:
        response = await self.request(
            "GET", f"/batches/{batch_id}", operation="batch", model=model, account=False
        )
        return dict(await self._json(response))

    async def list_batches(self, model: str, limit: int = 100) -> list[dict[str, Any]]:
        response = await self.request(
            "GET", "/batches", operation="batch", model=model, params={"limit": limit}, account=False
        )
        return list((await self._json(response)).get("data") or [])

    async def file_content(self, file_id: str, model: str) -> bytes:
        response = await self.request(
            "GET", f"/files/{file_id}/content", operation="batch", model=model, account=False
        )
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise ProviderUnavailable("The batch output is larger than this service reads.")
        return response.content

    async def record(self, call: Call) -> None:
        """Account a call whose tokens are known only later (a batch's output)."""
        await self._account(call)


_clients: dict[tuple[Any, ...], AIClient] = {}
_accounting: list[Any] = []  # databases of the open runtimes; calls are recorded in the newest


def account_to(database: Any) -> None:
    """Record this process's AI calls in `database` (a runtime calls it when it opens)."""
    _accounting.append(database)


def stop_accounting_to(database: Any) -> None:
    """The runtime of `database` closes: calls go to the one opened before it, if any."""
    if database in _accounting:
        _accounting.remove(database)


def client_for(settings: Settings) -> AIClient:
    """This process's client for the configured provider (one breaker and one pace per provider)."""
    database = _accounting[-1] if _accounting else None
    key = (settings.ai_base_url, settings.ai_api_key, settings.ai_api_version, id(settings), id(database))
    client = _clients.get(key)
    if client is None:
        client = AIClient(settings, database_sink(database) if database is not None else None)
        _clients[key] = client
    return client


async def close_all() -> None:
    """Close every client (at shut-down, and between tests)."""
    clients = list(_clients.values())
    _clients.clear()
    for client in clients:
        await client.aclose()
