"""E-mail verification and password reset by single-use links.

A link carries a random 256-bit token; only its SHA-256 is stored, with the address it was
sent to, its purpose and its expiry, so it works once, for that address, for a while. A
reset request answers the same way, as fast, whether the address exists or not: the request
only queues a task, and the task decides whether there is anyone to write to.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.auth.models import AuthSession, EmailToken, TokenPurpose
from jobswap.auth.security import Passwords
from jobswap.db import Database, Identity
from jobswap.errors import BadRequest, TooManyRequests
from jobswap.notifications.kinds import Kind
from jobswap.notifications.service import Notifier
from jobswap.users import repository as users_repository
from jobswap.users.models import User

RESET_TASK = "auth.send_password_reset"
INVALID_LINK = "This link is invalid, was already used, or has expired."


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class VerificationSender:
    """Issuing a link and mailing it, inside the caller's service-identity transaction."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.settings = notifier.settings

    async def issue(self, session: AsyncSession, user: User, purpose: TokenPurpose, ttl: int) -> str:
        token = secrets.token_urlsafe(32)
        session.add(
            EmailToken(
                user_id=user.id,
                purpose=purpose.value,
                email=user.email,
                token_hash=_digest(token),
                expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
            )
        )
        await session.flush()
        return token

    async def send_verification(self, session: AsyncSession, user: User) -> None:
        """Sign-up's, a resend's, or an address change's link."""
        ttl = self.settings.email_verification_ttl_seconds
        token = await self.issue(session, user, TokenPurpose.VERIFY_EMAIL, ttl)
        await self.notifier.notify(
            session,
            user.id,
            Kind.EMAIL_VERIFICATION,
            f"We sent a confirmation link to {user.email}.",
            facts={"hours": ttl // 3600 or 1},
            email_link=self.notifier.url("/confirm", token=token),
        )


class EmailLinks(VerificationSender):
    """Verification resends and password resets, each in its own transaction."""

    def __init__(self, database: Database, passwords: Passwords, notifier: Notifier) -> None:
        super().__init__(notifier)
        self.database = database
        self.passwords = passwords

    async def _wait_seconds(self, session: AsyncSession, user: User, purpose: TokenPurpose) -> int:
        """How long until another mail of this purpose may go to this account (0: now)."""
        now = datetime.now(UTC)
        day = now - timedelta(days=1)
        row = (
            await session.execute(
                select(func.max(EmailToken.created_at), func.count(), func.min(EmailToken.created_at)).where(
                    EmailToken.user_id == user.id,
                    EmailToken.purpose == purpose.value,
                    func.lower(EmailToken.email) == user.email.lower(),  # a new address starts afresh
                    EmailToken.created_at > day,
                )
            )
        ).one()
        latest, count, oldest = row
        if count >= self.settings.email_max_per_day and oldest is not None:
            return math.ceil((oldest + timedelta(days=1) - now).total_seconds())
        if latest is not None:
            return max(
                0,
                math.ceil(
                    (
                        latest + timedelta(seconds=self.settings.email_resend_interval_seconds) - now
                    ).total_seconds()
                ),
            )
        return 0

    async def resend_verification(self, user_id: object) -> None:
        async with self.database.transaction(Identity.service()) as session:
            user = await session.get(User, user_id, with_for_update={"key_share": True})
            if user is None:
                return
            if user.email_verified_at is not None:
                raise BadRequest("This e-mail address is already verified.")
            wait = await self._wait_seconds(session, user, TokenPurpose.VERIFY_EMAIL)
            if wait > 0:
                raise TooManyRequests(
                    "A confirmation e-mail was sent recently; try again later.", retry_after_seconds=wait
                )
            await self.send_verification(session, user)

    async def _redeem(self, session: AsyncSession, token: str, purpose: TokenPurpose) -> User:
        found = (
            await session.execute(
                select(EmailToken).where(EmailToken.token_hash == _digest(token)).with_for_update()
            )
        ).scalar_one_or_none()
        now = datetime.now(UTC)
        if (
            found is None
            or found.purpose != purpose.value
            or found.used_at is not None
            or found.expires_at <= now
        ):
            raise BadRequest(INVALID_LINK)
        user = await session.get(User, found.user_id, with_for_update={"key_share": True})
        if user is None or user.email.lower() != found.email.lower():
            raise BadRequest(INVALID_LINK)  # the address changed since the link was sent
        found.used_at = now
        return user

    async def verify(self, token: str) -> User:
        async with self.database.transaction(Identity.service()) as session:
            user = await self._redeem(session, token, TokenPurpose.VERIFY_EMAIL)
            if user.email_verified_at is None:
                user.email_verified_at = datetime.now(UTC)
            await session.flush()
            return user

    async def request_reset(self, email: str) -> None:
        """The HTTP side of a reset: queue the work, reveal nothing."""
        await self.notifier.queue.configure_task(RESET_TASK).defer_async(email=email.strip().lower())

    async def send_reset(self, email: str) -> bool:
        """The task side: a link for an existing account, within the mail rate limit."""
        async with self.database.transaction(Identity.service()) as session:
            user = await users_repository.get_by_email(session, email)
            if user is None:
                return False
            if await self._wait_seconds(session, user, TokenPurpose.RESET_PASSWORD) > 0:
                return False
            ttl = self.settings.password_reset_ttl_seconds
            token = await self.issue(session, user, TokenPurpose.RESET_PASSWORD, ttl)
            await self.notifier.notify(
                session,
                user.id,
                Kind.PASSWORD_RESET,
                "Someone asked to reset your password; the link was sent by e-mail.",
                facts={"minutes": ttl // 60},
                email_link=self.notifier.url("/reset", token=token),
            )
            return True

    async def reset(self, token: str, password: str) -> None:
        """A new password; every session of the account ends, and the address counts as verified."""
        password_hash = await self.passwords.hash(password)
        async with self.database.transaction(Identity.service()) as session:
            user = await self._redeem(session, token, TokenPurpose.RESET_PASSWORD)
            user.password_hash = password_hash
            if user.email_verified_at is None:
                user.email_verified_at = datetime.now(UTC)
            await session.execute(
                update(AuthSession)
                .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
                .values(revoked_at=func.now(), revoked_reason="password_reset")
            )
            await session.execute(
                update(EmailToken)
                .where(
                    EmailToken.user_id == user.id,
                    EmailToken.used_at.is_(None),
                    EmailToken.purpose == TokenPurpose.RESET_PASSWORD.value,
                )
                .values(used_at=func.now())
            )
