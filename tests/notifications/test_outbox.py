"""The transactional outbox against a real SMTP server: written with the change or not at all,
retried with backoff, marked failed with its error, sent once even when a worker dies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.db import Identity
from jobswap.notifications.kinds import Kind
from jobswap.notifications.service import Notifier, retry_stalled, send_one, stranded
from jobswap.runtime import Runtime
from tests.conftest import Account, Mailbox
from tests.swaps.conftest import drain


def outbox(admin_engine: Any) -> list[Any]:
    with admin_engine.connect() as conn:
        return list(
            conn.execute(text("SELECT id, kind, status, attempts, last_error, transport FROM email_outbox"))
        )


def clear_outbox(admin_engine: Any) -> None:
    with admin_engine.begin() as conn:
        conn.execute(text("DELETE FROM email_outbox"))
        conn.execute(text("DELETE FROM notifications"))
        conn.execute(text("DELETE FROM procrastinate_jobs"))


async def tell(runtime: Runtime, user_id: uuid.UUID, fail: bool = False) -> None:
    notifier = Notifier(runtime.settings, runtime.queue)
    async with runtime.database.transaction(Identity.service()) as session:
        await notifier.notify(
            session,
            user_id,
            Kind.SWAP_EXPIRED,
            "A swap request expired.",
            link="/api/swap-requests/x",
            facts={"cycle_size": 2},
        )
        if fail:
            raise RuntimeError("the change this mail tells about failed")


async def test_a_rolled_back_change_leaves_no_mail_and_no_job(
    runtime: Runtime, alice: Account, admin_engine: Any
) -> None:
    clear_outbox(admin_engine)
    with pytest.raises(RuntimeError):
        await tell(runtime, alice.id, fail=True)
    with admin_engine.connect() as conn:
        counts = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("email_outbox", "notifications", "procrastinate_jobs")
        ]
    assert counts == [0, 0, 0]
    await tell(runtime, alice.id)
    with admin_engine.connect() as conn:
        jobs = conn.execute(text("SELECT task_name, args FROM procrastinate_jobs")).all()
    [row] = outbox(admin_engine)
    assert [(j.task_name, j.args) for j in jobs] == [("notifications.send_email", {"email_id": str(row.id)})]


async def test_refused_mail_is_retried_then_failed_with_its_error(
    runtime: Runtime, alice: Account, admin_engine: Any, mailbox: Mailbox
) -> None:
    clear_outbox(admin_engine)
    mailbox.mode = "refuse"
    await tell(runtime, alice.id)
    await drain(runtime)  # retries come back at once (email_retry_seconds=0 in tests)
    [row] = outbox(admin_engine)
    assert row.status == "failed" and row.attempts == runtime.settings.email_max_attempts == 3
    assert row.last_error.startswith("SMTP 554") and "refused by policy" in row.last_error
    assert mailbox.messages == []


async def test_a_busy_server_is_retried_until_it_takes_the_mail(
    runtime: Runtime, alice: Account, admin_engine: Any, mailbox: Mailbox
) -> None:
    clear_outbox(admin_engine)
    mailbox.defer_next = 2
    await tell(runtime, alice.id)
    await drain(runtime)
    [row] = outbox(admin_engine)
    assert (row.status, row.attempts, row.last_error, row.transport) == ("sent", 3, None, "smtp")
    assert len(mailbox.to(alice.email)) == 1


@pytest.mark.slow
async def test_a_server_that_times_out_is_retried_then_failed(
    runtime: Runtime, alice: Account, admin_engine: Any, mailbox: Mailbox
) -> None:
    clear_outbox(admin_engine)
    mailbox.mode = "stall"
    await tell(runtime, alice.id)
    await drain(runtime)  # three attempts of two seconds each
    [row] = outbox(admin_engine)
    assert row.status == "failed" and row.attempts == 3 and "Timeout" in row.last_error
    assert mailbox.stalled == 3


async def test_without_smtp_mail_is_written_as_eml_files(
    runtime: Runtime, alice: Account, admin_engine: Any, settings: Settings
) -> None:
    clear_outbox(admin_engine)
    await tell(runtime, alice.id)
    [row] = outbox(admin_engine)
    offline = settings.model_copy(update={"smtp_host": None})
    assert await send_one(runtime.database, offline, row.id) == "sent"
    [path] = list(offline.mail_dir.glob(f"*{row.id}.eml"))
    content = path.read_text()
    assert f"To: {alice.email}" in content and "Subject: JobSwap: A job swap request expired" in content
    assert outbox(admin_engine)[0].transport == "file"
    assert await send_one(runtime.database, offline, row.id) == "sent"  # already sent: nothing more
    assert len(list(offline.mail_dir.glob(f"*{row.id}.eml"))) == 1


async def test_a_lost_job_is_found_and_its_mail_sent_once(
    runtime: Runtime, alice: Account, admin_engine: Any, mailbox: Mailbox
) -> None:
    """A crash between the commit and the send: the row is there, its job is not."""
    clear_outbox(admin_engine)
    await tell(runtime, alice.id)
    with admin_engine.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs"))
    [lost] = await stranded(runtime.database, 0)
    await runtime.queue.configure_task("notifications.send_email").defer_async(email_id=str(lost))
    await runtime.queue.configure_task("notifications.send_email").defer_async(email_id=str(lost))  # twice
    await drain(runtime)
    assert len(mailbox.to(alice.email)) == 1
    assert await stranded(runtime.database, 0) == []


async def test_concurrent_senders_send_once(
    runtime: Runtime, alice: Account, admin_engine: Any, mailbox: Mailbox
) -> None:
    clear_outbox(admin_engine)
    await tell(runtime, alice.id)
    [row] = outbox(admin_engine)
    results = await asyncio.gather(*(send_one(runtime.database, runtime.settings, row.id) for _ in range(4)))
    assert results.count("sent") >= 1 and set(results) <= {"sent", "busy"}
    assert len(mailbox.to(alice.email)) == 1


@pytest.mark.slow
async def test_a_worker_killed_mid_send_leaves_the_mail_for_the_next_one(
    runtime: Runtime,
    settings: Settings,
    alice: Account,
    admin_engine: Any,
    mailbox: Mailbox,
    smtp_server: Any,
) -> None:
    clear_outbox(admin_engine)
    mailbox.mode = "stall"
    await tell(runtime, alice.id)
    env = {
        **os.environ,
        "JOBSWAP_ENVIRONMENT": "test",
        "JOBSWAP_DATA_DIR": str(Path(settings.data_dir)),
        "JOBSWAP_SECRET_KEY": settings.secret_key.get_secret_value(),
        "JOBSWAP_SMTP_HOST": "127.0.0.1",
        "JOBSWAP_SMTP_PORT": str(smtp_server[1]),
        "JOBSWAP_SMTP_SECURITY": "none",
        "JOBSWAP_SMTP_TIMEOUT_SECONDS": "120",
    }
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "jobswap.cli", "worker"], env=env, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(600):
            if mailbox.stalled:
                break
            await asyncio.sleep(0.05)
        assert mailbox.stalled == 1
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    [row] = outbox(admin_engine)
    assert (row.status, row.attempts) == ("pending", 0)  # its attempt died with its transaction
    mailbox.mode = "accept"
    assert await retry_stalled(runtime.queue, 0) == 1
    await drain(runtime)
    assert len(mailbox.to(alice.email)) == 1
    [row] = outbox(admin_engine)
    assert (row.status, row.attempts) == ("sent", 1)
