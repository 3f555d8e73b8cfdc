"""Background work for notifications: sending each outbox mail, and re-queueing any whose
job was lost."""

from __future__ import annotations

import logging
import uuid

import procrastinate
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from jobswap.notifications.service import SEND_TASK, SWEEP_TASK, RetryLater, retry_stalled, send_one, stranded
from jobswap.worker import TaskContext

log = logging.getLogger(__name__)
STRANDED_AFTER_SECONDS = 120
STALLED_AFTER_SECONDS = 60  # procrastinate workers beat every 10 s


class OutboxRetry(BaseRetryStrategy):
    """The outbox row counts attempts; the task is retried only when the service says so."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, RetryLater):
            return RetryDecision(retry_in={"seconds": exception.wait})
        return RetryDecision(retry_in={"seconds": 30}) if job.attempts < 20 else None


def register(queue: procrastinate.App, ctx: TaskContext) -> None:
    @queue.task(name=SEND_TASK, pass_context=False, retry=OutboxRetry())
    async def _send(email_id: str) -> str:
        status = await send_one(ctx.database, ctx.settings, uuid.UUID(email_id))
        log.info("outbox e-mail", extra={"email_id": email_id, "status": status})
        return status

    @queue.periodic(cron=ctx.settings.outbox_sweep_cron, periodic_id="outbox")
    @queue.task(name=SWEEP_TASK, queueing_lock=SWEEP_TASK, pass_context=False)
    async def _sweep(timestamp: int | None = None) -> int:
        revived = await retry_stalled(queue, STALLED_AFTER_SECONDS)
        lost = await stranded(ctx.database, STRANDED_AFTER_SECONDS)
        for email_id in lost:
            await queue.configure_task(SEND_TASK).defer_async(email_id=str(email_id))
        if lost or revived:
            log.warning("re-queued outbox e-mails", extra={"lost": len(lost), "stalled": revived})
        return len(lost) + revived
