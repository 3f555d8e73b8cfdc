"""E-mail verification and password reset, with the links read back from real mail."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import text

from jobswap.runtime import Runtime
from tests.conftest import PASSWORD, Mailbox, sign_in, sign_up
from tests.swaps.conftest import drain


async def press(client: httpx.AsyncClient, path: str, fields: dict[str, str]) -> httpx.Response:
    """Open the page with the e-mailed link, then submit its form as a browser would: with the
    CSRF token from its hidden field and cookie (the cookie is Secure, so it is sent by hand)."""
    page = await client.get(path, params={"token": fields["token"]})
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, page.text
    return await client.post(
        path, data={**fields, "csrf": csrf.group(1)}, headers={"cookie": f"jobswap_csrf={csrf.group(1)}"}
    )


def link_in(mailbox: Mailbox, address: str, path: str) -> str:
    [message] = [m for m in mailbox.to(address) if path in m.get_body(("plain",)).get_content()]
    found = re.search(
        rf"http://jobswap\.test{re.escape(path)}\?token=([\w-]+)", message.get_body(("plain",)).get_content()
    )
    assert found, message
    return found.group(1)


async def test_sign_up_sends_a_verification_link_that_works_once(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    account = await sign_up(client, "new@example.com")
    me = (await client.get("/api/users/me", headers=account.headers)).json()
    assert me["email_verified_at"] is None
    await drain(runtime)
    [mail] = mailbox.to("new@example.com")
    assert mail["Subject"] == "JobSwap: Confirm your e-mail address"
    assert "List-Unsubscribe" not in mail  # account security mail cannot be opted out of
    token = link_in(mailbox, "new@example.com", "/confirm")
    assert (await client.post("/api/auth/verify", json={"token": "nonsense"})).status_code == 400
    verified = await client.post("/api/auth/verify", json={"token": token})
    assert verified.status_code == 200 and verified.json() == {"email_verified": True}
    again = await client.post("/api/auth/verify", json={"token": token})
    assert again.status_code == 400 and "already used" in again.json()["error"]["message"]
    me = (await client.get("/api/users/me", headers=account.headers)).json()
    assert me["email_verified_at"] is not None
    resend = await client.post("/api/auth/verify/resend", headers=account.headers)
    assert resend.status_code == 400  # nothing left to verify


async def test_the_clicked_link_verifies_and_a_changed_address_needs_a_new_one(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    account = await sign_up(client, "mover@example.com")
    await drain(runtime)
    token = link_in(mailbox, "mover@example.com", "/confirm")
    moved = await client.put(
        f"/api/users/{account.id}", headers=account.headers, json={"email": "moved@example.com"}
    )
    assert moved.status_code == 200
    page = await press(client, "/confirm", {"token": token})
    assert page.status_code == 400 and "invalid" in page.text  # the link was for the old address
    mailbox.clear()
    await drain(runtime)  # the change itself sent a link to the new address
    fresh = link_in(mailbox, "moved@example.com", "/confirm")
    too_soon = await client.post("/api/auth/verify/resend", headers=account.headers)
    assert too_soon.status_code == 429 and int(too_soon.headers["retry-after"]) > 0
    # a link mailed by an older release, to the API's path, leads to the same page
    older = await client.get("/api/auth/verify", params={"token": fresh})
    assert older.status_code == 303 and older.headers["location"] == f"/confirm?token={fresh}"
    done = await press(client, "/confirm", {"token": fresh})
    assert done.status_code == 303 and done.headers["location"] == "/signin?msg=email_confirmed"
    me = (await client.get("/api/users/me", headers=account.headers)).json()
    assert me["email"] == "moved@example.com" and me["email_verified_at"] is not None


async def test_an_expired_link_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox, admin_engine: Any
) -> None:
    await sign_up(client, "late@example.com")
    await drain(runtime)
    token = link_in(mailbox, "late@example.com", "/confirm")
    with admin_engine.begin() as conn:
        conn.execute(text("UPDATE email_tokens SET expires_at = now() - interval '1 second'"))
    assert (await client.post("/api/auth/verify", json={"token": token})).status_code == 400


async def test_password_reset_reveals_nothing_and_works_once(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    account = await sign_up(client, "forgetful@example.com")
    await drain(runtime)
    mailbox.clear()
    # The request only queues a task, whatever the address: same answer, same work.
    for address in ("forgetful@example.com", "nobody@example.com"):
        answer = await client.post("/api/auth/password-reset", json={"email": address})
        assert answer.status_code == 202
        assert answer.json() == {
            "message": "If an account uses this address, a link to reset its password is on its way."
        }
    await drain(runtime)
    assert mailbox.to("nobody@example.com") == []
    token = link_in(mailbox, "forgetful@example.com", "/reset")
    form = await client.get("/reset", params={"token": token})
    assert form.status_code == 200 and "new-password" in form.text
    weak = await client.post("/api/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert weak.status_code == 422
    done = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "a brand new secret"}
    )
    assert done.status_code == 204
    assert (
        await client.get("/api/auth/me", headers=account.headers)
    ).status_code == 401  # signed out everywhere
    assert (await sign_in(client, account.email, PASSWORD)).status_code == 401
    assert (await sign_in(client, account.email, "a brand new secret")).status_code == 200
    reused = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "another secret!"}
    )
    assert reused.status_code == 400
    # Asking again within the resend interval is quietly dropped: the same answer, no mail.
    mailbox.clear()
    await client.post("/api/auth/password-reset", json={"email": "forgetful@example.com"})
    await client.post("/api/auth/password-reset", json={"email": "forgetful@example.com"})
    await drain(runtime)
    assert mailbox.to("forgetful@example.com") == []


async def test_the_reset_page_sets_a_new_password(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    account = await sign_up(client, "formuser@example.com")
    await client.post("/api/auth/password-reset", json={"email": account.email})
    await drain(runtime)
    token = link_in(mailbox, account.email, "/reset")
    older = await client.get("/api/auth/password-reset/confirm", params={"token": token})
    assert older.status_code == 303 and older.headers["location"] == f"/reset?token={token}"
    weak = await press(client, "/reset", {"token": token, "password": "short"})
    assert weak.status_code == 422 and "at least 8 characters" in weak.text
    done = await press(client, "/reset", {"token": token, "password": "from the form page"})
    assert done.status_code == 303 and done.headers["location"] == "/signin?msg=password_changed"
    assert (await sign_in(client, account.email, "from the form page")).status_code == 200
    again = await press(client, "/reset", {"token": token, "password": "and once more"})
    assert again.status_code == 400 and "already used" in again.text
    assert (await sign_in(client, account.email, "and once more")).status_code == 401


async def test_opening_a_confirmation_link_spends_nothing(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    """Mail scanners open links: only the page's button redeems the token, and only with the
    page's CSRF token."""
    account = await sign_up(client, "scanned@example.com")
    await drain(runtime)
    token = link_in(mailbox, account.email, "/confirm")
    for _ in range(3):
        assert (await client.get("/confirm", params={"token": token})).status_code == 200
    forged = await client.post("/confirm", data={"token": token, "csrf": "x" * 43})
    assert forged.status_code == 403
    me = (await client.get("/api/users/me", headers=account.headers)).json()
    assert me["email_verified_at"] is None
    assert (await press(client, "/confirm", {"token": token})).status_code == 303
