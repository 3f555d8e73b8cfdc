"""/api/swap-requests: propose a swap from a match, answer it, follow it through HR."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response

from jobswap.auth.dependencies import CurrentUser, DbSession
from jobswap.resumes.dependencies import StorageDep
from jobswap.swaps.dependencies import SwapServiceDep
from jobswap.swaps.schemas import DeclineBody, Sharing, SwapRequestCreate, SwapRequestPage, SwapRequestRead
from jobswap.swaps.states import SwapStatus

router = APIRouter(prefix="/api/swap-requests", tags=["swap requests"])
Position = Annotated[int, Path(ge=0, le=2, description="The member's place in the swap (0, 1 or 2)")]


async def _one(
    service: SwapServiceDep, session: DbSession, user: CurrentUser, request_id: uuid.UUID
) -> SwapRequestRead:
    request = await service.visible(session, user, request_id)
    [view] = await service.views(session, user, [request])
    return view


@router.post("", response_model=SwapRequestRead, status_code=status.HTTP_201_CREATED)
async def propose(
    data: SwapRequestCreate, user: CurrentUser, session: DbSession, service: SwapServiceDep
) -> SwapRequestRead:
    """Propose one of your matches as a swap; every other member is asked. The minutes saved
    come from the match, never from the request."""
    request = await service.propose(session, user, data)
    return await _one(service, session, user, request.id)


@router.get("", response_model=SwapRequestPage)
async def list_requests(
    user: CurrentUser,
    session: DbSession,
    service: SwapServiceDep,
    status_: Annotated[list[SwapStatus] | None, Query(alias="status")] = None,
    direction: Annotated[Literal["incoming", "outgoing"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> SwapRequestPage:
    """Requests you are a member of, newest first."""
    items, total = await service.page(session, user, status_, direction, limit, offset)
    return SwapRequestPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{request_id}", response_model=SwapRequestRead)
async def read_request(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession, service: SwapServiceDep
) -> SwapRequestRead:
    return await _one(service, session, user, request_id)


@router.put("/{request_id}/accept", response_model=SwapRequestRead)
async def accept(
    request_id: uuid.UUID, data: Sharing, user: CurrentUser, session: DbSession, service: SwapServiceDep
) -> SwapRequestRead:
    """Accept, with your own sharing choices and your consent to HR review."""
    await service.accept(session, user, request_id, data)
    return await _one(service, session, user, request_id)


@router.put("/{request_id}/decline", response_model=SwapRequestRead)
async def decline(
    request_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    service: SwapServiceDep,
    data: DeclineBody | None = None,
) -> SwapRequestRead:
    await service.decline(session, user, request_id, data or DeclineBody())
    return await _one(service, session, user, request_id)


@router.put("/{request_id}/withdraw", response_model=SwapRequestRead)
async def withdraw(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession, service: SwapServiceDep
) -> SwapRequestRead:
    await service.withdraw(session, user, request_id)
    return await _one(service, session, user, request_id)


@router.get("/{request_id}/members/{position}/resume", response_class=Response)
async def member_resume(
    request_id: uuid.UUID,
    position: Position,
    user: CurrentUser,
    session: DbSession,
    service: SwapServiceDep,
    storage: StorageDep,
) -> Response:
    """Another member's resume: only after everyone accepted, and only if they shared it."""
    data, resume = await service.member_resume(session, storage, user, request_id, position)
    return resume_response(data, resume.media_type, resume.filename)


def resume_response(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
