"""In-app notifications, e-mail preferences and the signed unsubscribe link."""

from __future__ import annotations

import re

import httpx

from jobswap.runtime import Runtime
from tests.conftest import Mailbox
from tests.swaps.conftest import Town, drain, propose


async def test_notifications_unread_count_and_mark_read(client: httpx.AsyncClient, town: Town) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    await propose(client, a, 2)
    page = (await client.get("/api/notifications?unread=true", headers=b.headers)).json()
    kinds = [n["kind"] for n in page["items"]]
    assert "swap_request_received" in kinds and page["unread"] == page["total"] >= 2
    first = page["items"][0]
    assert (await client.put(f"/api/notifications/{first['id']}/read", headers=b.headers)).json() == {
        "marked": 1
    }
    assert (await client.put(f"/api/notifications/{first['id']}/read", headers=a.headers)).status_code == 404
    left = (await client.get("/api/notifications", headers=b.headers)).json()["unread"]
    assert left == page["unread"] - 1
    assert (await client.put("/api/notifications/read", headers=b.headers)).json() == {"marked": left}
    assert (await client.get("/api/notifications", headers=b.headers)).json()["unread"] == 0


async def test_preferences_stop_mail_but_not_the_in_app_notice(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    prefs = (await client.get("/api/users/me/notifications", headers=b.headers)).json()["email"]
    assert prefs["swap_request_received"] is True and "password_reset" not in prefs
    off = await client.put(
        "/api/users/me/notifications", headers=b.headers, json={"email": {"swap_request_received": False}}
    )
    assert off.status_code == 200 and off.json()["email"]["swap_request_received"] is False
    bad = await client.put(
        "/api/users/me/notifications", headers=b.headers, json={"email": {"password_reset": False}}
    )
    assert bad.status_code == 400
    unknown = await client.put(
        "/api/users/me/notifications", headers=b.headers, json={"email": {"spam": False}}
    )
    assert unknown.status_code == 422
    await propose(client, a, 2)
    await drain(runtime)
    assert mailbox.to(b.email) == []
    kinds = [n["kind"] for n in (await client.get("/api/notifications", headers=b.headers)).json()["items"]]
    assert "swap_request_received" in kinds


async def test_unsubscribe_link_works_without_signing_in(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    await propose(client, a, 2)
    await drain(runtime)
    [mail] = mailbox.to(b.email)
    url = re.search(
        r"<http://jobswap\.test(/api/notifications/unsubscribe\?token=[^>]+)>", mail["List-Unsubscribe"]
    )
    assert url
    page = await client.get(url.group(1))  # a page with a button: link scanners change nothing
    assert page.status_code == 200 and "<form method='post'>" in page.text
    prefs = (await client.get("/api/users/me/notifications", headers=b.headers)).json()["email"]
    assert prefs["swap_request_received"] is True
    done = await client.post(url.group(1), content="List-Unsubscribe=One-Click")
    assert done.status_code == 200
    prefs = (await client.get("/api/users/me/notifications", headers=b.headers)).json()["email"]
    assert prefs["swap_request_received"] is False and prefs["swap_expired"] is True
    forged = url.group(1)[:-3] + ("AAA" if not url.group(1).endswith("AAA") else "BBB")
    assert (await client.post(forged)).status_code == 400
    assert (await client.post("/api/notifications/unsubscribe?token=x.y.z")).status_code == 400
