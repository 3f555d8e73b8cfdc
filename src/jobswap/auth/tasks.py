"""Background work for auth: purging what can no longer be used, on a schedule."""

from __future__ import annotations

import logging
from datetime import timedelta

import procrastinate

from jobswap.auth import repository
from jobswap.db import Identity
from jobswap.worker import TaskContext

log = logging.getLogger(__name__)

PURGE_TASK = "auth.purge_expired_tokens"


async def purge_expired_tokens(ctx: TaskContext) -> dict[str, int]:
    """Delete expired refresh tokens and sessions, and sign-in attempts past any throttle window.

    Idempotent: a second run deletes nothing more.
    """
    keep_attempts = timedelta(seconds=max(ctx.settings.signin_window_seconds, 86_400))
    async with ctx.database.transaction(Identity.service()) as session:
        counts = await repository.purge_expired(session, keep_attempts)
    log.info("purged expired auth rows", extra=counts)
    return counts


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    @queue.periodic(cron=ctx.settings.token_purge_cron, periodic_id="hourly")
    @queue.task(name=PURGE_TASK, queueing_lock=PURGE_TASK, pass_context=False)
    async def _purge(timestamp: int | None = None) -> dict[str, int]:
        return await purge_expired_tokens(ctx)
