"""Points on the Earth as 3-D unit vectors, so that one KD-tree works anywhere on the globe.

The straight (chord) distance between two unit vectors orders point pairs
exactly as the great-circle distance does, and converts to it in closed form.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

Array = npt.NDArray[np.float64]


def to_xyz(lat: Array, lon: Array) -> Array:
    """(N, 3) points on a sphere of radius EARTH_RADIUS_KM, from degrees."""
    phi = np.radians(lat)
    lam = np.radians(lon)
    cos_phi = np.cos(phi)
    return EARTH_RADIUS_KM * np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)], axis=-1)


def chord_to_km(chord: Array) -> Array:
    """Great-circle kilometres from chord kilometres."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / (2 * EARTH_RADIUS_KM), 0.0, 1.0))


def km_to_chord(km: Array) -> Array:
    return 2 * EARTH_RADIUS_KM * np.sin(np.clip(km, 0.0, np.pi * EARTH_RADIUS_KM) / (2 * EARTH_RADIUS_KM))


def haversine_km(lat1: Array, lon1: Array, lat2: Array, lon2: Array) -> Array:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    result: Array = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result
