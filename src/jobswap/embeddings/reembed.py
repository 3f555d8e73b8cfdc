"""Re-embedding after a change of provider: every stored vector that another model made is
made again by the active one, in the background, resumably.

Rows are chosen by `embedding_model IS DISTINCT FROM <active>`, so progress is simply what is
left, and a killed worker loses nothing. With a provider that has the Batch API (half price),
rows go in batches whose state is kept in `embedding_batches`: a worker that dies after
submitting finds its batch again (by id, or by the batch's metadata when it died between the
provider's answer and our commit) instead of paying for it twice.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text

from jobswap.ai.client import Call, ProviderError, client_for, cost_of
from jobswap.ai.models import BatchState, EmbeddingBatch, UsageOutcome
from jobswap.config import Settings
from jobswap.db import Database, Identity
from jobswap.embeddings.model import DIMENSIONS, vector_literal
from jobswap.embeddings.provider import (
    MAX_CHARS,
    active_model,
    embed_local,
    embed_remote,
    openai_model_id,
)
from jobswap.jobs.models import Job
from jobswap.jobs.pipeline import bump_corpus
from jobswap.jobs.service import embedding_text as job_text
from jobswap.resumes.embedding_text import embedding_text
from jobswap.resumes.parsed import ParsedResume

log = logging.getLogger(__name__)
TABLES = ("resumes", "job_alerts", "jobs")  # resumes first: resume alerts copy their text
SYNC_CHUNK = 256
_PENDING = {  # the rows that carry a vector at all
    "resumes": "status = 'parsed' AND parsed_data IS NOT NULL",
    "job_alerts": "(query IS NOT NULL OR resume_id IS NOT NULL)",
    "jobs": "embedding IS NOT NULL",
}
# "on another model", written so that the btree index on embedding_model can serve it (IS DISTINCT
# FROM cannot), so a pass with nothing to do need not scan the tables.
_OTHER = "(x.embedding_model IS NULL OR x.embedding_model < :m OR x.embedding_model > :m)"
_OPEN_STATES = (BatchState.SUBMITTING.value, BatchState.SUBMITTED.value)
_WAITING = {"validating", "in_progress", "finalizing", "cancelling"}


@dataclass
class Progress:
    model: str
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    batch: dict[str, Any] | None = None

    @property
    def pending(self) -> int:
        return sum(t["pending"] for t in self.tables.values())


async def progress(database: Database, settings: Settings) -> Progress:
    """How many rows of each table carry the active model's vectors, and how many wait."""
    model = active_model(settings)
    out = Progress(model)
    async with database.transaction(Identity.service()) as session:
        for table in TABLES:
            row = (
                await session.execute(
                    text(
                        f"SELECT count(*) AS total, count(*) FILTER (WHERE embedding_model = :m) AS done "
                        f"FROM {table} WHERE {_PENDING[table]}"
                    ),
                    {"m": model},
                )
            ).one()
            out.tables[table] = {"total": row.total, "current": row.done, "pending": row.total - row.done}
        batch = (
            (
                await session.execute(
                    select(EmbeddingBatch)
                    .where(EmbeddingBatch.state.in_(_OPEN_STATES))
                    .order_by(EmbeddingBatch.created_at)
                )
            )
            .scalars()
            .first()
        )
        if batch is not None:
            out.batch = {
                "id": str(batch.id),
                "state": batch.state,
                "provider_batch_id": batch.provider_batch_id,
                "items": batch.items,
                "provider_status": batch.detail.get("status"),
            }
    return out


