"""Background work for auth: purging what can no longer be used, on a schedule."""

from __future__ import annotations

import logging
from datetime import timedelta

import procrastinate

from jobswap.auth import repository
from jobswap.auth.email_links import RESET_TASK, EmailLinks
from jobswap.auth.security import Passwords
from jobswap.db import Identity
from jobswap.notifications.service import Notifier
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

    links = EmailLinks(ctx.database, Passwords(ctx.settings), Notifier(ctx.settings, queue))

    @queue.task(name=RESET_TASK, pass_context=False)
    async def _send_reset(email: str) -> bool:
        """Whether a link went out (nothing for unknown addresses or over the rate limit)."""
        return await links.send_reset(email)
