"""Queries on sessions, refresh tokens and sign-in attempts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy import false as sa_false
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.auth.models import AuthSession, EmailToken, RefreshToken, SigninAttempt
from jobswap.users.models import User


async def user_for_session(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> User | None:
    """The user, if the sign-in session the access token names is still live."""
    result = await session.execute(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            User.id == user_id,
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > func.now(),
        )
    )
    return result.scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class Failures:
    count: int
    accounts: int  # distinct e-mails among them
    last: datetime | None


@dataclass(frozen=True, slots=True)
class FailureCounts:
    account: Failures  # this e-mail, from every address
    pair: Failures  # this e-mail from this address
    address: Failures  # this address, across e-mails


async def failures(session: AsyncSession, window: timedelta, email: str, ip: str | None) -> FailureCounts:
    """Failed sign-ins inside the window for the account, the pair and the address, in one
    query (each aggregate filtered to its key; the e-mail and address indexes serve the OR)."""
    is_email = SigninAttempt.email == email
    is_ip = SigninAttempt.ip == ip if ip is not None else sa_false()
    key = or_(is_email, is_ip)
    both = and_(is_email, is_ip)
    when = SigninAttempt.created_at
    row = (
        await session.execute(
            select(
                func.count().filter(is_email),
                func.max(when).filter(is_email),
                func.count().filter(both),
                func.max(when).filter(both),
                func.count().filter(is_ip),
                func.count(func.distinct(SigninAttempt.email)).filter(is_ip),
                func.max(when).filter(is_ip),
            ).where(SigninAttempt.succeeded.is_(False), when > func.now() - window, key)
        )
    ).one()
    return FailureCounts(
        account=Failures(int(row[0]), 1 if row[0] else 0, row[1]),
        pair=Failures(int(row[2]), 1 if row[2] else 0, row[3]),
        address=Failures(int(row[4]), int(row[5]), row[6]),
    )


async def clear_locks(session: AsyncSession, email: str | None, ip: str | None) -> int:
    """An admin lifts a lock: the failures of an account, of an address, or of the pair."""
    stmt = delete(SigninAttempt).where(SigninAttempt.succeeded.is_(False))
    if email is not None:
        stmt = stmt.where(SigninAttempt.email == email)
    if ip is not None:
        stmt = stmt.where(SigninAttempt.ip == ip)
    return _rowcount(await session.execute(stmt))


async def record_attempt(session: AsyncSession, email: str, ip: str | None, succeeded: bool) -> None:
    session.add(SigninAttempt(email=email, ip=ip, succeeded=succeeded))
    await session.flush()


async def clear_failures(session: AsyncSession, email: str) -> None:
    await session.execute(
        delete(SigninAttempt).where(SigninAttempt.email == email, SigninAttempt.succeeded.is_(False))
    )


async def create_session(
    session: AsyncSession, user_id: uuid.UUID, expires_at: datetime, user_agent: str | None, ip: str | None
) -> AuthSession:
    auth_session = AuthSession(user_id=user_id, expires_at=expires_at, user_agent=user_agent, ip=ip)
    session.add(auth_session)
    await session.flush()
    return auth_session


async def add_refresh_token(
    session: AsyncSession, auth_session: AuthSession, digest: bytes, expires_at: datetime
) -> None:
    session.add(
        RefreshToken(
            session_id=auth_session.id, user_id=auth_session.user_id, token_hash=digest, expires_at=expires_at
        )
    )
    await session.flush()


async def lock_refresh_token(session: AsyncSession, digest: bytes) -> tuple[RefreshToken, AuthSession] | None:
    """The token and its session, locked so two concurrent refreshes cannot both rotate it."""
    result = await session.execute(
        select(RefreshToken, AuthSession)
        .join(AuthSession, AuthSession.id == RefreshToken.session_id)
        .where(RefreshToken.token_hash == digest)
        .with_for_update()
    )
    row = result.first()
    return None if row is None else (row[0], row[1])


async def revoke_session(session: AsyncSession, session_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=func.now(), revoked_reason=reason)
    )


async def purge_expired(session: AsyncSession, attempts_older_than: timedelta) -> dict[str, int]:
    """Delete what can no longer be used: expired tokens and sessions, old sign-in attempts."""
    tokens = await session.execute(
        delete(RefreshToken).where(
            or_(RefreshToken.expires_at < func.now(), RefreshToken.used_at < func.now() - timedelta(days=1))
        )
    )
    sessions = await session.execute(
        delete(AuthSession).where(
            or_(AuthSession.expires_at < func.now(), AuthSession.revoked_at < func.now() - timedelta(days=1))
        )
    )
    attempts = await session.execute(
        delete(SigninAttempt).where(SigninAttempt.created_at < func.now() - attempts_older_than)
    )
    links = await session.execute(
        delete(EmailToken).where(EmailToken.expires_at < func.now() - timedelta(days=1))
    )
    return {
        "email_tokens": _rowcount(links),
        "refresh_tokens": _rowcount(tokens),
        "sessions": _rowcount(sessions),
        "signin_attempts": _rowcount(attempts),
    }


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)
