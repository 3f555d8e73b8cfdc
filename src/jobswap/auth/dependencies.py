"""Who is asking: the access token, the transaction that runs as them, the user.

`DbSession` is the request's one transaction: it starts with the caller's
identity set for row-level security, commits when the handler returns, and
rolls back when it raises.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.auth import repository
from jobswap.auth.schemas import LINK_TOKEN_MAX
from jobswap.auth.security import AccessClaims, InvalidToken, decode_access_token
from jobswap.auth.service import AuthService, Client
from jobswap.db import AccessRole, Identity, set_identity
from jobswap.dependencies import DatabaseDep, PasswordsDep, QueueDep, SettingsDep
from jobswap.errors import Forbidden, Unauthorized
from jobswap.notifications.service import Notifier
from jobswap.users.models import User, UserRole

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/signin", auto_error=False)
LinkToken = Annotated[str, Query(min_length=1, max_length=LINK_TOKEN_MAX)]  # ?token= of a mailed link


def get_claims(
    settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> AccessClaims | None:
    if token is None:
        return None
    try:
        return decode_access_token(settings, token)
    except InvalidToken:
        raise Unauthorized("The access token is invalid or has expired.") from None


Claims = Annotated[AccessClaims | None, Depends(get_claims)]


def require_claims(claims: Claims) -> AccessClaims:
    if claims is None:
        raise Unauthorized()
    return claims


RequiredClaims = Annotated[AccessClaims, Depends(require_claims)]


async def get_db_session(database: DatabaseDep, claims: Claims) -> AsyncIterator[AsyncSession]:
    identity = (
        Identity(claims.user_id, AccessRole(claims.role.value))
        if claims is not None
        else Identity.anonymous()
    )
    async with database.transaction(identity) as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_db_session)]


async def get_current_user(session: DbSession, claims: RequiredClaims) -> User:
    user = await repository.user_for_session(session, claims.user_id, claims.session_id)
    if user is None:
        raise Unauthorized("This session has ended; sign in again.")
    if user.role is not claims.role:
        # The role changed since the token was issued: the database's word wins.
        await set_identity(session, Identity(user.id, AccessRole(user.role.value)))
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_admin(user: CurrentUser) -> User:
    if user.role is not UserRole.ADMIN:
        raise Forbidden("This needs the admin role.")
    return user


AdminUser = Annotated[User, Depends(require_admin)]


def get_notifier(settings: SettingsDep, queue: QueueDep) -> Notifier:
    return Notifier(settings, queue)


NotifierDep = Annotated[Notifier, Depends(get_notifier)]


def get_auth_service(
    settings: SettingsDep, database: DatabaseDep, passwords: PasswordsDep, notifier: NotifierDep
) -> AuthService:
    return AuthService(settings, database, passwords, notifier)


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


def get_client(request: Request) -> Client:
    ip: str | None = None
    if request.client is not None:
        try:
            ip = str(ipaddress.ip_address(request.client.host))
        except ValueError:
            ip = None
    return Client(ip=ip, user_agent=request.headers.get("user-agent"))


ClientDep = Annotated[Client, Depends(get_client)]
