"""Scrape runs from request to finish, saved searches' schedules, and job search.

A run fetches its sources concurrently; each listing page is stored in its own
transaction together with the run's counters, so a run killed at any moment has
stored whole pages and counted exactly those. A failing source is recorded and the
others go on: the run ends `partial`. Runs are procrastinate tasks that take the
run id; a worker that dies mid-run leaves a stalled task that `recover` retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from croniter import croniter
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.config import Settings
from jobswap.db import Database, Identity
from jobswap.embeddings.provider import embed_texts
from jobswap.errors import BadRequest, NotFound
from jobswap.jobs.fetch import Fetcher, FetchError
from jobswap.jobs.models import Job, SavedSearch, ScrapeRun
from jobswap.jobs.normalise import company_key
from jobswap.jobs.pipeline import CORRECTABLE, bump_corpus, prepare, store
from jobswap.jobs.placing import read_job
from jobswap.jobs.sources import SOURCES, Query, build_source
from jobswap.jobs.sources.base import Page

log = logging.getLogger(__name__)

SCRAPE_TASK = "jobs.scrape"
EMBED_TASK = "jobs.embed"
MAX_RUN_ATTEMPTS = 3
FINISHED = ("succeeded", "partial", "failed")

Defer = Callable[[str, dict[str, Any]], Any]  # (task name, arguments) -> awaitable
Progress = Callable[[str, dict[str, Any]], None]  # (source, its counters so far), after each page


@dataclass(frozen=True)
class RunRequest:
    sources: list[str]
    query: str
    location: str | None = None
    max_pages: int = 5
    options: dict[str, Any] | None = None

    def check(self) -> None:
        unknown = sorted(set(self.sources) - set(SOURCES))
        if not self.sources or unknown:
            raise BadRequest(f"Unknown or no sources: {unknown or '[]'}; known: {', '.join(SOURCES)}.")
        if len(set(self.sources)) != len(self.sources):
            raise BadRequest("Each source may be named once.")
        options = self.options or {}
        if "generic" in self.sources and not isinstance(options.get("url"), str):
            raise BadRequest("The generic source needs options.url, the career page to read.")
        if options.get("rules") is not None:
            from jobswap.jobs.sources.pages import validate_rules

            try:
                validate_rules(options["rules"])
            except ValueError as exc:
                raise BadRequest(f"options.rules: {exc}") from exc
        if options.get("render"):
            from jobswap.jobs.browser import available

            if not available():
                raise BadRequest("Rendering pages needs the 'browser' extra and Chromium on this server.")
        if "greenhouse" in self.sources and not isinstance(options.get("board"), str):
            raise BadRequest("The greenhouse source needs options.board, the employer's board token.")
        if "lever" in self.sources and not isinstance(options.get("company"), str):
            raise BadRequest("The lever source needs options.company, the employer's Lever name.")


async def create_run(
    session: AsyncSession, request: RunRequest, saved_search_id: uuid.UUID | None = None
) -> ScrapeRun:
    request.check()
    run = ScrapeRun(
        sources=request.sources,
        query=request.query,
        location=request.location,
        max_pages=request.max_pages,
        options=request.options or {},
        status="queued",
        saved_search_id=saved_search_id,
        per_source={s: {"status": "queued"} for s in request.sources},
        errors={},
        rejections={},
    )
    session.add(run)
    await session.flush()
    return run


# a source's own counters (in per_source) -> the run's columns that add them up
_COLUMNS = {
    "pages": "pages_fetched",
    "found": "postings_found",
    "new": "postings_new",
    "updated": "postings_updated",
    "merged": "postings_merged",
    "rejected": "postings_rejected",
}


async def execute(
    database: Database,
    settings: Settings,
    run_id: uuid.UUID,
    *,
    defer: Defer | None = None,
    fetcher: Fetcher | None = None,
    progress: Progress | None = None,
) -> str:
    """Run a scrape to its end and return its status. Safe to call again: a finished run is
    left alone, a run left `running` by a dead worker starts over (its pages are stored
    idempotently)."""
    async with database.transaction(Identity.service()) as session:
        run = await session.get(ScrapeRun, run_id, with_for_update=True)
        if run is None:
            return "missing"
        if run.status in FINISHED:
            return run.status
        if run.attempts >= MAX_RUN_ATTEMPTS:
            _finish(run, "failed", f"gave up after {run.attempts} attempts", time.monotonic())
            return "failed"
        run.status = "running"
        run.attempts += 1
        run.started_at = run.heartbeat_at = datetime.now(UTC)
        for name in (*_COLUMNS.values(), "requests"):
            setattr(run, name, 0)
        run.errors, run.rejections = {}, {}
        run.per_source = {s: {"status": "running"} for s in run.sources}
        query = Query(run.query, run.location, run.max_pages, dict(run.options or {}))
        sources = list(run.sources)
    started = time.monotonic()
    own = fetcher is None
    fetch = fetcher or Fetcher(settings)
    requests_before = fetch.stats.requests
    try:
        results = await asyncio.gather(
            *(
                _one_source(database, settings, run_id, name, query, fetch, defer, progress)
                for name in sources
            )
        )
    finally:
        if own:
            await fetch.aclose()
    if all(r == "succeeded" for r in results):
        status = "succeeded"
    elif all(r == "failed" for r in results):
        status = "failed"
    else:
        status = "partial"
    async with database.transaction(Identity.service()) as session:
        run = await session.get(ScrapeRun, run_id, with_for_update=True)
        assert run is not None
        run.requests = fetch.stats.requests - requests_before
        failed = [s for s, state in (run.per_source or {}).items() if state.get("status") == "failed"]
        message = f"failed: {', '.join(failed)}" if failed else None
        _finish(run, status, message, started)
    log.info("scrape run finished", extra={"run_id": str(run_id), "status": status})
    return status


def _finish(run: ScrapeRun, status: str, message: str | None, started: float) -> None:
    run.status = status
    run.message = message
    run.finished_at = datetime.now(UTC)
    run.duration_seconds = round(time.monotonic() - started, 3)


async def _one_source(
    database: Database,
    settings: Settings,
    run_id: uuid.UUID,
    name: str,
    query: Query,
    fetch: Fetcher,
    defer: Defer | None,
    progress: Progress | None = None,
) -> str:
    """Fetch and store one source's pages and return its status. Never raises."""
    fatal: dict[str, int] = {}
    stats: dict[str, Any] = {"status": "running", **dict.fromkeys(_COLUMNS, 0), "errors": {}}
    try:
        source = build_source(name, settings)
        async for page in _ahead(source.pages(query, fetch)):
            now = datetime.now(UTC)
            prepared = await asyncio.to_thread(prepare, page.postings, now)  # keeps the loop fetching
            async with database.transaction(Identity.service()) as session:
                outcome = await store(session, page.postings, now=now, prepared=prepared)
                step = {
                    "pages": 1,
                    "found": len(page.postings),
                    "new": outcome.new,
                    "updated": outcome.updated,
                    "merged": outcome.merged,
                    "rejected": sum(outcome.rejected.values()),
                }
                errors: dict[str, int] = {}
                for exc in page.errors:
                    errors[exc.kind] = errors.get(exc.kind, 0) + 1
                for key, value in step.items():
                    stats[key] += value
                for kind, count in errors.items():
                    stats["errors"][kind] = stats["errors"].get(kind, 0) + count
                columns = {_COLUMNS[key]: value for key, value in step.items()}
                await _count(session, run_id, name, stats, columns, errors, outcome.rejected)
            if progress is not None:
                progress(name, dict(stats))
            if defer is not None and outcome.job_ids:
                await defer(EMBED_TASK, {"job_ids": [str(i) for i in outcome.job_ids]})
        stats["status"] = "partial" if stats["errors"] else "succeeded"
    except FetchError as exc:
        fatal = {exc.kind: 1}
        stats["message"] = str(exc)[:300]
        log.warning("source failed", extra={"run_id": str(run_id), "source": name, "error": str(exc)})
    except Exception as exc:  # a parser bug on a changed layout must not stop the other sources
        fatal = {"parser": 1}
        stats["message"] = f"{type(exc).__name__}: {exc}"[:300]
        log.exception("source crashed", extra={"run_id": str(run_id), "source": name})
    if fatal:
        for kind, count in fatal.items():
            stats["errors"][kind] = stats["errors"].get(kind, 0) + count
        stats["status"] = "partial" if stats["pages"] else "failed"
    async with database.transaction(Identity.service()) as session:
        await _count(session, run_id, name, stats, {}, fatal, {})
    return str(stats["status"])


