"""Operations: Prometheus metrics (and who may read them), security headers, the personal-data
export, and error reports scrubbed of personal data."""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import SecretStr

from jobswap.config import Environment
from jobswap.http_security import before_send
from jobswap.runtime import Runtime
from tests.conftest import Account, client_at
from tests.swaps.conftest import CONSENT, Town, propose


async def test_metrics_cover_requests_pool_queue_and_outbox(
    app: Any, client: httpx.AsyncClient, alice: Account
) -> None:
    await client.get("/api/users/me", headers=alice.headers)
    await client.get(f"/api/users/{alice.id}", headers=alice.headers)
    answer = await client.get("/metrics")  # the tests' client comes from 203.0.113.7, not allowed...
    assert answer.status_code == 403  # ... and the tests run as "test", not development
    local = client_at(app, "127.0.0.1")
    async with local:
        answer = await local.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    body = answer.text
    assert 'jobswap_http_requests_total{method="GET",route="/api/users/{user_id}",status="200"}' in body
    assert str(alice.id) not in body  # routes by template: bounded labels, no ids
    assert 'jobswap_db_pool_connections{state="size"}' in body
    assert 'jobswap_outbox_emails{status="pending"}' in body  # Alice's verification mail
    assert 'jobswap_queue_jobs{queue="default",status="todo"}' in body
    assert "jobswap_http_request_duration_seconds_bucket" in body


async def test_metrics_token(app: Any, client: httpx.AsyncClient) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"metrics_token": SecretStr("s3cret-metrics"), "metrics_allow": []}
    )
    assert (await client.get("/metrics")).status_code == 403
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 403
    assert (
        await client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    ).status_code == 200
    app.state.settings = app.state.settings.model_copy(update={"environment": Environment.DEVELOPMENT})
    assert (await client.get("/metrics")).status_code == 200  # open in development


async def test_task_durations_are_recorded(
    app: Any, client: httpx.AsyncClient, runtime: Runtime, alice: Account
) -> None:
    await runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)
    local = client_at(app, "127.0.0.1")
    async with local:
        body = (await local.get("/metrics")).text
    assert 'jobswap_task_duration_seconds_count{outcome="succeeded",task="notifications.send_email"}' in body


async def test_security_headers(client: httpx.AsyncClient, alice: Account) -> None:
    answer = await client.get("/api/users/me", headers=alice.headers)
    headers = answer.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert (
        headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in headers["content-security-policy"]
    )
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"
    assert headers["strict-transport-security"].startswith("max-age=")  # not development
    assert "cache-control" not in (await client.get("/healthz")).headers
    # A route's own Cache-Control is kept.
    error = await client.get("/api/nothing")
    assert error.headers["x-content-type-options"] == "nosniff"


async def test_export_holds_everything_of_mine_and_nothing_of_others(
    client: httpx.AsyncClient, town: Town, runtime: Runtime
) -> None:
    a, b = town["nurse.a"], town["nurse.b"]
    await client.post(
        "/api/resumes/upload",
        headers=a.headers,
        files={"file": ("cv.txt", b"Nurse A\nWard experience\n", "text/plain")},
    )
    request_id = (await propose(client, a, 2)).json()["id"]
    answer = await client.get("/api/users/me/export", headers=a.headers)
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    data = answer.json()
    assert data["profile"]["email"] == a.email and data["format"] == 1
    assert [r["filename"] for r in data["resumes"]] == ["cv.txt"]
    assert [s["id"] for s in data["swap_requests"]] == [request_id]
    assert data["matches"] and data["sign_in_sessions"] and "email_preferences" in data
    dumped = json.dumps(data)
    assert b.email not in dumped and "Secret Name nurse.b" not in dumped
    await client.put(f"/api/swap-requests/{request_id}/accept", headers=b.headers, json=CONSENT)
    assert (await client.get("/api/users/me/export")).status_code == 401


def test_error_reports_carry_no_personal_data() -> None:
    event: dict[str, Any] = {
        "request": {
            "url": "https://jobswap.example/api/auth/signin",
            "data": {"username": "alice@example.com", "password": "hunter22"},
            "cookies": {"session": "abc"},
            "headers": {"Authorization": "Bearer eyJ...", "User-Agent": "x"},
            "query_string": "token=secret",
        },
        "user": {"email": "alice@example.com"},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"password": "hunter22", "n": 3}}]}}]},
    }
    cleaned = before_send(event, {})
    assert cleaned is not None
    text = json.dumps(cleaned)
    assert (
        "alice@example.com" not in text
        and "hunter22" not in text
        and "Bearer" not in text
        and "secret" not in text
    )
    assert cleaned["request"]["headers"]["User-Agent"] == "x"
    assert cleaned["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["n"] == 3
