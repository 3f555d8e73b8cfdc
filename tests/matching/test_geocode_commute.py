"""The offline geocoder and the commute estimator."""

from __future__ import annotations

import numpy as np
import pytest

from jobswap.matching.commute import (
    DEFAULT_MODELS,
    FIT_BOUNDS,
    MODE_INDEX,
    CommuteMode,
    ModeModel,
    estimate_minutes,
    fit_mode,
    km_within,
)
from jobswap.matching.geo import chord_to_km, haversine_km, km_to_chord, to_xyz
from jobswap.matching.geocode import Precision, offline_geocoder


@pytest.mark.parametrize(
    ("address", "lat", "lon", "precision"),
    [
        ("400 Dock Rd, Oakland, CA 94607", 37.807, -122.285, Precision.POSTCODE),
        ("Springfield, IL", 39.80, -89.64, Precision.CITY),  # "IL" the state, not Israel
        ("Cambridge, MA", 42.375, -71.106, Precision.CITY),  # "MA" the state, not Morocco
        ("Cambridge, UK", 52.2, 0.117, Precision.CITY),
        ("Lisboa, Portugal", 38.725, -9.150, Precision.CITY),  # the local name
        ("München", 48.137, 11.575, Precision.CITY),
        ("Paris", 48.853, 2.349, Precision.CITY),  # the most populous Paris
        ("Marienplatz 1, 80331 München, Germany", 48.137, 11.575, Precision.CITY),  # not a US ZIP
        ("São Paulo, Brasil", -23.548, -46.636, Precision.CITY),
    ],
)
def test_offline_geocoding(address: str, lat: float, lon: float, precision: Precision) -> None:
    place = offline_geocoder().geocode(address)
    assert place is not None
    assert (place.latitude, place.longitude) == pytest.approx((lat, lon), abs=0.01)
    assert place.precision is precision


def test_unknown_places() -> None:
    assert offline_geocoder().geocode("Nowhere-in-particular") is None
    assert offline_geocoder().geocode("") is None


def test_distances_on_the_sphere() -> None:
    # Chicago to New York is about 1,145 km
    km = haversine_km(np.array([41.878]), np.array([-87.630]), np.array([40.713]), np.array([-74.006]))[0]
    assert km == pytest.approx(1145, rel=0.01)
    a, b = to_xyz(np.array([41.878, 40.713]), np.array([-87.630, -74.006]))
    assert chord_to_km(np.array([np.linalg.norm(a - b)]))[0] == pytest.approx(km, rel=1e-9)
    assert km_to_chord(chord_to_km(np.array([12.5])))[0] == pytest.approx(12.5)


def test_commute_estimator() -> None:
    modes = np.array([MODE_INDEX[m] for m in CommuteMode], dtype=np.int8)
    ten_km = estimate_minutes(np.full(4, 10.0), modes)
    car, transit, bicycle, walk = ten_km
    assert car < transit < bicycle < walk  # a 10 km trip: driving fastest, walking slowest
    assert 20 < car < 35 and 35 < transit < 50 and 140 < walk < 200
    # Helsinki's routed rush-hour medians (docs/commute-model.md): 10-20 km straight-line by car
    # 35 minutes, 2-5 km by public transport 24 minutes
    assert estimate_minutes(np.array([14.0]), modes[:1])[0] == pytest.approx(35, abs=3)
    assert estimate_minutes(np.array([3.5]), modes[1:2])[0] == pytest.approx(24, abs=3)
    for km in (1.0, 10.0):  # the inverse, on both sides of the break in the slope
        minutes = estimate_minutes(np.full(4, km), modes)
        assert km_within(minutes, modes) == pytest.approx(np.full(4, km))
    assert np.all(np.diff(estimate_minutes(np.array([1.0, 2.0, 5.0]), np.zeros(3, dtype=np.int8))) > 0)


def test_a_fit_recovers_a_cities_constants_within_bounds() -> None:
    rng = np.random.default_rng(3)
    km = rng.uniform(0.5, 25, 500)
    truth = ModeModel(fixed_minutes=9.0, near_per_km=5.0, far_per_km=1.8)
    fit = fit_mode(km, truth.minutes(km) + rng.normal(0, 2, km.size), DEFAULT_MODELS[CommuteMode.CAR])
    assert fit is not None and fit.samples == 500
    assert fit.model.fixed_minutes == pytest.approx(9.0, abs=1.0)
    assert fit.model.far_per_km == pytest.approx(1.8, abs=0.1)
    assert fit.mae_after < fit.mae_before
    # a router that answers nonsense moves no constant more than FIT_BOUNDS from the default
    prior = DEFAULT_MODELS[CommuteMode.TRANSIT]
    wild = fit_mode(km, km * 40.0, prior)
    assert wild is not None and wild.model.far_per_km == pytest.approx(prior.far_per_km * FIT_BOUNDS)
    assert 0 <= wild.model.fixed_minutes <= 30
    assert fit_mode(km[:10], km[:10] * 2, prior) is None  # too few answers: no fit
