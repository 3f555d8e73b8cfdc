"""Background re-embedding: a periodic pass moves every stored vector to the active model."""

from __future__ import annotations

from typing import Any

import procrastinate

from jobswap.embeddings import reembed
from jobswap.worker import TaskContext

REEMBED_TASK = "embeddings.reembed"


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    @queue.periodic(cron=ctx.settings.reembed_cron, periodic_id="reembed")
    @queue.task(name=REEMBED_TASK, queueing_lock=REEMBED_TASK, lock=REEMBED_TASK, pass_context=False)
    async def _reembed(timestamp: int | None = None) -> dict[str, Any]:
        """A minute's worth of re-embedding (or one batch step)."""
        return await reembed.run(ctx.database, ctx.settings, budget_seconds=50.0)
