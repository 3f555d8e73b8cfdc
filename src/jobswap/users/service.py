"""Profile rules: who may see and change which account, and what changes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.auth.email_links import VerificationSender
from jobswap.auth.security import Passwords
from jobswap.db import as_service
from jobswap.errors import AppError, BadRequest, Forbidden, NotFound
from jobswap.hr.models import Employer
from jobswap.matching.geocode import Place, Precision, offline_geocoder
from jobswap.notifications.service import Notifier
from jobswap.occupations.titles import OccupationReading, title_index
from jobswap.swaps.service import MATCH_FIELDS, SwapService
from jobswap.users import repository
from jobswap.users.models import User, UserRole
from jobswap.users.schemas import UserCreate, UserUpdate


class AddressNotFound(AppError):
    status_code = 422
    code = "address_not_found"


Locator = Callable[[str], Awaitable[Place | None]]


async def offline_locator(address: str) -> Place | None:
    return await anyio.to_thread.run_sync(offline_geocoder().geocode, address)


async def _resolve_location(field: str, location: dict[str, Any], locate: Locator) -> dict[str, Any]:
    """Coordinates for a profile location: a map pin as given, else geocoded."""
    if location.get("latitude") is not None and location.get("longitude") is not None:
        return {**location, "precision": Precision.PIN.value}
    place = await locate(location["address"])
    if place is None:
        raise AddressNotFound(
            f"Could not find the address in {field}; add the city (and country or US state), "
            f"or give latitude and longitude.",
            details={"field": field, "address": location["address"]},
        )
    return {
        **location,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "precision": place.precision.value,
    }


class UnknownOccupation(AppError):
    status_code = 422
    code = "unknown_occupation"


def _occupation(out: dict[str, Any], user: User | None) -> None:
    """The occupation columns: a person's choice as given, else the job title read again
    (unless the title is unchanged and its occupation was chosen: the choice sticks)."""
    index = title_index()
    title = out.get("job_title", user.job_title if user else None)
    if out.get("occupation_code") is not None:
        code = out["occupation_code"]
        if code not in index.occupations:
            raise UnknownOccupation(
                f"{code} is not an O*NET-SOC occupation code.", details={"field": "occupation_code"}
            )
        match = index.match(title) if title else None
        out.update(
            occupation_title=index.occupations[code].title,
            swap_family=index.family(code),
            occupation_confidence=1.0,
            occupation_chosen=True,
            occupation_candidates=None,
            seniority=match.seniority if match else None,
        )
        return
    kept = (
        "occupation_code" not in out
        and user is not None
        and user.occupation_chosen
        and (title or "").casefold() == (user.job_title or "").casefold()
    )
    if kept or ("job_title" not in out and "occupation_code" not in out):
        return
    reading = index.reading(title) if title else OccupationReading(None, [], None)  # no title: all unset
    out.update(reading.columns(), occupation_chosen=False)


async def _derived(changes: dict[str, Any], locate: Locator, user: User | None = None) -> dict[str, Any]:
    """Geocoded locations and the O*NET occupation behind the job title."""
    out = dict(changes)
    for field in ("home_location", "work_location"):
        if out.get(field) is not None:
            out[field] = await _resolve_location(field, out[field], locate)
    # in a thread: an unsure title may consult the embedding model
    await anyio.to_thread.run_sync(_occupation, out, user)
    return out


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    """Pydantic values as the columns store them (locations as JSON, URLs as text)."""
    return {
        key: str(value) if key == "avatar_url" and value is not None else value for key, value in data.items()
    }


async def create_user(
    session: AsyncSession,
    passwords: Passwords,
    data: UserCreate,
    locate: Locator = offline_locator,
    notifier: Notifier | None = None,
) -> User:
    """With a notifier, the new address is sent a verification link in the same transaction."""
    fields = _columns(
        await _derived(data.model_dump(exclude={"password"}, exclude_unset=True, mode="json"), locate)
    )
    fields["email"] = data.email
    fields["role"] = data.role
    fields["password_hash"] = await passwords.hash(data.password)
    user = await repository.add(session, **fields)
    if notifier is not None:
        async with as_service(session):
            await VerificationSender(notifier).send_verification(session, user)
    return user


async def get_user(session: AsyncSession, viewer: User, user_id: uuid.UUID) -> User:
    user = await repository.get_visible(session, viewer, user_id)
    if user is None:
        # The same answer whether the account does not exist or is not the viewer's.
        raise NotFound("No such user.")
    return user


async def _allowed_changes(
    session: AsyncSession, viewer: User, user: User, changes: dict[str, Any]
) -> dict[str, Any]:
    """The columns a partial update may write: admin-only fields checked, nulls made sound."""
    if "employer_id" in changes:
        if viewer.role is not UserRole.ADMIN:
            raise Forbidden("Only an admin can link an account to an employer.")
        if changes["employer_id"] is not None:
            changes["employer_id"] = uuid.UUID(changes["employer_id"])
            if await session.get(Employer, changes["employer_id"]) is None:
                raise NotFound("No such employer.", details={"field": "employer_id"})
    if "role" in changes:
        if viewer.role is not UserRole.ADMIN:
            raise Forbidden("Only an admin can change a role.")
        if changes["role"] is None:
            del changes["role"]
        else:
            changes["role"] = UserRole(changes["role"])
    # Columns that always hold a value: clearing them means their default.
    for column, default in (("commute_mode", "car"), ("skills", [])):
        if column in changes and changes[column] is None:
            changes[column] = default
    if "email" in changes and changes["email"] is None:
        raise BadRequest("An account must keep an e-mail address.")
    if "email" in changes and changes["email"].lower() != user.email.lower():
        changes["email_verified_at"] = None  # a new address is unverified until its link is used
    return changes


async def update_user(
    session: AsyncSession,
    viewer: User,
    user_id: uuid.UUID,
    data: UserUpdate,
    swaps: SwapService,
    locate: Locator = offline_locator,
) -> User:
    """Open swap requests that the change disqualifies are cancelled in the same transaction."""
    user = await get_user(session, viewer, user_id)
    changes = await _allowed_changes(session, viewer, user, data.model_dump(exclude_unset=True, mode="json"))
    updated = await repository.update(session, user, _columns(await _derived(changes, locate, user)))
    if "email_verified_at" in changes:
        async with as_service(session):
            await VerificationSender(swaps.notifier).send_verification(session, updated)
    if (MATCH_FIELDS | {"occupation_code"}) & changes.keys():
        await swaps.profile_changed(session, updated.id)
    return updated


async def delete_user(session: AsyncSession, viewer: User, user_id: uuid.UUID, swaps: SwapService) -> None:
    """Open swap requests the person is in are cancelled (everyone else told) first."""
    user = await get_user(session, viewer, user_id)
    await swaps.member_left(session, user.id)
    await repository.remove(session, user)


async def search(
    session: AsyncSession,
    q: str | None,
    role: UserRole | None,
    employer_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[User], int]:
    """Admins' view of every account (RLS shows anyone else their own row only)."""
    return await repository.search(session, q, role, employer_id, limit, offset)
