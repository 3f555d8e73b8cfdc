"""With a router configured, the best trips of a fresh list are routed, and the filters read
the routed minutes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from jobswap.config import Settings
from jobswap.main import create_app
from jobswap.matching.locate import forget
from jobswap.runtime import Runtime
from tests.conftest import Account, sign_up
from tests.jobmatch.conftest import ACCOUNTANT_PDF, import_rows, jsonl, place, sample, set_home, with_resume
from tests.matching.fakes import FakeServices, services
from tests.resumes.test_resumes_api import drain_queue

__all__ = ["services"]


@pytest.fixture
async def routed(
    settings: Settings, runtime: Runtime, services: tuple[FakeServices, str]
) -> AsyncIterator[httpx.AsyncClient]:
    _, base = services
    forget()
    app = create_app(settings.model_copy(update={"router": "osrm", "router_url": base}), runtime=runtime)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    forget()


async def test_top_trips_are_routed(
    routed: httpx.AsyncClient, runtime: Runtime, services: tuple[FakeServices, str]
) -> None:
    fake, _ = services
    admin_client = routed
    from jobswap.db import Identity
    from jobswap.users import repository as users_repository
    from jobswap.users.models import UserRole
    from tests.conftest import sign_in

    root = await sign_up(admin_client, "root@example.com")
    async with runtime.database.transaction(Identity.service()) as session:
        user = await users_repository.get_by_email(session, root.email)
        assert user is not None
        await users_repository.update(session, user, {"role": UserRole.ADMIN})
    tokens = (await sign_in(admin_client, root.email)).json()
    admin = Account(root.id, root.email, tokens["access_token"], tokens["refresh_token"])
    accountant = next(r for r in sample() if r["title"] == "Accountant")
    postings = [{**accountant, "job_id": "near", "location": "Princeton, NJ"}]
    assert (await import_rows(admin_client, admin, jsonl(postings))).status_code == 201
    await drain_queue(runtime)
    alice = await sign_up(admin_client, "alice@example.com")
    home = place("Princeton, NJ")
    await set_home(admin_client, alice, (home[0] + 0.01, home[1]), commute_mode="car")
    await with_resume(admin_client, runtime, alice, ACCOUNTANT_PDF)

    fake.constant_minutes = 77.0
    try:
        before = len(fake.calls.get("osrm", []))
        body = (await admin_client.post("/api/job-matches", headers=alice.headers, json={})).json()
        [item] = body["items"]
        assert item["parts"]["commute_minutes"] == 77.0 and item["parts"]["commute_source"] == "router"
        assert len(fake.calls["osrm"]) == before + 1
        # the limit reads the routed time: 77 minutes is over 60, though the estimate is under 15
        limited = await admin_client.post(
            "/api/job-matches", headers=alice.headers, json={"filters": {"max_commute_minutes": 60}}
        )
        assert limited.status_code == 200 and limited.json()["items"] == []
        fake.fail_next_osrm = 10  # a router that fails (on a trip it has not answered before)
        await set_home(admin_client, alice, (home[0] + 0.02, home[1]), commute_mode="car")
        fallback = await admin_client.post("/api/job-matches", headers=alice.headers, json={})
        parts = fallback.json()["items"][0]["parts"]  # ...leaves the estimate
        assert parts["commute_source"] == "estimate" and parts["commute_minutes"] < 20
    finally:
        fake.constant_minutes = None
        fake.fail_next_osrm = 0
