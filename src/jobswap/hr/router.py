"""/api/hr/requests (HR of an employer in the swap; admins look on) and /api/admin/employers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from fastapi.responses import Response

from jobswap.auth.dependencies import AdminUser, CurrentUser, DbSession
from jobswap.hr import employers
from jobswap.hr.models import HrStatus
from jobswap.hr.schemas import (
    ApproveBody,
    EmployerCreate,
    EmployerPage,
    EmployerRead,
    EmployerUpdate,
    HrRequestPage,
    HrRequestRead,
    RejectBody,
)
from jobswap.hr.service import HrService
from jobswap.resumes.dependencies import StorageDep
from jobswap.swaps.dependencies import SwapServiceDep
from jobswap.swaps.router import resume_response

router = APIRouter(prefix="/api/hr/requests", tags=["hr"])
admin_router = APIRouter(prefix="/api/admin/employers", tags=["admin"])


def get_hr_service(swaps: SwapServiceDep) -> HrService:
    return HrService(swaps)


HrServiceDep = Annotated[HrService, Depends(get_hr_service)]


@router.get("", response_model=HrRequestPage)
async def list_hr_requests(
    user: CurrentUser,
    session: DbSession,
    service: HrServiceDep,
    status_: Annotated[HrStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HrRequestPage:
    """Swaps involving your employer that every member accepted, newest first."""
    items, total = await service.page(session, user, status_, limit, offset)
    return HrRequestPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{hr_request_id}", response_model=HrRequestRead)
async def read_hr_request(
    hr_request_id: uuid.UUID, user: CurrentUser, session: DbSession, service: HrServiceDep
) -> HrRequestRead:
    """Your employees in the swap, the colleagues who would join you (as far as they agreed),
    commutes before and after, and the estimated cost saving with every assumption."""
    return await service.view(session, user, await service.visible(session, user, hr_request_id))


@router.put("/{hr_request_id}/approve", response_model=HrRequestRead)
async def approve(
    hr_request_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    service: HrServiceDep,
    data: ApproveBody | None = None,
) -> HrRequestRead:
    review = await service.decide(session, user, hr_request_id, True, data.note if data else None)
    return await service.view(session, user, review)


@router.put("/{hr_request_id}/reject", response_model=HrRequestRead)
async def reject(
    hr_request_id: uuid.UUID, data: RejectBody, user: CurrentUser, session: DbSession, service: HrServiceDep
) -> HrRequestRead:
    """A reason is required; the members see it."""
    review = await service.decide(session, user, hr_request_id, False, data.reason.strip())
    return await service.view(session, user, review)


@router.get("/{hr_request_id}/members/{position}/resume", response_class=Response)
async def member_resume(
    hr_request_id: uuid.UUID,
    position: Annotated[int, Path(ge=0, le=2)],
    user: CurrentUser,
    session: DbSession,
    service: HrServiceDep,
    storage: StorageDep,
) -> Response:
    """A member's resume, if they agreed to show it to HR."""
    data, resume = await service.member_resume(session, storage, user, hr_request_id, position)
    return resume_response(data, resume.media_type, resume.filename)


@admin_router.post("", response_model=EmployerRead, status_code=status.HTTP_201_CREATED)
async def create_employer(data: EmployerCreate, admin: AdminUser, session: DbSession) -> EmployerRead:
    return EmployerRead.model_validate(await employers.create(session, data))


@admin_router.get("", response_model=EmployerPage)
async def list_employers(
    admin: AdminUser,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name or domain")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> EmployerPage:
    rows, total = await employers.search(session, q, limit, offset)
    return EmployerPage(
        items=[EmployerRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@admin_router.get("/{employer_id}", response_model=EmployerRead)
async def read_employer(employer_id: uuid.UUID, admin: AdminUser, session: DbSession) -> EmployerRead:
    return EmployerRead.model_validate(await employers.get(session, employer_id))


@admin_router.put("/{employer_id}", response_model=EmployerRead)
async def update_employer(
    employer_id: uuid.UUID, data: EmployerUpdate, admin: AdminUser, session: DbSession
) -> EmployerRead:
    return EmployerRead.model_validate(await employers.update(session, employer_id, data))


@admin_router.delete("/{employer_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_employer(employer_id: uuid.UUID, admin: AdminUser, session: DbSession) -> None:
    """Its HR users and employees lose the link; reviews of its open swaps go with it."""
    await employers.delete(session, employer_id)
