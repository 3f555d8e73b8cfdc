"""The stored list as a cache (served, invalidated, computed once under concurrency), row-level
security on job_matches, and bad input."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jobswap.db import AccessRole, Identity
from jobswap.runtime import Runtime
from tests.conftest import Account
from tests.jobmatch.conftest import (
    ACCOUNTANT_PDF,
    IT_PDF,
    import_rows,
    jsonl,
    load_corpus,
    place,
    sample,
    set_home,
    with_resume,
)
from tests.resumes.test_resumes_api import drain_queue, upload


async def matches(client: httpx.AsyncClient, who: Account, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/job-matches", headers=who.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_second_request_is_served_from_the_cache_and_each_change_invalidates_it(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    first = await matches(client, alice)
    assert first["cached"] is False
    second = await matches(client, alice)
    assert second["cached"] is True and second["computed_at"] == first["computed_at"]
    assert second["items"] == first["items"]
    # a second page of the same list is the same list
    assert (await matches(client, alice, offset=20))["cached"] is True

    assert (await matches(client, alice, workplace="remote"))["cached"] is False  # filters
    assert (await matches(client, alice, workplace="remote"))["cached"] is True
    assert (await matches(client, alice))["cached"] is False  # and back

    await set_home(client, alice, place("Princeton, NJ"))  # the home
    assert (await matches(client, alice))["cached"] is False
    assert (await matches(client, alice))["cached"] is True

    new = {**sample()[0], "job_id": "brand-new", "company": "Another Firm"}  # new jobs land
    assert (await import_rows(client, admin, jsonl([new]))).status_code == 201
    assert (await matches(client, alice))["cached"] is False
    await drain_queue(runtime)  # ...and their embeddings
    assert (await matches(client, alice))["cached"] is False
    assert (await matches(client, alice))["cached"] is True

    resume_id = await with_resume(client, runtime, alice, IT_PDF)  # a new resume version
    fresh = await matches(client, alice)
    assert fresh["cached"] is False and fresh["resume_id"] == resume_id
    response = await client.put(
        f"/api/resumes/{resume_id}", headers=alice.headers, json={"skills": ["Accounting", "Excel"]}
    )
    assert response.status_code == 200, response.text  # a correction is a new version too
    assert (await matches(client, alice))["cached"] is False


async def test_concurrent_requests_compute_once(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account, admin_engine: Any
) -> None:
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    results = await asyncio.gather(*(matches(client, alice) for _ in range(4)))
    assert sorted(r["cached"] for r in results) == [False, True, True, True]
    assert len({r["computed_at"] for r in results}) == 1
    with admin_engine.connect() as conn:
        ranks = conn.execute(
            text("SELECT rank FROM job_matches WHERE rank IS NOT NULL ORDER BY rank")
        ).scalars()
        listed = list(ranks)
    assert listed == list(range(1, len(listed) + 1))  # one consistent ranking, no duplicates


async def test_rls_keeps_job_matches_to_their_owner(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account, bob: Account
) -> None:
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    mine = await matches(client, alice)
    assert mine["total"] > 0
    async with runtime.database.transaction(Identity(bob.id, AccessRole.EMPLOYEE)) as session:
        # no WHERE user_id = ...: only the policies stand between bob and alice's rows
        assert (await session.execute(text("SELECT count(*) FROM job_matches"))).scalar_one() == 0
        assert (await session.execute(text("SELECT count(*) FROM job_match_lists"))).scalar_one() == 0
        changed = await session.execute(text("UPDATE job_matches SET saved = true"))
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    async with runtime.database.transaction(Identity(alice.id, AccessRole.EMPLOYEE)) as session:
        assert (await session.execute(text("SELECT count(*) FROM job_matches"))).scalar_one() == mine["total"]
        with pytest.raises(Exception, match="row-level security"):
            await session.execute(
                text("INSERT INTO job_matches (user_id, job_id, score) SELECT :u, id, 50 FROM jobs LIMIT 1"),
                {"u": bob.id},
            )
    item = mine["items"][0]["id"]
    assert (await client.get(f"/api/job-matches/{item}", headers=bob.headers)).status_code == 404
    response = await client.put(f"/api/job-matches/{item}", headers=bob.headers, json={"saved": True})
    assert response.status_code == 404


async def test_bad_input_gets_a_clear_4xx(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account, bob: Account
) -> None:
    await load_corpus(client, runtime, admin)
    # nothing to go on yet
    response = await client.post("/api/job-matches", headers=alice.headers, json={})
    assert response.status_code == 400 and "resume" in response.json()["error"]["message"].lower()

    unknown = await client.post(
        "/api/job-matches", headers=alice.headers, json={"resume_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 404
    bobs = await with_resume(client, runtime, bob, IT_PDF)
    theirs = await client.post("/api/job-matches", headers=alice.headers, json={"resume_id": bobs})
    assert theirs.status_code == 404  # someone else's resume is no resume of yours

    pending = await upload(client, alice, ACCOUNTANT_PDF.read_bytes(), name="cv.pdf", ctype="application/pdf")
    parsing = await client.post(
        "/api/job-matches", headers=alice.headers, json={"resume_id": pending.json()["id"]}
    )
    assert parsing.status_code == 409 and "still being read" in parsing.json()["error"]["message"]
    await drain_queue(runtime)

    for filters in (
        {"max_commute_minutes": 0},
        {"max_commute_minutes": 100000},
        {"min_pay": -5},
        {"workplace": ["moon"]},
        {"level": ["god"]},
        {"posted_since": "2999-01-01T00:00:00Z"},
        {"posted_since": "yesterday-ish"},
        {"language": ["english please"]},
        {"occupation": "whatever"},
        {"surprise": 1},
    ):
        response = await client.post("/api/job-matches", headers=alice.headers, json={"filters": filters})
        assert response.status_code == 422, (filters, response.text)
    params = {"max_commute_minutes": "soon", "limit": 5}
    assert (await client.get("/api/job-matches", headers=alice.headers, params=params)).status_code == 422
    assert (
        await client.get("/api/job-matches", headers=alice.headers, params={"limit": 1000})
    ).status_code == 422

    # filters that need a profile fact the person has not given
    response = await client.post(
        "/api/job-matches", headers=alice.headers, json={"filters": {"max_commute_minutes": 30}}
    )
    assert response.status_code == 400 and "home" in response.json()["error"]["message"]
    response = await client.post(
        "/api/job-matches", headers=alice.headers, json={"filters": {"occupation": "equivalent"}}
    )
    assert response.status_code == 400 and "occupation" in response.json()["error"]["message"]
    bad_update = await client.put(f"/api/job-matches/{uuid.uuid4()}", headers=alice.headers, json={})
    assert bad_update.status_code == 422
    assert (await client.get("/api/job-matches", headers=alice.headers)).status_code == 200
