"""/api/users: profiles. A user sees and changes their own; an admin, any."""

from __future__ import annotations

import functools
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from jobswap.auth.dependencies import AdminUser, CurrentUser, DbSession, NotifierDep
from jobswap.dependencies import DatabaseDep, PasswordsDep, SettingsDep
from jobswap.matching.locate import locate
from jobswap.swaps.dependencies import SwapServiceDep
from jobswap.users import export, service
from jobswap.users.models import UserRole
from jobswap.users.schemas import UserCreate, UserPage, UserRead, UserUpdate

router = APIRouter(prefix="/api/users", tags=["users"])


def get_locator(settings: SettingsDep, database: DatabaseDep) -> service.Locator:
    """Geocoding as configured (a service with a database cache, or the offline gazetteer)."""
    return functools.partial(locate, settings, database)


LocatorDep = Annotated[service.Locator, Depends(get_locator)]


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(
    data: UserCreate,
    admin: AdminUser,
    session: DbSession,
    passwords: PasswordsDep,
    locator: LocatorDep,
    notifier: NotifierDep,
) -> UserRead:
    """An admin creates an account (any role); its address is sent a verification link."""
    return UserRead.model_validate(await service.create_user(session, passwords, data, locator, notifier))


@router.get("", response_model=UserPage)
async def list_users(
    admin: AdminUser,
    session: DbSession,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of an e-mail, name, company or title")
    ] = None,
    role: UserRole | None = None,
    employer_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> UserPage:
    """Admins: every account, newest first, searchable."""
    rows, total = await service.search(session, q, role, employer_id, limit, offset)
    return UserPage(items=[UserRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/me/export")
async def export_me(user: CurrentUser, session: DbSession, swaps: SwapServiceDep) -> JSONResponse:
    """Everything you own, as one JSON document (your profile, resumes with their text, matches,
    swap requests as you see them, notifications and sign-in sessions)."""
    data = jsonable_encoder(await export.export(session, user, swaps))
    return JSONResponse(data, headers={"Content-Disposition": 'attachment; filename="jobswap-export.json"'})


@router.get("/me", response_model=UserRead)
async def read_me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.get("/{user_id}", response_model=UserRead)
async def read_user(user_id: uuid.UUID, viewer: CurrentUser, session: DbSession) -> UserRead:
    return UserRead.model_validate(await service.get_user(session, viewer, user_id))


@router.put("/{user_id}", response_model=UserRead)
async def update_user(
    user_id: uuid.UUID,
    data: UserUpdate,
    viewer: CurrentUser,
    session: DbSession,
    locator: LocatorDep,
    swaps: SwapServiceDep,
) -> UserRead:
    """Partial update: only the fields in the body change. Addresses without coordinates are geocoded.
    Open swap requests that no longer qualify after the change are cancelled."""
    return UserRead.model_validate(await service.update_user(session, viewer, user_id, data, swaps, locator))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(
    user_id: uuid.UUID, viewer: CurrentUser, session: DbSession, swaps: SwapServiceDep
) -> None:
    """Delete the account and everything it owns; its open swap requests are cancelled."""
    await service.delete_user(session, viewer, user_id, swaps)
