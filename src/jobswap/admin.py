"""Bootstrapping the first admin (the `create-admin` command)."""

from __future__ import annotations

from jobswap.auth.security import Passwords
from jobswap.config import Settings
from jobswap.db import Identity
from jobswap.runtime import Runtime
from jobswap.users import repository
from jobswap.users.models import UserRole
from jobswap.users.schemas import UserCreate
from jobswap.users.service import create_user


async def ensure_admin(settings: Settings, data: UserCreate) -> bool:
    """Create the admin; if the e-mail already has an account, promote it. True if created."""
    async with (
        Runtime.open(settings) as runtime,
        runtime.database.transaction(Identity.service()) as session,
    ):
        existing = await repository.get_by_email(session, data.email)
        if existing is not None:
            await repository.update(session, existing, {"role": UserRole.ADMIN})
            return False
        await create_user(session, Passwords(settings), data)
        return True
