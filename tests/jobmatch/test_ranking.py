"""Ranking on a small real corpus, through the API: the right jobs first, explained parts,
the skill gap, commute filters and the other filters."""

from __future__ import annotations

from typing import Any

import httpx

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
from tests.resumes.test_resumes_api import drain_queue


def labels() -> dict[str, str]:
    return {row["title"]: row["label"] for row in sample()}


async def ranked(client: httpx.AsyncClient, who: Account, **filters: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/job-matches", headers=who.headers, json={"filters": filters}, params={"limit": 50}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_accountant_gets_accounting_jobs_first(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account, bob: Account
) -> None:
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    await with_resume(client, runtime, bob, IT_PDF)
    kinds = labels()

    accountant = await ranked(client, alice)
    top = [kinds[item["job"]["title"]] for item in accountant["items"][:5]]
    assert top.count("accounting") >= 4, top
    first_software = min(
        i for i, it in enumerate(accountant["items"]) if kinds[it["job"]["title"]] == "software"
    )
    last_accounting = max(
        i for i, it in enumerate(accountant["items"][:10]) if kinds[it["job"]["title"]] == "accounting"
    )
    assert last_accounting < first_software

    developer = await ranked(client, bob)
    top = [kinds[item["job"]["title"]] for item in developer["items"][:5]]
    assert top.count("software") >= 3, top

    best = accountant["items"][0]
    assert 0 <= best["score"] <= 100 and best["rank"] == 1
    parts = best["parts"]
    for name in ("text", "semantic", "role"):
        assert parts[name] is not None and 0 <= parts[name] <= 1, (name, parts)
    assert accountant["confidence"] > 0.5 and accountant["low_confidence"] is False
    scores = [item["score"] for item in accountant["items"]]
    assert scores == sorted(scores, reverse=True)


