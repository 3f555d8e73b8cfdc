"""A person whose title maps below the confidence threshold is told so, picks, and is matched."""

from __future__ import annotations

import httpx

from tests.conftest import Account
from tests.matching.test_matches_api import HOSPITAL_NORTH, HOSPITAL_SOUTH, near, populate

TOWN = {
    "aide.a": ("Home Health Aide", "North Clinic", near(HOSPITAL_SOUTH), HOSPITAL_NORTH, "USD 30k-36k"),
    "aide.b": ("Patient care giver", "South Clinic", near(HOSPITAL_NORTH), HOSPITAL_SOUTH, "USD 31k-37k"),
}


async def test_an_unsure_title_is_told_then_the_choice_sticks_and_matches(
    client: httpx.AsyncClient, admin: Account
) -> None:
    people = await populate(client, admin, TOWN)
    b = people["aide.b"]
    me = (await client.get("/api/users/me", headers=b.headers)).json()
    assert me["profile_complete"] is True and me["matchable"] is False
    assert me["occupation_code"] is None and me["occupation_confidence"] < 0.75
    codes = [c["code"] for c in me["occupation_candidates"]]
    assert "31-1121.00" in codes  # home health aides among the three offered

    refused = await client.post("/api/matches/generate", headers=b.headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["field"] == "occupation_code"

    search = await client.get("/api/occupations", params={"title": "Patient care giver"}, headers=b.headers)
    assert search.status_code == 200 and "31-1121.00" in [o["code"] for o in search.json()]

    bad = await client.put(f"/api/users/{b.id}", headers=b.headers, json={"occupation_code": "99-9999.99"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_occupation"
    chosen = await client.put(f"/api/users/{b.id}", headers=b.headers, json={"occupation_code": "31-1121.00"})
    assert chosen.status_code == 200
    body = chosen.json()
    assert body["occupation_title"] == "Home Health Aides" and body["matchable"] is True
    assert body["occupation_chosen"] is True and body["occupation_candidates"] is None

    # Other edits, and the same title written again, keep the choice; a new title is read afresh.
    again = {"job_title": "patient care giver", "salary_band": "USD 32k"}
    same = await client.put(f"/api/users/{b.id}", headers=b.headers, json=again)
    assert same.json()["occupation_code"] == "31-1121.00" and same.json()["occupation_chosen"] is True

    generated = await client.post("/api/matches/generate", headers=b.headers)
    assert generated.status_code == 200 and generated.json() == {"matches": 1}
    [match] = (await client.get("/api/matches", headers=b.headers)).json()["items"]
    assert match["counterpart_occupation"] == "Home Health Aides"

    new = await client.put(f"/api/users/{b.id}", headers=b.headers, json={"job_title": "Registered Nurse"})
    assert new.json()["occupation_code"] == "29-1141.00" and new.json()["occupation_chosen"] is False
