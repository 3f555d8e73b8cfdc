"""Real geocoders and routing services, for when the offline estimates are not enough.

Geocoders: Nominatim (OpenStreetMap; the public server allows 1 request per
second and needs an identifying User-Agent), Photon (komoot), Google Geocoding.
Routing: the OSRM table service (100 locations per request by default) and
the Google Distance Matrix API (25 origins, 25 destinations and 100 elements
per request). Every base URL is a setting, so a self-hosted server (or a test
server) takes the public one's place. Answers are cached per process; the
geocoder's are also kept in the database by the caller.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from jobswap.matching.commute import CommuteMode
from jobswap.matching.geocode import Place, Precision
from jobswap.outbound import OutboundBlocked

Point = tuple[float, float]  # latitude, longitude


class ProviderError(Exception):
    pass


class RateLimiter:
    """At most `per_second` requests per second, across every task of the process."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if now < self._next:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self.interval


class TtlCache:
    def __init__(self, size: int = 10_000, ttl: float = 86_400.0) -> None:
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key: Any) -> Any:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: Any, value: Any) -> None:
        self._items[key] = (time.monotonic() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class _Http:
    """GET with a rate limit and a few retries on 429/5xx and network errors."""

    def __init__(self, client: httpx.AsyncClient, limiter: RateLimiter | None, attempts: int = 3) -> None:
        self.client, self.limiter, self.attempts = client, limiter, attempts

    async def get_json(self, url: str, params: dict[str, str]) -> Any:
        delay = 0.5
        for attempt in range(self.attempts):
            if self.limiter:
                await self.limiter.wait()
            try:
                response = await self.client.get(url, params=params)
            except OutboundBlocked as exc:  # a misconfigured service URL: no use retrying
                raise ProviderError(f"{url}: {exc}") from exc
            except httpx.TransportError as exc:
                if attempt == self.attempts - 1:
                    raise ProviderError(f"{url}: {exc}") from exc
            else:
                if response.status_code == 200:
                    return response.json()
                if response.status_code not in (429, 500, 502, 503, 504) or attempt == self.attempts - 1:
                    raise ProviderError(f"{url} answered {response.status_code}")
                retry_after = response.headers.get("retry-after", "")
                if retry_after.isdigit():
                    delay = min(float(retry_after), 30.0)
            await asyncio.sleep(delay)
            delay *= 2
        raise ProviderError(f"{url}: no answer")


class Geocoder(Protocol):
    async def geocode(self, address: str) -> Place | None: ...


_OSM_PRECISION = {
    "house": Precision.STREET, "building": Precision.STREET,
    "road": Precision.STREET, "street": Precision.STREET,
    "postcode": Precision.POSTCODE, "city": Precision.CITY, "town": Precision.CITY, "village": Precision.CITY,
    "district": Precision.CITY, "locality": Precision.CITY, "suburb": Precision.CITY,
}  # fmt: skip


class NominatimGeocoder:
    def __init__(self, client: httpx.AsyncClient, base_url: str, *, per_second: float = 1.0) -> None:
        self.http = _Http(client, RateLimiter(per_second))
        self.url = base_url.rstrip("/") + "/search"
        self.cache = TtlCache()

    async def geocode(self, address: str) -> Place | None:
        cached = self.cache.get(address)
        if cached is not None:
            return cached if isinstance(cached, Place) else None
        found = await self.http.get_json(self.url, {"q": address, "format": "jsonv2", "limit": "1"})
        place = None
        if found:
            top = found[0]
            precision = _OSM_PRECISION.get(top.get("addresstype") or top.get("type", ""), Precision.CITY)
            place = Place(float(top["lat"]), float(top["lon"]), precision, top.get("display_name", address))
        self.cache.put(address, place or False)
        return place


class PhotonGeocoder:
    def __init__(self, client: httpx.AsyncClient, base_url: str, *, per_second: float = 5.0) -> None:
        self.http = _Http(client, RateLimiter(per_second))
        self.url = base_url.rstrip("/") + "/api"

    async def geocode(self, address: str) -> Place | None:
        found = await self.http.get_json(self.url, {"q": address, "limit": "1"})
        features = found.get("features") or []
        if not features:
            return None
        lon, lat = features[0]["geometry"]["coordinates"][:2]
        props = features[0].get("properties", {})
        precision = _OSM_PRECISION.get(props.get("type", ""), Precision.CITY)
        return Place(float(lat), float(lon), precision, props.get("name") or address)


class GoogleGeocoder:
    _PRECISION = {
        "ROOFTOP": Precision.STREET,
        "RANGE_INTERPOLATED": Precision.STREET,
        "GEOMETRIC_CENTER": Precision.POSTCODE,
        "APPROXIMATE": Precision.CITY,
    }

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, api_key: str, *, per_second: float = 20.0
    ) -> None:
        self.http = _Http(client, RateLimiter(per_second))
        self.url = base_url.rstrip("/") + "/maps/api/geocode/json"
        self.key = api_key

    async def geocode(self, address: str) -> Place | None:
        found = await self.http.get_json(self.url, {"address": address, "key": self.key})
        if found.get("status") == "ZERO_RESULTS":
            return None
        if found.get("status") != "OK":
            raise ProviderError(f"Google geocoding: {found.get('status')}")
        top = found["results"][0]
        location = top["geometry"]["location"]
        precision = self._PRECISION.get(top["geometry"].get("location_type", ""), Precision.CITY)
        return Place(
            float(location["lat"]), float(location["lng"]), precision, top.get("formatted_address", address)
        )


