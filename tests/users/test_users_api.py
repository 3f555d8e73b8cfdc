"""Every users endpoint, for the owner, another user, an admin and an anonymous caller."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD, Account, sign_in

PROFILE = {
    "company": "Acme Logistics",
    "job_title": "Warehouse Supervisor",
    "salary_band": "USD 50k-60k",
    "home_location": {"address": "12 Elm St, Springfield", "latitude": 39.78, "longitude": -89.65},
    "work_location": {"address": "400 Dock Rd, Oakland, CA 94607"},
    "skills": ["Forklift", "SAP", "forklift", "Excel"],
}


async def test_owner_reads_and_updates_own_profile(client: httpx.AsyncClient, alice: Account) -> None:
    read = await client.get(f"/api/users/{alice.id}", headers=alice.headers)
    assert read.status_code == 200
    before = read.json()
    assert before["profile_complete"] is False

    await asyncio.sleep(0.01)
    updated = await client.put(f"/api/users/{alice.id}", headers=alice.headers, json=PROFILE)
    assert updated.status_code == 200
    body = updated.json()
    assert body["profile_complete"] is True
    assert body["skills"] == ["Forklift", "SAP", "Excel"]  # duplicates dropped, case-insensitively
    assert body["home_location"]["latitude"] == 39.78
    assert body["work_location"] == {  # geocoded offline from the ZIP code
        "address": "400 Dock Rd, Oakland, CA 94607",
        "latitude": 37.8071,
        "longitude": -122.2851,
        "precision": "postcode",
    }
    assert body["home_location"]["precision"] == "pin"  # coordinates given are kept
    assert body["occupation_code"] == "11-3071.00" and body["commute_mode"] == "car"
    assert body["updated_at"] > before["updated_at"]  # maintained by the database
    assert body["created_at"] == before["created_at"]


async def test_unknown_address_and_bad_salary_band_are_422(client: httpx.AsyncClient, alice: Account) -> None:
    url = f"/api/users/{alice.id}"
    unknown = await client.put(
        url, headers=alice.headers, json={"work_location": {"address": "Nowhere-in-particular"}}
    )
    assert unknown.status_code == 422
    error = unknown.json()["error"]
    assert error["code"] == "address_not_found" and error["details"]["field"] == "work_location"
    band = await client.put(url, headers=alice.headers, json={"salary_band": "lots of money"})
    assert band.status_code == 422 and "USD 80k-100k" in band.json()["error"]["details"][0]["message"]
    city = await client.put(
        url, headers=alice.headers, json={"home_location": {"address": "Springfield, IL"}}
    )
    assert city.json()["home_location"]["precision"] == "city"
    assert city.json()["home_location"]["latitude"] == pytest.approx(39.8, abs=0.1)


async def test_update_is_partial(client: httpx.AsyncClient, alice: Account) -> None:
    await client.put(f"/api/users/{alice.id}", headers=alice.headers, json=PROFILE)
    response = await client.put(
        f"/api/users/{alice.id}", headers=alice.headers, json={"job_title": "Ops Lead"}
    )
    body = response.json()
    assert body["job_title"] == "Ops Lead"
    assert body["company"] == "Acme Logistics"
    assert body["name"] == "Alice"
    # null clears a field, and completeness follows
    cleared = await client.put(f"/api/users/{alice.id}", headers=alice.headers, json={"work_location": None})
    assert cleared.json()["work_location"] is None
    assert cleared.json()["profile_complete"] is False


async def test_other_users_profile_is_not_found(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        kwargs = {"json": {"name": "Mallory"}} if method == "PUT" else {}
        response = await client.request(method, f"/api/users/{bob.id}", headers=alice.headers, **kwargs)
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "not_found"
    # the answer is the same as for an id that does not exist
    missing = await client.get(f"/api/users/{uuid.uuid4()}", headers=alice.headers)
    assert missing.json() == (await client.get(f"/api/users/{bob.id}", headers=alice.headers)).json()
    # and Bob is unchanged
    bob_view = await client.get(f"/api/users/{bob.id}", headers=bob.headers)
    assert bob_view.json()["name"] == "Bob"


async def test_anonymous_gets_401_everywhere(client: httpx.AsyncClient, alice: Account) -> None:
    for method, path in [
        ("GET", "/api/users/me"),
        ("GET", f"/api/users/{alice.id}"),
        ("PUT", f"/api/users/{alice.id}"),
        ("DELETE", f"/api/users/{alice.id}"),
        ("POST", "/api/users"),
    ]:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthorized"


async def test_admin_reads_updates_and_deletes_anyone(
    client: httpx.AsyncClient, admin: Account, alice: Account
) -> None:
    read = await client.get(f"/api/users/{alice.id}", headers=admin.headers)
    assert read.status_code == 200 and read.json()["email"] == "alice@example.com"
    updated = await client.put(f"/api/users/{alice.id}", headers=admin.headers, json={"role": "hr"})
    assert updated.json()["role"] == "hr"
    deleted = await client.delete(f"/api/users/{alice.id}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/users/{alice.id}", headers=admin.headers)).status_code == 404


async def test_only_admin_creates_users(client: httpx.AsyncClient, admin: Account, alice: Account) -> None:
    payload = {"email": "dave@example.com", "password": PASSWORD, "name": "Dave", "role": "hr", **PROFILE}
    assert (await client.post("/api/users", headers=alice.headers, json=payload)).status_code == 403
    created = await client.post("/api/users", headers=admin.headers, json=payload)
    assert created.status_code == 201
    body = created.json()
    assert body["role"] == "hr" and body["profile_complete"] is True
    assert (await sign_in(client, "dave@example.com")).status_code == 200
    again = await client.post(
        "/api/users", headers=admin.headers, json={**payload, "email": "DAVE@example.com"}
    )
    assert again.status_code == 409


async def test_user_cannot_change_own_role(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.put(f"/api/users/{alice.id}", headers=alice.headers, json={"role": "admin"})
    assert response.status_code == 403
    me = await client.get("/api/users/me", headers=alice.headers)
    assert me.json()["role"] == "employee"


async def test_email_change_conflict(client: httpx.AsyncClient, alice: Account, bob: Account) -> None:
    response = await client.put(
        f"/api/users/{alice.id}", headers=alice.headers, json={"email": "BOB@example.com"}
    )
    assert response.status_code == 409
    ok = await client.put(
        f"/api/users/{alice.id}", headers=alice.headers, json={"email": "alice2@example.com"}
    )
    assert ok.json()["email"] == "alice2@example.com"
    assert (
        await client.put(f"/api/users/{alice.id}", headers=alice.headers, json={"email": None})
    ).status_code == 400


async def test_delete_own_account_removes_everything_owned(
    client: httpx.AsyncClient, alice: Account, admin_engine: object
) -> None:
    await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    response = await client.delete(f"/api/users/{alice.id}", headers=alice.headers)
    assert response.status_code == 204
    with admin_engine.connect() as conn:  # type: ignore[attr-defined]
        for table in ("users", "auth_sessions", "refresh_tokens"):
            column = "id" if table == "users" else "user_id"
            count = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :u"), {"u": alice.id})
            assert count.scalar_one() == 0, table
    assert (await client.get("/api/users/me", headers=alice.headers)).status_code == 401
    assert (await sign_in(client, alice.email)).status_code == 401


async def test_bad_input_gets_clear_4xx_and_changes_nothing(
    client: httpx.AsyncClient, alice: Account
) -> None:
    await client.put(f"/api/users/{alice.id}", headers=alice.headers, json=PROFILE)
    url = f"/api/users/{alice.id}"
    cases: list[tuple[dict[str, object] | str, int, str]] = [
        ({"unknown_field": 1}, 422, "unknown_field"),
        ({"skills": "Python"}, 422, "skills"),
        ({"skills": [1, 2]}, 422, "skills.0"),
        ({"name": 42}, 422, "name"),
        ({"name": "Al\u0000ice"}, 422, "name"),
        ({"company": "x" * 201}, 422, "company"),
        ({"home_location": {"address": "A", "latitude": 91, "longitude": 0}}, 422, "home_location.latitude"),
        ({"home_location": {"address": "A", "latitude": 10}}, 422, "home_location"),
        ({"home_location": "not an object"}, 422, "home_location"),
        ({"avatar_url": "javascript:alert(1)"}, 422, "avatar_url"),
        ({"skills": ["s"] * 101}, 422, "skills"),
        ("[1, 2, 3]", 422, "body"),
    ]
    for payload, status, field in cases:
        kwargs = {"content": payload} if isinstance(payload, str) else {"json": payload}
        response = await client.put(
            url, headers={**alice.headers, "content-type": "application/json"}, **kwargs
        )
        assert response.status_code == status, (payload, response.text)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert any(d["field"].startswith(field) for d in error["details"]), (field, error)

    raw_cases = [
        (b'{"name": "Al', 400, "malformed_json"),
        (b'{"name": "\\ud800"}', 422, "validation_error"),  # a lone surrogate cannot be stored
        (b"\xff\xfe\x00", 400, "bad_request"),  # not UTF-8 at all
    ]
    for raw, status, code in raw_cases:
        response = await client.put(
            url, headers={**alice.headers, "content-type": "application/json"}, content=raw
        )
        assert response.status_code == status, (raw, response.text)
        assert response.json()["error"]["code"] == code

    huge = await client.put(url, headers=alice.headers, json={"name": "x" * 2_000_000})
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"
    bad_id = await client.get("/api/users/not-a-uuid", headers=alice.headers)
    assert bad_id.status_code == 422

    # Nothing above changed the stored profile.
    stored = (await client.get(url, headers=alice.headers)).json()
    assert stored["name"] == "Alice" and stored["company"] == "Acme Logistics"
    assert stored["skills"] == ["Forklift", "SAP", "Excel"]


async def test_oversized_body_rejected_while_streaming(client: httpx.AsyncClient, alice: Account) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b" " * 65_536

    response = await client.put(
        f"/api/users/{alice.id}",
        headers={**alice.headers, "content-type": "application/json"},
        content=chunks(),
    )
    assert response.status_code == 413
