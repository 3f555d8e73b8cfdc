"""Background work for job matching: the alert pass over newly embedded jobs (deferred by the
embedding task), and the daily and weekly digests, on a schedule whose timestamp is the clock."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import procrastinate

from jobswap.db import Identity
from jobswap.jobmatch import alerts, repository
from jobswap.jobs.tasks import ALERTS_TASK
from jobswap.notifications.service import Notifier
from jobswap.worker import TaskContext

log = logging.getLogger(__name__)
DIGEST_TASK = "jobmatch.digests"
TERM_STATS_TASK = "jobmatch.term_stats"


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    notifier = Notifier(ctx.settings, queue)

    @queue.task(
        name=ALERTS_TASK,
        pass_context=False,
        retry=procrastinate.RetryStrategy(max_attempts=5, wait=2, exponential_wait=2),
    )
    async def _alerts(job_ids: list[str]) -> int:
        found = await alerts.run_pass(ctx.database, notifier, [uuid.UUID(i) for i in job_ids])
        if found:
            log.info("job alert hits", extra={"jobs": len(job_ids), "hits": found})
        return found

    @queue.periodic(cron="*/15 * * * *", periodic_id="job-alert-digests")
    @queue.task(name=DIGEST_TASK, queueing_lock=DIGEST_TASK, lock=DIGEST_TASK, pass_context=False)
    async def _digests(timestamp: int | None = None) -> int:
        now = datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else datetime.now(UTC)
        return await alerts.due_digests(ctx.database, notifier, now)

    @queue.periodic(cron="17 * * * *", periodic_id="job-term-stats")
    @queue.task(name=TERM_STATS_TASK, queueing_lock=TERM_STATS_TASK, lock=TERM_STATS_TASK, pass_context=False)
    async def _term_stats(timestamp: int | None = None) -> int:
        """Hourly: how many jobs hold each search term (the full-text leg's term choice reads it)."""
        async with ctx.database.transaction(Identity.service()) as session:
            return await repository.refresh_term_stats(session)
