"""Choosing the geocoder and router from settings, with a database cache for geocoding.

One httpx client, geocoder and router per process, so that rate limits and
caches hold across requests and tasks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
from sqlalchemy.dialects.postgresql import insert

from jobswap import outbound
from jobswap.config import Settings
from jobswap.db import Database, Identity
from jobswap.matching.geocode import Place, Precision, fold, offline_geocoder
from jobswap.matching.models import GeocodeCacheEntry
from jobswap.matching.providers import (
    Geocoder,
    GoogleDistanceMatrix,
    GoogleGeocoder,
    NominatimGeocoder,
    OsrmRouter,
    PhotonGeocoder,
    ProviderError,
    Router,
)

log = logging.getLogger(__name__)


@dataclass
class _Clients:
    client: httpx.AsyncClient | None = None
    geocoders: dict[str, Geocoder] = field(default_factory=dict)
    routers: dict[str, Router] = field(default_factory=dict)


_held = _Clients()


async def close() -> None:
    """Close the shared HTTP client (at shut-down)."""
    forget()
    if _held.client is not None:
        await _held.client.aclose()
        _held.client = None


def forget() -> None:
    """Drop this process's provider clients and their caches (after a settings change)."""
    _held.geocoders.clear()
    _held.routers.clear()


def _http(settings: Settings) -> httpx.AsyncClient:
    if _held.client is None or _held.client.is_closed:
        limits = httpx.Limits(max_connections=20)
        _held.client = httpx.AsyncClient(
            headers={"User-Agent": settings.http_user_agent},
            timeout=httpx.Timeout(10.0, connect=5.0),
            transport=outbound.transport(settings, limits=limits),
        )
    return _held.client


def _key(settings: Settings) -> str:
    return settings.google_api_key.get_secret_value() if settings.google_api_key else ""


def geocoder_for(settings: Settings) -> Geocoder | None:
    """The configured geocoding service, or None for the offline gazetteer alone."""
    if settings.geocoder == "offline":
        return None
    key = f"{settings.geocoder}:{settings.geocoder_url}"
    if key not in _held.geocoders:
        client = _http(settings)
        if settings.geocoder == "nominatim":
            _held.geocoders[key] = NominatimGeocoder(
                client, settings.geocoder_url, per_second=settings.geocoder_per_second
            )
        elif settings.geocoder == "photon":
            _held.geocoders[key] = PhotonGeocoder(
                client, settings.geocoder_url, per_second=settings.geocoder_per_second
            )
        else:
            _held.geocoders[key] = GoogleGeocoder(client, settings.google_url, _key(settings))
    return _held.geocoders[key]


def router_for(settings: Settings) -> Router | None:
    if settings.router == "estimate":
        return None
    key = f"{settings.router}:{settings.router_url}"
    if key not in _held.routers:
        client = _http(settings)
        if settings.router == "osrm":
            _held.routers[key] = OsrmRouter(
                client, settings.router_url, max_locations=settings.osrm_max_locations
            )
        else:
            _held.routers[key] = GoogleDistanceMatrix(client, settings.google_url, _key(settings))
    return _held.routers[key]


async def locate(settings: Settings, database: Database, address: str) -> Place | None:
    """An address's place: the configured service (answers cached in the database), else
    the offline gazetteer; the service being down falls back to the gazetteer too."""
    service = geocoder_for(settings)
    if service is not None:
        query = " ".join(address.split())[:600]
        cached = await _cached(database, settings.geocoder, query)
        if cached is not None:
            return cached if isinstance(cached, Place) else None
        try:
            place = await service.geocode(query)
        except ProviderError as exc:
            log.warning("geocoding service failed; using the offline gazetteer", extra={"error": str(exc)})
        else:
            await _store(database, settings.geocoder, query, place)
            if place is not None:
                return place
    return await anyio.to_thread.run_sync(offline_geocoder().geocode, address)


async def _cached(database: Database, provider: str, query: str) -> Place | bool | None:
    async with database.transaction(Identity.service()) as session:
        entry = await session.get(GeocodeCacheEntry, (provider, fold(query)))
    if entry is None:
        return None
    if not entry.found or entry.latitude is None or entry.longitude is None:
        return False
    return Place(entry.latitude, entry.longitude, Precision(entry.precision or "city"), entry.label or query)


async def _store(database: Database, provider: str, query: str, place: Place | None) -> None:
    values: dict[str, Any] = {"provider": provider, "query": fold(query), "found": place is not None}
    if place is not None:
        values.update(
            latitude=place.latitude,
            longitude=place.longitude,
            precision=place.precision.value,
            label=place.label[:600],
        )
    async with database.transaction(Identity.service()) as session:
        await session.execute(insert(GeocodeCacheEntry).values(**values).on_conflict_do_nothing())
