"""Geocoder and routing adapters against a local server that answers in each service's format."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from jobswap.matching.commute import CommuteMode
from jobswap.matching.geocode import Precision
from jobswap.matching.providers import (
    GoogleDistanceMatrix,
    GoogleGeocoder,
    NominatimGeocoder,
    OsrmRouter,
    PhotonGeocoder,
    plan_batches,
)
from tests.matching.fakes import FakeServices, _km


async def test_nominatim_respects_one_request_per_second(services: tuple[FakeServices, str]) -> None:
    fake, base = services
    async with httpx.AsyncClient(headers={"User-Agent": "JobSwap tests"}) as client:
        geocoder = NominatimGeocoder(client, base)
        first = await geocoder.geocode("1 Main St, Chicago")
        assert first is not None and first.precision is Precision.STREET
        assert (first.latitude, first.longitude) == (41.88, -87.63)
        assert await geocoder.geocode("nowhere at all") is None
        await geocoder.geocode("2 Main St, Chicago")
        await geocoder.geocode("1 Main St, Chicago")  # cached: no request
    stamps = fake.calls["nominatim"]
    assert len(stamps) == 3
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(stamps))


async def test_photon_and_google_geocoding(services: tuple[FakeServices, str]) -> None:
    _, base = services
    async with httpx.AsyncClient() as client:
        paris = await PhotonGeocoder(client, base).geocode("Paris")
        assert paris is not None and paris.precision is Precision.CITY and paris.longitude == 2.35
        google = GoogleGeocoder(client, base, "test-key")
        place = await google.geocode("1600 Amphitheatre Parkway")
        assert place is not None and place.precision is Precision.STREET and place.latitude == 37.422
        assert await google.geocode("nowhere") is None


def _grid(n: int) -> list[tuple[float, float]]:
    return [(41.7 + 0.01 * (i % 20), -87.9 + 0.01 * (i // 20)) for i in range(n)]


async def test_osrm_batches_to_100_locations_and_retries(services: tuple[FakeServices, str]) -> None:
    fake, base = services
    homes, works = _grid(150), _grid(300)[150:]
    pairs = [(h, works[i % len(works)]) for i, h in enumerate(homes)] + [(h, works[0]) for h in homes]
    fake.fail_next_osrm = 1
    before = len(fake.calls.get("osrm", []))
    async with httpx.AsyncClient() as client:
        router = OsrmRouter(client, base)
        minutes = await router.minutes(pairs, CommuteMode.CAR)
        requests = len(fake.calls["osrm"]) - before
        assert await router.minutes(pairs[:5], CommuteMode.CAR) == minutes[:5]  # cached
        assert len(fake.calls["osrm"]) - before == requests
        assert await router.minutes(pairs[:2], CommuteMode.TRANSIT) == [None, None]  # OSRM has no transit
    for (origin, destination), value in zip(pairs, minutes, strict=True):
        assert value == pytest.approx(_km(origin, destination), rel=1e-3)
    assert requests >= 3  # 300 pairs cannot fit one 100-location request; one more for the 429


async def test_google_distance_matrix_limits(services: tuple[FakeServices, str]) -> None:
    _, base = services
    origins, destinations = _grid(30), _grid(40)[30:]
    pairs = [(o, d) for o in origins for d in destinations[:6]]
    async with httpx.AsyncClient() as client:
        minutes = await GoogleDistanceMatrix(client, base, "test-key").minutes(pairs, CommuteMode.TRANSIT)
    for (origin, destination), value in zip(pairs, minutes, strict=True):
        assert value == pytest.approx(2 * _km(origin, destination), abs=0.05)


@pytest.mark.parametrize("limits", [(25, 25, 100, 10_000), (100, 100, 10_000, 100), (3, 4, 6, 7)])
def test_batches_cover_every_pair_within_limits(limits: tuple[int, int, int, int]) -> None:
    max_o, max_d, max_e, max_l = limits
    pairs = [(o, d) for o in _grid(37) for d in _grid(60)[37 + (hash(o) % 5) : 45 + (hash(o) % 5)]]
    plans = plan_batches(
        pairs, max_origins=max_o, max_destinations=max_d, max_elements=max_e, max_locations=max_l
    )
    covered: set[Any] = set()
    for plan in plans:
        assert len(plan.origins) <= max_o and len(plan.destinations) <= max_d
        assert len(plan.origins) * len(plan.destinations) <= max_e
        assert len(plan.origins) + len(plan.destinations) <= max_l
        covered |= {(o, d) for o in plan.origins for d in plan.destinations}
    assert set(pairs) <= covered
