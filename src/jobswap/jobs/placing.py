"""What a posting is and where: its title's occupation and its location's coordinates, read
offline when it is stored, so that ranking never geocodes or normalises at query time."""

from __future__ import annotations

from typing import Any

from jobswap.matching.geocode import offline_geocoder
from jobswap.occupations.titles import MEANINGFUL, title_index


def read_job(title: str, location: str | None, country: str | None = None) -> dict[str, Any]:
    """The jobs columns for a posting: occupation (with the reader's confidence) and a city-level
    place. A remote posting with no city keeps no coordinates."""
    found = title_index().match(title)
    place = None
    if location:
        address = location if not country or country in location else f"{location}, {country}"
        place = offline_geocoder().geocode(address)
    return {
        "occupation_code": found.code if found and found.score >= MEANINGFUL else None,
        "occupation_confidence": round(found.score, 3) if found and found.score >= MEANINGFUL else None,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
    }
