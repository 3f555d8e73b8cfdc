"""Job alerts through the real queue: new jobs scored against saved alerts as they are
embedded, an in-app notification at once, e-mail digests at most at the chosen frequency."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from jobswap.jobmatch.tasks import DIGEST_TASK
from jobswap.runtime import Runtime
from tests.conftest import Account, Mailbox
from tests.jobmatch.conftest import ACCOUNTANT_PDF, import_rows, jsonl, sample, with_resume
from tests.resumes.test_resumes_api import drain_queue


def rows(label: str) -> list[dict[str, Any]]:
    return [r for r in sample() if r["label"] == label]


async def alert(client: httpx.AsyncClient, who: Account, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/job-alerts", headers=who.headers, json={"name": "My alert", **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def to(mailbox: Mailbox, address: str) -> list[Any]:
    """The alert digests sent to `address` (sign-up mails are not counted)."""
    return [m for m in mailbox.messages if m["To"] == address and "alert" in m["Subject"]]


async def test_new_jobs_reach_a_resume_alert_at_once_and_by_instant_mail(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account, mailbox: Mailbox
) -> None:
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    await alert(client, alice, frequency="instant", min_score=40)
    response = await import_rows(client, admin, jsonl(rows("accounting")[:5] + rows("software")[:5]))
    assert response.status_code == 201
    await drain_queue(runtime)  # embed, then the alert pass, then the mail

    hits = (await client.get("/api/job-alerts/hits", headers=alice.headers)).json()
    # the pass scores exactly as the ranked list does
    listed = (
        await client.post("/api/job-matches", headers=alice.headers, json={}, params={"limit": 50})
    ).json()
    expected = {i["job"]["id"]: i["score"] for i in listed["items"] if i["score"] >= 40}
    assert {h["job"]["id"]: h["score"] for h in hits["items"]} == expected
    titles = [h["job"]["title"] for h in sorted(hits["items"], key=lambda h: -h["score"])]
    assert len(titles) >= 2 and titles[0] in {r["title"] for r in rows("accounting")}, titles
    assert not set(titles) & {r["title"] for r in rows("software")[:5]}, titles
    notes = (await client.get("/api/notifications", headers=alice.headers)).json()
    assert any(n["kind"] == "job_alert" for n in notes["items"])
    mails = to(mailbox, alice.email)
    assert len(mails) == 1 and "My alert" in mails[0].get_body(("plain",)).get_content()

    # the same jobs again: nothing new, no second mail
    await import_rows(client, admin, jsonl(rows("accounting")[:5]))
    await drain_queue(runtime)
    assert (await client.get("/api/job-alerts/hits", headers=alice.headers)).json()["total"] == hits["total"]
    assert len(to(mailbox, alice.email)) == 1


async def test_daily_digest_waits_for_its_day_and_goes_once(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account, mailbox: Mailbox
) -> None:
    created = await alert(client, alice, query="accountant", frequency="daily", min_score=40)
    assert created["frequency"] == "daily"
    await import_rows(client, admin, jsonl(rows("accounting")[:4]))
    await drain_queue(runtime)
    assert (await client.get("/api/job-alerts/hits", headers=alice.headers)).json()["total"] >= 2
    assert to(mailbox, alice.email) == []  # daily: not yet

    now = datetime.now(UTC)
    await runtime.queue.configure_task(DIGEST_TASK).defer_async(timestamp=int(now.timestamp()))
    await drain_queue(runtime)
    mails = to(mailbox, alice.email)
    assert len(mails) == 1
    body = mails[0].get_body(("plain",)).get_content()
    found = (await client.get("/api/job-alerts/hits", headers=alice.headers)).json()["items"]
    assert all(f"- {h['job']['title']}, {h['job']['company']}" in body for h in found), body

    # more hits the same day wait for tomorrow's digest
    await import_rows(client, admin, jsonl(rows("accounting")[4:8]))
    await drain_queue(runtime)
    later = now + timedelta(hours=2)
    await runtime.queue.configure_task(DIGEST_TASK).defer_async(timestamp=int(later.timestamp()))
    await drain_queue(runtime)
    assert len(to(mailbox, alice.email)) == 1
    tomorrow = now + timedelta(days=1, minutes=1)
    await runtime.queue.configure_task(DIGEST_TASK).defer_async(timestamp=int(tomorrow.timestamp()))
    await drain_queue(runtime)
    assert len(to(mailbox, alice.email)) == 2


async def test_alert_filters_and_opt_out(
    client: httpx.AsyncClient,
    runtime: Runtime,
    admin: Account,
    alice: Account,
    mailbox: Mailbox,
    admin_engine: Any,
) -> None:
    await alert(
        client,
        alice,
        query="accountant",
        frequency="instant",
        min_score=30,
        filters={"workplace": ["remote"]},
    )
    postings = [{**r, "remote_allowed": "1" if i % 2 else ""} for i, r in enumerate(rows("accounting"))]
    await import_rows(client, admin, jsonl(postings))
    await drain_queue(runtime)
    hits = (await client.get("/api/job-alerts/hits", headers=alice.headers)).json()["items"]
    assert hits and all(h["job"]["workplace"] == "remote" for h in hits)

    response = await client.put(
        "/api/users/me/notifications",
        headers=alice.headers,
        json={"email": {"job_alert_digest": False}},
    )
    assert response.status_code == 200, response.text
    before = len(to(mailbox, alice.email))
    more = [
        {**r, "job_id": f"again-{i}", "company": r["company"] + " II"}
        for i, r in enumerate(rows("accounting"))
    ]
    await import_rows(client, admin, jsonl(more))
    await drain_queue(runtime)
    assert len(to(mailbox, alice.email)) == before
    with admin_engine.connect() as conn:
        pending = conn.execute(
            text("SELECT count(*) FROM job_alert_hits WHERE digested_at IS NULL")
        ).scalar_one()
    assert pending == 0


async def test_alert_rules_and_bad_input(client: httpx.AsyncClient, alice: Account, bob: Account) -> None:
    response = await client.post("/api/job-alerts", headers=alice.headers, json={"name": "x"})
    assert response.status_code == 400 and "query" in response.json()["error"]["message"]
    for body in ({"name": "", "query": "x y"}, {"name": "a", "query": "cook", "frequency": "hourly"},
                 {"name": "a", "query": "cook", "min_score": 101}, {"name": "a", "query": "c"}):  # fmt: skip
        assert (await client.post("/api/job-alerts", headers=alice.headers, json=body)).status_code == 422, (
            body
        )
    mine = await alert(client, alice, query="line cook")
    assert (await client.get("/api/job-alerts", headers=bob.headers)).json() == []
    assert (
        await client.patch(f"/api/job-alerts/{mine['id']}", headers=bob.headers, json={"enabled": False})
    ).status_code == 404
    assert (await client.delete(f"/api/job-alerts/{mine['id']}", headers=bob.headers)).status_code == 404
    assert (await client.delete(f"/api/job-alerts/{uuid.uuid4()}", headers=alice.headers)).status_code == 404
    changed = await client.patch(
        f"/api/job-alerts/{mine['id']}", headers=alice.headers, json={"frequency": "weekly"}
    )
    assert changed.status_code == 200 and changed.json()["frequency"] == "weekly"
    assert (await client.delete(f"/api/job-alerts/{mine['id']}", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/job-alerts", headers=alice.headers)).json() == []


def test_the_nearest_alert_search_walks_the_hnsw_index_even_with_stale_statistics(
    runtime: Runtime, alice: Account, admin_engine: Any
) -> None:
    """Statistics taken when there were few alerts made the planner sort every alert per job
    (past the statement timeout at 100,000 alerts); the function's own settings forbid that."""
    with admin_engine.begin() as conn:
        config = conn.execute(
            text("SELECT proconfig FROM pg_proc WHERE proname = 'jobswap_nearest_alerts'")
        ).scalar_one()
        assert "enable_sort=off" in config
        insert = (
            "INSERT INTO job_alerts (user_id, name, frequency, min_score, profile, embedding, "
            "embedding_model) SELECT CAST(:user AS uuid), 'a' || g, 'daily', 60, '{}', "
            "(SELECT l2_normalize(array_agg(random() - 0.5)::vector(384)) "
            "FROM generate_series(1, 384) AS d(i) WHERE g.g > 0), "
            "'m' FROM generate_series(1, CAST(:k AS int)) AS g"
        )
        conn.execute(text(insert), {"user": alice.id, "k": 5})
        conn.execute(text("ANALYZE job_alerts"))  # statistics of 5 alerts ...
        conn.execute(text(insert), {"user": alice.id, "k": 3000})  # ... then many more arrive
        job = conn.execute(
            text(
                "INSERT INTO jobs (title, company, company_key, description, description_html, fingerprint, "
                "simhash, embedding, embedding_model) SELECT 'Clerk', 'Acme', 'acme', 'x', '', 'f1', 0, "
                "embedding, 'm' FROM job_alerts LIMIT 1 RETURNING id"
            )
        ).scalar_one()
    with admin_engine.begin() as conn:
        for setting in config:  # the function's own settings, for its body's plan
            name, _, value = setting.partition("=")
            conn.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
        conn.execute(text("SELECT set_config('jobswap.role', 'service', true)"))
        body = conn.execute(
            text("SELECT prosrc FROM pg_proc WHERE proname = 'jobswap_nearest_alerts'")
        ).scalar_one()
        body = body.replace("ANY(job_ids)", f"ANY(ARRAY['{job}'::uuid])").replace("LIMIT n", "LIMIT 50")
        plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + body.replace("floor", "0.25"))))
    assert "ix_job_alerts_embedding_hnsw" in plan and "Sort" not in plan, plan
