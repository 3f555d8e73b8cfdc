"""The offline geocoder and the commute estimator."""

from __future__ import annotations

import numpy as np
import pytest

from jobswap.matching.commute import MODE_INDEX, CommuteMode, estimate_minutes, km_within
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
    assert 15 < car < 30 and 35 < transit < 50 and 120 < walk < 200
    # a typical US car commute (19 km by road, ~15 km straight) lands near the ~27-minute mean
    assert estimate_minutes(np.array([15.0]), modes[:1])[0] == pytest.approx(27, abs=5)
    back = km_within(ten_km, modes)
    assert back == pytest.approx(np.full(4, 10.0))
    assert np.all(np.diff(estimate_minutes(np.array([1.0, 2.0, 5.0]), np.zeros(3, dtype=np.int8))) > 0)
