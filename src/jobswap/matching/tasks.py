"""Background work for matching: the full run over everyone, on a schedule."""

from __future__ import annotations

import logging

import procrastinate

from jobswap.matching.service import run_everyone
from jobswap.worker import TaskContext

log = logging.getLogger(__name__)
RUN_TASK = "matching.run_all"


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    @queue.periodic(cron=ctx.settings.match_run_cron, periodic_id="nightly")
    @queue.task(name=RUN_TASK, queueing_lock=RUN_TASK, lock=RUN_TASK, pass_context=False)
    async def _run(timestamp: int | None = None) -> dict[str, float]:
        stats = await run_everyone(ctx.database, ctx.settings)
        log.info("swap matching run", extra=stats)
        return stats