async def test_same_inputs_give_the_same_ranking(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    first = await ranked(client, alice)
    again = (
        await client.post(
            "/api/job-matches", headers=alice.headers, json={"refresh": True}, params={"limit": 50}
        )
    ).json()
    assert again["cached"] is False
    assert [(i["job"]["id"], i["score"]) for i in first["items"]] == [
        (i["job"]["id"], i["score"]) for i in again["items"]
    ]


async def test_skill_gap_is_exactly_the_job_skills_the_resume_lacks(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    await load_corpus(client, runtime, admin)
    resume_id = await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    have = {
        s.casefold()
        for s in (await client.get(f"/api/resumes/{resume_id}", headers=alice.headers)).json()["data"][
            "skills"
        ]
    }
    body = await ranked(client, alice)
    checked = 0
    for item in body["items"][:10]:
        job = (await client.get(f"/api/jobs/{item['job']['id']}", headers=alice.headers)).json()
        asked = job["skills"]
        parts = item["parts"]
        assert parts["skills_missing"] == [s for s in asked if s.casefold() not in have]
        assert parts["skills_matched"] == [s for s in asked if s.casefold() in have]
        if asked:
            assert parts["skills_summary"] == f"{len(parts['skills_matched'])} of {len(asked)} skills"
            checked += 1
    assert checked >= 5


async def test_a_near_job_ranks_above_the_same_job_far_away_and_a_limit_drops_it(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    accountant = next(r for r in sample() if r["title"] == "Accountant")
    near = {**accountant, "job_id": "near-1", "location": "Princeton, NJ"}
    far = {
        **accountant,
        "job_id": "far-1",
        "location": "Philadelphia, PA",
        "company": accountant["company"] + " East",
    }
    response = await import_rows(client, admin, jsonl([near, far]))
    assert response.status_code == 201 and response.json()["postings_new"] == 2, response.text
    await drain_queue(runtime)
    home = place("Princeton, NJ")
    await set_home(client, alice, (home[0] + 0.01, home[1]), commute_mode="car")
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)

    body = await ranked(client, alice)
    by_place = {item["job"]["location"]: item for item in body["items"]}
    assert by_place["Princeton, NJ"]["parts"]["commute_minutes"] < 15
    assert by_place["Philadelphia, PA"]["parts"]["commute_minutes"] > 60
    assert by_place["Princeton, NJ"]["rank"] < by_place["Philadelphia, PA"]["rank"]

    limited = await ranked(client, alice, max_commute_minutes=45)
    assert [item["job"]["location"] for item in limited["items"]] == ["Princeton, NJ"]


async def test_filters_exclude_what_they_should(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    everything = await ranked(client, alice)
    assert everything["total"] >= 20

    remote = await ranked(client, alice, workplace=["remote"])
    assert remote["items"] and all(i["job"]["workplace"] == "remote" for i in remote["items"])

    paid = await ranked(client, alice, min_pay=90_000)
    assert paid["items"]
    for item in paid["items"]:
        job = item["job"]
        yearly = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}[job["salary_period"]]
        assert max(job["salary_max"] or 0, job["salary_min"] or 0) * yearly >= 90_000

    levels = await ranked(client, alice, level=["senior"])
    assert levels["items"] and all(i["job"]["experience_level"] == "senior" for i in levels["items"])

    assert (await ranked(client, alice, source=["linkedin"]))["total"] == 0
    assert (await ranked(client, alice, source=["import"]))["total"] == everything["total"]
    assert (await ranked(client, alice, language=["pt"]))["total"] == 0
    assert (await ranked(client, alice, posted_since="2025-01-01T00:00:00Z"))["total"] == 0

    dismissed = everything["items"][0]
    response = await client.put(
        f"/api/job-matches/{dismissed['id']}", headers=alice.headers, json={"dismissed": True}
    )
    assert response.status_code == 200 and response.json()["dismissed"] is True
    after = await ranked(client, alice)
    assert dismissed["job"]["id"] not in {i["job"]["id"] for i in after["items"]}
    shown = await ranked(client, alice, include_dismissed=True)
    assert dismissed["job"]["id"] in {i["job"]["id"] for i in shown["items"]}


async def test_save_and_list_saved_jobs(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, ACCOUNTANT_PDF)
    body = await ranked(client, alice)
    first, second = body["items"][0], body["items"][3]
    for item in (first, second):
        response = await client.put(
            f"/api/job-matches/{item['id']}", headers=alice.headers, json={"saved": True}
        )
        assert response.status_code == 200 and response.json()["saved"] is True
    saved = (await client.get("/api/job-matches/saved", headers=alice.headers)).json()
    assert saved["total"] == 2 and {i["id"] for i in saved["items"]} == {first["id"], second["id"]}
    # a recompute keeps the marks
    await client.post("/api/job-matches", headers=alice.headers, json={"refresh": True})
    assert (await client.get("/api/job-matches/saved", headers=alice.headers)).json()["total"] == 2
    await client.put(f"/api/job-matches/{first['id']}", headers=alice.headers, json={"saved": False})
    assert (await client.get("/api/job-matches/saved", headers=alice.headers)).json()["total"] == 1


async def test_a_resume_with_little_to_go_on_says_so(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    await load_corpus(client, runtime, admin)
    from tests.resumes.test_resumes_api import upload

    response = await upload(client, alice, b"Jo Smith\nI like people and hard work.\n", name="cv.txt")
    await drain_queue(runtime)
    body = await ranked(client, alice)
    assert body["resume_id"] == response.json()["id"]
    assert body["low_confidence"] is True and body["confidence"] < 0.5
    assert body["confidence_reasons"]
    assert all(item["score"] < 60 for item in body["items"]), [i["score"] for i in body["items"][:3]]


async def test_jobs_near_home_for_a_swap_seeker(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account
) -> None:
    """Vacancies in one's own or an equivalent occupation that would shorten the commute, from
    the profile alone (no resume needed)."""
    accountant = next(r for r in sample() if r["title"] == "Accountant")
    nurse = next(r for r in sample() if r["title"] == "Registered Nurse")
    postings = [
        {**accountant, "job_id": "acct-near", "location": "Princeton, NJ"},
        {**accountant, "job_id": "acct-far", "location": "Philadelphia, PA", "company": "Far Books"},
        {**nurse, "job_id": "rn-near", "location": "Princeton, NJ"},
    ]
    assert (await import_rows(client, admin, jsonl(postings))).status_code == 201
    await drain_queue(runtime)
    home, work = place("Princeton, NJ"), place("Trenton, NJ")
    await set_home(
        client,
        alice,
        (home[0] + 0.01, home[1]),
        job_title="Staff Accountant",
        company="Ledger & Co",
        work_location={"address": "work", "latitude": work[0], "longitude": work[1]},
    )
    response = await client.get(
        "/api/job-matches",
        headers=alice.headers,
        params={"occupation": "equivalent", "shorter_commute": "true"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["resume_id"] is None
    assert [(i["job"]["title"], i["job"]["location"]) for i in body["items"]] == [
        ("Accountant", "Princeton, NJ")
    ]
    assert body["items"][0]["parts"]["shorter_commute"] is True
