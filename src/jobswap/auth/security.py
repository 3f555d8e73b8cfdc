"""Passwords, access tokens and refresh tokens: pure functions, no database."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jobswap.config import Settings
from jobswap.users.models import UserRole

ISSUER = "jobswap"


class Passwords:
    """argon2id hashing, run off the event loop (each hash costs tens of milliseconds by design)."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost_kib,
            parallelism=settings.argon2_parallelism,
        )
        # Verified against when the account does not exist, so that the answer takes
        # as long as for a real account and does not reveal which e-mails are registered.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return (
                    self._hasher.verify(password_hash or self._decoy, password) and password_hash is not None
                )
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        return await anyio.to_thread.run_sync(check)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    role: UserRole
    session_id: uuid.UUID


class InvalidToken(Exception):
    pass


def issue_access_token(settings: Settings, claims: AccessClaims, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "sub": str(claims.user_id),
        "role": claims.role.value,
        "sid": str(claims.session_id),
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.access_token_ttl_seconds)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=settings.jwt_algorithm)


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "sid", "role", "typ"]},
        )
        if payload["typ"] != "access":
            raise InvalidToken("not an access token")
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            role=UserRole(payload["role"]),
            session_id=uuid.UUID(payload["sid"]),
        )
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        raise InvalidToken(str(exc)) from exc


def new_refresh_token() -> tuple[str, bytes]:
    """A refresh token for the client and the digest that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_digest(token)


def refresh_token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
