"""The demo city: loaded only when asked, once, seeded (the same city every time), through
the product's own services, with every stage of the swap workflow present."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.demo import loader
from jobswap.embeddings.model import MODEL_ID
from jobswap.runtime import Runtime
from tests.conftest import app_client

pytestmark = pytest.mark.slow


def scalar(admin_engine: Any, sql: str) -> Any:
    with admin_engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def city(admin_engine: Any) -> str:
    """A digest of who lives and works where, in which job (ids aside)."""
    with admin_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT email, job_title, salary_band, home_location->>'latitude', "
                "work_location->>'longitude' FROM users ORDER BY email"
            )
        ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


async def test_the_demo_loads_once_when_asked_and_is_the_same_city_each_time(
    settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    async with app_client(settings, runtime):
        pass
    assert scalar(admin_engine, "SELECT count(*) FROM users") == 0  # no flag, nothing demo

    demo = settings.model_copy(update={"demo": True, "demo_people": 300})
    async with app_client(demo, runtime, startup_timeout=180) as web:
        landing = await web.get("/")
        assert loader.FEATURED_EMAIL in landing.text and loader.PASSWORD in landing.text
        signed = await web.post(
            "/api/auth/signin", data={"username": loader.FEATURED_EMAIL, "password": loader.PASSWORD}
        )
        assert signed.status_code == 200
        me = {"Authorization": f"Bearer {signed.json()['access_token']}"}
        matches = (await web.get("/api/matches", headers=me)).json()
        assert matches["total"] >= 2  # the featured employee has good swaps
        ranked = (await web.get("/api/job-matches", headers=me)).json()
        assert ranked["items"] and ranked["cached"]  # computed by the load

    assert scalar(admin_engine, "SELECT count(*) FROM users WHERE role = 'employee'") == 304
    assert scalar(admin_engine, "SELECT count(*) FROM users WHERE role = 'hr'") == 4
    assert scalar(admin_engine, "SELECT count(*) FROM employers") == 4
    assert scalar(admin_engine, "SELECT count(*) FROM jobs") >= 250
    assert scalar(admin_engine, f"SELECT count(*) FROM jobs WHERE embedding_model <> '{MODEL_ID}'") == 0
    assert scalar(admin_engine, "SELECT count(*) FROM resumes WHERE status = 'parsed'") >= 4
    assert scalar(admin_engine, "SELECT count(*) FROM matches") > 0
    with admin_engine.connect() as conn:
        statuses = {r[0] for r in conn.execute(text("SELECT DISTINCT status FROM swap_requests"))}
    assert statuses >= {"pending", "hr_review", "approved", "rejected", "declined", "withdrawn"}
    assert scalar(admin_engine, "SELECT count(*) FROM hr_requests WHERE status = 'pending'") >= 1
    first = city(admin_engine)

    again = await loader.load(demo, runtime.database, runtime.queue, people=300)
    assert not again.loaded and city(admin_engine) == first  # nothing twice

    # A crash before the end leaves no admin: the next start removes the half-load and loads
    # the same seeded city again.
    with admin_engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE email = :e"), {"e": loader.ADMIN_EMAIL})
    reloaded = await loader.load(demo, runtime.database, runtime.queue, people=300)
    assert reloaded.loaded and city(admin_engine) == first
    assert scalar(admin_engine, "SELECT count(*) FROM employers") == 4


def test_every_demo_place_is_in_the_shipped_gazetteer() -> None:
    for name, _, _ in loader.HOMES:
        assert loader._place(name)
    for company in loader.COMPANIES:
        for site in company.sites:
            assert loader._place(site.place)