async def _ahead(pages: AsyncIterator[Page], depth: int = 2) -> AsyncIterator[Page]:
    """The source's pages, fetched up to `depth` ahead while the current one is stored, so that a
    source runs at its host's rate limit rather than at fetch-then-store speed."""
    ready: asyncio.Queue[tuple[Page | None, BaseException | None]] = asyncio.Queue(depth)

    async def produce() -> None:
        try:
            async for page in pages:
                await ready.put((page, None))
            await ready.put((None, None))
        except Exception as exc:  # handed to the consumer, in order
            await ready.put((None, exc))

    task = asyncio.create_task(produce())
    try:
        while True:
            page, error = await ready.get()
            if error is not None:
                raise error
            if page is None:
                return
            yield page
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _add_counts(
    session: AsyncSession, run_id: uuid.UUID, column: Literal["errors", "rejections"], counts: dict[str, int]
) -> None:
    """Add to a JSON object of counters (errors by kind, rejections by reason), key by key."""
    for key, count in counts.items():
        await session.execute(
            text(
                f"UPDATE scrape_runs SET {column} = jsonb_set({column}, ARRAY[:k], "
                f"to_jsonb(coalesce(({column} ->> :k)::int, 0) + :n)) WHERE id = :id"
            ),
            {"k": key, "n": count, "id": run_id},
        )


