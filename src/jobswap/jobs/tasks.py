"""Background work for jobs: scrape runs, embeddings, saved searches' schedule, recovery."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import procrastinate

from jobswap.jobs import service
from jobswap.worker import TaskContext

log = logging.getLogger(__name__)
SCHEDULE_TASK = "jobs.schedule"
RECOVER_TASK = "jobs.recover"
EMBED_MISSING_TASK = "jobs.embed_missing"
ALERTS_TASK = "jobmatch.alerts"  # registered by jobswap.jobmatch.tasks
EMBED_BATCH = 64


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
        """Then the new jobs go to the saved alerts (job matching's incremental pass)."""
        done = await service.embed_jobs(ctx.database, ctx.settings, [uuid.UUID(i) for i in job_ids])
        if done:
            await defer(ALERTS_TASK, {"job_ids": [str(i) for i in done]})
        return len(done)

    @queue.periodic(cron="*/5 * * * *", periodic_id="embed-missing")
    @queue.task(name=EMBED_MISSING_TASK, queueing_lock=EMBED_MISSING_TASK, pass_context=False)
    async def _embed_missing(timestamp: int | None = None) -> int:
        """Jobs that were stored with no embedding task (a CLI run with no worker, a lost task)."""
        ids = await service.unembedded(ctx.database, limit=EMBED_BATCH * 10)
        for start in range(0, len(ids), EMBED_BATCH):
            await defer(service.EMBED_TASK, {"job_ids": [str(i) for i in ids[start : start + EMBED_BATCH]]})
        return len(ids)

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