async def _pending_rows(
    database: Database, model: str, limit: int, only: dict[str, list[uuid.UUID]] | None = None
) -> list[tuple[str, uuid.UUID, str]]:
    """Up to `limit` (table, id, text) still on another model, in table order (or those of
    `only` that still are)."""
    out: list[tuple[str, uuid.UUID, str]] = []
    async with database.transaction(Identity.service()) as session:
        for table in TABLES:
            room = limit - len(out)
            if room <= 0 or (only is not None and not only.get(table)):
                continue
            params: dict[str, Any] = {"m": model, "n": room, "ids": (only or {}).get(table)}
            chosen = " AND x.id = ANY(:ids)" if only is not None else ""
            if table == "jobs":
                ids = (
                    (
                        await session.execute(
                            text(
                                f"SELECT x.id FROM jobs x WHERE x.embedding IS NOT NULL AND {_OTHER}"
                                f"{chosen} ORDER BY x.id LIMIT :n"
                            ),
                            params,
                        )
                    )
                    .scalars()
                    .all()
                )
                jobs = (await session.execute(select(Job).where(Job.id.in_(ids)).order_by(Job.id))).scalars()
                out.extend(("jobs", j.id, job_text(j)) for j in jobs)
            elif table == "resumes":
                rows = (
                    await session.execute(
                        text(
                            "SELECT x.id, x.parsed_data, x.text FROM resumes x WHERE x.status = 'parsed' "
                            f"AND x.parsed_data IS NOT NULL AND {_OTHER}{chosen} ORDER BY x.id LIMIT :n"
                        ),
                        params,
                    )
                ).all()
                for r in rows:
                    parsed = ParsedResume.model_validate(r.parsed_data)
                    out.append(("resumes", r.id, embedding_text(parsed, r.text or "")))
            else:
                rows = (
                    await session.execute(
                        text(
                            "SELECT x.id, x.query, r.parsed_data, r.text FROM job_alerts x "
                            "LEFT JOIN resumes r ON r.id = x.resume_id "
                            "WHERE (x.query IS NOT NULL OR r.parsed_data IS NOT NULL) "
                            f"AND {_OTHER}{chosen} ORDER BY x.id LIMIT :n"
                        ),
                        params,
                    )
                ).all()
                for r in rows:
                    if r.query:
                        out.append(("job_alerts", r.id, r.query))
                    else:
                        parsed = ParsedResume.model_validate(r.parsed_data)
                        out.append(("job_alerts", r.id, embedding_text(parsed, r.text or "")))
    return out


async def _apply(database: Database, model: str, rows: list[tuple[str, uuid.UUID, list[float]]]) -> int:
    """Store the vectors, each only if its row is still on another model (a fresher write wins)."""
    done = 0
    async with database.transaction(Identity.service()) as session:
        for table, row_id, vector in rows:
            if len(vector) != DIMENSIONS:
                continue
            result = await session.execute(
                text(
                    f"UPDATE {table} SET embedding = CAST(:v AS vector), embedding_model = :m "
                    "WHERE id = :id AND embedding_model IS DISTINCT FROM :m"
                ),
                {"v": vector_literal(vector), "m": model, "id": row_id},
            )
            done += int(getattr(result, "rowcount", 0) or 0)
        if any(table == "jobs" for table, _, _ in rows):
            await bump_corpus(session)
    return done


async def sync_step(database: Database, settings: Settings, limit: int = SYNC_CHUNK) -> int:
    """Re-embed up to `limit` rows through the ordinary endpoint; 0 when none wait (or the
    provider is down: they wait for the next pass)."""
    model = active_model(settings)
    rows = await _pending_rows(database, model, limit)
    if not rows:
        return 0
    texts = [body for _, _, body in rows]
    if settings.embedding_provider == "openai":
        try:
            embedded = await embed_remote(settings, texts)
        except ProviderError as exc:
            log.warning("re-embedding paused: the provider failed", extra={"problem": str(exc)})
            return 0
    else:
        embedded = await embed_local(texts)
    return await _apply(
        database, model, [(t, i, v) for (t, i, _), v in zip(rows, embedded.vectors, strict=True)]
    )


class NoBatchApi(Exception):
    """The provider has no Batch API (a self-hosted server, say): use the ordinary endpoint."""


def _lines(settings: Settings, rows: list[tuple[str, uuid.UUID, str]]) -> bytes:
    body: dict[str, Any] = {"model": settings.ai_embedding_model, "encoding_format": "float"}
    if settings.ai_send_dimensions:
        body["dimensions"] = DIMENSIONS
    out = []
    for table, row_id, value in rows:
        request = {
            "custom_id": f"{table}:{row_id}",
            "method": "POST",
            "url": "/v1/embeddings",
            "body": {**body, "input": (value if value.strip() else " ")[:MAX_CHARS]},
        }
        out.append(json.dumps(request, ensure_ascii=False))
    return ("\n".join(out) + "\n").encode()


