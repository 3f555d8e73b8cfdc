"""A randomized access sweep: every endpoint that takes an id, called by every caller who has no
right to that id. No 2xx ever; the answer for someone else's id is the answer for an id that
does not exist (404 before 403), so nobody learns what exists."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
from sqlalchemy import text

from jobswap.runtime import Runtime
from tests.conftest import Account
from tests.swaps.conftest import CONSENT, Town, propose

BODIES: dict[tuple[str, str], Any] = {
    ("put", "/api/users/{user_id}"): {"name": "Mallory"},
    ("put", "/api/resumes/{resume_id}"): {},
    ("put", "/api/jobs/{job_id}"): {"title": "Changed"},
    ("put", "/api/job-matches/{job_match_id}"): {"saved": True},
    ("put", "/api/swap-requests/{request_id}/accept"): CONSENT,
    ("put", "/api/swap-requests/{request_id}/decline"): {},
    ("put", "/api/hr/requests/{hr_request_id}/approve"): {},
    ("put", "/api/hr/requests/{hr_request_id}/reject"): {"reason": "no"},
    ("put", "/api/admin/employers/{employer_id}"): {"name": "Mallory Inc"},
}
ADMIN_ONLY = ("/api/admin/", "/api/scrape-runs/", "/api/saved-searches/")
SHARED = {("get", "/api/jobs/{job_id}")}  # postings are for every signed-in user


async def _world(client: httpx.AsyncClient, town: Town, admin: Account, admin_engine: Any) -> dict[str, str]:
    a, b = town["nurse.a"], town["nurse.b"]
    resume = await client.post(
        "/api/resumes/upload",
        headers=a.headers,
        files={"file": ("cv.txt", b"Nurse A\nWards\n", "text/plain")},
    )
    match = (await client.get("/api/matches", headers=a.headers)).json()["items"][0]
    request_id = (await propose(client, a, 2)).json()["id"]
    await client.put(f"/api/swap-requests/{request_id}/accept", headers=b.headers, json=CONSENT)
    [review] = (await client.get("/api/hr/requests", headers=town.hr["North Hospital"].headers)).json()[
        "items"
    ]
    note = (await client.get("/api/notifications", headers=a.headers)).json()["items"][0]
    with admin_engine.begin() as conn:
        job = conn.execute(
            text(
                "INSERT INTO jobs (title, company, company_key, fingerprint) "
                "VALUES ('Nurse', 'X', 'x', 'f1') RETURNING id"
            )
        ).scalar_one()
        run = conn.execute(
            text("INSERT INTO scrape_runs (sources, query, max_pages) VALUES ('{lever}', '', 1) RETURNING id")
        ).scalar_one()
        job_match = conn.execute(
            text("INSERT INTO job_matches (user_id, job_id, score) VALUES (:u, :j, 50) RETURNING id"),
            {"u": a.id, "j": job},
        ).scalar_one()
        alert = conn.execute(
            text(
                "INSERT INTO job_alerts (user_id, name, frequency, min_score) "
                "VALUES (:u, 'a', 'daily', 50) RETURNING id"
            ),
            {"u": a.id},
        ).scalar_one()
        search = conn.execute(
            text(
                "INSERT INTO saved_searches (name, sources, query, max_pages, cron, next_run_at) "
                "VALUES ('s', '{lever}', 'q', 1, '* * * * *', now()) RETURNING id"
            )
        ).scalar_one()
    return {
        "user_id": str(a.id),
        "resume_id": resume.json()["id"],
        "match_id": match["id"],
        "request_id": request_id,
        "position": "0",
        "hr_request_id": review["id"],
        "notification_id": note["id"],
        "employer_id": town.employers["North Hospital"],
        "job_id": str(job),
        "run_id": str(run),
        "search_id": str(search),
        "job_match_id": str(job_match),
        "alert_id": str(alert),
    }


def _fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


async def test_nobody_reaches_what_is_not_theirs(
    client: httpx.AsyncClient, app: Any, town: Town, admin: Account, admin_engine: Any, runtime: Runtime
) -> None:
    ids = await _world(client, town, admin, admin_engine)
    strangers = {
        name: {key: str(uuid.uuid4()) if key != "position" else "0" for key in ids} for name in ("ghost",)
    }
    callers = {
        "employee": town["acct.x"].headers,
        "hr_elsewhere": town.hr["Audit Inc"].headers,
        "anonymous": {},
    }
    operations = [
        (method, path)
        for path, item in app.openapi()["paths"].items()
        if "{" in path
        for method in item
        if method in ("get", "put", "post", "delete")
    ]
    assert len(operations) >= 25
    plan = [(op, caller) for op in operations for caller in callers]
    random.Random(20261201).shuffle(plan)
    checked = 0
    for (method, path), caller in plan:
        headers = callers[caller]
        body = BODIES.get((method, path))
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["json"] = body
        theirs = await client.request(method.upper(), _fill(path, ids), **kwargs)
        nowhere = await client.request(method.upper(), _fill(path, strangers["ghost"]), **kwargs)
        where = f"{caller} {method.upper()} {path}"
        if caller != "anonymous" and (method, path) in SHARED:
            assert theirs.status_code == 200, where
            continue
        assert not 200 <= theirs.status_code < 300, (where, theirs.status_code, theirs.text[:200])
        if caller == "anonymous":
            assert theirs.status_code == 401, where
        elif path.startswith(ADMIN_ONLY) or (method, path) == ("put", "/api/jobs/{job_id}"):
            assert theirs.status_code == 403, where  # a role check: it says nothing about the id
        else:
            assert theirs.status_code == 404, (where, theirs.status_code, theirs.text[:200])
        assert theirs.status_code == nowhere.status_code, where  # no oracle for what exists
        checked += 1
    assert checked >= 70
    # Nothing changed for the owner.
    a = town["nurse.a"]
    me = (await client.get("/api/users/me", headers=a.headers)).json()
    assert me["name"] == "Secret Name nurse.a"
    assert (await client.get(f"/api/resumes/{ids['resume_id']}", headers=a.headers)).status_code == 200
    view = (await client.get(f"/api/swap-requests/{ids['request_id']}", headers=a.headers)).json()
    assert view["status"] == "hr_review"
