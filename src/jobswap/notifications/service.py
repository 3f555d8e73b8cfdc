"""Telling people: an in-app notification and, unless they opted out, an e-mail in the outbox.

`notify` runs inside the transaction of the change it tells about, and defers the mail's
task on that same connection: both commit, or neither does. The task locks the outbox row
while it sends, so two workers never send one message, and a sender killed mid-send leaves
the row pending for the next try.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlencode

import procrastinate
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.config import Settings
from jobswap.db import AccessRole, Database, Identity, identity_of, paged
from jobswap.errors import NotFound
from jobswap.notifications.kinds import ESSENTIAL, OPTIONAL, SUBJECTS, Kind
from jobswap.notifications.mailer import DeliveryError, deliver
from jobswap.notifications.models import EmailStatus, Notification, OutboxEmail
from jobswap.notifications.render import render
from jobswap.notifications.signing import unsubscribe_token
from jobswap.users.models import User

SEND_TASK = "notifications.send_email"
SWEEP_TASK = "notifications.sweep_outbox"
MAX_RETRY_WAIT_SECONDS = 3600


class RetryLater(Exception):
    """Delivery failed and attempts remain: the task is scheduled again after `wait` seconds."""

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True, slots=True)
class Notifier:
    """What telling someone needs besides the transaction: the settings and the queue."""

    settings: Settings
    queue: procrastinate.App

    def url(self, path: str, **query: str) -> str:
        base = self.settings.app_url.rstrip("/")
        return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")

    async def notify(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        kind: Kind,
        body: str,
        *,
        link: str | None = None,
        facts: dict[str, Any] | None = None,
        email_link: str | None = None,
    ) -> None:
        """`link` is an app path shown in-app and mailed as a full URL, unless `email_link`
        (a secret one-time link) replaces it in the mail only."""
        assert identity_of(session).role is AccessRole.SERVICE, "notify writes for other people"
        user = await session.get(User, user_id)
        if user is None:
            return
        facts = facts or {}
        session.add(
            Notification(
                user_id=user.id, kind=kind.value, title=SUBJECTS[kind], body=body, link=link, data=facts
            )
        )
        if kind not in ESSENTIAL and kind.value in (user.email_opt_out or []):
            await session.flush()
            return
        await self.enqueue_email(session, user, kind, facts, email_link or (self.url(link) if link else None))

    async def notify_in_app(
        self, session: AsyncSession, items: list[tuple[uuid.UUID, Kind, str, str | None, dict[str, Any]]]
    ) -> int:
        """Many in-app notifications in one statement (user, kind, body, link, facts): for passes
        that tell thousands of people at once. No e-mail; a digest mails later."""
        assert identity_of(session).role is AccessRole.SERVICE, "notify writes for other people"
        if not items:
            return 0
        result = await session.execute(
            text(
                "INSERT INTO notifications (user_id, kind, title, body, link, data) "
                "SELECT t.u, t.k, t.t, t.b, t.l, CAST(t.d AS jsonb) FROM unnest(CAST(:u AS uuid[]), "
                "CAST(:k AS text[]), CAST(:t AS text[]), CAST(:b AS text[]), CAST(:l AS text[]), "
                "CAST(:d AS text[])) AS t(u, k, t, b, l, d) JOIN users ON users.id = t.u"
            ),
            {
                "u": [i[0] for i in items],
                "k": [i[1].value for i in items],
                "t": [SUBJECTS[i[1]] for i in items],
                "b": [i[2] for i in items],
                "l": [i[3] for i in items],
                "d": [json.dumps(i[4]) for i in items],
            },
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def enqueue_email(
        self, session: AsyncSession, user: User, kind: Kind, facts: dict[str, Any], link: str | None
    ) -> uuid.UUID:
        settings = self.settings
        unsubscribe = (
            None
            if kind in ESSENTIAL
            else self.url("/api/notifications/unsubscribe", token=unsubscribe_token(settings, user.id, kind))
        )
        rendered = render(
            kind,
            {
                **facts,
                "product": settings.product_name,
                "app_url": settings.app_url,
                "name": user.name,
                "link": link,
                "unsubscribe_url": unsubscribe,
            },
        )
        headers = (
            {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            if unsubscribe
            else {}
        )
        email_id = uuid.uuid4()
        session.add(
            OutboxEmail(
                id=email_id,
                user_id=user.id,
                kind=kind.value,
                to_address=user.email,
                subject=rendered.subject,
                text_body=rendered.text,
                html_body=rendered.html,
                headers=headers,
                message_id=f"<{email_id}@{_mail_domain(settings)}>",
            )
        )
        await session.flush()
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        await self.queue.configure_task(SEND_TASK, connection=raw.driver_connection).defer_async(
            email_id=str(email_id)
        )
        return email_id


def _mail_domain(settings: Settings) -> str:
    address = parseaddr(settings.email_from)[1]
    return address.rpartition("@")[2] or "jobswap.invalid"


def retry_wait(settings: Settings, attempts: int) -> int:
    """Exponential backoff with jitter: base * 2^(attempts-1), +-25%, at most an hour."""
    base = settings.email_retry_seconds * 2 ** max(0, attempts - 1)
    return int(min(MAX_RETRY_WAIT_SECONDS, base * random.uniform(0.75, 1.25)))  # noqa: S311


async def send_one(database: Database, settings: Settings, email_id: uuid.UUID) -> str:
    """Deliver one outbox message if it is still pending; the resulting status (or "busy").

    The row stays locked until delivery's outcome is stored, so a concurrent run skips it
    and a crashed one releases it unsent.
    """
    retry: RetryLater | None = None
    async with database.transaction(Identity.service()) as session:
        email = (
            await session.execute(
                select(OutboxEmail).where(OutboxEmail.id == email_id).with_for_update(skip_locked=True)
            )
        ).scalar_one_or_none()
        if email is None:
            exists = await session.scalar(select(func.count()).where(OutboxEmail.id == email_id))
            return "busy" if exists else "missing"
        if email.status != EmailStatus.PENDING:
            return email.status
        email.attempts += 1
        try:
            email.transport = await deliver(settings, email)
        except DeliveryError as exc:
            email.last_error = str(exc)[:2000]
            if email.attempts >= settings.email_max_attempts:
                email.status = EmailStatus.FAILED
            else:
                retry = RetryLater(email.last_error, retry_wait(settings, email.attempts))
        else:
            email.status = EmailStatus.SENT
            email.sent_at = func.now()
            email.last_error = None
        status = email.status
    if retry is not None:
        raise retry
    return status


async def retry_stalled(queue: procrastinate.App, seconds_since_heartbeat: float) -> int:
    """Send jobs whose worker died (no heartbeat) go back to the queue; the row lock they held
    died with their connection, so the retry finds the mail still pending."""
    stalled = list(
        await queue.job_manager.get_stalled_jobs(
            task_name=SEND_TASK, seconds_since_heartbeat=seconds_since_heartbeat
        )
    )
    for job in stalled:
        await queue.job_manager.retry_job(job)
    return len(stalled)


async def stranded(database: Database, older_than_seconds: int) -> list[uuid.UUID]:
    """Pending mails with no queued or running job (the job row was lost, or deleted)."""
    async with database.transaction(Identity.service()) as session:
        rows = await session.execute(
            text(
                """
                SELECT o.id FROM email_outbox o
                WHERE o.status = 'pending' AND o.created_at < now() - make_interval(secs => :age)
                  AND NOT EXISTS (
                    SELECT 1 FROM procrastinate_jobs j
                    WHERE j.task_name = :task AND j.args ->> 'email_id' = o.id::text
                      AND j.status IN ('todo', 'doing'))
                ORDER BY o.created_at LIMIT 500
                """
            ),
            {"age": older_than_seconds, "task": SEND_TASK},
        )
        return [r[0] for r in rows]


# --- in-app notifications and preferences ---------------------------------------------------


async def list_own(
    session: AsyncSession, user: User, unread_only: bool, limit: int, offset: int
) -> tuple[list[Notification], int, int]:
    own = Notification.user_id == user.id
    where = [own, Notification.read_at.is_(None)] if unread_only else [own]
    unread = await session.scalar(
        select(func.count()).select_from(Notification).where(own, Notification.read_at.is_(None))
    )
    query = select(Notification).where(*where).order_by(Notification.created_at.desc(), Notification.id)
    rows, total = await paged(session, query, limit, offset)
    return rows, total, int(unread or 0)


async def mark_read(session: AsyncSession, user: User, notification_id: uuid.UUID | None) -> int:
    """One notification (or, with None, all) marked read; how many changed."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        exists = await session.scalar(
            select(func.count()).where(Notification.id == notification_id, Notification.user_id == user.id)
        )
        if not exists:
            raise NotFound("No such notification.")
        stmt = stmt.where(Notification.id == notification_id)
    result = await session.execute(stmt.values(read_at=func.now()))
    return int(getattr(result, "rowcount", 0) or 0)


def preferences(user: User) -> dict[str, bool]:
    opted_out = set(user.email_opt_out or [])
    return {kind.value: kind.value not in opted_out for kind in OPTIONAL}


async def set_preferences(session: AsyncSession, user: User, email: dict[Kind, bool]) -> dict[str, bool]:
    opted_out = set(user.email_opt_out or [])
    for kind, wanted in email.items():
        (opted_out.discard if wanted else opted_out.add)(kind.value)
    user.email_opt_out = sorted(opted_out)
    await session.flush()
    return preferences(user)


async def unsubscribe(database: Database, user_id: uuid.UUID, kind: Kind) -> None:
    """From a signed link: nobody is signed in, so the service identity writes it."""
    async with database.transaction(Identity.service()) as session:
        user = await session.get(User, user_id, with_for_update={"key_share": True})
        if user is not None and kind.value not in (user.email_opt_out or []):
            user.email_opt_out = sorted({*(user.email_opt_out or []), kind.value})


def as_of(value: datetime) -> str:
    """A date as mails show it (UTC, day precision)."""
    return value.strftime("%d %B %Y")
