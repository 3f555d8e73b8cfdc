"""The browser session's defences: CSRF on every form, another person's pages answer 404,
session fixation and sign-out, the strict Content-Security-Policy, and /docs offline."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, Account
from tests.web.conftest import Live, check

pytestmark = pytest.mark.slow


async def sign_in(page: Any, email: str) -> None:
    await page.goto("/signin")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/home")


async def cookie(context: Any, name: str) -> str | None:
    return next((c["value"] for c in await context.cookies() if c["name"] == name), None)


async def test_forms_need_their_csrf_token(live: Live, people: Any, alice: Account) -> None:
    who = await people("alice")
    page = await who.page()
    await sign_in(page, alice.email)
    refused = await who.context.request.post(
        f"{live.url}/profile", form={"name": "Mallory was here"}, max_redirects=0
    )
    assert refused.status == 403
    assert "did not come from this site" in await refused.text()
    forged = await who.context.request.post(
        f"{live.url}/profile", form={"name": "Mallory", "csrf": "x" * 43}, max_redirects=0
    )
    assert forged.status == 403
    await page.goto("/profile")
    assert await page.get_by_label("Name").input_value() == "Alice"  # nothing was changed


async def test_another_persons_pages_are_not_found(
    live: Live, people: Any, alice: Account, bob: Account
) -> None:
    who = await people("bob")
    page = await who.page()
    await sign_in(page, bob.email)
    for path in (f"/requests/{uuid.uuid4()}", f"/resume/{uuid.uuid4()}", f"/hr/{uuid.uuid4()}"):
        response = await page.goto(path)
        assert response is not None and response.status in (403, 404), path
    missing = await page.goto("/no/such/page")
    assert missing is not None and missing.status == 404
    assert "There is no such page." in await page.content()
    assert all("status of 40" in e for e in who.errors)  # Chromium logs each 4xx document; nothing else
    who.errors.clear()
    await check(page, "not-found", who)


async def test_sign_in_replaces_planted_cookies_and_sign_out_ends_the_session(
    live: Live, people: Any, chromium: Any, alice: Account
) -> None:
    who = await people("alice")
    await who.context.add_cookies(
        [
            {"name": "jobswap_csrf", "value": "planted-by-an-attacker-" + "x" * 20, "url": live.url},
            {"name": "jobswap_access", "value": "not-a-token", "url": live.url},
        ]
    )
    page = await who.page()
    await sign_in(page, alice.email)
    assert await cookie(who.context, "jobswap_csrf") != "planted-by-an-attacker-" + "x" * 20
    access = await cookie(who.context, "jobswap_access")
    assert access and access != "not-a-token"
    flags = {c["name"]: c for c in await who.context.cookies()}
    assert flags["jobswap_access"]["httpOnly"] and flags["jobswap_access"]["sameSite"] == "Lax"

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/signin?msg=signed_out")
    assert await cookie(who.context, "jobswap_access") is None
    # The old session cannot be revived by replaying its cookie.
    replay = await chromium.new_context(base_url=live.url)
    try:
        await replay.add_cookies([{"name": "jobswap_access", "value": access, "url": live.url}])
        stale = await replay.new_page()
        await stale.goto("/home")
        assert "/signin" in stale.url
    finally:
        await replay.close()


async def test_pages_carry_a_strict_csp_and_docs_work_offline(
    live: Live, people: Any, client: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=live.url) as web:
        landing = await web.get("/")
        csp = landing.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        docs = await web.get("/docs")
        assert (
            "cdn" not in docs.text.lower() and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
        )
        api_error = await web.get("/api/users/me")
        assert api_error.status_code == 401 and api_error.json()["error"]["code"] == "unauthorized"
    who = await people("reader", offline=False)
    page = await who.page()
    outside: list[str] = []
    local = (live.url, f"blob:{live.url}", "data:")  # Redoc's worker is a blob, Swagger's logo data:
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(local) else None)
    await page.goto("/docs")
    await page.locator(".swagger-ui .info .title").wait_for()
    assert "JobSwap" in await page.locator(".swagger-ui .info .title").inner_text()
    await page.goto("/redoc")
    await page.locator("#redoc h1").first.wait_for()
    assert outside == []  # nothing from a CDN
    assert who.errors == []


async def test_pages_fit_a_phone(live: Live, people: Any, alice: Account) -> None:
    phone = await people("phone", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = await phone.page()
    for path, shot in (("/", "phone-landing"), ("/signin", "phone-signin")):
        await page.goto(path)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        await check(page, shot, phone)
    await sign_in(page, alice.email)
    for path, shot in (("/profile", "phone-profile"), ("/jobs", "phone-jobs"), ("/matches", "phone-matches")):
        await page.goto(path)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        await check(page, shot, phone)


async def test_an_expired_access_cookie_is_renewed_with_the_refresh_cookie(
    live: Live, people: Any, alice: Account
) -> None:
    who = await people("alice")
    page = await who.page()
    await sign_in(page, alice.email)
    refresh = await cookie(who.context, "jobswap_refresh")
    await who.context.add_cookies([{"name": "jobswap_access", "value": "expired.or.forged", "url": live.url}])
    await page.goto("/home")
    assert page.url.endswith("/home")  # still signed in
    assert await cookie(who.context, "jobswap_access") not in (None, "expired.or.forged")
    assert await cookie(who.context, "jobswap_refresh") != refresh  # rotated, as the API rotates it
    await page.goto("/profile")
    assert page.url.endswith("/profile")
