"""Every query on matches, plus the narrow reads of other people that matching needs."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.matching.models import Match
from jobswap.resumes.models import Resume
from jobswap.users.models import User

ELIGIBLE = """
    SELECT id, home_location, work_location, commute_mode, swap_family, salary_band, skills,
           occupation_code, occupation_title, seniority, company
    FROM users
    WHERE matchable AND swap_family IS NOT NULL
      AND (home_location ->> 'latitude') IS NOT NULL AND (work_location ->> 'latitude') IS NOT NULL
"""


async def eligible(session: AsyncSession, families: list[str] | None = None) -> list[Any]:
    """People the engine can place (a service-identity session sees everyone), optionally
    only those in some swap families."""
    if families is None:
        return list((await session.execute(text(ELIGIBLE))).all())
    if not families:
        return []
    rows = await session.execute(text(ELIGIBLE + " AND swap_family = ANY(:f)"), {"f": families})
    return list(rows.all())


async def replace_for(session: AsyncSession, user_id: uuid.UUID | None, matches: list[Match]) -> None:
    """One person's matches (or, with None, everyone's) replaced by `matches`."""
    stmt = delete(Match) if user_id is None else delete(Match).where(Match.user_id == user_id)
    await session.execute(stmt)
    session.add_all(matches)
    await session.flush()


async def resume_vectors(session: AsyncSession, people: set[uuid.UUID], model: str) -> dict[uuid.UUID, Any]:
    """Each person's newest resume embedding made by `model`, for the people in some swap
    (a vector of another model waits for re-embedding rather than being compared)."""
    if not people:
        return {}
    rows = await session.execute(
        select(Resume.user_id, Resume.embedding)
        .where(Resume.user_id.in_(people), Resume.embedding.is_not(None), Resume.embedding_model == model)
        .ext(distinct_on(Resume.user_id))
        .order_by(Resume.user_id, Resume.parsed_at.desc().nulls_last())
    )
    return {r.user_id: np.asarray(r.embedding, dtype=np.float32) for r in rows}


async def list_own(session: AsyncSession, user: User, limit: int, offset: int) -> tuple[list[Match], int]:
    own = Match.user_id == user.id
    total = (await session.execute(select(func.count()).select_from(Match).where(own))).scalar_one()
    result = await session.execute(
        select(Match)
        .where(own)
        .order_by(Match.selected.desc(), Match.minutes_saved_total.desc(), Match.id)
        .limit(limit)
        .offset(offset)
    )
    return list(result.scalars()), int(total)


async def get_own(session: AsyncSession, user: User, match_id: uuid.UUID) -> Match | None:
    result = await session.execute(select(Match).where(Match.id == match_id, Match.user_id == user.id))
    return result.scalar_one_or_none()


async def safe_profiles(session: AsyncSession, members: list[uuid.UUID]) -> list[Any]:
    """Only the columns a match may reveal about its other members."""
    result = await session.execute(
        select(
            User.id,
            User.occupation_title,
            User.company,
            User.seniority,
            User.home_location,
            User.work_location,
        ).where(User.id.in_(members))
    )
    return list(result.all())
