"""Every illegal move gets 409 with the current state; the rules of mutual-exchange portals
(one open request per swap, a cap on open requests, sharing only by consent) hold."""

from __future__ import annotations

from typing import Any

import httpx

from jobswap.runtime import Runtime
from tests.conftest import Account, Mailbox, sign_up
from tests.swaps.conftest import CONSENT, Town, drain, kinds, propose


async def _put(
    client: httpx.AsyncClient, who: Account, request_id: str, verb: str, body: Any = None
) -> httpx.Response:
    return await client.put(f"/api/swap-requests/{request_id}/{verb}", headers=who.headers, json=body)


async def test_illegal_moves_are_409_with_the_current_state(client: httpx.AsyncClient, town: Town) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    request_id = (await propose(client, a, 2)).json()["id"]
    own_accept = await _put(client, a, request_id, "accept", CONSENT)  # the proposer accepted by proposing
    assert own_accept.status_code == 409 and own_accept.json()["error"]["details"]["status"] == "pending"
    proposer_declines = await _put(client, a, request_id, "decline", {})
    assert proposer_declines.status_code == 409
    invitee_withdraws = await _put(client, b, request_id, "withdraw")
    assert invitee_withdraws.status_code == 403

    declined = await _put(client, b, request_id, "decline", {"reason": "I like my commute"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["closed_reason"] == "I like my commute"
    for who, verb, body in ((b, "accept", CONSENT), (a, "withdraw", None), (b, "decline", {})):
        answer = await _put(client, who, request_id, verb, body)
        assert answer.status_code == 409, (verb, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "invalid_transition" and error["details"]["status"] == "declined"


async def test_withdrawn_then_proposed_again(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    first = (await propose(client, a, 2)).json()["id"]
    duplicate = await propose(client, b, 2)  # the same swap seen from the other side
    assert duplicate.status_code == 409 and duplicate.json()["error"]["details"]["swap_request_id"] == first
    withdrawn = await _put(client, a, first, "withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = await propose(client, b, 2)
    assert again.status_code == 201  # the old one is closed, so a new one may open
    await drain(runtime)
    assert kinds(mailbox, b.email) == [
        "JobSwap: Someone proposes a job swap with you",
        "JobSwap: A job swap request was withdrawn",
    ]
    late_accept = await _put(client, b, first, "accept", CONSENT)
    assert late_accept.status_code == 409 and late_accept.json()["error"]["details"]["status"] == "withdrawn"


async def test_outsiders_see_nothing_and_hr_only_their_employer(
    client: httpx.AsyncClient, town: Town
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    request_id = (await propose(client, a, 2)).json()["id"]
    stranger = await sign_up(client, "stranger@example.com")
    for who in (stranger, town["acct.x"], town.hr["North Hospital"]):  # HR sees nothing before all accept
        assert (await client.get(f"/api/swap-requests/{request_id}", headers=who.headers)).status_code == 404
        assert (await _put(client, who, request_id, "accept", CONSENT)).status_code == 404
    assert (await client.get("/api/swap-requests", headers=stranger.headers)).json()["total"] == 0
    await _put(client, b, request_id, "accept", CONSENT)
    [review] = (await client.get("/api/hr/requests", headers=town.hr["North Hospital"].headers)).json()[
        "items"
    ]
    other_hr = town.hr["Audit Inc"]
    assert (await client.get(f"/api/hr/requests/{review['id']}", headers=other_hr.headers)).status_code == 404
    assert (
        await client.put(f"/api/hr/requests/{review['id']}/approve", headers=other_hr.headers)
    ).status_code == 404
    assert (await client.get(f"/api/hr/requests/{review['id']}", headers=a.headers)).status_code == 404
    assert (await client.get("/api/hr/requests", headers=a.headers)).status_code == 403
    no_reason = await client.put(
        f"/api/hr/requests/{review['id']}/reject", headers=town.hr["North Hospital"].headers, json={}
    )
    assert no_reason.status_code == 422


async def test_one_rejection_rejects_and_members_hear_why(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    request_id = (await propose(client, a, 2)).json()["id"]
    await _put(client, b, request_id, "accept", CONSENT)
    north, south = town.hr["North Hospital"], town.hr["South Hospital"]
    [north_review] = (await client.get("/api/hr/requests", headers=north.headers)).json()["items"]
    [south_review] = (await client.get("/api/hr/requests", headers=south.headers)).json()["items"]
    rejected = await client.put(
        f"/api/hr/requests/{north_review['id']}/reject",
        headers=north.headers,
        json={"reason": "Ward understaffed"},
    )
    assert rejected.status_code == 200 and rejected.json()["swap_status"] == "rejected"
    late = await client.put(f"/api/hr/requests/{south_review['id']}/approve", headers=south.headers)
    assert late.status_code == 409 and late.json()["error"]["details"]["status"] == "cancelled"
    again = await client.put(f"/api/hr/requests/{north_review['id']}/approve", headers=north.headers)
    assert again.status_code == 409 and again.json()["error"]["details"]["status"] == "rejected"
    view = (await client.get(f"/api/swap-requests/{request_id}", headers=a.headers)).json()
    assert view["status"] == "rejected" and "Ward understaffed" in view["closed_reason"]
    await drain(runtime)
    [decision] = [m for m in mailbox.to(a.email) if "HR decided" in m["Subject"]]
    assert "Ward understaffed" in decision.get_body(("plain",)).get_content()


async def test_open_request_cap_and_message_limit(
    client: httpx.AsyncClient, town: Town, runtime: Runtime
) -> None:
    z = town["acct.z"]  # Z has a 2-way and a 3-way match
    too_long = await propose(client, z, 2, message="x" * 2001)
    assert too_long.status_code == 400 and "at most 2000" in too_long.json()["error"]["message"]
    spoof = await propose(client, z, 2, message="Hi\u202e there")
    assert spoof.status_code == 422 and spoof.json()["error"]["details"][0]["field"] == "message"
    assert (await propose(client, z, 2)).status_code == 201
    assert (await propose(client, z, 3)).status_code == 201
    listing = (
        await client.get("/api/swap-requests?direction=outgoing&status=pending", headers=z.headers)
    ).json()
    assert listing["total"] == 2
    bad = await client.get("/api/swap-requests?status=nonsense", headers=z.headers)
    assert bad.status_code == 422
    hostile = await client.post(
        "/api/swap-requests", headers=z.headers, json={"match_id": "not-a-uuid", **CONSENT}
    )
    assert hostile.status_code == 422
    no_consent = await client.post(
        "/api/swap-requests", headers=z.headers, json={"match_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert no_consent.status_code == 422
    unknown = await client.post(
        "/api/swap-requests",
        headers=z.headers,
        json={"match_id": "00000000-0000-0000-0000-000000000000", **CONSENT},
    )
    assert unknown.status_code == 404


async def test_cap_on_open_outgoing_requests(
    client: httpx.AsyncClient, app: Any, town: Town, runtime: Runtime
) -> None:
    z = town["acct.z"]
    app.state.settings = runtime.settings.model_copy(update={"swap_max_open_outgoing": 1})
    assert (await propose(client, z, 2)).status_code == 201
    over = await propose(client, z, 3)
    assert over.status_code == 409 and over.json()["error"]["details"]["limit"] == 1


async def test_approved_swap_cancels_the_members_other_requests(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, mailbox: Mailbox
) -> None:
    x, y, z = town["acct.x"], town["acct.y"], town["acct.z"]
    three = (await propose(client, x, 3)).json()["id"]
    pair = (await propose(client, z, 2)).json()["id"]  # Y and Z's own 2-way swap, still pending
    await _put(client, y, three, "accept", CONSENT)
    await _put(client, z, three, "accept", CONSENT)
    for employer in ("Audit Inc", "Ledger & Co"):
        hr = town.hr[employer]
        [review] = (await client.get("/api/hr/requests?status=pending", headers=hr.headers)).json()["items"]
        assert (
            await client.put(f"/api/hr/requests/{review['id']}/approve", headers=hr.headers)
        ).status_code == 200
    other = (await client.get(f"/api/swap-requests/{pair}", headers=y.headers)).json()
    assert (
        other["status"] == "cancelled" and other["closed_reason"] == "a member's other job swap was approved"
    )
    await drain(runtime)
    assert "JobSwap: A job swap was cancelled" in kinds(mailbox, y.email)
