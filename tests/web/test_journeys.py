"""Whole journeys in Chromium: a 2-way swap from sign-up to HR approval across three people,
with the e-mails read from the test SMTP server and their links followed; a resume uploaded
and corrected; jobs searched, saved and dismissed, and an alert saved."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from jobswap.runtime import Runtime
from tests.conftest import Account, Mailbox, sign_up
from tests.jobmatch.conftest import IT_PDF, load_corpus
from tests.jobs.board import Board
from tests.jobs.test_runs import RULES
from tests.resumes.test_resumes_api import drain_queue
from tests.web.conftest import Live, check, link_in

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.slow


async def hr_for(client: httpx.AsyncClient, admin: Account, domain: str) -> Account:
    """An employer with its e-mail domain and an HR user for it (set up by the admin's API)."""
    employer = await client.post(
        "/api/admin/employers",
        headers=admin.headers,
        json={"name": "Lakeshore Health", "email_domains": [domain]},
    )
    assert employer.status_code == 201, employer.text
    hr = await sign_up(client, f"hr@{domain}", "Hana HR")
    linked = await client.put(
        f"/api/users/{hr.id}",
        headers=admin.headers,
        json={"role": "hr", "employer_id": employer.json()["id"]},
    )
    assert linked.status_code == 200, linked.text
    return hr


async def sign_up_in_browser(page: Any, who: Any, name: str, email: str) -> None:
    await page.goto("/signup")
    await check(page, f"{who.name}-signup", who)
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Work e-mail").fill(email)
    await page.get_by_label("Password (at least 8 characters)").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await page.wait_for_url("**/profile?msg=signed_up")


async def fill_profile(page: Any, who: Any, home: str, work: str) -> None:
    await page.get_by_label("Company").fill("Lakeshore Health")
    await page.get_by_label("Job title").fill("Registered Nurse")
    await page.get_by_label("Salary band (e.g. 60000-75000 USD)").fill("72000-88000 USD")
    await page.get_by_label("Home address").fill(home)
    await page.get_by_label("Work address").fill(work)
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url("**/profile?msg=profile_saved")
    assert "Registered Nurses" in await page.locator("#occupation-now").inner_text()
    assert "city precision" in await page.locator("#home-read").inner_text()
    await check(page, f"{who.name}-profile", who)


async def mail_to(mailbox: Mailbox, runtime: Runtime, address: str, words: str) -> Any:
    """The mail to `address` whose subject or text has `words`, once the queue has sent it."""
    for _ in range(50):
        await drain_queue(runtime)
        for message in mailbox.to(address):
            text = message.get_body(preferencelist=("plain",)).get_content()
            if words in message["Subject"] or words in text:
                return message
        await asyncio.sleep(0.2)
    raise AssertionError(
        f"no mail to {address} with {words!r}: {[m['Subject'] for m in mailbox.to(address)]}"
    )


async def confirm_address(page: Any, mailbox: Mailbox, runtime: Runtime, email: str) -> None:
    message = await mail_to(mailbox, runtime, email, "Confirm your e-mail address")
    await page.goto(link_in(message))
    await page.get_by_role("button", name="Confirm my address").click()
    await page.wait_for_load_state()
    assert "your e-mail address is confirmed" in (await page.content()).lower()


async def test_a_two_way_swap_from_sign_up_to_hr_approval(
    live: Live,
    people: Any,
    client: httpx.AsyncClient,
    admin: Account,
    runtime: Runtime,
    mailbox: Mailbox,
) -> None:
    domain = "lakeshore.example.com"
    await hr_for(client, admin, domain)
    alice, bob, hana = await people("alice"), await people("bob"), await people("hana")
    a, b, h = await alice.page(), await bob.page(), await hana.page()

    await a.goto("/")
    await check(a, "landing", alice)
    await sign_up_in_browser(a, alice, "Alice Adams", f"alice@{domain}")
    await confirm_address(a, mailbox, runtime, f"alice@{domain}")
    await a.goto("/profile")
    await fill_profile(a, alice, "Naperville, IL", "Evanston, IL")

    await sign_up_in_browser(b, bob, "Bob Brown", f"bob@{domain}")
    await confirm_address(b, mailbox, runtime, f"bob@{domain}")
    await b.goto("/profile")
    await fill_profile(b, bob, "Evanston, IL", "Naperville, IL")

    # Alice finds the swap and asks for it.
    await a.goto("/matches")
    await a.get_by_role("button", name="Look for swaps now").click()
    await a.wait_for_url("**/matches?msg=refreshed")
    match = a.locator("article.match").first
    assert "2-way swap" in await match.locator("h2").inner_text()
    assert await match.locator("figure.chart svg rect.before").count() == 2
    assert await match.locator("figure.map svg circle.home").count() == 2
    await check(a, "matches", alice)
    await match.locator("summary").click()
    await match.get_by_label("Share my name and e-mail with the others once everyone accepts").check()
    await match.get_by_label("I agree that the employers' HR review this swap").check()
    await match.get_by_role("button", name="Send the request").click()
    await a.wait_for_url("**/requests/*?msg=requested")
    assert "waiting for the members' answers" in await a.locator("h1").inner_text()
    request_path = a.url.split("?")[0].removeprefix(live.url)
    await check(a, "request-proposed", alice)

    # Bob sees it in his inbox, with the e-mail that told him, and accepts.
    told = await mail_to(mailbox, runtime, f"bob@{domain}", "proposes")
    assert told["Subject"] == "JobSwap: Someone proposes a job swap with you"
    await b.goto("/requests")
    await check(b, "requests-inbox", bob)
    await b.locator("a", has_text="2-way swap").first.click()
    await b.get_by_label("My name and e-mail").check()
    await b.get_by_label("I agree that the employers' HR review this swap").check()
    await b.get_by_role("button", name="Accept").click()
    await b.wait_for_url("**?msg=accepted")
    assert "with HR for approval" in await b.locator("h1").inner_text()
    assert f"alice@{domain}" in await b.content()  # disclosed after everyone accepted
    await check(b, "request-accepted", bob)

    # HR signs in, reads the cost breakdown and approves.
    await h.goto("/signin")
    await check(h, "signin", hana)
    await h.get_by_label("E-mail").fill(f"hr@{domain}")
    await h.get_by_label("Password").fill(PASSWORD)
    await h.get_by_role("button", name="Sign in").click()
    await h.wait_for_url("**/home")
    await h.goto("/hr")
    await check(h, "hr-queue", hana)
    await h.locator("table a").first.click()
    terms = h.locator("table.terms tbody tr")
    assert await terms.count() >= 3
    assert "commute hours saved per year" in (await terms.first.inner_text()).lower()
    await check(h, "hr-request", hana)
    await h.get_by_role("button", name="Approve").click()
    await h.wait_for_url("**?msg=approved")

    await a.goto(request_path)
    assert "approved" in await a.locator("h1").inner_text()
    decided = await mail_to(mailbox, runtime, f"alice@{domain}", "HR decided on your job swap")
    assert "approved" in decided.get_body(preferencelist=("plain",)).get_content()
    await a.goto("/notifications")
    await check(a, "notifications", alice)
    assert await a.locator(".notifications li").count() >= 1


async def test_resume_upload_and_correction_then_jobs_and_alerts(
    live: Live, people: Any, client: httpx.AsyncClient, admin: Account, runtime: Runtime
) -> None:
    await load_corpus(client, runtime, admin)
    carol = await people("carol")
    page = await carol.page()
    await sign_up_in_browser(page, carol, "Carol Chen", "carol@example.com")
    await page.goto("/resume")
    await check(page, "resume-upload", carol)
    await page.get_by_label("A PDF, DOCX or text file (at most 10 MB)").set_input_files(str(IT_PDF))
    await page.get_by_role("button", name="Upload").click()
    await page.wait_for_url("**/resume/*")
    await drain_queue(runtime)
    await page.reload()
    assert "Read." in await page.locator("#parse-status").inner_text()
    assert await page.locator("pre.resume-text").inner_text()  # the text beside the parse
    await check(page, "resume-parsed", carol)
    await page.get_by_label("Headline").fill("Systems Administrator")
    jobs_before = await page.locator("div.entry").count()
    assert jobs_before >= 2, "the parse found a work history to correct"
    await page.locator("#exp-company-0").fill("Initech")
    await page.locator("#exp-start-0").fill("2019-03")
    await page.get_by_label("Keep job 2").uncheck()
    await page.get_by_role("button", name="Save corrections").click()
    await page.wait_for_url("**?msg=corrected")
    assert await page.get_by_label("Headline").input_value() == "Systems Administrator"
    assert await page.locator("#exp-company-0").input_value() == "Initech"
    assert await page.locator("div.entry").count() == jobs_before - 1
    await page.locator("#exp-start-0").fill("March 2019")  # not a date: refused, nothing stored
    await page.get_by_role("button", name="Save corrections").click()
    assert "experience" in await page.locator(".error").inner_text()
    assert carol.errors == [
        "error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    carol.errors.clear()  # that 422 was asked for
    await page.goto(page.url.split("?")[0])
    assert await page.locator("#exp-start-0").input_value() == "2019-03"

    await page.goto("/jobs")
    jobs = page.locator("article.job")
    assert await jobs.count() > 0
    assert "Skills" in await jobs.first.locator(".parts").inner_text()
    await check(page, "jobs", carol)
    first_title = await jobs.first.locator("h2").inner_text()
    await jobs.first.get_by_role("button", name="Save").click()  # htmx: no reload
    await page.locator("article.job .notice", has_text="Saved").first.wait_for()
    await jobs.nth(1).get_by_role("button", name="Dismiss").click()
    await page.locator(".notice", has_text="Job dismissed").wait_for()
    await page.goto("/jobs?workplace=remote")
    await check(page, "jobs-remote", carol)
    await page.goto("/jobs")
    assert first_title == await page.locator("article.job h2").first.inner_text()  # stable ranking
    await page.get_by_label("Alert name").fill("Remote admin jobs")
    await page.get_by_label("Words to look for (empty: your resume)").fill("system administrator")
    await page.get_by_role("button", name="Save the alert").click()
    await page.wait_for_url("**/jobs?msg=alert_saved")
    assert "Remote admin jobs" in await page.locator("#h-alerts + p + ul").inner_text()


async def test_an_admin_adds_an_employer_and_its_hr_then_scrapes_the_local_board(
    live: Live, people: Any, admin: Account, bob: Account, runtime: Runtime, board: Board, board_url: str
) -> None:
    root = await people("admin")
    page = await root.page()
    await page.goto("/signin")
    await page.get_by_label("E-mail").fill(admin.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/home")
    await page.goto("/admin")
    await page.get_by_label("Name", exact=True).fill("Globex")
    await page.get_by_label("E-mail domains (separated by commas)").fill("globex.example.com")
    await page.get_by_role("button", name="Add", exact=True).click()
    await page.wait_for_url("**/admin?msg=employer_added")
    await page.get_by_label("Their account's e-mail").fill(bob.email)
    await page.get_by_label("Employer", exact=True).select_option(label="Globex")
    await page.get_by_role("button", name="Make HR").click()
    await page.wait_for_url("**/admin?msg=hr_linked")
    row = page.locator("section[aria-labelledby=h-emp] tbody tr", has_text="Globex")
    assert bob.email in await row.inner_text()
    await check(page, "admin", root)
    await page.get_by_label("generic", exact=True).check()
    await page.get_by_label("Career page address (for the generic source)").fill(f"{board_url}/careers")
    await page.get_by_label("Pages per source").fill("2")
    await page.get_by_label("Extraction rules for the career page", exact=False).fill(json.dumps(RULES))
    await page.get_by_role("button", name="Start the run").click()
    await page.wait_for_url("**/admin?msg=scrape_started")
    assert await page.locator("#runs .run-status").first.inner_text() == "queued"
    assert await page.locator("#runs[hx-get]").count() == 1  # the table polls while the run goes
    await drain_queue(runtime)
    await page.locator("#runs .run-status", has_text="succeeded").wait_for(timeout=15_000)  # htmx polled
    counters = await page.locator("#runs tr.run").first.inner_text()
    assert "generic: " in counters and " / 0 /" not in counters.split("generic: ")[1][:8]
    await check(page, "admin-run", root)


async def test_a_forgotten_password_is_reset_from_the_mailed_link(
    live: Live, people: Any, client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    await sign_up(client, "forgetful@lakeshore.example.com", "Fran Forgetful")
    fran = await people("fran")
    page = await fran.page()
    await page.goto("/signin")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("E-mail").fill("forgetful@lakeshore.example.com")
    await page.get_by_role("button", name="Send the link").click()
    await page.wait_for_url("**/signin?msg=reset_sent")
    message = await mail_to(mailbox, runtime, "forgetful@lakeshore.example.com", "Reset your password")
    link = link_in(message)
    await page.goto(link)
    await check(page, "reset", fran)
    await page.get_by_label("New password (at least 8 characters)").fill("a new and better secret")
    await page.get_by_role("button", name="Save the new password").click()
    await page.wait_for_url("**/signin?msg=password_changed")
    await page.get_by_label("E-mail").fill("forgetful@lakeshore.example.com")
    await page.get_by_label("Password").fill("a new and better secret")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/home*")
    # the link works once: opened again, its form says so
    await page.goto(link)
    await page.get_by_label("New password (at least 8 characters)").fill("yet another secret")
    await page.get_by_role("button", name="Save the new password").click()
    assert "already used" in await page.locator("[role=alert]").inner_text()
