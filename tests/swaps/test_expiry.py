"""Reminders and expiry run through the queue, with the periodic task's timestamp as the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from jobswap.runtime import Runtime
from jobswap.swaps.tasks import EXPIRE_TASK
from tests.conftest import Mailbox
from tests.swaps.conftest import CONSENT, Town, drain, kinds, propose


async def run_at(runtime: Runtime, moment: datetime) -> dict[str, Any]:
    job_id = await runtime.queue.configure_task(EXPIRE_TASK).defer_async(timestamp=int(moment.timestamp()))
    await drain(runtime)
    job = await runtime.queue.job_manager.get_job_status_async(job_id)
    assert job.value == "succeeded"
    return {}


async def test_reminder_then_expiry(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox
) -> None:
    x, y, z = town["acct.x"], town["acct.y"], town["acct.z"]
    created = (await propose(client, x, 3)).json()
    request_id = created["id"]
    expires = datetime.fromisoformat(created["expires_at"])
    assert expires - datetime.now(UTC) > timedelta(days=13, hours=23)  # the 14-day default
    await client.put(f"/api/swap-requests/{request_id}/accept", headers=y.headers, json=CONSENT)
    await drain(runtime)
    mailbox.clear()

    await run_at(runtime, expires - timedelta(days=5))  # too early for the reminder
    assert mailbox.messages == []
    await run_at(runtime, expires - timedelta(days=2))  # inside the 3-day reminder window
    assert kinds(mailbox, z.email) == ["JobSwap: A job swap request expires soon"]
    assert mailbox.to(y.email) == [] and mailbox.to(x.email) == []  # they have answered
    await run_at(runtime, expires - timedelta(days=1))  # once only
    assert len(mailbox.messages) == 1
    still = (await client.get(f"/api/swap-requests/{request_id}", headers=z.headers)).json()
    assert still["status"] == "pending"

    await run_at(runtime, expires + timedelta(minutes=1))
    view = (await client.get(f"/api/swap-requests/{request_id}", headers=z.headers)).json()
    assert view["status"] == "expired" and view["events"][-1]["by"] == "JobSwap"
    for who in (x, y, z):
        assert kinds(mailbox, who.email)[-1] == "JobSwap: A job swap request expired"
    before = len(mailbox.messages)
    await run_at(runtime, expires + timedelta(days=1))  # nothing more happens
    assert len(mailbox.messages) == before
    late = await client.put(f"/api/swap-requests/{request_id}/accept", headers=z.headers, json=CONSENT)
    assert late.status_code == 409 and late.json()["error"]["details"]["status"] == "expired"


def test_expiry_is_scheduled(runtime: Runtime) -> None:
    crons = {(t.task.name, t.cron) for t in runtime.queue.periodic_registry.periodic_tasks.values()}
    assert (EXPIRE_TASK, runtime.settings.swap_expiry_cron) in crons