async def _submit(database: Database, settings: Settings, batch: EmbeddingBatch) -> None:
    """Upload the batch's rows and create the provider's batch; the row is kept up to date."""
    client = client_for(settings)
    only: dict[str, list[uuid.UUID]] = {}
    for table, row_id in batch.detail["rows"]:
        only.setdefault(table, []).append(uuid.UUID(row_id))
    rows = await _pending_rows(database, batch.model, batch.items, only)
    if not rows:  # all done meanwhile (another path embedded them)
        async with database.transaction(Identity.service()) as session:
            fresh = await session.get(EmbeddingBatch, batch.id)
            if fresh is not None:
                fresh.state = BatchState.APPLIED.value
        return
    try:
        file_id = await client.upload_file(
            _lines(settings, rows), f"jobswap-{batch.id}.jsonl", settings.ai_embedding_model
        )
        answer = await client.create_batch(
            file_id, "/v1/embeddings", {"jobswap_batch": str(batch.id)}, settings.ai_embedding_model
        )
    except ProviderError as exc:
        if exc.status in (404, 405, 501):
            raise NoBatchApi(str(exc)) from exc
        raise
    async with database.transaction(Identity.service()) as session:
        fresh = await session.get(EmbeddingBatch, batch.id)
        if fresh is not None:
            fresh.provider_batch_id, fresh.input_file_id = str(answer["id"]), file_id
            fresh.state = BatchState.SUBMITTED.value
            fresh.detail = {**fresh.detail, "status": answer.get("status")}
            batch.provider_batch_id = fresh.provider_batch_id


async def _adopt(settings: Settings, batch: EmbeddingBatch) -> str | None:
    """The provider's id of a batch we may have created before dying (found by metadata)."""
    client = client_for(settings)
    for found in await client.list_batches(settings.ai_embedding_model):
        if (found.get("metadata") or {}).get("jobswap_batch") == str(batch.id):
            return str(found["id"])
    return None


async def _collect(database: Database, settings: Settings, batch: EmbeddingBatch) -> str:
    """Poll the provider's batch; apply its output when it is done. Returns its status."""
    client = client_for(settings)
    assert batch.provider_batch_id is not None
    answer = await client.get_batch(batch.provider_batch_id, settings.ai_embedding_model)
    status = str(answer.get("status"))
    if status in _WAITING:
        async with database.transaction(Identity.service()) as session:
            fresh = await session.get(EmbeddingBatch, batch.id)
            if fresh is not None:
                fresh.detail = {**fresh.detail, "status": status, "counts": answer.get("request_counts")}
        return status
    vectors: list[tuple[str, uuid.UUID, list[float]]] = []
    tokens = 0
    if answer.get("output_file_id"):
        content = await client.file_content(str(answer["output_file_id"]), settings.ai_embedding_model)
        for line in content.decode("utf-8", "replace").splitlines():
            try:
                item = json.loads(line)
                table, row_id = str(item["custom_id"]).split(":", 1)
                body = item["response"]["body"]
                vector = [float(x) for x in body["data"][0]["embedding"]]
                tokens += int((body.get("usage") or {}).get("prompt_tokens") or 0)
            except (ValueError, KeyError, TypeError, IndexError):
                continue
            if table in TABLES:
                vectors.append((table, uuid.UUID(row_id), vector))
    model = openai_model_id(settings)
    applied = await _apply(database, model, vectors) if vectors else 0
    await client.record(
        Call(
            "batch",
            settings.ai_embedding_model,
            UsageOutcome.OK if vectors else UsageOutcome.FAILED,
            prompt_tokens=tokens,
            cost_usd=cost_of(settings, settings.ai_embedding_model, tokens, 0, batch=True),
            detail=f"batch {batch.provider_batch_id}: {status}, {len(vectors)} vectors",
        )
    )
    async with database.transaction(Identity.service()) as session:
        fresh = await session.get(EmbeddingBatch, batch.id)
        if fresh is not None:
            fresh.state = BatchState.APPLIED.value if status == "completed" else BatchState.FAILED.value
            fresh.applied = applied
            fresh.detail = {**fresh.detail, "status": status, "counts": answer.get("request_counts")}
    return status


