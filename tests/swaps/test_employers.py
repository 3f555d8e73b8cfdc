"""Employers and the links that put people under one: admin CRUD, users search, verified
domains, unverified company names; and requests cancelled when profiles change or people leave."""

from __future__ import annotations

from typing import Any

import httpx

from jobswap.runtime import Runtime
from tests.auth.test_email_links import link_in
from tests.conftest import Account, Mailbox, sign_up
from tests.swaps.conftest import CONSENT, Town, drain, kinds, propose


async def test_admin_manages_employers(client: httpx.AsyncClient, admin: Account, alice: Account) -> None:
    made = await client.post(
        "/api/admin/employers",
        headers=admin.headers,
        json={"name": "Globex", "email_domains": ["@Globex.COM", "globex.co.uk"]},
    )
    assert made.status_code == 201 and made.json()["email_domains"] == ["globex.com", "globex.co.uk"]
    employer_id = made.json()["id"]
    same_name = await client.post("/api/admin/employers", headers=admin.headers, json={"name": "GLOBEX"})
    assert same_name.status_code == 409
    same_domain = await client.post(
        "/api/admin/employers",
        headers=admin.headers,
        json={"name": "Initech", "email_domains": ["globex.com"]},
    )
    assert same_domain.status_code == 409 and "globex.com" in same_domain.json()["error"]["message"]
    for bad in ("not a domain", "-x.com", "a" * 300, "\u202eevil.com"):
        answer = await client.post(
            "/api/admin/employers", headers=admin.headers, json={"name": "X", "email_domains": [bad]}
        )
        assert answer.status_code == 422, bad
    assert (
        await client.post("/api/admin/employers", headers=alice.headers, json={"name": "Mine"})
    ).status_code == 403
    assert (await client.get("/api/admin/employers", headers=alice.headers)).status_code == 403
    found = (await client.get("/api/admin/employers?q=glob", headers=admin.headers)).json()
    assert [e["name"] for e in found["items"]] == ["Globex"]
    renamed = await client.put(
        f"/api/admin/employers/{employer_id}", headers=admin.headers, json={"name": "Globex Corp"}
    )
    assert renamed.status_code == 200 and renamed.json()["email_domains"] == ["globex.com", "globex.co.uk"]
    assert (
        await client.delete(f"/api/admin/employers/{employer_id}", headers=admin.headers)
    ).status_code == 204
    assert (await client.get(f"/api/admin/employers/{employer_id}", headers=admin.headers)).status_code == 404


