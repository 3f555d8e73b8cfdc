"""Requests fired at the same moment leave one consistent state: row locks and conditional
updates, checked against the real database with truly concurrent transactions."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text

from jobswap.runtime import Runtime
from tests.swaps.conftest import CONSENT, Town, only_match, propose


def _rows(admin_engine: Any, sql: str, **params: Any) -> list[Any]:
    with admin_engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


async def test_two_members_accepting_at_once(
    client: httpx.AsyncClient, town: Town, admin_engine: Any
) -> None:
    x, y, z = town["acct.x"], town["acct.y"], town["acct.z"]
    request_id = (await propose(client, x, 3)).json()["id"]
    answers = await asyncio.gather(
        client.put(f"/api/swap-requests/{request_id}/accept", headers=y.headers, json=CONSENT),
        client.put(f"/api/swap-requests/{request_id}/accept", headers=z.headers, json=CONSENT),
    )
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted(a.json()["status"] for a in answers) == ["hr_review", "pending"]  # the second saw the first
    moves = _rows(
        admin_engine,
        "SELECT from_status, to_status FROM swap_events WHERE request_id = :r "
        "AND hr_request_id IS NULL ORDER BY id",
        r=request_id,
    )
    assert [tuple(m) for m in moves] == [
        (None, "pending"),
        ("pending", "pending"),
        ("pending", "pending"),
        ("pending", "accepted"),
        ("accepted", "hr_review"),
    ]
    assert len(_rows(admin_engine, "SELECT 1 FROM hr_requests WHERE request_id = :r", r=request_id)) == 2


async def test_accept_racing_withdraw(client: httpx.AsyncClient, town: Town, admin_engine: Any) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    for _ in range(3):
        request_id = (await propose(client, a, 2)).json()["id"]
        accept, withdraw = await asyncio.gather(
            client.put(f"/api/swap-requests/{request_id}/accept", headers=b.headers, json=CONSENT),
            client.put(f"/api/swap-requests/{request_id}/withdraw", headers=a.headers),
        )
        assert sorted([accept.status_code, withdraw.status_code]) == [200, 409]
        [(status,)] = _rows(admin_engine, "SELECT status FROM swap_requests WHERE id = :r", r=request_id)
        winner = "hr_review" if accept.status_code == 200 else "withdrawn"
        assert status == winner
        loser = withdraw if accept.status_code == 200 else accept
        assert loser.json()["error"]["details"]["status"] == winner
        if status == "hr_review":
            break  # a live swap blocks a new request for the same pair; one of each outcome is enough
        # withdrawn: no HR review was created
        assert _rows(admin_engine, "SELECT 1 FROM hr_requests WHERE request_id = :r", r=request_id) == []


async def test_the_same_request_submitted_twice(
    client: httpx.AsyncClient, town: Town, admin_engine: Any
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    match_a = await only_match(client, a, 2)
    match_b = await only_match(client, b, 2)
    answers = await asyncio.gather(
        client.post("/api/swap-requests", headers=a.headers, json={"match_id": match_a["id"], **CONSENT}),
        client.post("/api/swap-requests", headers=a.headers, json={"match_id": match_a["id"], **CONSENT}),
        client.post("/api/swap-requests", headers=b.headers, json={"match_id": match_b["id"], **CONSENT}),
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409]
    assert len(_rows(admin_engine, "SELECT 1 FROM swap_requests")) == 1
    assert len(_rows(admin_engine, "SELECT 1 FROM swap_request_members")) == 2
    # Only the winner's invitation was written (the losers' transactions rolled back whole).
    assert len(_rows(admin_engine, "SELECT 1 FROM email_outbox WHERE kind = 'swap_request_received'")) == 1


async def test_accept_racing_expiry(
    client: httpx.AsyncClient, town: Town, runtime: Runtime, admin_engine: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from jobswap.swaps.tasks import EXPIRE_TASK

    a, b = town["nurse.a"], town["nurse.b"]
    request_id = (await propose(client, a, 2)).json()["id"]
    with admin_engine.begin() as conn:  # due now
        conn.execute(
            text("UPDATE swap_requests SET expires_at = now() + interval '2 seconds' WHERE id = :r"),
            {"r": request_id},
        )
    await asyncio.sleep(2.1)
    later = int((datetime.now(UTC) + timedelta(seconds=1)).timestamp())
    await runtime.queue.configure_task(EXPIRE_TASK).defer_async(timestamp=later)
    accept, _ = await asyncio.gather(
        client.put(f"/api/swap-requests/{request_id}/accept", headers=b.headers, json=CONSENT),
        runtime.queue.run_worker_async(wait=False, install_signal_handlers=False),
    )
    assert accept.status_code == 409
    [(status,)] = _rows(admin_engine, "SELECT status FROM swap_requests WHERE id = :r", r=request_id)
    assert status == "expired"
