"""Liveness and readiness probes."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from jobswap import metrics, migrate
from jobswap.config import Environment
from jobswap.dependencies import DatabaseDep, RuntimeDep, SettingsDep
from jobswap.errors import Forbidden, ServiceUnavailable

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(database: DatabaseDep) -> dict[str, str]:
    """The database answers and its schema is at the migrations' head."""
    head = migrate.head_revision()
    try:
        async with database.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await conn.run_sync(migrate.current_revision)
    except Exception as exc:
        raise ServiceUnavailable("The database is not reachable.") from exc
    if current != head:
        raise ServiceUnavailable(
            "The database schema is not at the latest migration.",
            details={"current": current, "head": head},
        )
    return {"status": "ready", "revision": str(current)}


def _may_scrape(request: Request, settings: SettingsDep) -> bool:
    if settings.environment is Environment.DEVELOPMENT:
        return True
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(n, strict=False) for n in settings.metrics_allow)


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def prometheus(request: Request, settings: SettingsDep, runtime: RuntimeDep) -> Response:
    """Prometheus text format. Outside development: a bearer token or an allowed network."""
    if not _may_scrape(request, settings):
        raise Forbidden("Metrics need JOBSWAP_METRICS_TOKEN or an address in JOBSWAP_METRICS_ALLOW.")
    await metrics.DATABASE.refresh(runtime)
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
