"""Local stand-ins for geocoding and routing services, answering in each one's real format."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.servers import serve_in_threads


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


class FakeServices:
    """Nominatim, Photon, Google Geocoding, OSRM table and Google Distance Matrix in one app."""

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = {}
        self.fail_next_osrm = 0
        self.constant_minutes: float | None = None  # every OSRM answer this long, when set
        self.app = Starlette(
            routes=[
                Route("/search", self.nominatim),
                Route("/api", self.photon),
                Route("/maps/api/geocode/json", self.google_geocode),
                Route("/table/v1/{profile}/{coords}", self.osrm),
                Route("/maps/api/distancematrix/json", self.google_matrix),
            ]
        )

    def _seen(self, name: str) -> None:
        self.calls.setdefault(name, []).append(time.monotonic())

    async def nominatim(self, request: Request) -> JSONResponse:
        self._seen("nominatim")
        assert request.query_params["format"] == "jsonv2"
        if "nowhere" in request.query_params["q"]:
            return JSONResponse([])
        return JSONResponse(
            [{"lat": "41.8800", "lon": "-87.6300", "display_name": "Main St, Chicago", "addresstype": "road"}]
        )

    async def photon(self, request: Request) -> JSONResponse:
        self._seen("photon")
        return JSONResponse(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
                        "properties": {"name": "Paris", "type": "city"},
                    }
                ],
            }
        )

    async def google_geocode(self, request: Request) -> JSONResponse:
        self._seen("google_geocode")
        if request.query_params.get("key") != "test-key":
            return JSONResponse({"status": "REQUEST_DENIED", "results": []})
        if "nowhere" in request.query_params["address"]:
            return JSONResponse({"status": "ZERO_RESULTS", "results": []})
        return JSONResponse(
            {
                "status": "OK",
                "results": [
                    {
                        "formatted_address": "1600 Amphitheatre Pkwy",
                        "geometry": {
                            "location": {"lat": 37.422, "lng": -122.084},
                            "location_type": "ROOFTOP",
                        },
                    }
                ],
            }
        )

    async def osrm(self, request: Request) -> JSONResponse:
        self._seen("osrm")
        if self.fail_next_osrm:
            self.fail_next_osrm -= 1
            return JSONResponse({"message": "slow down"}, status_code=429, headers={"Retry-After": "0"})
        points = [tuple(map(float, p.split(","))) for p in request.path_params["coords"].split(";")]
        if len(points) > 100:
            return JSONResponse({"code": "TooBig", "message": "Too many table coordinates"}, status_code=400)
        latlon = [(lat, lon) for lon, lat in points]
        sources = [int(i) for i in request.query_params["sources"].split(";")]
        destinations = [int(i) for i in request.query_params["destinations"].split(";")]
        durations = [
            [
                self.constant_minutes * 60 if self.constant_minutes else _km(latlon[s], latlon[d]) * 60.0
                for d in destinations
            ]
            for s in sources
        ]
        return JSONResponse({"code": "Ok", "durations": durations})

    async def google_matrix(self, request: Request) -> JSONResponse:
        self._seen("google_matrix")
        origins = [tuple(map(float, p.split(","))) for p in request.query_params["origins"].split("|")]
        destinations = [
            tuple(map(float, p.split(","))) for p in request.query_params["destinations"].split("|")
        ]
        if len(origins) > 25 or len(destinations) > 25 or len(origins) * len(destinations) > 100:
            return JSONResponse({"status": "MAX_ELEMENTS_EXCEEDED", "rows": []})
        rows = [
            {
                "elements": [
                    {"status": "OK", "duration": {"value": int(_km(o, d) * 120)}} for d in destinations
                ]
            }  # type: ignore[arg-type]
            for o in origins
        ]
        return JSONResponse({"status": "OK", "rows": rows})


@pytest.fixture(scope="session")
def services() -> Iterator[tuple[FakeServices, str]]:
    fake = FakeServices()
    with serve_in_threads(fake.app) as [url]:
        yield fake, url
