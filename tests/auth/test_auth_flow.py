"""The whole auth flow against the real database: sign-up, sign-in, refresh rotation,
reuse detection, sign-out, throttling."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
from sqlalchemy import text

from jobswap.auth.security import AccessClaims, issue_access_token
from jobswap.config import Settings
from jobswap.users.models import UserRole
from tests.conftest import PASSWORD, Account, client_at, sign_in, sign_up


def _error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


async def test_sign_up_creates_employee_with_empty_profile(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/signup", json={"email": "New.Person@Example.COM", "password": PASSWORD, "name": "New"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    user = body["user"]
    assert user["email"] == "new.person@example.com"
    assert user["role"] == "employee"
    assert user["profile_complete"] is False
    assert user["company"] is None and user["skills"] == []
    assert "password" not in response.text and "argon2" not in response.text


async def test_sign_up_rejects_duplicate_email_case_insensitively(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        "/api/auth/signup", json={"email": "ALICE@example.com", "password": PASSWORD}
    )
    assert response.status_code == 409
    assert _error_code(response) == "conflict"


async def test_sign_up_validates_email_and_password(client: httpx.AsyncClient) -> None:
    bad_email = await client.post("/api/auth/signup", json={"email": "not-an-email", "password": PASSWORD})
    assert bad_email.status_code == 422
    short = await client.post("/api/auth/signup", json={"email": "a@example.com", "password": "short"})
    assert short.status_code == 422
    assert short.json()["error"]["details"][0]["field"] == "password"
    # The rejected value is never echoed back.
    assert "short" not in short.json()["error"]["details"][0]["message"]


async def test_sign_in_with_password_form_then_me(client: httpx.AsyncClient, alice: Account) -> None:
    response = await sign_in(client, "Alice@Example.com")
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["id"] == str(alice.id)
    assert (
        await client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    ).json() == me.json()


async def test_wrong_password_and_unknown_account_answer_alike(
    client: httpx.AsyncClient, alice: Account
) -> None:
    wrong = await sign_in(client, alice.email, "not the password")
    unknown = await sign_in(client, "nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_me_requires_a_valid_token(
    client: httpx.AsyncClient, settings: Settings, alice: Account
) -> None:
    assert (await client.get("/api/auth/me")).status_code == 401
    garbage = await client.get("/api/auth/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert garbage.status_code == 401
    forged = jwt.encode(
        {"sub": str(alice.id), "role": "admin"},
        "another-secret-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )
    assert (
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"})
    ).status_code == 401
    claims = jwt.decode(alice.access_token, options={"verify_signature": False})
    expired = issue_access_token(
        settings,
        AccessClaims(uuid.UUID(claims["sub"]), UserRole.EMPLOYEE, uuid.UUID(claims["sid"])),
        now=datetime.now(UTC) - timedelta(hours=1),
    )
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_refresh_rotates_tokens(client: httpx.AsyncClient, alice: Account) -> None:
    first = await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != alice.refresh_token
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert me.status_code == 200
    second = await client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert second.status_code == 200


async def test_reusing_a_spent_refresh_token_revokes_the_family(
    client: httpx.AsyncClient, alice: Account
) -> None:
    rotated = (await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})).json()
    # An attacker replays the spent token.
    replay = await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert replay.status_code == 401
    assert "already used" in replay.json()["error"]["message"]
    # The whole family is gone: the newest refresh token and the session's access tokens too.
    assert (
        await client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    ).status_code == 401
    headers = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    # Other sessions of the same user are untouched.
    other = await sign_in(client, alice.email)
    assert other.status_code == 200


async def test_unknown_refresh_token_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/refresh", json={"refresh_token": "made-up"})
    assert response.status_code == 401
    assert (await client.post("/api/auth/refresh", json={})).status_code == 422


async def test_sign_out_revokes_refresh_and_access(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.post(
        "/api/auth/signout", headers=alice.headers, json={"refresh_token": alice.refresh_token}
    )
    assert response.status_code == 204
    assert (
        await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    ).status_code == 401
    assert (await client.get("/api/auth/me", headers=alice.headers)).status_code == 401
    assert (await client.post("/api/auth/signout")).status_code == 401


async def test_failed_sign_ins_back_off_for_the_account_from_that_address(
    client: httpx.AsyncClient, alice: Account
) -> None:
    for _ in range(5):
        assert (await sign_in(client, alice.email, "wrong password")).status_code == 401
    blocked = await sign_in(client, alice.email, "wrong password")
    assert blocked.status_code == 429
    retry_after = int(blocked.headers["retry-after"])
    assert 25 <= retry_after <= 30  # the first wait; it doubles with each further failure
    assert blocked.json()["error"]["details"]["retry_after_seconds"] == retry_after
    assert "for this account from this address" in blocked.json()["error"]["message"]
    # Even the right password waits: the block is on the account, not the guess.
    assert (await sign_in(client, alice.email)).status_code == 429


async def test_the_wait_doubles(client: httpx.AsyncClient, alice: Account, admin_engine: object) -> None:
    waits = []
    for _ in range(3):
        while (answer := await sign_in(client, alice.email, "wrong password")).status_code == 401:
            pass
        waits.append(int(answer.headers["retry-after"]))
        with admin_engine.begin() as conn:  # type: ignore[attr-defined]  (let the wait run out)
            conn.execute(
                text("UPDATE signin_attempts SET created_at = created_at - interval '1 second' * :s"),
                {"s": waits[-1]},
            )
    assert waits[0] <= 30 and 50 <= waits[1] <= 60 and 110 <= waits[2] <= 120


async def test_one_persons_typos_do_not_lock_out_the_office(
    app: object, alice: Account, bob: Account
) -> None:
    """50 failures on one account from a shared address: a colleague there still signs in."""
    async with client_at(app, "198.51.100.9") as office:
        answers = [(await sign_in(office, alice.email, "wrong password")).status_code for _ in range(50)]
        assert answers.count(401) == 5 and answers.count(429) == 45
        assert (await sign_in(office, bob.email)).status_code == 200
    async with client_at(app, "198.51.100.10") as home:  # Alice herself, from elsewhere
        assert (await sign_in(home, alice.email)).status_code == 200


async def test_credential_stuffing_from_one_address_is_throttled(
    app: object, alice: Account, bob: Account
) -> None:
    async with client_at(app, "198.51.100.9") as attacker:
        for i in range(10):
            assert (await sign_in(attacker, f"guess{i}@example.com", "x" * 8)).status_code == 401
        stopped = await sign_in(attacker, bob.email, "x" * 8)
        assert stopped.status_code == 429 and "across accounts" in stopped.json()["error"]["message"]
    async with client_at(app, "198.51.100.10") as other:  # another address is not affected
        assert (await sign_in(other, bob.email)).status_code == 200


async def test_an_account_attacked_from_many_addresses_is_throttled(app: object, alice: Account) -> None:
    for i in range(20):
        async with client_at(app, f"203.0.113.{i + 20}") as bot:
            assert (await sign_in(bot, alice.email, "wrong password")).status_code == 401
    async with client_at(app, "203.0.113.99") as next_bot:
        blocked = await sign_in(next_bot, alice.email, "wrong password")
    assert blocked.status_code == 429 and blocked.json()["error"]["message"].endswith(
        "for this account; try again later."
    )


async def test_throttle_window_expires(
    client: httpx.AsyncClient, alice: Account, admin_engine: object
) -> None:
    for _ in range(5):
        await sign_in(client, alice.email, "wrong password")
    assert (await sign_in(client, alice.email)).status_code == 429
    with admin_engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("UPDATE signin_attempts SET created_at = created_at - interval '16 minutes'"))
    assert (await sign_in(client, alice.email)).status_code == 200


async def test_an_admin_lifts_a_lock(client: httpx.AsyncClient, alice: Account, admin: Account) -> None:
    for _ in range(5):
        await sign_in(client, alice.email, "wrong password")
    assert (await sign_in(client, alice.email)).status_code == 429
    assert (await client.delete("/api/admin/signin-locks", headers=admin.headers)).status_code == 400
    bad_ip = await client.delete("/api/admin/signin-locks?ip=nonsense", headers=admin.headers)
    assert bad_ip.status_code == 422
    assert (
        await client.delete(f"/api/admin/signin-locks?email={alice.email}", headers=alice.headers)
    ).status_code in (
        401,
        403,
    )
    cleared = await client.delete(
        "/api/admin/signin-locks",
        params={"email": alice.email.upper(), "ip": "203.0.113.7"},
        headers=admin.headers,
    )
    assert cleared.status_code == 200 and cleared.json() == {"cleared": 5}
    assert (await sign_in(client, alice.email)).status_code == 200


async def test_success_resets_the_account_counter(client: httpx.AsyncClient, alice: Account) -> None:
    for _ in range(4):
        await sign_in(client, alice.email, "wrong password")
    assert (await sign_in(client, alice.email)).status_code == 200
    for _ in range(4):
        assert (await sign_in(client, alice.email, "wrong password")).status_code == 401


async def test_role_change_takes_effect_before_token_expiry(
    client: httpx.AsyncClient, alice: Account, admin: Account
) -> None:
    promoted = await client.put(f"/api/users/{alice.id}", headers=admin.headers, json={"role": "admin"})
    assert promoted.status_code == 200
    # Alice's old token says "employee", but the database now says admin.
    listing = await client.get(f"/api/users/{admin.id}", headers=alice.headers)
    assert listing.status_code == 200
    demoted = await client.put(f"/api/users/{alice.id}", headers=admin.headers, json={"role": "employee"})
    assert demoted.status_code == 200
    assert (await client.get(f"/api/users/{admin.id}", headers=alice.headers)).status_code == 404


async def test_sign_up_then_sign_in_is_one_account(client: httpx.AsyncClient) -> None:
    account = await sign_up(client, "carol@example.com")
    response = await sign_in(client, "carol@example.com")
    assert response.json()["user"]["id"] == str(account.id)
