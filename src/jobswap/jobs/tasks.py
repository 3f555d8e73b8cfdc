"""Background work for jobs: scrape runs, embeddings, saved searches' schedule, recovery."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import procrastinate
from sqlalchemy import select

from jobswap.db import Identity
from jobswap.embeddings.model import get_embedder
from jobswap.jobs import service
from jobswap.jobs.models import Job
from jobswap.worker import TaskContext

log = logging.getLogger(__name__)
SCHEDULE_TASK = "jobs.schedule"
RECOVER_TASK = "jobs.recover"


def embedding_text(job: Job) -> str:
    return f"{job.title}\n{job.company}\n{', '.join(job.skills or [])}\n{job.description[:4000]}"


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    async def defer(task: str, args: dict[str, Any]) -> None:
        await queue.configure_task(task).defer_async(**args)

    @queue.task(name=service.SCRAPE_TASK, pass_context=False)
    async def _scrape(run_id: str) -> str:
        return await service.execute(ctx.database, ctx.settings, uuid.UUID(run_id), defer=defer)

    @queue.task(
        name=service.EMBED_TASK,
        pass_context=False,
        retry=procrastinate.RetryStrategy(max_attempts=5, wait=2, exponential_wait=2),
    )
    async def _embed(job_ids: list[str]) -> int:
        """The same 384-dim model as resumes, so jobs and resumes compare directly."""
        ids = [uuid.UUID(i) for i in job_ids]
        async with ctx.database.transaction(Identity.service()) as session:
            jobs = list((await session.execute(select(Job).where(Job.id.in_(ids)))).scalars())
            texts = [embedding_text(j) for j in jobs]
        if not jobs:
            return 0
        vectors = await asyncio.to_thread(get_embedder().embed_sync, texts)
        async with ctx.database.transaction(Identity.service()) as session:
            for job, vector in zip(jobs, vectors, strict=True):
                fresh = await session.get(Job, job.id)
                if fresh is not None:
                    fresh.embedding = vector.tolist()
        return len(jobs)

    @queue.periodic(cron=ctx.settings.scrape_schedule_cron, periodic_id="saved-searches")
    @queue.task(name=SCHEDULE_TASK, queueing_lock=SCHEDULE_TASK, pass_context=False)
    async def _schedule(timestamp: int | None = None) -> int:
        runs = await service.due_searches(ctx.database)
        for run_id in runs:
            await service.queue_run(queue, run_id)
        return len(runs)

    @queue.periodic(cron="* * * * *", periodic_id="recover-scrapes")
    @queue.task(name=RECOVER_TASK, queueing_lock=RECOVER_TASK, pass_context=False)
    async def _recover(timestamp: int | None = None) -> int:
        return await service.recover(ctx.database, ctx.settings, queue, seconds_since_heartbeat=60)
