"""Profile rules: who may see and change which account, and what changes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.auth.security import Passwords
from jobswap.errors import BadRequest, Forbidden, NotFound
from jobswap.users import repository
from jobswap.users.models import User, UserRole
from jobswap.users.schemas import UserCreate, UserUpdate


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    """Pydantic values as the columns store them (locations as JSON, URLs as text)."""
    return {
        key: str(value) if key == "avatar_url" and value is not None else value for key, value in data.items()
    }


async def create_user(session: AsyncSession, passwords: Passwords, data: UserCreate) -> User:
    fields = _columns(data.model_dump(exclude={"password"}, exclude_unset=True, mode="json"))
    fields["email"] = data.email
    fields["role"] = data.role
    fields["password_hash"] = await passwords.hash(data.password)
    return await repository.add(session, **fields)


async def get_user(session: AsyncSession, viewer: User, user_id: uuid.UUID) -> User:
    user = await repository.get_visible(session, viewer, user_id)
    if user is None:
        # The same answer whether the account does not exist or is not the viewer's.
        raise NotFound("No such user.")
    return user


async def update_user(session: AsyncSession, viewer: User, user_id: uuid.UUID, data: UserUpdate) -> User:
    user = await get_user(session, viewer, user_id)
    changes = data.model_dump(exclude_unset=True, mode="json")
    if "role" in changes:
        if viewer.role is not UserRole.ADMIN:
            raise Forbidden("Only an admin can change a role.")
        if changes["role"] is None:
            del changes["role"]
        else:
            changes["role"] = UserRole(changes["role"])
    if "email" in changes and changes["email"] is None:
        raise BadRequest("An account must keep an e-mail address.")
    return await repository.update(session, user, _columns(changes))


async def delete_user(session: AsyncSession, viewer: User, user_id: uuid.UUID) -> None:
    user = await get_user(session, viewer, user_id)
    await repository.remove(session, user)