async def batch_step(database: Database, settings: Settings) -> str:
    """One move of the batch path: resume or poll the open batch, or submit the next one.
    Returns what happened ("waiting", "completed", "submitted", "idle", ...)."""
    model = active_model(settings)
    async with database.transaction(Identity.service()) as session:
        # Batches for a model no longer active are dropped; their rows wait for the active one.
        await session.execute(
            text("UPDATE embedding_batches SET state = :failed WHERE state = ANY(:open) AND model <> :m"),
            {"failed": BatchState.FAILED.value, "open": list(_OPEN_STATES), "m": model},
        )
        batch = (
            (
                await session.execute(
                    select(EmbeddingBatch)
                    .where(EmbeddingBatch.state.in_(_OPEN_STATES), EmbeddingBatch.model == model)
                    .order_by(EmbeddingBatch.created_at)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .first()
        )
        if batch is not None:
            session.expunge(batch)
    if batch is not None:
        if batch.provider_batch_id is None:  # we died around submission: find it, or submit again
            found = await _adopt(settings, batch)
            if found is None:
                await _submit(database, settings, batch)
                return "submitted"
            async with database.transaction(Identity.service()) as session:
                fresh = await session.get(EmbeddingBatch, batch.id)
                if fresh is not None:
                    fresh.provider_batch_id, fresh.state = found, BatchState.SUBMITTED.value
            batch.provider_batch_id = found
        return await _collect(database, settings, batch)
    rows = await _pending_rows(database, model, settings.ai_batch_size)
    if not rows:
        return "idle"
    async with database.transaction(Identity.service()) as session:
        batch = EmbeddingBatch(
            model=model,
            state=BatchState.SUBMITTING.value,
            items=len(rows),
            detail={"rows": [[t, str(i)] for t, i, _ in rows]},
        )
        session.add(batch)
        await session.flush()
        session.expunge(batch)
    await _submit(database, settings, batch)
    return "submitted"


# Providers found without a Batch API, and when: asked again after an hour (it may have been a
# transient 404, or the server gained one).
_no_batch_api: dict[str, float] = {}
NO_BATCH_API_RECHECK_SECONDS = 3600.0


def forget_missing_batch_apis() -> None:
    _no_batch_api.clear()


LOCK_KEY = 7_302_384  # one re-embedding pass at a time across processes (a worker and the CLI)


async def run(database: Database, settings: Settings, budget_seconds: float = 50.0) -> dict[str, Any]:
    """Work towards every vector being the active model's, for about `budget_seconds`; one
    pass at a time in the whole deployment, so two processes never submit the same rows."""
    async with database.engine.connect() as lock:
        if not await lock.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}):
            return {"outcome": "busy", "embedded": 0}
        try:
            return await _run(database, settings, budget_seconds)
        finally:
            await lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})


async def _run(database: Database, settings: Settings, budget_seconds: float) -> dict[str, Any]:
    started = time.monotonic()
    done, outcome = 0, "idle"
    remote = settings.embedding_provider == "openai"
    checked = _no_batch_api.get(settings.ai_base_url)
    known_missing = checked is not None and time.monotonic() - checked < NO_BATCH_API_RECHECK_SECONDS
    if remote and settings.ai_use_batch and not known_missing:
        try:
            outcome = await batch_step(database, settings)
            return {"outcome": outcome, "embedded": 0}
        except NoBatchApi:
            log.info("the provider has no Batch API; re-embedding through /embeddings")
            _no_batch_api[settings.ai_base_url] = time.monotonic()
            async with database.transaction(Identity.service()) as session:
                await session.execute(
                    text("UPDATE embedding_batches SET state = :f WHERE state = ANY(:open)"),
                    {"f": BatchState.FAILED.value, "open": list(_OPEN_STATES)},
                )
        except ProviderError as exc:
            log.warning("re-embedding batch step failed", extra={"problem": str(exc)})
            return {"outcome": "provider_failed", "embedded": 0}
    while time.monotonic() - started < budget_seconds:
        count = await sync_step(database, settings)
        if count == 0:
            break
        done += count
        outcome = "embedded"
    return {"outcome": outcome, "embedded": done}
