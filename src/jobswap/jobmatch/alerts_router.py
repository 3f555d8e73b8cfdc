"""/api/job-alerts: saved searches (a query or a resume, with filters) that tell you of new jobs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from jobswap.auth.dependencies import CurrentUser, DbSession
from jobswap.dependencies import SettingsDep
from jobswap.jobmatch import alerts
from jobswap.jobmatch.models import JobAlert
from jobswap.jobmatch.schemas import AlertCreate, AlertHitView, AlertUpdate, AlertView, ScoreParts, brief_of

router = APIRouter(prefix="/api/job-alerts", tags=["job matches"])


class HitPage(BaseModel):
    items: list[AlertHitView]
    total: int
    limit: int
    offset: int


@router.post("", response_model=AlertView, status_code=status.HTTP_201_CREATED)
async def create_alert(
    body: AlertCreate, user: CurrentUser, session: DbSession, settings: SettingsDep
) -> JobAlert:
    """New jobs are scored against this alert as they land; you hear of those at or above
    `min_score` in the app at once, and by e-mail at most at `frequency`."""
    return await alerts.create(session, settings, user, body)


@router.get("", response_model=list[AlertView])
async def list_alerts(user: CurrentUser, session: DbSession) -> list[JobAlert]:
    return await alerts.listed(session, user)


@router.get("/hits", response_model=HitPage)
async def list_hits(
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> HitPage:
    """The jobs your alerts found, newest first."""
    rows, total = await alerts.hits(session, user, limit, offset)
    items = [
        AlertHitView(
            alert_id=r["alert_id"],
            job=brief_of(r),
            score=r["score"],
            parts=ScoreParts.model_validate(r["parts"]),
            created_at=r["hit_at"],
        )
        for r in rows
    ]
    return HitPage(items=items, total=total, limit=limit, offset=offset)


@router.patch("/{alert_id}", response_model=AlertView)
async def update_alert(
    alert_id: uuid.UUID, body: AlertUpdate, user: CurrentUser, session: DbSession
) -> JobAlert:
    return await alerts.update(session, user, alert_id, body)


@router.delete("/{alert_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_alert(alert_id: uuid.UUID, user: CurrentUser, session: DbSession) -> None:
    await alerts.delete(session, user, alert_id)
