"""The whole journey through the API, the queue and a real SMTP server: a 2-way and a 3-way
swap from match to approval, with the mail that arrives at each step."""

from __future__ import annotations

import json

import httpx

from jobswap.runtime import Runtime
from tests.conftest import Mailbox
from tests.swaps.conftest import CONSENT, Town, drain, kinds, only_match, propose


async def test_two_way_swap_from_match_to_approval(
    client: httpx.AsyncClient, runtime: Runtime, town: Town, mailbox: Mailbox
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    match = await only_match(client, a, 2)
    created = await propose(client, a, 2, message="Hello! <b>Shall we?</b>", commute_savings_minutes=999)
    assert created.status_code == 422  # the saving is computed, never taken from the client
    created = await propose(client, a, 2, message="Hello! <b>Shall we?</b>")
    assert created.status_code == 201, created.text
    request = created.json()
    assert (
        request["status"] == "pending" and request["direction"] == "outgoing" and request["cycle_size"] == 2
    )
    assert request["commute_savings_minutes"] == match["minutes_saved_total"]
    request_id = request["id"]

    # Before everyone accepts, the other member sees what a match shows, nothing more.
    seen = await client.get(f"/api/swap-requests/{request_id}", headers=b.headers)
    assert seen.status_code == 200 and seen.json()["direction"] == "incoming"
    raw = seen.text
    assert "Secret Name" not in raw and "nurse.a@example.com" not in raw
    assert all(m["contact"] is None and m["resume_url"] is None for m in seen.json()["members"])
    assert {m["company"] for m in seen.json()["members"]} == {"North Hospital", "South Hospital"}

    await drain(runtime)
    [invite] = mailbox.to(b.email)
    assert "proposes a job swap" in invite["Subject"]
    html = invite.get_body(("html",)).get_content()
    text = invite.get_body(("plain",)).get_content()
    assert "&lt;b&gt;Shall we?&lt;/b&gt;" in html and "<b>Shall we?" not in html  # the message is text
    assert "<b>Shall we?</b>" in text and f"http://jobswap.test/api/swap-requests/{request_id}" in text
    assert invite["List-Unsubscribe"].startswith("<http://jobswap.test/api/notifications/unsubscribe?token=")
    assert invite["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert invite["Message-ID"].endswith("@jobswap.test>")
    assert mailbox.to(a.email) == []  # the proposer is not told of their own proposal

    accepted = await client.put(
        f"/api/swap-requests/{request_id}/accept", headers=b.headers, json={**CONSENT, "share_contact": False}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "hr_review"
    # After: each sees of the other only what that person chose to share.
    a_view = (await client.get(f"/api/swap-requests/{request_id}", headers=a.headers)).json()
    b_view = accepted.json()
    [b_in_a] = [m for m in a_view["members"] if not m["you"]]
    [a_in_b] = [m for m in b_view["members"] if not m["you"]]
    assert b_in_a["contact"] is None  # B kept their contact to themselves
    assert a_in_b["contact"] == {"name": "Secret Name nurse.a", "email": a.email}
    assert "nurse.b@example.com" not in json.dumps(a_view)

    north, south = town.hr["North Hospital"], town.hr["South Hospital"]
    listing = (await client.get("/api/hr/requests", headers=north.headers)).json()
    assert listing["total"] == 1
    [review] = listing["items"]
    assert review["status"] == "pending" and review["swap_status"] == "hr_review"
    detail = (await client.get(f"/api/hr/requests/{review['id']}", headers=north.headers)).json()
    by_company = {m["company"]: m for m in detail["members"]}
    own, incoming = by_company["North Hospital"], by_company["South Hospital"]
    assert own["your_employee"] and not own["employer_verified"]  # linked by company name only
    assert own["email"] == a.email and own["salary_band"] == "USD 70k-80k"
    assert incoming["joins_your_employer"] and incoming["email"] is None and incoming["salary_band"] is None
    saving = detail["estimated_cost_savings"]
    assert saving["employer"]["annual_saving_low"] <= saving["employer"]["annual_saving"]
    assert saving["employer"]["annual_saving"] <= saving["employer"]["annual_saving_high"]
    assert {a["key"] for a in saving["assumptions"]} >= {"replacement_cost_share", "voluntary_turnover_rate"}
    assert all(a["source"] for a in saving["assumptions"])

    approved = await client.put(f"/api/hr/requests/{review['id']}/approve", headers=north.headers)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["swap_status"] == "hr_review"  # South has not decided yet
    [south_review] = (await client.get("/api/hr/requests", headers=south.headers)).json()["items"]
    done = await client.put(f"/api/hr/requests/{south_review['id']}/approve", headers=south.headers)
    assert done.status_code == 200 and done.json()["swap_status"] == "approved"

    await drain(runtime)
    assert kinds(mailbox, a.email) == [
        "JobSwap: Everyone accepted: your job swap goes to HR",
        "JobSwap: HR decided on your job swap",
    ]
    assert len(kinds(mailbox, b.email)) == 3
    assert kinds(mailbox, north.email) == [
        "JobSwap: A job swap awaits your review",
        "JobSwap: HR decided on your job swap",
    ]
    final = (await client.get(f"/api/swap-requests/{request_id}", headers=a.headers)).json()
    assert final["status"] == "approved" and final["decided_at"] is not None
    assert [(e["from_status"], e["to_status"]) for e in final["events"]] == [
        (None, "pending"),
        ("pending", "pending"),
        ("pending", "accepted"),
        ("accepted", "hr_review"),
        (None, "pending"),
        (None, "pending"),
        ("pending", "approved"),
        ("pending", "approved"),
        ("hr_review", "approved"),
    ]
    assert final["events"][0]["by"] == "you" and final["events"][1]["by"] == "member 2"
    notes = (await client.get("/api/notifications", headers=a.headers)).json()
    assert notes["unread"] == 3 and [n["kind"] for n in notes["items"]] == [
        "hr_decision",
        "swap_all_accepted",
        "email_verification",
    ]


async def test_three_way_swap_needs_every_member_and_every_employer(
    client: httpx.AsyncClient, runtime: Runtime, town: Town, mailbox: Mailbox
) -> None:
    x, y, z = town["acct.x"], town["acct.y"], town["acct.z"]
    created = await propose(client, x, 3, share_resume=True)
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    await drain(runtime)
    assert len(mailbox.to(y.email)) == 1 and len(mailbox.to(z.email)) == 1

    first = await client.put(f"/api/swap-requests/{request_id}/accept", headers=y.headers, json=CONSENT)
    assert first.status_code == 200 and first.json()["status"] == "pending"
    assert all(m["contact"] is None for m in first.json()["members"])  # Z has not answered yet
    second = await client.put(f"/api/swap-requests/{request_id}/accept", headers=z.headers, json=CONSENT)
    assert second.status_code == 200 and second.json()["status"] == "hr_review"
    contacts = {m["contact"]["email"] for m in second.json()["members"] if m["contact"]}
    assert contacts == {x.email, y.email}
    # Books LLC (Z's employer) is not on JobSwap: only the two known employers review.
    hr = second.json()["hr"]
    assert sorted(h["employer"] for h in hr) == ["Audit Inc", "Ledger & Co"]
    for employer in ("Audit Inc", "Ledger & Co"):
        [review] = (await client.get("/api/hr/requests", headers=town.hr[employer].headers)).json()["items"]
        assert review["cycle_size"] == 3
        decided = await client.put(
            f"/api/hr/requests/{review['id']}/approve", headers=town.hr[employer].headers
        )
        assert decided.status_code == 200
    final = (await client.get(f"/api/swap-requests/{request_id}", headers=y.headers)).json()
    assert final["status"] == "approved"
    await drain(runtime)
    for who in (x, y, z):
        assert kinds(mailbox, who.email)[-1] == "JobSwap: HR decided on your job swap"
