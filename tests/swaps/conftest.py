"""A small town with two hospitals and three accounting firms, their HR, and helpers to
walk swap requests through the API and the queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from jobswap.matching.tasks import RUN_TASK
from jobswap.runtime import Runtime
from tests.conftest import PASSWORD, Account, Mailbox, sign_in
from tests.matching.test_matches_api import populate

CONSENT = {
    "share_contact": True,
    "share_resume": False,
    "share_resume_with_hr": False,
    "consent_hr_review": True,
}


async def drain(runtime: Runtime) -> None:
    """Run every queued job (mail sends included) until the queue is empty."""
    await runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)


async def make_hr(client: httpx.AsyncClient, admin: Account, email: str, employer_id: str) -> Account:
    created = await client.post(
        "/api/users",
        headers=admin.headers,
        json={"email": email, "password": PASSWORD, "name": f"HR {email}", "role": "hr"},
    )
    assert created.status_code == 201, created.text
    linked = await client.put(
        f"/api/users/{created.json()['id']}", headers=admin.headers, json={"employer_id": employer_id}
    )
    assert linked.status_code == 200 and linked.json()["employer_id"] == employer_id, linked.text
    tokens = (await sign_in(client, email)).json()
    return Account(created.json()["id"], email, tokens["access_token"], tokens["refresh_token"])


@dataclass
class Town:
    people: dict[str, Account]
    employers: dict[str, str]  # name -> id
    hr: dict[str, Account]  # employer name -> its HR user

    def __getitem__(self, handle: str) -> Account:
        return self.people[handle]


async def build_town(client: httpx.AsyncClient, admin: Account, runtime: Runtime) -> Town:
    people = await populate(client, admin)
    employers, hr = {}, {}
    for name, domain in (
        ("North Hospital", "north.example"),
        ("South Hospital", "south.example"),
        ("Ledger & Co", "ledger.example"),
        ("Audit Inc", "audit.example"),
    ):
        made = await client.post(
            "/api/admin/employers", headers=admin.headers, json={"name": name, "email_domains": [domain]}
        )
        assert made.status_code == 201, made.text
        employers[name] = made.json()["id"]
        hr[name] = await make_hr(client, admin, f"hr@{domain}", made.json()["id"])
    await runtime.queue.configure_task(RUN_TASK).defer_async()
    await drain(runtime)
    return Town(people, employers, hr)


@pytest.fixture
async def town(client: httpx.AsyncClient, admin: Account, runtime: Runtime, mailbox: Mailbox) -> Town:
    built = await build_town(client, admin, runtime)
    mailbox.clear()  # the verification mails of the town's sign-ups
    return built


async def only_match(client: httpx.AsyncClient, who: Account, size: int) -> dict[str, Any]:
    items = (await client.get("/api/matches", headers=who.headers)).json()["items"]
    [match] = [m for m in items if m["cycle_size"] == size]
    return match


async def propose(client: httpx.AsyncClient, who: Account, size: int, **extra: Any) -> httpx.Response:
    match = await only_match(client, who, size)
    return await client.post(
        "/api/swap-requests", headers=who.headers, json={"match_id": match["id"], **CONSENT, **extra}
    )


def kinds(mailbox: Mailbox, address: str) -> list[str]:
    """The notification kinds mailed to one address, from the subject lines."""
    return [m["Subject"] for m in mailbox.to(address)]
