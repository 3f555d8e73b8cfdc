"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from jobswap import migrate
from jobswap.dependencies import DatabaseDep
from jobswap.errors import ServiceUnavailable

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
