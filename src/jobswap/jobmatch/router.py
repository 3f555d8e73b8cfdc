"""/api/job-matches: jobs ranked for your resume, with each score's parts, filters, and marks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from jobswap.auth.dependencies import CurrentUser, DbSession
from jobswap.dependencies import SettingsDep
from jobswap.jobmatch import service
from jobswap.jobmatch.schemas import (
    JobMatchCreate,
    JobMatchItem,
    JobMatchPage,
    JobMatchQuery,
    JobMatchUpdate,
    SavedPage,
)

router = APIRouter(prefix="/api/job-matches", tags=["job matches"])
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=10_000)]


@router.post("", response_model=JobMatchPage)
async def create_job_matches(
    body: JobMatchCreate, user: CurrentUser, session: DbSession, settings: SettingsDep, limit: Limit = 20
) -> JobMatchPage:
    """Rank jobs for one of your resumes (default: your latest parsed one), or for your
    profile's title and skills when you have none. Served from the stored list when nothing
    it was computed from has changed, unless `refresh`."""
    return await service.ranked_page(
        session,
        settings,
        user,
        resume_id=body.resume_id,
        filters=body.filters,
        refresh=body.refresh,
        limit=limit,
        offset=0,
    )


@router.get("", response_model=JobMatchPage)
async def list_job_matches(
    user: CurrentUser, session: DbSession, settings: SettingsDep, query: Annotated[JobMatchQuery, Query()]
) -> JobMatchPage:
    """Your ranked jobs, a page at a time, for these filters (computed first if the stored list
    is for other filters, another resume version or an older set of jobs). For a swap seeker,
    `occupation=equivalent&shorter_commute=true` lists the vacancies that would shorten their commute."""
    return await service.ranked_page(
        session,
        settings,
        user,
        resume_id=query.resume_id,
        filters=query.filters(),
        refresh=False,
        limit=query.limit,
        offset=query.offset,
    )


@router.get("/saved", response_model=SavedPage)
async def list_saved(
    user: CurrentUser, session: DbSession, limit: Limit = 20, offset: Offset = 0
) -> SavedPage:
    """The jobs you saved, latest first, whatever the current list holds."""
    items, total = await service.saved(session, user, limit, offset)
    return SavedPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{job_match_id}", response_model=JobMatchItem)
async def read_job_match(job_match_id: uuid.UUID, user: CurrentUser, session: DbSession) -> JobMatchItem:
    return await service.get_one(session, user, job_match_id)


@router.put("/{job_match_id}", response_model=JobMatchItem)
async def update_job_match(
    job_match_id: uuid.UUID, body: JobMatchUpdate, user: CurrentUser, session: DbSession
) -> JobMatchItem:
    """Save or dismiss a job (dismissed jobs leave your lists unless include_dismissed)."""
    return await service.mark(session, user, job_match_id, body)
