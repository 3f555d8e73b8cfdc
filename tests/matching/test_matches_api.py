"""Matches through the API: a small town with one 2-way and one 3-way swap."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jobswap.db import AccessRole, Identity
from jobswap.embeddings.model import MODEL_ID
from jobswap.matching.tasks import RUN_TASK
from jobswap.runtime import Runtime
from tests.conftest import PASSWORD, Account, sign_in

HOSPITAL_NORTH = (41.95, -87.65)
HOSPITAL_SOUTH = (41.75, -87.65)
OFFICE_1, OFFICE_2, OFFICE_3 = (41.88, -87.63), (41.95, -87.75), (41.80, -87.85)


def near(point: tuple[float, float], d: float = 0.01) -> dict[str, Any]:
    return {"address": "somewhere", "latitude": point[0] + d, "longitude": point[1] - d}


TOWN = {
    "nurse.a": ("Registered Nurse", "North Hospital", near(HOSPITAL_SOUTH), HOSPITAL_NORTH, "USD 70k-80k"),
    "nurse.b": ("RN", "South Hospital", near(HOSPITAL_NORTH), HOSPITAL_SOUTH, "USD 72k-85k"),
    "acct.x": ("Staff Accountant", "Ledger & Co", near(OFFICE_2), OFFICE_1, "USD 60k-70k"),
    "acct.y": ("Accountant", "Audit Inc", near(OFFICE_3), OFFICE_2, "USD 62k-72k"),
    "acct.z": ("Senior Accountant", "Books LLC", near(OFFICE_1), OFFICE_3, "USD 65k-75k"),
}


async def populate(
    client: httpx.AsyncClient, admin: Account, town: dict[str, Any] | None = None
) -> dict[str, Account]:
    people = {}
    for handle, (title, company, home, work, band) in (town or TOWN).items():
        email = f"{handle}@example.com"
        body = {
            "email": email,
            "password": PASSWORD,
            "name": f"Secret Name {handle}",
            "job_title": title,
            "company": company,
            "home_location": home,
            "work_location": {"address": "work", "latitude": work[0], "longitude": work[1]},
            "salary_band": band,
            "skills": ["Excel"] if handle.startswith("acct") else ["Patient care"],
        }
        created = await client.post("/api/users", headers=admin.headers, json=body)
        assert created.status_code == 201, created.text
        assert created.json()["profile_complete"] is True
        tokens = (await sign_in(client, email)).json()
        people[handle] = Account(created.json()["id"], email, tokens["access_token"], tokens["refresh_token"])
    return people


async def test_generate_finds_the_two_way_swap(client: httpx.AsyncClient, admin: Account) -> None:
    town = await populate(client, admin)
    a = town["nurse.a"]
    generated = await client.post("/api/matches/generate", headers=a.headers)
    assert generated.status_code == 200 and generated.json() == {"matches": 1}
    listing = (await client.get("/api/matches", headers=a.headers)).json()
    [match] = listing["items"]
    assert match["cycle_size"] == 2
    assert match["counterpart_occupation"] == "Registered Nurses"
    assert match["commute_after_minutes"] < match["commute_before_minutes"] - 10
    assert match["salary_compatible"] is True
    assert match["compatibility"]["role"] == 1.0 and 0 < match["compatibility_score"] <= 100

    detail = await client.get(f"/api/matches/{match['id']}", headers=a.headers)
    assert detail.status_code == 200
    body = detail.json()
    you, other = body["members"]
    assert you["you"] is True and other["you"] is False
    assert other["company"] == "South Hospital" and other["occupation"] == "Registered Nurses"
    for member in body["members"]:
        assert member["commute_after_minutes"] < member["commute_before_minutes"]  # everyone gains
    # privacy: no name, e-mail or exact coordinates of the other nurse
    raw = json.dumps(body)
    assert "Secret Name" not in raw and "nurse.b@example.com" not in raw
    assert other["home_area"]["precision_km"] == 5.0
    assert other["home_area"]["latitude"] != pytest.approx(HOSPITAL_NORTH[0] + 0.01, abs=1e-4)

    b = town["nurse.b"]
    assert (await client.get(f"/api/matches/{match['id']}", headers=b.headers)).status_code == 404


async def test_full_run_through_the_queue_finds_the_three_way_cycle(
    client: httpx.AsyncClient, admin: Account, runtime: Runtime
) -> None:
    town = await populate(client, admin)
    await runtime.queue.configure_task(RUN_TASK).defer_async()
    await runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)
    found = {}
    for handle in ("acct.x", "acct.y", "acct.z"):
        items = (await client.get("/api/matches", headers=town[handle].headers)).json()["items"]
        found[handle] = {m["cycle_size"]: m for m in items}
    # Y and Z can also swap between themselves (Z's home is nearer Y's office than Z's own).
    # Y takes Z's job in both swaps, and one row per (person, job) is kept: the better swap.
    assert set(found["acct.x"]) == {3} and set(found["acct.z"]) == {2, 3} and len(found["acct.y"]) == 1
    three_total = found["acct.x"][3]["minutes_saved_total"]
    pair_total = found["acct.z"][2]["minutes_saved_total"]
    # The clearing takes whichever saves more in total, and never both (Y and Z are in each).
    assert found["acct.x"][3]["selected"] is (three_total > pair_total)
    assert found["acct.z"][2]["selected"] is (pair_total > three_total)
    x_match = found["acct.x"][3]
    detail = (await client.get(f"/api/matches/{x_match['id']}", headers=town["acct.x"].headers)).json()
    assert [m["company"] for m in detail["members"]] == ["Ledger & Co", "Audit Inc", "Books LLC"]
    assert detail["compatibility"]["seniority"] == 1.0  # both "mid"
    for handle in ("nurse.a", "nurse.b"):
        items = (await client.get("/api/matches", headers=town[handle].headers)).json()["items"]
        assert [m["cycle_size"] for m in items] == [2]


async def test_related_occupations_in_other_groups_swap(client: httpx.AsyncClient, admin: Account) -> None:
    """Accountants (13-2011) and budget analysts (13-2031) are O*NET Primary-Short relatives at
    one job zone, in different SOC broad groups; software developers and technical writers are
    only Supplemental relatives, below the default threshold."""
    town = await populate(
        client,
        admin,
        {
            "acct.p": ("Accountant", "Ledger & Co", near(OFFICE_2), OFFICE_1, "USD 60k-70k"),
            "budget.q": ("Budget Analyst", "City Hall", near(OFFICE_1), OFFICE_2, "USD 62k-72k"),
            "dev.r": ("Software Developer", "Apps Inc", near(OFFICE_3), HOSPITAL_NORTH, "USD 90k-110k"),
            "writer.s": ("Technical Writer", "Docs Ltd", near(HOSPITAL_NORTH), OFFICE_3, "USD 85k-100k"),
        },
    )
    generated = await client.post("/api/matches/generate", headers=town["budget.q"].headers)
    assert generated.json() == {"matches": 1}
    [match] = (await client.get("/api/matches", headers=town["budget.q"].headers)).json()["items"]
    assert match["counterpart_occupation"] == "Accountants and Auditors"
    assert match["compatibility"]["role"] == 0.8
    for handle in ("dev.r", "writer.s"):
        generated = await client.post("/api/matches/generate", headers=town[handle].headers)
        assert generated.json() == {"matches": 0}, handle


async def test_incomplete_profile_cannot_generate(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.post("/api/matches/generate", headers=alice.headers)
    assert response.status_code == 400
    assert "Complete your profile" in response.json()["error"]["message"]
    assert (await client.get("/api/matches")).status_code == 401


async def test_matches_are_private_in_the_database(
    client: httpx.AsyncClient, admin: Account, runtime: Runtime
) -> None:
    town = await populate(client, admin)
    await client.post("/api/matches/generate", headers=town["nurse.a"].headers)
    await client.post("/api/matches/generate", headers=town["nurse.b"].headers)
    async with runtime.database.transaction(Identity(town["nurse.a"].id, AccessRole.EMPLOYEE)) as session:
        owners = (await session.execute(text("SELECT DISTINCT user_id::text FROM matches"))).scalars().all()
    assert owners == [str(town["nurse.a"].id)]


async def test_match_profiles_function(client: httpx.AsyncClient, alice: Account, runtime: Runtime) -> None:
    zero = "[" + ",".join(["0.05"] * 384) + "]"
    async with runtime.database.transaction(Identity(alice.id, AccessRole.EMPLOYEE)) as session:
        rows = (
            await session.execute(
                text("SELECT * FROM match_profiles(CAST(:e AS vector), 0.5, 10)"), {"e": zero}
            )
        ).all()
    assert rows == []  # no resumes yet; the function runs for a signed-in user
    async with runtime.database.transaction(Identity.anonymous()) as session:
        rows = (
            await session.execute(
                text("SELECT * FROM match_profiles(CAST(:e AS vector), 0.0, 10)"), {"e": zero}
            )
        ).all()
    assert rows == []


async def test_resume_similarity_is_part_of_compatibility(
    client: httpx.AsyncClient, admin: Account, admin_engine: Any
) -> None:
    town = await populate(client, admin)
    vector = "[" + ",".join(["0.0510310363"] * 384) + "]"  # a unit vector, the same for both nurses
    with admin_engine.begin() as conn:
        for handle in ("nurse.a", "nurse.b"):
            conn.execute(
                text(
                    "INSERT INTO resumes (user_id, filename, kind, media_type, size_bytes, sha256, "
                    "storage_key, status, embedding, embedding_model, parsed_at) VALUES (:u, 'cv.txt', "
                    "'text', 'text/plain', 1, 'x', :k, 'parsed', CAST(:e AS vector), :m, now())"
                ),
                {"u": town[handle].id, "k": f"k-{handle}", "e": vector, "m": MODEL_ID},
            )
    await client.post("/api/matches/generate", headers=town["nurse.a"].headers)
    [match] = (await client.get("/api/matches", headers=town["nurse.a"].headers)).json()["items"]
    assert match["compatibility"]["resume"] == pytest.approx(1.0, abs=0.01)