async def test_admin_lists_and_searches_users_and_sets_an_employer(
    client: httpx.AsyncClient, admin: Account, alice: Account, bob: Account
) -> None:
    everyone = (await client.get("/api/users", headers=admin.headers)).json()
    assert everyone["total"] == 3
    found = (await client.get("/api/users?q=ALI", headers=admin.headers)).json()
    assert [u["email"] for u in found["items"]] == ["alice@example.com"]
    assert (await client.get("/api/users?q=%25", headers=admin.headers)).json()["total"] == 0  # no wildcards
    paged = (await client.get("/api/users?limit=1&offset=1", headers=admin.headers)).json()
    assert len(paged["items"]) == 1 and paged["total"] == 3
    assert (await client.get("/api/users", headers=alice.headers)).status_code == 403
    employer = (
        await client.post("/api/admin/employers", headers=admin.headers, json={"name": "Initech"})
    ).json()
    made_hr = await client.put(
        f"/api/users/{bob.id}", headers=admin.headers, json={"role": "hr", "employer_id": employer["id"]}
    )
    assert made_hr.status_code == 200 and made_hr.json()["role"] == "hr"
    hr_only = (
        await client.get(f"/api/users?role=hr&employer_id={employer['id']}", headers=admin.headers)
    ).json()
    assert [u["email"] for u in hr_only["items"]] == ["bob@example.com"]
    missing = await client.put(
        f"/api/users/{bob.id}",
        headers=admin.headers,
        json={"employer_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert missing.status_code == 404


async def test_verified_domain_beats_company_name(
    client: httpx.AsyncClient, admin: Account, runtime: Runtime, mailbox: Mailbox
) -> None:
    from jobswap.db import Identity
    from jobswap.hr.employers import link_for
    from jobswap.users import repository

    for name, domain in (("Acme", "acme.example"), ("Umbrella", "umbrella.example")):
        await client.post(
            "/api/admin/employers", headers=admin.headers, json={"name": name, "email_domains": [domain]}
        )
    worker = await sign_up(client, "pat@eu.acme.example")
    await client.put(f"/api/users/{worker.id}", headers=worker.headers, json={"company": "umbrella"})

    async def link() -> Any:
        async with runtime.database.transaction(Identity.service()) as session:
            user = await repository.get_by_email(session, "pat@eu.acme.example")
            return await link_for(session, user)

    by_name = await link()
    assert (by_name.name, by_name.verified, by_name.via) == ("Umbrella", False, "company_name")
    await drain(runtime)
    token = link_in(mailbox, "pat@eu.acme.example", "/confirm")
    await client.post("/api/auth/verify", json={"token": token})
    by_domain = await link()
    assert (by_domain.name, by_domain.verified, by_domain.via) == ("Acme", True, "email_domain")


async def test_a_profile_change_that_breaks_the_swap_cancels_it(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    request_id = (await propose(client, a, 2)).json()["id"]
    harmless = await client.put(
        f"/api/users/{b.id}", headers=b.headers, json={"name": "New Name", "skills": ["Triage"]}
    )
    assert harmless.status_code == 200
    assert (await client.get(f"/api/swap-requests/{request_id}", headers=a.headers)).json()[
        "status"
    ] == "pending"
    # B moves next door to their own hospital: the swap no longer shortens B's commute.
    moved = await client.put(
        f"/api/users/{b.id}",
        headers=b.headers,
        json={"home_location": {"address": "next to work", "latitude": 41.751, "longitude": -87.651}},
    )
    assert moved.status_code == 200
    view = (await client.get(f"/api/swap-requests/{request_id}", headers=a.headers)).json()
    assert view["status"] == "cancelled" and "no longer shortens every commute" in view["closed_reason"]
    await drain(runtime)
    assert kinds(mailbox, a.email)[-1] == "JobSwap: A job swap was cancelled"


async def test_a_member_who_leaves_cancels_their_swaps(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox, admin_engine: Any
) -> None:
    from sqlalchemy import text

    x, y, z = town["acct.x"], town["acct.y"], town["acct.z"]
    request_id = (await propose(client, x, 3)).json()["id"]
    await client.put(f"/api/swap-requests/{request_id}/accept", headers=y.headers, json=CONSENT)
    await client.put(f"/api/swap-requests/{request_id}/accept", headers=z.headers, json=CONSENT)
    assert (await client.delete(f"/api/users/{z.id}", headers=z.headers)).status_code == 204
    view = (await client.get(f"/api/swap-requests/{request_id}", headers=x.headers)).json()
    assert view["status"] == "cancelled" and view["closed_reason"] == "a member left JobSwap"
    assert all(h["status"] == "cancelled" for h in view["hr"])
    assert len(view["members"]) == 3  # the leaver's row stays, without their account
    with admin_engine.connect() as conn:
        left = conn.execute(
            text("SELECT user_id FROM swap_request_members WHERE position = 2 AND request_id = :r"),
            {"r": request_id},
        ).scalar_one()
    assert left is None
    await drain(runtime)
    assert kinds(mailbox, y.email)[-1] == "JobSwap: A job swap was cancelled"
    assert "JobSwap: A job swap was cancelled" in kinds(mailbox, town.hr["Audit Inc"].email)


async def test_a_match_made_stale_by_a_profile_change_cannot_be_proposed(
    client: httpx.AsyncClient, town: Town
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    moved = await client.put(
        f"/api/users/{b.id}",
        headers=b.headers,
        json={"home_location": {"address": "next to work", "latitude": 41.751, "longitude": -87.651}},
    )
    assert moved.status_code == 200
    stale = await propose(client, a, 2)  # the match is still listed until the next run
    assert stale.status_code == 409 and "out of date" in stale.json()["error"]["message"]
