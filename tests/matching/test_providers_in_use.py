"""Configured services in the product: geocoding with its database cache, and re-timed swaps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import numpy as np
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.main import create_app
from jobswap.matching.locate import forget
from jobswap.matching.service import run_everyone
from jobswap.runtime import Runtime
from tests.conftest import Account, sign_up
from tests.matching.fakes import FakeServices, _km
from tests.matching.test_matches_api import HOSPITAL_NORTH, HOSPITAL_SOUTH, OFFICE_3, near, populate


@pytest.fixture
async def configured(
    settings: Settings, runtime: Runtime, services: tuple[FakeServices, str], request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    _, base = services
    overrides = dict(request.param)
    for key, value in list(overrides.items()):
        if value == "FAKE":
            overrides[key] = base
    app = create_app(settings.model_copy(update=overrides), runtime=runtime)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.mark.parametrize(
    "configured",
    [{"geocoder": "nominatim", "geocoder_url": "FAKE", "geocoder_per_second": 50}],
    indirect=True,
)
async def test_geocoding_service_with_database_cache(
    configured: httpx.AsyncClient, services: tuple[FakeServices, str], admin_engine: Any
) -> None:
    fake, _ = services
    first = await sign_up(configured, "geo1@example.com")
    second = await sign_up(configured, "geo2@example.com")
    body = {"home_location": {"address": "1 Main St, Chicago"}}
    before = len(fake.calls.get("nominatim", []))
    one = await configured.put(f"/api/users/{first.id}", headers=first.headers, json=body)
    assert one.status_code == 200
    assert one.json()["home_location"]["precision"] == "street"
    assert (one.json()["home_location"]["latitude"], one.json()["home_location"]["longitude"]) == (
        41.88,
        -87.63,
    )
    two = await configured.put(f"/api/users/{second.id}", headers=second.headers, json=body)
    assert two.json()["home_location"]["latitude"] == 41.88
    assert len(fake.calls["nominatim"]) - before == 1  # the second answer came from the database
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM geocode_cache WHERE found")).scalar_one() == 1
    missing = await configured.put(
        f"/api/users/{first.id}", headers=first.headers, json={"work_location": {"address": "nowhere land"}}
    )
    assert missing.status_code == 422 and missing.json()["error"]["details"]["field"] == "work_location"


@pytest.mark.parametrize(
    "configured",
    [{"geocoder": "nominatim", "geocoder_url": "http://127.0.0.1:9", "geocoder_per_second": 50}],
    indirect=True,
)
async def test_geocoding_falls_back_offline_when_the_service_is_down(configured: httpx.AsyncClient) -> None:
    account = await sign_up(configured, "geo3@example.com")
    response = await configured.put(
        f"/api/users/{account.id}",
        headers=account.headers,
        json={"home_location": {"address": "Springfield, IL"}},
    )
    assert response.status_code == 200
    assert response.json()["home_location"]["precision"] == "city"


@pytest.mark.parametrize("configured", [{"router": "osrm", "router_url": "FAKE"}], indirect=True)
async def test_swaps_are_retimed_by_the_router(
    configured: httpx.AsyncClient, services: tuple[FakeServices, str], admin: Account
) -> None:
    fake, _ = services
    town = await populate(configured, admin)
    a = town["nurse.a"]
    fake.constant_minutes = None
    assert (await configured.post("/api/matches/generate", headers=a.headers)).json() == {"matches": 1}
    match = (await configured.get("/api/matches", headers=a.headers)).json()["items"][0]
    detail = (await configured.get(f"/api/matches/{match['id']}", headers=a.headers)).json()
    you = detail["members"][0]
    assert you["commute_source"] == "router"
    home = (HOSPITAL_SOUTH[0] + 0.01, HOSPITAL_SOUTH[1] - 0.01)
    assert you["commute_before_minutes"] == pytest.approx(
        _km(home, HOSPITAL_NORTH), abs=0.1
    )  # the fake: 1 min/km

    fake.constant_minutes = 30.0  # the router says nobody's commute changes: the swap is dropped
    forget()  # the router's cache still holds the first answers
    try:
        assert (await configured.post("/api/matches/generate", headers=a.headers)).json() == {"matches": 0}
    finally:
        fake.constant_minutes = None


async def test_the_full_run_retimes_swaps_and_clears_on_routed_minutes(
    client: httpx.AsyncClient,
    admin: Account,
    settings: Settings,
    runtime: Runtime,
    services: tuple[FakeServices, str],
    admin_engine: Any,
) -> None:
    fake, base = services
    town = await populate(client, admin)
    routed = settings.model_copy(update={"router": "osrm", "router_url": base})
    forget()
    fake.constant_minutes = None
    summary = await run_everyone(runtime.database, routed)
    assert summary["swaps"] >= 2 and summary["swaps_estimated"] >= summary["swaps"]
    items = (await client.get("/api/matches", headers=town["nurse.a"].headers)).json()["items"]
    detail = (await client.get(f"/api/matches/{items[0]['id']}", headers=town["nurse.a"].headers)).json()
    assert {m["commute_source"] for m in detail["members"]} == {"router"}
    assert items[0]["selected"] is True
    with admin_engine.begin() as conn:  # every routed answer is kept for the estimator's calibration
        samples = conn.execute(text("SELECT mode, km, minutes, source FROM commute_samples")).all()
    assert samples and {(s.mode, s.source) for s in samples} == {("car", "osrm")}
    assert all(abs(s.minutes - s.km) < 0.05 * s.km + 0.1 for s in samples)  # the fake drives 60 km/h

    fake.constant_minutes = 30.0  # routed, nobody gains: the full run keeps no swap at all
    forget()
    try:
        summary = await run_everyone(runtime.database, routed)
    finally:
        fake.constant_minutes = None
        forget()
    assert summary["swaps"] == 0 and summary["swaps_estimated"] >= 2
    assert (await client.get("/api/matches", headers=town["nurse.a"].headers)).json()["items"] == []


@pytest.mark.parametrize("configured", [{"swap_min_related_equivalence": 0.4}], indirect=True)
async def test_a_lower_threshold_lets_supplemental_relatives_swap(
    configured: httpx.AsyncClient, admin: Account
) -> None:
    """The pair that the default threshold keeps apart (see test_matches_api)."""
    town = await populate(
        configured,
        admin,
        {
            "dev.r": ("Software Developer", "Apps Inc", near(OFFICE_3), HOSPITAL_NORTH, "USD 90k-110k"),
            "writer.s": ("Technical Writer", "Docs Ltd", near(HOSPITAL_NORTH), OFFICE_3, "USD 85k-100k"),
        },
    )
    generated = await configured.post("/api/matches/generate", headers=town["dev.r"].headers)
    assert generated.json() == {"matches": 1}
    [match] = (await configured.get("/api/matches", headers=town["dev.r"].headers)).json()["items"]
    assert match["compatibility"]["role"] == 0.4


async def test_routed_answers_calibrate_the_estimator(runtime: Runtime) -> None:
    """A city slower than the defaults: after enough routed answers, the estimator says so."""
    from jobswap.db import Identity
    from jobswap.matching import calibration
    from jobswap.matching.commute import DEFAULT, DEFAULT_MODELS, MODE_INDEX, CommuteMode, ModeModel

    slow = ModeModel(fixed_minutes=12.0, near_per_km=5.0, far_per_km=2.2)
    km = np.linspace(0.5, 30, 300)
    async with runtime.database.transaction(Identity.service()) as session:
        stored = await calibration.record(
            session,
            [(CommuteMode.CAR, float(d), float(m)) for d, m in zip(km, slow.minutes(km), strict=True)],
            "osrm",
        )
        assert stored == 300
        fits = await calibration.recalibrate(session, min_samples=200)
    assert set(fits) == {CommuteMode.CAR}  # no other mode has answers
    car = fits[CommuteMode.CAR]
    assert car.mae_after < 0.5 < car.mae_before
    async with runtime.database.transaction(Identity.service()) as session:
        model = await calibration.load(session)
    mode = np.array([MODE_INDEX[CommuteMode.CAR], MODE_INDEX[CommuteMode.WALK]], dtype=np.int8)
    calibrated, default = (
        model.estimate(np.array([20.0, 2.0]), mode),
        DEFAULT.estimate(np.array([20.0, 2.0]), mode),
    )
    assert calibrated[0] == pytest.approx(float(slow.minutes(np.array([20.0]))[0]), abs=0.5)
    assert calibrated[0] > default[0] and calibrated[1] == default[1]  # walking keeps its defaults
    assert model.modes[CommuteMode.WALK] == DEFAULT_MODELS[CommuteMode.WALK]
