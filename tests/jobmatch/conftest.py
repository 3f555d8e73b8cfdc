"""A small real corpus: 40 real postings imported through the admin endpoint, then embedded
by the real queue; and a person with a real resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from jobswap.matching.geocode import offline_geocoder
from jobswap.runtime import Runtime
from tests.conftest import Account
from tests.resumes.test_resumes_api import drain_queue, upload

FIXTURES = Path(__file__).parent.parent / "fixtures"
SAMPLE = FIXTURES / "jobs" / "postings_sample.jsonl"
ACCOUNTANT_PDF = FIXTURES / "resumes" / "ACCOUNTANT_10554236.pdf"
IT_PDF = FIXTURES / "resumes" / "INFORMATION-TECHNOLOGY_10089434.pdf"


def sample() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text().splitlines()]


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


async def import_rows(
    client: httpx.AsyncClient, admin: Account, data: bytes, name: str = "postings.jsonl", **form: Any
) -> httpx.Response:
    return await client.post(
        "/api/jobs/import",
        headers=admin.headers,
        files={"file": (name, data, "application/octet-stream")},
        data=form,
    )


async def load_corpus(client: httpx.AsyncClient, runtime: Runtime, admin: Account) -> dict[str, Any]:
    response = await import_rows(client, admin, SAMPLE.read_bytes(), "sample.jsonl")
    assert response.status_code == 201, response.text
    await drain_queue(runtime)
    run: dict[str, Any] = response.json()
    return run


def place(name: str) -> tuple[float, float]:
    found = offline_geocoder().geocode(name)
    assert found is not None, name
    return found.latitude, found.longitude


async def set_home(client: httpx.AsyncClient, who: Account, home: tuple[float, float], **extra: Any) -> None:
    body = {"home_location": {"address": "home", "latitude": home[0], "longitude": home[1]}, **extra}
    response = await client.put(f"/api/users/{who.id}", headers=who.headers, json=body)
    assert response.status_code == 200, response.text


async def with_resume(client: httpx.AsyncClient, runtime: Runtime, who: Account, pdf: Path) -> str:
    data = pdf.read_bytes()  # noqa: ASYNC240  (a small fixture file)
    response = await upload(client, who, data, name=pdf.name, ctype="application/pdf")
    assert response.status_code == 202, response.text
    await drain_queue(runtime)
    resume_id: str = response.json()["id"]
    assert (await client.get(f"/api/resumes/{resume_id}", headers=who.headers)).json()["status"] == "parsed"
    return resume_id
