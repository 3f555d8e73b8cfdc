"""The jobs API: admins start and watch scrape runs; signed-in users search jobs."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.jobs import service
from tests.conftest import Account, sign_up
from tests.jobs.board import Board


async def work(runtime: Any) -> None:
    await runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)


async def test_admin_runs_a_scrape_through_the_queue_and_users_search(
    scrape_client: httpx.AsyncClient,
    scrape_runtime: Any,
    scrape_settings: Settings,
    admin: Account,
    board: Board,
    admin_engine: Any,
) -> None:
    employee = await sign_up(scrape_client, "reader@example.com")
    body = {"sources": ["indeed", "lever"], "query": "", "max_pages": 10, "options": {"company": "globex"}}
    assert (
        await scrape_client.post("/api/scrape-runs", json=body, headers=employee.headers)
    ).status_code == 403
    created = await scrape_client.post("/api/scrape-runs", json=body, headers=admin.headers)
    assert created.status_code == 202, created.text
    run = created.json()
    assert run["status"] == "queued" and run["sources"] == ["indeed", "lever"]

    await work(scrape_runtime)  # the scrape, then the embeddings it queued
    done = (await scrape_client.get(f"/api/scrape-runs/{run['id']}", headers=admin.headers)).json()
    assert done["status"] == "succeeded" and done["postings_new"] > 0 and done["duration_seconds"] > 0
    assert done["per_source"]["lever"]["found"] == len(board.on("lever"))
    listing = (await scrape_client.get("/api/scrape-runs", headers=admin.headers)).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == run["id"]
    metrics = (await scrape_client.get("/api/scrape-metrics", headers=admin.headers)).json()["sources"]
    assert metrics["indeed"]["success_rate"] == 1.0 and metrics["lever"]["postings"] == len(board.on("lever"))
    assert metrics["indeed"]["postings_per_minute"] > 0
    assert (await scrape_client.get("/api/scrape-runs", headers=employee.headers)).status_code == 403
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs WHERE embedding IS NULL")).scalar_one() == 0

    # search as an ordinary user
    page = (await scrape_client.get("/api/jobs", params={"q": "engineer"}, headers=employee.headers)).json()
    assert page["total"] > 0 and all(
        "Engineer" in j["title"] or "ngineer" in j["title"] for j in page["items"]
    )
    lever = (
        await scrape_client.get("/api/jobs", params={"source": "lever"}, headers=employee.headers)
    ).json()
    assert lever["total"] == len(board.on("lever"))
    remote = (
        await scrape_client.get("/api/jobs", params={"workplace": "remote"}, headers=employee.headers)
    ).json()
    assert remote["total"] > 0 and {j["workplace"] for j in remote["items"]} == {"remote"}
    rich = (
        await scrape_client.get("/api/jobs", params={"salary_min": 120000}, headers=employee.headers)
    ).json()
    assert all(max(j["salary_max"] or 0, j["salary_min"] or 0) >= 120000 for j in rich["items"])
    austin = (
        await scrape_client.get("/api/jobs", params={"location": "Austin"}, headers=employee.headers)
    ).json()
    assert austin["total"] > 0 and {j["city"] for j in austin["items"]} == {"Austin"}
    english = await scrape_client.get(
        "/api/jobs", params={"language": "en", "limit": 5}, headers=employee.headers
    )
    assert (
        english.json()["total"]
        == (await scrape_client.get("/api/jobs", headers=employee.headers)).json()["total"]
    )

    job_id = page["items"][0]["id"]
    detail = (await scrape_client.get(f"/api/jobs/{job_id}", headers=employee.headers)).json()
    assert detail["description"] and detail["sources"] and detail["skills"]

    # an admin's correction survives the next scrape
    fix = {"title": "Corrected Title", "experience_level": "lead"}
    assert (
        await scrape_client.put(f"/api/jobs/{job_id}", json=fix, headers=employee.headers)
    ).status_code == 403
    fixed = await scrape_client.put(f"/api/jobs/{job_id}", json=fix, headers=admin.headers)
    assert fixed.status_code == 200 and fixed.json()["corrected"] == {"title": True, "experience_level": True}
    again = await scrape_client.post("/api/scrape-runs", json=body, headers=admin.headers)
    await service.execute(scrape_runtime.database, scrape_settings, again.json()["id"])
    after = (await scrape_client.get(f"/api/jobs/{job_id}", headers=employee.headers)).json()
    assert after["title"] == "Corrected Title" and after["experience_level"] == "lead"


async def test_bad_requests_get_clear_errors(scrape_client: httpx.AsyncClient, admin: Account) -> None:
    cases: list[tuple[dict[str, Any], int]] = [
        ({"sources": ["monster"], "query": "x"}, 422),
        ({"sources": [], "query": "x"}, 422),
        ({"sources": ["generic"], "query": "x"}, 400),
        ({"sources": ["generic"], "query": "x", "options": {"url": "ftp://x"}}, 422),
        (
            {
                "sources": ["generic"],
                "query": "x",
                "options": {"url": "http://127.0.0.1/c", "rules": {"fields": {}}},
            },
            400,
        ),
        ({"sources": ["greenhouse"], "query": "x", "options": {"board": "../etc"}}, 422),
        ({"sources": ["indeed", "indeed"], "query": "x"}, 400),
        ({"sources": ["indeed"], "query": "x\u0000"}, 422),
        ({"sources": ["indeed"], "query": "x", "max_pages": 10_000}, 422),
    ]
    for body, expected in cases:
        response = await scrape_client.post("/api/scrape-runs", json=body, headers=admin.headers)
        assert response.status_code == expected, (body, response.text)
        assert response.json()["error"]["message"]
    for params in (
        {"salary_min": "lots"},
        {"workplace": "moon"},
        {"q": "x" * 500},
        {"posted_since": "yesterday"},
    ):
        response = await scrape_client.get("/api/jobs", params=params, headers=admin.headers)
        assert response.status_code == 422, params
    assert (await scrape_client.get("/api/jobs/not-a-uuid", headers=admin.headers)).status_code == 422
    missing = await scrape_client.get("/api/jobs/00000000-0000-0000-0000-000000000000", headers=admin.headers)
    assert missing.status_code == 404
    bad_fix = await scrape_client.put(
        "/api/jobs/00000000-0000-0000-0000-000000000000", json={"salary_min": -1}, headers=admin.headers
    )
    assert bad_fix.status_code == 422
    cron = {"name": "n", "sources": ["indeed"], "query": "x", "cron": "every day at noon"}
    assert (
        await scrape_client.post("/api/saved-searches", json=cron, headers=admin.headers)
    ).status_code == 400
    good = {**cron, "cron": "0 6 * * 1-5"}
    created = await scrape_client.post("/api/saved-searches", json=good, headers=admin.headers)
    assert created.status_code == 201 and created.json()["next_run_at"]
    assert len((await scrape_client.get("/api/saved-searches", headers=admin.headers)).json()) == 1
    gone = await scrape_client.delete(f"/api/saved-searches/{created.json()['id']}", headers=admin.headers)
    assert gone.status_code == 204