async def _count(
    session: AsyncSession,
    run_id: uuid.UUID,
    source: str,
    stats: dict[str, Any],
    columns: dict[str, int],
    errors: dict[str, int],
    rejections: dict[str, int],
) -> None:
    """Add to the run's counters with SQL increments (sources run concurrently), and record
    this source's own state and a heartbeat."""
    sets = ", ".join(f"{k} = {k} + :{k}" for k in columns)
    await session.execute(
        text(
            "UPDATE scrape_runs SET "
            + (sets + ", " if sets else "")
            + "per_source = per_source || jsonb_build_object(CAST(:source AS text), CAST(:state AS jsonb)), "
            "heartbeat_at = now() WHERE id = :id"
        ),
        {**columns, "source": source, "state": json.dumps(stats), "id": run_id},
    )
    await _add_counts(session, run_id, "errors", errors)
    await _add_counts(session, run_id, "rejections", rejections)


# --- recovery -----------------------------------------------------------------------------


async def recover(
    database: Database, settings: Settings, queue: Any, *, seconds_since_heartbeat: float
) -> int:
    """Scrape tasks whose worker stopped sending heartbeats are queued again (they start the run
    over); runs left `running` with no live task and a stale heartbeat are marked failed."""
    stalled = list(
        await queue.job_manager.get_stalled_jobs(
            task_name=SCRAPE_TASK, seconds_since_heartbeat=seconds_since_heartbeat
        )
    )
    for job in stalled:
        await queue.job_manager.retry_job(job)
        log.warning("stalled scrape task retried", extra={"job_id": job.id, "task_args": job.task_kwargs})
    live: set[uuid.UUID] = set()
    for status in ("todo", "doing"):
        for job in await queue.job_manager.list_jobs_async(task=SCRAPE_TASK, status=status):
            with contextlib.suppress(KeyError, ValueError, TypeError):
                live.add(uuid.UUID(job.task_kwargs["run_id"]))
    cutoff = datetime.now(UTC) - timedelta(seconds=settings.scrape_run_stale_seconds)
    async with database.transaction(Identity.service()) as session:
        orphaned = update(ScrapeRun).where(ScrapeRun.status == "running", ScrapeRun.heartbeat_at < cutoff)
        if live:
            orphaned = orphaned.where(ScrapeRun.id.not_in(live))
        result = await session.execute(
            orphaned.values(status="failed", message="the worker running it stopped", finished_at=func.now())
        )
    return len(stalled) + int(getattr(result, "rowcount", 0) or 0)


