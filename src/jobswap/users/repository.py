"""Every query on `users`. Reads are filtered to what the viewer may see, and RLS
filters again underneath."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.db import contains, paged
from jobswap.errors import Conflict
from jobswap.users.models import User, UserRole


def _visible_to(viewer: User) -> Any:
    return True if viewer.role is UserRole.ADMIN else User.id == viewer.id


async def get_visible(session: AsyncSession, viewer: User, user_id: uuid.UUID) -> User | None:
    result = await session.execute(select(User).where(User.id == user_id, _visible_to(viewer)))
    return result.scalar_one_or_none()


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(func.lower(User.email) == email.lower()))
    return result.scalar_one_or_none()


async def add(session: AsyncSession, **fields: Any) -> User:
    user = User(**fields)
    session.add(user)
    await _flush(session)
    await session.refresh(user)
    return user


async def update(session: AsyncSession, user: User, fields: dict[str, Any]) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    await _flush(session)
    await session.refresh(user)  # updated_at and profile_complete come from the database
    return user


async def remove(session: AsyncSession, user: User) -> None:
    await session.execute(delete(User).where(User.id == user.id))


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        if "uq_users_email_lower" in str(exc.orig):
            raise Conflict("An account with this e-mail address already exists.") from None
        raise


async def search(
    session: AsyncSession,
    q: str | None,
    role: UserRole | None,
    employer_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[User], int]:
    """Everyone (for admins; RLS shows others nobody), filtered by text, role and employer."""
    query = select(User).order_by(User.created_at.desc(), User.id)
    if q:
        query = query.where(contains(q, User.email, User.name, User.company, User.job_title))
    if role is not None:
        query = query.where(User.role == role)
    if employer_id is not None:
        query = query.where(User.employer_id == employer_id)
    return await paged(session, query, limit, offset)
