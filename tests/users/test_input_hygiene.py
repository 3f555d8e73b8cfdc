"""Hostile and invisible characters are refused with a 422 naming the field; length errors
name the field's real limit."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Account


async def _put(client: httpx.AsyncClient, who: Account, body: dict[str, object]) -> httpx.Response:
    return await client.put(f"/api/users/{who.id}", headers=who.headers, json=body)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "x" * 300}, "name", "must be at most 200 characters"),
        ({"name": "x" * 20_000}, "name", "must be at most 200 characters"),
        ({"company": ""}, "company", "must be at least 1 characters"),
        (
            {"home_location": {"address": "y" * 600}},
            "home_location.address",
            "must be at most 500 characters",
        ),
        ({"skills": ["s" * 65]}, "skills.0", "must be at most 64 characters"),
        ({"skills": ["a"] * 101}, "skills", "must be at most 100 items"),
    ],
)
async def test_length_errors_name_the_real_limit(
    client: httpx.AsyncClient, alice: Account, body: dict[str, object], field: str, message: str
) -> None:
    answer = await _put(client, alice, body)
    assert answer.status_code == 422
    [detail] = answer.json()["error"]["details"]
    assert (detail["field"], detail["message"]) == (field, message)
    assert "x" * 50 not in answer.text  # the value is never echoed


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "Alice\u202eecilA", "U+202E"),  # right-to-left override
        ("company", "Acme\u2066 Corp", "U+2066"),  # left-to-right isolate
        ("job_title", "Nurse\u200b", "U+200B"),  # zero-width space
        ("name", "Bob\u0085", None),  # a C1 line break
        ("company", "\ufeffAcme", "U+FEFF"),  # byte-order mark
        ("name", "Eve\u0007", "U+0007"),
    ],
)
async def test_invisible_characters_are_refused(
    client: httpx.AsyncClient, alice: Account, field: str, value: str, code: str | None
) -> None:
    answer = await _put(client, alice, {field: value})
    assert answer.status_code == 422
    [detail] = answer.json()["error"]["details"]
    assert detail["field"] == field
    if code:
        assert code in detail["message"]
    me = (await client.get("/api/users/me", headers=alice.headers)).json()
    assert me[field] != value  # nothing stored


async def test_real_text_that_needs_joiners_is_kept(client: httpx.AsyncClient, alice: Account) -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a Persian word
    emoji = "\U0001f469\u200d\U0001f4bb Developer"  # woman technologist: ZWJ sequence
    answer = await _put(client, alice, {"name": persian, "company": "Zoë & Søn, Ltd.", "job_title": emoji})
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == persian and answer.json()["job_title"] == emoji


async def test_clearing_a_field_that_must_have_a_value(client: httpx.AsyncClient, alice: Account) -> None:
    """Found by schemathesis: a null commute mode used to reach the database (500)."""
    cleared = await _put(client, alice, {"commute_mode": None})
    assert cleared.status_code == 200 and cleared.json()["commute_mode"] == "car"
    no_skills = await _put(client, alice, {"skills": None})
    assert no_skills.status_code == 200 and no_skills.json()["skills"] == []
    assert (await _put(client, alice, {"email": None})).status_code == 400


async def test_what_schemathesis_found_stays_fixed(client: httpx.AsyncClient, alice: Account) -> None:
    """A NUL in a sign-in name, a lone surrogate in a password, NULs and lone surrogates deep in
    resume corrections: each used to reach the database or the hasher (500); now a 422."""
    answer = await client.post(
        "/api/auth/signin", data={"username": "a\x00b@example.com", "password": "whatever1"}
    )
    assert answer.status_code == 422
    signup = await client.post(
        "/api/auth/signup", json={"email": "s@example.com", "password": "\\ud800abcdefgh"}
    )
    assert signup.status_code in (201, 422)  # an escaped backslash is fine; a lone surrogate is not
    lone = await client.post(
        "/api/auth/signup",
        content=b'{"email": "t@example.com", "password": "\\ud800abcdefgh"}',
        headers={"content-type": "application/json"},
    )
    assert lone.status_code == 422
    resume = await client.post(
        "/api/resumes/upload",
        headers=alice.headers,
        files={"file": ("cv.txt", b"Alice\nNurse\n", "text/plain")},
    )
    for body in (
        b'{"skills": ["ok", "bad\\u0000"]}',
        b'{"experience": [{"title": "\\udc00"}]}',
    ):
        corrected = await client.put(
            f"/api/resumes/{resume.json()['id']}",
            headers={**alice.headers, "content-type": "application/json"},
            content=body,
        )
        assert corrected.status_code == 422, body
        assert "must" in corrected.json()["error"]["details"][0]["message"]