# --- saved searches ----------------------------------------------------------------------------


def next_time(cron: str, after: datetime) -> datetime:
    if not croniter.is_valid(cron):  # type: ignore[no-untyped-call]
        raise BadRequest(f"Not a valid cron expression: {cron!r}.")
    value = croniter(cron, after).get_next(datetime)  # type: ignore[no-untyped-call]
    assert isinstance(value, datetime)
    return value


async def due_searches(database: Database, now: datetime | None = None) -> list[uuid.UUID]:
    """Create a run for every enabled saved search whose time has come; their ids."""
    now = now or datetime.now(UTC)
    created = []
    async with database.transaction(Identity.service()) as session:
        searches = (
            await session.execute(
                select(SavedSearch)
                .where(SavedSearch.enabled, SavedSearch.next_run_at <= now)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        for search in searches:
            request = RunRequest(
                search.sources, search.query, search.location, search.max_pages, search.options
            )
            run = await create_run(session, request, saved_search_id=search.id)
            search.last_run_at = now
            search.next_run_at = next_time(search.cron, now)
            created.append(run.id)
    return created


# --- reading -------------------------------------------------------------------------------------


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> ScrapeRun:
    run = await session.get(ScrapeRun, run_id)
    if run is None:
        raise NotFound("No such scrape run.")
    return run


async def metrics(session: AsyncSession, since: datetime) -> dict[str, Any]:
    """Per source over finished runs since `since`: runs, success rate, postings and jobs per
    minute of running time."""
    rows = (
        await session.execute(
            select(ScrapeRun.per_source, ScrapeRun.duration_seconds).where(
                ScrapeRun.created_at >= since, ScrapeRun.status.in_(FINISHED)
            )
        )
    ).all()
    out: dict[str, dict[str, float]] = {}
    for per_source, duration in rows:
        for source, state in (per_source or {}).items():
            entry = out.setdefault(
                source, {"runs": 0, "succeeded": 0, "postings": 0, "new": 0, "seconds": 0.0}
            )
            entry["runs"] += 1
            entry["succeeded"] += int(state.get("status") == "succeeded")
            entry["postings"] += int(state.get("found", 0))
            entry["new"] += int(state.get("new", 0))
            entry["seconds"] += float(duration or 0)
    return {
        source: {
            "runs": e["runs"],
            "success_rate": round(e["succeeded"] / e["runs"], 3) if e["runs"] else None,
            "postings": e["postings"],
            "new_jobs": e["new"],
            "postings_per_minute": round(e["postings"] / (e["seconds"] / 60), 1) if e["seconds"] else None,
        }
        for source, e in sorted(out.items())
    }


@dataclass(frozen=True)
class JobFilter:
    text: str | None = None
    location: str | None = None
    workplace: str | None = None
    posted_since: datetime | None = None
    salary_min: float | None = None  # annual, in the job's currency
    currency: str | None = None
    language: str | None = None
    source: str | None = None
    level: str | None = None


async def search(session: AsyncSession, where: JobFilter, limit: int, offset: int) -> tuple[list[Job], int]:
    stmt = select(Job)
    rank = None
    if where.text:
        tsquery = func.websearch_to_tsquery("simple", where.text)
        stmt = stmt.where(Job.search.op("@@")(tsquery))
        rank = func.ts_rank(Job.search, tsquery)
    if where.location:
        like = f"%{where.location.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Job.location.ilike(like), Job.city.ilike(like), Job.region.ilike(like),
                              Job.country.ilike(where.location)))  # fmt: skip
    if where.workplace:
        stmt = stmt.where(Job.workplace == where.workplace)
    if where.posted_since:
        stmt = stmt.where(Job.posted_at >= where.posted_since)
    if where.salary_min is not None:
        stmt = stmt.where(func.coalesce(Job.salary_annual_max, Job.salary_annual_min) >= where.salary_min)
    if where.currency:
        stmt = stmt.where(Job.salary_currency == where.currency)
    if where.language:
        stmt = stmt.where(Job.language == where.language)
    if where.level:
        stmt = stmt.where(Job.experience_level == where.level)
    if where.source:
        stmt = stmt.where(
            text(
                "EXISTS (SELECT 1 FROM job_sources s WHERE s.job_id = jobs.id AND s.source = :src)"
            ).bindparams(src=where.source)
        )
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    order = [rank.desc()] if rank is not None else []
    stmt = stmt.order_by(*order, Job.posted_at.desc().nulls_last(), Job.last_seen.desc(), Job.id)
    rows = (await session.execute(stmt.limit(limit).offset(offset))).scalars().all()
    return list(rows), int(total)


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job:
    job = await session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job.")
    return job