class Router(Protocol):
    async def minutes(
        self, pairs: Sequence[tuple[Point, Point]], mode: CommuteMode
    ) -> list[float | None]: ...


@dataclass
class _Plan:
    origins: list[Point]
    destinations: list[Point]


def plan_batches(
    pairs: Sequence[tuple[Point, Point]],
    *,
    max_origins: int,
    max_destinations: int,
    max_elements: int,
    max_locations: int,
) -> list[_Plan]:
    """Group origin -> destination pairs into requests within a service's limits.

    Pairs are grouped by origin; each request takes as many origins as fit, with
    the destinations those origins need, never more than the limits allow.
    """
    by_origin: dict[Point, list[Point]] = {}
    for origin, destination in pairs:
        wanted = by_origin.setdefault(origin, [])
        if destination not in wanted:
            wanted.append(destination)
    plans: list[_Plan] = []
    current = _Plan([], [])
    for origin, destinations in by_origin.items():
        for start in range(
            0, len(destinations), max(1, min(max_destinations, max_elements, max_locations - 1))
        ):
            chunk = destinations[start : start + min(max_destinations, max_elements, max_locations - 1)]
            merged = current.destinations + [d for d in chunk if d not in current.destinations]
            fits = (
                len(current.origins) + 1 <= max_origins
                and len(merged) <= max_destinations
                and (len(current.origins) + 1) * len(merged) <= max_elements
                and len(current.origins) + 1 + len(merged) <= max_locations
            )
            if current.origins and not fits:
                plans.append(current)
                current = _Plan([], [])
                merged = list(chunk)
            current.origins.append(origin)
            current.destinations = merged
    if current.origins:
        plans.append(current)
    return plans


def _cached_minutes(
    cache: TtlCache, mode: CommuteMode, pairs: Sequence[tuple[Point, Point]]
) -> list[float | None]:
    """Answers for `pairs` from a router's cache; NaN marks a pair the service could not route."""
    out: list[float | None] = []
    for pair in pairs:
        value = cache.get((mode, pair))
        out.append(None if value is None or math.isnan(value) else float(value))
    return out


class OsrmRouter:
    """The OSRM table service. OSRM routes one profile per server; map modes to servers by URL."""

    PROFILES = {CommuteMode.CAR: "driving", CommuteMode.BICYCLE: "cycling", CommuteMode.WALK: "walking"}

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, *, max_locations: int = 100, per_second: float = 10.0
    ) -> None:
        self.http = _Http(client, RateLimiter(per_second))
        self.base = base_url.rstrip("/")
        self.max_locations = max_locations
        self.cache = TtlCache(size=200_000)

    async def minutes(self, pairs: Sequence[tuple[Point, Point]], mode: CommuteMode) -> list[float | None]:
        profile = self.PROFILES.get(mode)
        if profile is None:  # no transit in OSRM
            return [None] * len(pairs)
        todo = [p for p in pairs if self.cache.get((mode, p)) is None]
        for plan in plan_batches(
            todo,
            max_origins=self.max_locations,
            max_destinations=self.max_locations,
            max_elements=self.max_locations**2,
            max_locations=self.max_locations,
        ):
            coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in plan.origins + plan.destinations)
            n = len(plan.origins)
            found = await self.http.get_json(
                f"{self.base}/table/v1/{profile}/{coords}",
                {
                    "sources": ";".join(str(i) for i in range(n)),
                    "destinations": ";".join(str(n + j) for j in range(len(plan.destinations))),
                    "annotations": "duration",
                },
            )
            if found.get("code") != "Ok":
                raise ProviderError(f"OSRM: {found.get('code')}: {found.get('message', '')}")
            for i, origin in enumerate(plan.origins):
                for j, destination in enumerate(plan.destinations):
                    seconds = found["durations"][i][j]
                    self.cache.put(
                        (mode, (origin, destination)), math.nan if seconds is None else seconds / 60
                    )
        return _cached_minutes(self.cache, mode, pairs)


class GoogleDistanceMatrix:
    MODES = {
        CommuteMode.CAR: "driving",
        CommuteMode.TRANSIT: "transit",
        CommuteMode.BICYCLE: "bicycling",
        CommuteMode.WALK: "walking",
    }

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, api_key: str, *, per_second: float = 10.0
    ) -> None:
        self.http = _Http(client, RateLimiter(per_second))
        self.url = base_url.rstrip("/") + "/maps/api/distancematrix/json"
        self.key = api_key
        self.cache = TtlCache(size=200_000)

    async def minutes(self, pairs: Sequence[tuple[Point, Point]], mode: CommuteMode) -> list[float | None]:
        todo = [p for p in pairs if self.cache.get((mode, p)) is None]
        for plan in plan_batches(
            todo, max_origins=25, max_destinations=25, max_elements=100, max_locations=10_000
        ):
            found = await self.http.get_json(
                self.url,
                {
                    "origins": "|".join(f"{lat:.6f},{lon:.6f}" for lat, lon in plan.origins),
                    "destinations": "|".join(f"{lat:.6f},{lon:.6f}" for lat, lon in plan.destinations),
                    "mode": self.MODES[mode],
                    "key": self.key,
                },
            )
            if found.get("status") != "OK":
                raise ProviderError(f"Google Distance Matrix: {found.get('status')}")
            for i, origin in enumerate(plan.origins):
                for j, destination in enumerate(plan.destinations):
                    element = found["rows"][i]["elements"][j]
                    value = element["duration"]["value"] / 60 if element.get("status") == "OK" else math.nan
                    self.cache.put((mode, (origin, destination)), value)
        return _cached_minutes(self.cache, mode, pairs)
