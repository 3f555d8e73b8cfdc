"""Row-level security with the application's filters bypassed, and disclosure by consent only:
no name, e-mail or resume reaches anyone before every member accepts, or without consent."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jobswap.db import AccessRole, Identity
from jobswap.runtime import Runtime
from tests.conftest import Account, sign_up
from tests.swaps.conftest import CONSENT, Town, propose


async def raw(runtime: Runtime, identity: Identity, sql: str) -> set[str]:
    """A query with no WHERE clause: only RLS decides."""
    async with runtime.database.transaction(identity) as session:
        return {str(r[0]) for r in await session.execute(text(sql))}


def as_user(account: Account, role: AccessRole = AccessRole.EMPLOYEE) -> Identity:
    return Identity(account.id, role)  # type: ignore[arg-type]


async def test_rls_on_the_workflow_tables(client: httpx.AsyncClient, town: Town, runtime: Runtime) -> None:
    a, b, x = town["nurse.a"], town["nurse.b"], town["acct.x"]
    request_id = (await propose(client, a, 2)).json()["id"]
    stranger = await sign_up(client, "stranger@example.com")
    north, audit = town.hr["North Hospital"], town.hr["Audit Inc"]
    tables = {
        "swap_requests": "SELECT id FROM swap_requests",
        "swap_request_members": "SELECT request_id FROM swap_request_members",
        "swap_events": "SELECT request_id FROM swap_events",
    }
    for sql in tables.values():
        assert await raw(runtime, as_user(a), sql) == {request_id}
        assert await raw(runtime, as_user(b), sql) == {request_id}
        for outsider in (as_user(x), as_user(stranger), as_user(north, AccessRole.HR), Identity.anonymous()):
            assert await raw(runtime, outsider, sql) == set(), (sql, outsider)
        assert await raw(runtime, Identity(None, AccessRole.ADMIN), sql) == {request_id}
    await client.put(f"/api/swap-requests/{request_id}/accept", headers=b.headers, json=CONSENT)
    hr_sql = "SELECT employer_id FROM hr_requests"
    assert await raw(runtime, as_user(north, AccessRole.HR), hr_sql) == {town.employers["North Hospital"]}
    assert await raw(runtime, as_user(north, AccessRole.HR), tables["swap_requests"]) == {request_id}
    assert await raw(runtime, as_user(audit, AccessRole.HR), hr_sql) == set()
    assert await raw(runtime, as_user(audit, AccessRole.HR), tables["swap_requests"]) == set()
    assert len(await raw(runtime, as_user(a), hr_sql)) == 2  # members follow their own swap's reviews
    assert await raw(runtime, as_user(x), hr_sql) == set()
    # Notifications are each person's own; the outbox and e-mail tokens are the service's alone.
    owners = await raw(runtime, as_user(b), "SELECT user_id FROM notifications")
    assert owners == {str(b.id)}
    for table in ("email_outbox", "email_tokens"):
        assert await raw(runtime, as_user(a), f"SELECT id FROM {table}") == set()
    assert len(await raw(runtime, Identity.service(), "SELECT id FROM email_outbox")) > 0
    # Writes are the service's: a member cannot approve their own swap by hand.
    async with runtime.database.transaction(as_user(a)) as session:
        changed = await session.execute(text("UPDATE swap_requests SET status = 'approved'"))
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        changed = await session.execute(text("UPDATE hr_requests SET status = 'approved'"))
        assert changed.rowcount == 0  # type: ignore[attr-defined]


async def test_an_employee_cannot_link_themselves_to_an_employer_or_verify_by_hand(
    client: httpx.AsyncClient, town: Town, runtime: Runtime
) -> None:
    a = town["nurse.a"]
    denied = await client.put(
        f"/api/users/{a.id}", headers=a.headers, json={"employer_id": town.employers["South Hospital"]}
    )
    assert denied.status_code == 403
    north = town.employers["North Hospital"]
    for sql in (f"UPDATE users SET employer_id = '{north}'", "UPDATE users SET email_verified_at = now()"):
        with pytest.raises(DBAPIError, match="only"):
            async with runtime.database.transaction(as_user(a)) as session:
                await session.execute(text(sql))


async def test_resumes_only_by_consent_and_only_after_everyone_accepts(
    client: httpx.AsyncClient, town: Town, runtime: Runtime
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    for who, name in ((a, "Alpha Nurse"), (b, "Beta Nurse")):
        upload = await client.post(
            "/api/resumes/upload",
            headers=who.headers,
            files={
                "file": (
                    "cv.txt",
                    f"{name}\nRegistered nurse, 10 years of ward experience.\n".encode(),
                    "text/plain",
                )
            },
        )
        assert upload.status_code == 202, upload.text
    created = await propose(client, a, 2, share_resume=True, share_resume_with_hr=False)
    request_id = created.json()["id"]
    before = await client.get(f"/api/swap-requests/{request_id}/members/0/resume", headers=b.headers)
    assert before.status_code == 404  # not everyone has accepted
    accepted = await client.put(
        f"/api/swap-requests/{request_id}/accept",
        headers=b.headers,
        json={**CONSENT, "share_contact": False, "share_resume": False, "share_resume_with_hr": True},
    )
    body = accepted.json()
    [a_member] = [m for m in body["members"] if not m["you"]]
    assert a_member["resume_url"] == f"/api/swap-requests/{request_id}/members/0/resume"
    got = await client.get(a_member["resume_url"], headers=b.headers)
    assert got.status_code == 200 and got.headers["cache-control"] == "private, no-store"
    assert got.content.startswith(b"Alpha Nurse")
    # B shared no resume with A; and nobody else may fetch A's.
    assert (
        await client.get(f"/api/swap-requests/{request_id}/members/1/resume", headers=a.headers)
    ).status_code == 404
    stranger = await sign_up(client, "stranger@example.com")
    assert (await client.get(a_member["resume_url"], headers=stranger.headers)).status_code == 404
    # HR sees B's resume (B agreed) but not A's (A did not).
    north = town.hr["North Hospital"]
    [review] = (await client.get("/api/hr/requests", headers=north.headers)).json()["items"]
    detail = (await client.get(f"/api/hr/requests/{review['id']}", headers=north.headers)).json()
    urls = {m["position"]: m["resume_url"] for m in detail["members"]}
    assert urls[0] is None and urls[1] == f"/api/hr/requests/{review['id']}/members/1/resume"
    assert (await client.get(urls[1], headers=north.headers)).status_code == 200
    assert (
        await client.get(f"/api/hr/requests/{review['id']}/members/0/resume", headers=north.headers)
    ).status_code == 404
    assert (await client.get(urls[1], headers=town.hr["Audit Inc"].headers)).status_code == 404


async def test_nothing_identifying_before_acceptance_in_any_response(
    client: httpx.AsyncClient, town: Town
) -> None:
    x, y, z = town["acct.x"], town["acct.y"], town["acct.z"]
    request_id = (await propose(client, x, 3, message="hi")).json()["id"]
    await client.put(f"/api/swap-requests/{request_id}/accept", headers=y.headers, json=CONSENT)
    for who in (y, z):
        for path in ("/api/swap-requests", f"/api/swap-requests/{request_id}", "/api/notifications"):
            body: Any = (await client.get(path, headers=who.headers)).json()
            dumped = json.dumps(body)
            others = [p for p in (x, y, z) if p is not who]
            for other in others:
                assert (
                    other.email not in dumped and f"Secret Name {other.email.split('@')[0]}" not in dumped
                ), path
