"""/api/matches: your swap matches, best first, and refreshing them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from jobswap.auth.dependencies import CurrentUser, DbSession
from jobswap.dependencies import DatabaseDep, SettingsDep
from jobswap.matching import repository, service
from jobswap.matching.schemas import GenerateResult, MatchDetail, MatchPage, summary

router = APIRouter(prefix="/api/matches", tags=["matches"])


@router.get("", response_model=MatchPage)
async def list_matches(
    user: CurrentUser,
    session: DbSession,
    database: DatabaseDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> MatchPage:
    """Your matches: the overall best set first, then by total minutes saved."""
    rows, total = await repository.list_own(session, user, limit, offset)
    others = await service.counterparts(database, [r.match_user_id for r in rows])
    return MatchPage(
        items=[summary(r, others.get(r.match_user_id, {}).get("occupation")) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post("/generate", response_model=GenerateResult)
async def generate(user: CurrentUser, database: DatabaseDep, settings: SettingsDep) -> GenerateResult:
    """Recompute your matches now (from people in equivalent roles), without waiting for the nightly run."""
    return GenerateResult(matches=await service.generate_for(database, settings, user))


@router.get("/{match_id}", response_model=MatchDetail)
async def read_match(
    match_id: uuid.UUID, user: CurrentUser, session: DbSession, database: DatabaseDep
) -> MatchDetail:
    """Every member's commute before and after, minutes saved, and the compatibility parts.
    Others appear by occupation, company, seniority and a ~5 km area only."""
    return await service.detail(session, database, user, match_id)
