"""Background work for resumes: parse and embed each upload; re-queue any that got stuck."""

from __future__ import annotations

import uuid

import procrastinate

from jobswap.db import Identity
from jobswap.resumes import repository
from jobswap.resumes.service import MAX_PARSE_ATTEMPTS, PROCESS_TASK, ResumeService, process
from jobswap.resumes.storage import build_storage
from jobswap.worker import TaskContext

SWEEP_TASK = "resumes.requeue_stale"


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    storage = build_storage(ctx.settings)

    @queue.task(
        name=PROCESS_TASK,
        pass_context=False,
        retry=procrastinate.RetryStrategy(max_attempts=8, wait=1, exponential_wait=2),
    )
    async def _process(resume_id: str) -> str | None:
        status = await process(
            uuid.UUID(resume_id),
            settings=ctx.settings,
            database=ctx.database,
            storage=storage,
        )
        return status.value if status else None

    @queue.periodic(cron=ctx.settings.resume_sweep_cron, periodic_id="sweep")
    @queue.task(name=SWEEP_TASK, queueing_lock=SWEEP_TASK, pass_context=False)
    async def _sweep(timestamp: int | None = None) -> int:
        """Resumes left pending (a worker died, or the queue was down at upload) are queued again."""
        async with ctx.database.transaction(Identity.service()) as session:
            stale = await repository.stale_pending(session, 300, MAX_PARSE_ATTEMPTS)
        service = ResumeService(ctx.settings, storage, queue)
        for resume_id in stale:
            await service.enqueue(resume_id)
        return len(stale)
