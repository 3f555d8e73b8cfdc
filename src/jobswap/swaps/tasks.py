"""Background work for swap requests: reminders before expiry, and expiry, on a schedule.

The periodic job's timestamp is the clock, so a test (or an operator catching up) can run
the task "as of" any moment through the real queue.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import procrastinate

from jobswap.notifications.service import Notifier
from jobswap.swaps.service import SwapService
from jobswap.worker import TaskContext

log = logging.getLogger(__name__)
EXPIRE_TASK = "swaps.expire_and_remind"


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    service = SwapService(ctx.settings, Notifier(ctx.settings, queue))

    @queue.periodic(cron=ctx.settings.swap_expiry_cron, periodic_id="swap-expiry")
    @queue.task(name=EXPIRE_TASK, queueing_lock=EXPIRE_TASK, lock=EXPIRE_TASK, pass_context=False)
    async def _expire(timestamp: int | None = None) -> dict[str, int]:
        now = datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else datetime.now(UTC)
        counts = await service.expire_and_remind(ctx.database, now)
        if any(counts.values()):
            log.info("swap requests reminded and expired", extra=counts)
        return counts
