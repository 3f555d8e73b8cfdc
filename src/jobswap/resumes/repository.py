"""Every query on `resumes`; reads are limited to the viewer's own (an admin's: all)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.resumes.models import Resume, ResumeStatus
from jobswap.users.models import User, UserRole


def _visible_to(viewer: User) -> Any:
    return True if viewer.role is UserRole.ADMIN else Resume.user_id == viewer.id


async def get_visible(session: AsyncSession, viewer: User, resume_id: uuid.UUID) -> Resume | None:
    result = await session.execute(select(Resume).where(Resume.id == resume_id, _visible_to(viewer)))
    return result.scalar_one_or_none()


async def list_own(session: AsyncSession, owner: User, limit: int, offset: int) -> tuple[list[Resume], int]:
    own = Resume.user_id == owner.id
    total = (await session.execute(select(func.count()).select_from(Resume).where(own))).scalar_one()
    rows = await session.execute(
        select(Resume).where(own).order_by(Resume.created_at.desc(), Resume.id).limit(limit).offset(offset)
    )
    return list(rows.scalars()), int(total)


async def add(session: AsyncSession, resume: Resume) -> Resume:
    session.add(resume)
    await session.flush()
    await session.refresh(resume)
    return resume


async def remove(session: AsyncSession, resume: Resume) -> None:
    await session.execute(delete(Resume).where(Resume.id == resume.id))
    await session.flush()


async def get_for_processing(session: AsyncSession, resume_id: uuid.UUID) -> Resume | None:
    return await session.get(Resume, resume_id, with_for_update=True)


async def stale_pending(session: AsyncSession, older_than_seconds: int, max_attempts: int) -> list[uuid.UUID]:
    rows = await session.execute(
        select(Resume.id).where(
            Resume.status == ResumeStatus.PENDING,
            Resume.updated_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, older_than_seconds),
            Resume.parse_attempts < max_attempts,
        )
    )
    return list(rows.scalars())
