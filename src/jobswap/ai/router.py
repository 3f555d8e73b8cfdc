"""/api/admin/usage (what the AI provider was asked and what it cost) and
/api/admin/embeddings (how far re-embedding has come)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, status
from pydantic import BaseModel
from sqlalchemy import text

from jobswap.ai.client import client_for
from jobswap.auth.dependencies import AdminUser, DbSession
from jobswap.dependencies import DatabaseDep, QueueDep, SettingsDep
from jobswap.embeddings import reembed

router = APIRouter(prefix="/api/admin", tags=["admin"])


class UsageRow(BaseModel):
    operation: str
    model: str
    calls: int
    failed: int
    refused: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class UsageDay(BaseModel):
    day: str
    calls: int
    cost_usd: float


class Usage(BaseModel):
    since: datetime
    embedding_provider: str
    resume_parser: str
    provider_host: str | None
    breaker: str | None  # this process's view: closed, open or half_open; None when unused
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    by_model: list[UsageRow]
    by_day: list[UsageDay]


class EmbeddingProgress(BaseModel):
    model: str
    pending: int
    tables: dict[str, dict[str, int]]
    batch: dict[str, Any] | None


@router.get("/usage", response_model=Usage)
async def usage(
    admin: AdminUser,
    session: DbSession,
    settings: SettingsDep,
    days: Annotated[int, Query(ge=1, le=366, description="How many days back")] = 30,
) -> Usage:
    """Calls to the AI provider, tokens and estimated cost (US dollars, from JOBSWAP_AI_PRICES),
    by operation and model and by day."""
    since = datetime.now(UTC) - timedelta(days=days)
    rows = (
        await session.execute(
            text(
                "SELECT operation, model, count(*) AS calls, "
                "count(*) FILTER (WHERE outcome = 'failed') AS failed, "
                "count(*) FILTER (WHERE outcome = 'refused') AS refused, "
                "coalesce(sum(prompt_tokens), 0) AS prompt_tokens, "
                "coalesce(sum(completion_tokens), 0) AS completion_tokens, "
                "coalesce(sum(cost_usd), 0) AS cost_usd "
                "FROM ai_usage WHERE created_at >= :since GROUP BY 1, 2 ORDER BY 1, 2"
            ),
            {"since": since},
        )
    ).mappings()
    by_model = [UsageRow(**dict(r)) for r in rows]
    days_rows = (
        await session.execute(
            text(
                "SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, "
                "count(*) AS calls, coalesce(sum(cost_usd), 0) AS cost_usd FROM ai_usage "
                "WHERE created_at >= :since GROUP BY 1 ORDER BY 1"
            ),
            {"since": since},
        )
    ).mappings()
    return Usage(
        since=since,
        embedding_provider=settings.embedding_provider,
        resume_parser=settings.resume_parser,
        provider_host=urlsplit(settings.ai_base_url).hostname if settings.ai_wanted else None,
        breaker=client_for(settings).breaker_state if settings.ai_wanted else None,
        calls=sum(r.calls for r in by_model),
        prompt_tokens=sum(r.prompt_tokens for r in by_model),
        completion_tokens=sum(r.completion_tokens for r in by_model),
        cost_usd=round(sum(r.cost_usd for r in by_model), 6),
        by_model=by_model,
        by_day=[UsageDay(**dict(r)) for r in days_rows],
    )


@router.get("/embeddings", response_model=EmbeddingProgress)
async def embeddings(admin: AdminUser, database: DatabaseDep, settings: SettingsDep) -> EmbeddingProgress:
    """Which model matching uses now, and how many stored vectors still wait to be re-embedded."""
    found = await reembed.progress(database, settings)
    return EmbeddingProgress(model=found.model, pending=found.pending, tables=found.tables, batch=found.batch)


@router.post("/embeddings/reembed", status_code=status.HTTP_202_ACCEPTED, response_model=EmbeddingProgress)
async def start_reembed(
    admin: AdminUser, database: DatabaseDep, settings: SettingsDep, queue: QueueDep
) -> EmbeddingProgress:
    """Queue a re-embedding pass now (the worker also runs one every minute)."""
    import contextlib

    from procrastinate.exceptions import AlreadyEnqueued

    from jobswap.embeddings.tasks import REEMBED_TASK

    with contextlib.suppress(AlreadyEnqueued):
        await queue.configure_task(REEMBED_TASK, queueing_lock=REEMBED_TASK, lock=REEMBED_TASK).defer_async()
    return await embeddings(admin, database, settings)
