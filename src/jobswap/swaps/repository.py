"""Every query on swap requests, their members, events and HR reviews.

Reads made as the caller are filtered by RLS (members, the HR of an employer involved,
admins); the locks and writes run as the service, after the service has checked the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.db import paged
from jobswap.hr.models import Employer, HrRequest
from jobswap.resumes.models import Resume, ResumeStatus
from jobswap.swaps.models import SwapEvent, SwapMember, SwapRequest
from jobswap.swaps.states import OPEN, SwapStatus
from jobswap.users.models import User

OPEN_VALUES = [s.value for s in OPEN]


async def get_visible(session: AsyncSession, request_id: uuid.UUID) -> SwapRequest | None:
    return await session.scalar(select(SwapRequest).where(SwapRequest.id == request_id))


async def lock(session: AsyncSession, request_id: uuid.UUID) -> SwapRequest:
    """The request, locked for this transaction (every change to one request goes through this).

    FOR NO KEY UPDATE rather than FOR UPDATE: rows that reference it (members, events, HR
    reviews) take KEY SHARE locks through their foreign keys, which FOR UPDATE would block,
    and two requests being created at once could then deadlock."""
    request = await session.scalar(
        select(SwapRequest)
        .where(SwapRequest.id == request_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    assert request is not None
    return request


async def members(
    session: AsyncSession, request_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[SwapMember]]:
    ids = list(request_ids)
    out: dict[uuid.UUID, list[SwapMember]] = {i: [] for i in ids}
    if ids:
        rows = await session.execute(
            select(SwapMember)
            .where(SwapMember.request_id.in_(ids))
            .order_by(SwapMember.request_id, SwapMember.position)
            .execution_options(populate_existing=True)
        )
        for member in rows.scalars():
            out[member.request_id].append(member)
    return out


async def events(session: AsyncSession, request_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[SwapEvent]]:
    ids = list(request_ids)
    out: dict[uuid.UUID, list[SwapEvent]] = {i: [] for i in ids}
    if ids:
        rows = await session.execute(
            select(SwapEvent).where(SwapEvent.request_id.in_(ids)).order_by(SwapEvent.id)
        )
        for event in rows.scalars():
            out[event.request_id].append(event)
    return out


async def hr_reviews(
    session: AsyncSession, request_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[HrRequest, str]]]:
    ids = list(request_ids)
    out: dict[uuid.UUID, list[tuple[HrRequest, str]]] = {i: [] for i in ids}
    if ids:
        rows = await session.execute(
            select(HrRequest, Employer.name)
            .join(Employer, Employer.id == HrRequest.employer_id)
            .where(HrRequest.request_id.in_(ids))
            .order_by(HrRequest.created_at, Employer.name)
            .execution_options(populate_existing=True)
        )
        for review, name in rows.all():
            out[review.request_id].append((review, name))
    return out


async def list_for(
    session: AsyncSession,
    user_id: uuid.UUID,
    statuses: list[SwapStatus] | None,
    direction: str | None,
    limit: int,
    offset: int,
) -> tuple[list[SwapRequest], int]:
    mine = select(SwapMember.request_id).where(SwapMember.user_id == user_id)
    where: list[ColumnElement[bool]] = [SwapRequest.id.in_(mine)]
    if direction == "outgoing":
        where.append(SwapRequest.proposer_id == user_id)
    elif direction == "incoming":
        where.append(or_(SwapRequest.proposer_id.is_(None), SwapRequest.proposer_id != user_id))
    if statuses:
        where.append(SwapRequest.status.in_([s.value for s in statuses]))
    query = select(SwapRequest).where(*where).order_by(SwapRequest.created_at.desc(), SwapRequest.id)
    return await paged(session, query, limit, offset)


async def open_outgoing(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(SwapRequest.proposer_id == user_id, SwapRequest.status.in_(OPEN_VALUES))
    )
    return int(count or 0)


async def open_with_key(session: AsyncSession, key: str) -> uuid.UUID | None:
    return await session.scalar(
        select(SwapRequest.id).where(SwapRequest.swap_key == key, SwapRequest.status.in_(OPEN_VALUES))
    )


async def open_involving(session: AsyncSession, user_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    rows = await session.execute(
        select(SwapRequest.id)
        .join(SwapMember, SwapMember.request_id == SwapRequest.id)
        .where(SwapMember.user_id.in_(list(user_ids)), SwapRequest.status.in_(OPEN_VALUES))
        .distinct()
    )
    return sorted(rows.scalars())  # a fixed order, so that concurrent cancellers lock alike


async def due(
    session: AsyncSession, now: datetime, remind_before_days: int
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Pending requests to remind about, and pending requests past their expiry (locked, skipping
    any another transaction holds)."""
    pending = SwapRequest.status == SwapStatus.PENDING.value
    expired = await session.execute(
        select(SwapRequest.id)
        .where(pending, SwapRequest.expires_at <= now)
        .order_by(SwapRequest.expires_at)
        .limit(500)
        .with_for_update(key_share=True, skip_locked=True)
    )
    remind = await session.execute(
        select(SwapRequest.id)
        .where(
            pending,
            SwapRequest.reminded_at.is_(None),
            SwapRequest.expires_at > now,
            SwapRequest.expires_at - func.make_interval(0, 0, 0, remind_before_days) <= now,
        )
        .order_by(SwapRequest.expires_at)
        .limit(500)
        .with_for_update(key_share=True, skip_locked=True)
    )
    return list(remind.scalars()), list(expired.scalars())


async def people(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    """The accounts behind these ids (a service-identity read: they are other people); ids of
    accounts that are gone, and None for members who left, are simply absent."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await session.execute(select(User).where(User.id.in_(wanted)))
    return {u.id: u for u in rows.scalars()}


async def latest_resume(session: AsyncSession, user_id: uuid.UUID) -> Resume | None:
    return await session.scalar(
        select(Resume)
        .where(Resume.user_id == user_id)
        .order_by((Resume.status == ResumeStatus.PARSED).desc(), Resume.created_at.desc())
        .limit(1)
    )