async def correct_job(session: AsyncSession, job_id: uuid.UUID, changes: dict[str, Any]) -> Job:
    """An admin's correction: applied and pinned, so later scrapes keep it."""
    job = await get_job(session, job_id)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise BadRequest(f"These fields cannot be corrected: {sorted(unknown)}.")
    for key, value in changes.items():
        setattr(job, key, value)
    if "company" in changes:
        job.company_key = company_key(changes["company"])[:300]
    if {"title", "location", "country"} & set(changes):
        for key, value in read_job(job.title, job.location, job.country).items():
            setattr(job, key, value)
    job.corrected = {**(job.corrected or {}), **{k: True for k in changes}}
    job.updated_at = datetime.now(UTC)
    await session.flush()
    await bump_corpus(session)
    return job


async def start_run(
    database: Database,
    queue: Any,
    request: RunRequest,
    identity: Identity,
    *,
    saved_search_id: uuid.UUID | None = None,
) -> ScrapeRun:
    """Store a queued run, then queue its task (after the commit, so the worker finds the row)."""
    async with database.transaction(identity) as session:
        run = await create_run(session, request, saved_search_id)
    await queue_run(queue, run.id)
    return run


async def queue_run(queue: Any, run_id: uuid.UUID) -> None:
    await queue.configure_task(SCRAPE_TASK, queueing_lock=f"scrape:{run_id}").defer_async(run_id=str(run_id))


def embedding_text(job: Job) -> str:
    return f"{job.title}\n{job.company}\n{', '.join(job.skills or [])}\n{job.description[:4000]}"


async def embed_jobs(database: Database, settings: Settings, job_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Embed these jobs with the configured model (the resumes' too, so the two compare) and
    return the ids embedded. The model runs outside any transaction; a job deleted meanwhile
    is skipped."""
    async with database.transaction(Identity.service()) as session:
        jobs = list((await session.execute(select(Job).where(Job.id.in_(job_ids)))).scalars())
        texts = [embedding_text(j) for j in jobs]
    if not jobs:
        return []
    embedded = await embed_texts(settings, texts)
    done: list[uuid.UUID] = []
    async with database.transaction(Identity.service()) as session:
        for job, vector in zip(jobs, embedded.vectors, strict=True):
            fresh = await session.get(Job, job.id)
            if fresh is not None:
                fresh.embedding = vector
                fresh.embedding_model = embedded.model
                done.append(job.id)
        if done:
            await bump_corpus(session)
    return done


async def unembedded(database: Database, limit: int) -> list[uuid.UUID]:
    """Jobs stored without a vector (a CLI scrape or import with no worker, a lost task)."""
    async with database.transaction(Identity.service()) as session:
        rows = await session.execute(
            select(Job.id).where(Job.embedding.is_(None)).order_by(Job.first_seen, Job.id).limit(limit)
        )
        return list(rows.scalars())
