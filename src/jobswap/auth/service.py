"""Sign-up, sign-in, refresh-token rotation and sign-out.

Unlike other services, this one opens its own transactions (as JobSwap's
trusted `service` identity, since nobody is signed in yet). Two reasons:
a failed sign-in and a detected refresh-token reuse must be *recorded* even
though the request then fails, so those writes commit before the error is
raised; and argon2 verification (tens of milliseconds) runs between
transactions rather than holding a pooled connection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.auth import repository
from jobswap.auth.email_links import EmailLinks
from jobswap.auth.models import AuthSession
from jobswap.auth.schemas import SignUp, TokenResponse
from jobswap.auth.security import (
    AccessClaims,
    Passwords,
    issue_access_token,
    new_refresh_token,
    refresh_token_digest,
)
from jobswap.config import Settings
from jobswap.db import Database, Identity
from jobswap.errors import Conflict, TooManyRequests, Unauthorized
from jobswap.notifications.service import Notifier
from jobswap.users import repository as users_repository
from jobswap.users.models import User, UserRole
from jobswap.users.schemas import UserRead

INVALID_CREDENTIALS = "Incorrect e-mail or password."


@dataclass(frozen=True, slots=True)
class Client:
    ip: str | None
    user_agent: str | None


class AuthService:
    def __init__(
        self, settings: Settings, database: Database, passwords: Passwords, notifier: Notifier
    ) -> None:
        self.settings = settings
        self.database = database
        self.passwords = passwords
        self.links = EmailLinks(database, passwords, notifier)

    async def sign_up(self, data: SignUp, client: Client) -> TokenResponse:
        password_hash = await self.passwords.hash(data.password)
        async with self.database.transaction(Identity.service()) as session:
            if await users_repository.get_by_email(session, data.email) is not None:
                raise Conflict("An account with this e-mail address already exists.")
            user = await users_repository.add(
                session, email=data.email, name=data.name, password_hash=password_hash, role=UserRole.EMPLOYEE
            )
            await self.links.send_verification(session, user)
            return await self._start_session(session, user, client)

    async def sign_in(self, email: str, password: str, client: Client) -> TokenResponse:
        email = email.strip().lower()
        async with self.database.transaction(Identity.service()) as session:
            await self._check_throttle(session, email, client.ip)
            user = await users_repository.get_by_email(session, email)
            password_hash = user.password_hash if user else None

        ok = await self.passwords.verify(password_hash, password)

        async with self.database.transaction(Identity.service()) as session:
            await repository.record_attempt(session, email, client.ip, succeeded=ok)
            if ok and user is not None:
                await repository.clear_failures(session, email)
                return await self._start_session(session, user, client)
        raise Unauthorized(INVALID_CREDENTIALS)

    async def refresh(self, token: str, client: Client) -> TokenResponse:
        now = datetime.now(UTC)
        reused = False
        async with self.database.transaction(Identity.service()) as session:
            found = await repository.lock_refresh_token(session, refresh_token_digest(token))
            if found is not None:
                stored, auth_session = found
                if stored.used_at is not None:
                    # A spent token came back: it was stolen, or the client is broken.
                    # End the whole family, so whoever holds its newest token is out too.
                    await repository.revoke_session(session, auth_session.id, "refresh_token_reuse")
                    reused = True
                elif (
                    auth_session.revoked_at is None
                    and stored.expires_at > now
                    and auth_session.expires_at > now
                ):
                    stored.used_at = now
                    auth_session.refreshed_at = now
                    user = await session.get(User, auth_session.user_id)
                    if user is not None:
                        return await self._issue(session, user, auth_session)
        if reused:
            raise Unauthorized("This refresh token was already used; the session has been signed out.")
        raise Unauthorized("The refresh token is invalid or has expired.")

    async def sign_out(self, claims: AccessClaims, refresh_token: str | None) -> None:
        async with self.database.transaction(Identity.service()) as session:
            await repository.revoke_session(session, claims.session_id, "signout")
            if refresh_token:
                found = await repository.lock_refresh_token(session, refresh_token_digest(refresh_token))
                if found is not None and found[1].user_id == claims.user_id:
                    await repository.revoke_session(session, found[1].id, "signout")

    def _backoff(self, over: int, last: datetime | None, now: datetime) -> float:
        """Seconds still to wait when a count is `over` its limit (0 = at it): the wait doubles
        with each failure past the limit, counted from the latest failure."""
        if over < 0 or last is None:
            return 0.0
        s = self.settings
        wait = min(s.signin_backoff_max_seconds, s.signin_backoff_seconds * 2 ** min(over, 30))
        return (last + timedelta(seconds=wait) - now).total_seconds()

    async def _check_throttle(self, session: AsyncSession, email: str, ip: str | None) -> None:
        s = self.settings
        window = timedelta(seconds=s.signin_window_seconds)
        now = datetime.now(UTC)
        found = await repository.failures(session, window, email, ip)
        account, pair, address = found.account, found.pair, found.address
        over_address = max(
            address.accounts - s.signin_address_max_accounts, address.count - s.signin_address_max_failures
        )
        checks = [
            (
                self._backoff(account.count - s.signin_account_max_failures, account.last, now),
                "for this account",
            ),
            (
                self._backoff(pair.count - s.signin_max_failures, pair.last, now),
                "for this account from this address",
            ),
            (self._backoff(over_address, address.last, now), "from this address, across accounts"),
        ]
        wait, scope = max(checks)
        if wait > 0:
            raise TooManyRequests(
                f"Too many failed sign-ins {scope}; try again later.",
                retry_after_seconds=math.ceil(wait),
            )

    async def clear_locks(self, email: str | None, ip: str | None) -> int:
        """Lift a sign-in lock (an admin's word): how many recorded failures were dropped."""
        async with self.database.transaction(Identity.service()) as session:
            return await repository.clear_locks(session, email.strip().lower() if email else None, ip)

    async def _start_session(self, session: AsyncSession, user: User, client: Client) -> TokenResponse:
        expires = datetime.now(UTC) + timedelta(seconds=self.settings.refresh_token_ttl_seconds)
        auth_session = await repository.create_session(
            session, user.id, expires, (client.user_agent or "")[:512] or None, client.ip
        )
        return await self._issue(session, user, auth_session)

    async def _issue(self, session: AsyncSession, user: User, auth_session: AuthSession) -> TokenResponse:
        token, digest = new_refresh_token()
        await repository.add_refresh_token(session, auth_session, digest, auth_session.expires_at)
        access = issue_access_token(
            self.settings, AccessClaims(user_id=user.id, role=user.role, session_id=auth_session.id)
        )
        return TokenResponse(
            access_token=access,
            expires_in=self.settings.access_token_ttl_seconds,
            refresh_token=token,
            user=UserRead.model_validate(user),
        )
