"""Browser sessions: the API's own tokens, kept in HttpOnly cookies, and CSRF protection.

Signing in through a form runs the same `AuthService` as the API and stores its access and
refresh tokens in cookies (HttpOnly, SameSite=Lax, Secure outside development). A page request
whose access token has expired is refreshed with the refresh token (rotated, as the API does),
so a browser stays signed in for the refresh token's life. The JSON API never reads these
cookies: it keeps bearer tokens, so a cookie can never authorise an API call.

Every form carries a CSRF token that must equal the `jobswap_csrf` cookie (double submit); the
cookie is random per browser and replaced at sign-in and sign-out, so a token planted before
sign-in (session fixation) is worthless after it.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobswap.auth import repository
from jobswap.auth.schemas import TokenResponse
from jobswap.auth.security import AccessClaims, InvalidToken, decode_access_token
from jobswap.auth.service import AuthService, Client
from jobswap.config import Environment, Settings
from jobswap.db import AccessRole, Identity, set_identity
from jobswap.errors import AppError, Forbidden
from jobswap.users.models import User, UserRole

ACCESS = "jobswap_access"
REFRESH = "jobswap_refresh"
CSRF = "jobswap_csrf"
CSRF_FIELD = "csrf"


class SignInRequired(Exception):
    """A page for signed-in people was asked for without a session: go to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class CsrfRejected(AppError):
    status_code = 403
    code = "csrf_failed"


@dataclass
class CookieJar:
    """Cookies a page's answer must set or clear (applied by `render`/`redirect`)."""

    to_set: dict[str, tuple[str, int]] = field(default_factory=dict)
    cleared: set[str] = field(default_factory=set)

    def apply(self, response: Any, settings: Settings) -> None:
        secure = settings.environment is not Environment.DEVELOPMENT
        for name, (value, max_age) in self.to_set.items():
            response.set_cookie(
                name, value, max_age=max_age, httponly=True, secure=secure, samesite="lax", path="/"
            )
        for name in self.cleared - set(self.to_set):
            response.delete_cookie(name, path="/", httponly=True, secure=secure, samesite="lax")


class SessionCookies:
    """Adds the cookies a request queued (sign-in, refresh, CSRF) to whatever answer it gets:
    a page, a redirect, an error page or a file download alike."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: Message) -> None:
            queued = scope.get("state", {}).get("cookie_jar")
            if message["type"] == "http.response.start" and queued is not None:
                carrier = Response()
                queued.apply(carrier, self.settings)
                cookies = [(k, v) for k, v in carrier.raw_headers if k == b"set-cookie"]
                message["headers"] = [*message.get("headers", []), *cookies]
            await send(message)

        await self.app(scope, receive, add)


def jar(request: Request) -> CookieJar:
    found = getattr(request.state, "cookie_jar", None)
    if found is None:
        found = CookieJar()
        request.state.cookie_jar = found
    return found


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (made, and its cookie queued, on first use)."""
    token = getattr(request.state, "csrf", None) or request.cookies.get(CSRF)
    if not token or len(token) < 32:
        token = secrets.token_urlsafe(32)
        jar(request).to_set[CSRF] = (token, 14 * 86_400)
    request.state.csrf = token
    return str(token)


def new_csrf(request: Request) -> None:
    """A fresh token (at sign-in and sign-out)."""
    request.state.csrf = None
    token = secrets.token_urlsafe(32)
    jar(request).to_set[CSRF] = (token, 14 * 86_400)
    request.state.csrf = token


async def check_csrf(request: Request) -> None:
    """Every form post: its `csrf` field must equal the cookie's token."""
    cookie = request.cookies.get(CSRF) or ""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise CsrfRejected(
            "This form has expired or did not come from this site; reload the page and try again."
        )


CsrfChecked = Annotated[None, Depends(check_csrf)]


def client_of(request: Request) -> Client:
    return Client(request.client.host if request.client else None, request.headers.get("user-agent"))


def keep_tokens(request: Request, tokens: TokenResponse, settings: Settings) -> None:
    cookies = jar(request)
    cookies.to_set[ACCESS] = (tokens.access_token, settings.refresh_token_ttl_seconds)
    cookies.to_set[REFRESH] = (tokens.refresh_token, settings.refresh_token_ttl_seconds)
    request.state.claims = decode_access_token(settings, tokens.access_token)


def forget_tokens(request: Request) -> None:
    jar(request).cleared |= {ACCESS, REFRESH}
    request.state.claims = None


async def claims_of(request: Request) -> AccessClaims | None:
    """The browser's session: its access cookie, refreshed with the refresh cookie when expired."""
    if hasattr(request.state, "claims"):
        return request.state.claims  # type: ignore[no-any-return]
    settings: Settings = request.app.state.settings
    token = request.cookies.get(ACCESS)
    claims: AccessClaims | None = None
    if token:
        try:
            claims = decode_access_token(settings, token)
        except InvalidToken:
            claims = None
    if claims is None and request.cookies.get(REFRESH):
        service: AuthService = request.app.state.web_auth
        try:
            tokens = await service.refresh(request.cookies[REFRESH], client_of(request))
        except AppError:
            forget_tokens(request)
            return None
        keep_tokens(request, tokens, settings)
        return request.state.claims  # type: ignore[no-any-return]
    request.state.claims = claims
    return claims


WebClaims = Annotated[AccessClaims | None, Depends(claims_of)]


async def web_db(request: Request, claims: WebClaims) -> AsyncIterator[AsyncSession]:
    """The page's one transaction, as the signed-in person (or anonymous) for row-level security."""
    identity = Identity(claims.user_id, AccessRole(claims.role.value)) if claims else Identity.anonymous()
    async with request.app.state.runtime.database.transaction(identity) as session:
        yield session


WebDb = Annotated[AsyncSession, Depends(web_db)]


async def optional_user(request: Request, session: WebDb, claims: WebClaims) -> User | None:
    if claims is None:
        return None
    user = await repository.user_for_session(session, claims.user_id, claims.session_id)
    if user is None:  # signed out elsewhere, or the account is gone
        forget_tokens(request)
        return None
    if user.role is not claims.role:
        await set_identity(session, Identity(user.id, AccessRole(user.role.value)))
    return user


MaybeUser = Annotated[User | None, Depends(optional_user)]


async def signed_in(request: Request, user: MaybeUser) -> User:
    if user is None:
        raise SignInRequired(request.url.path)
    return user


WebUser = Annotated[User, Depends(signed_in)]


def hr_only(user: WebUser) -> User:
    if user.role not in (UserRole.HR, UserRole.ADMIN):
        raise Forbidden("This page is for HR.")
    return user


def admin_only(user: WebUser) -> User:
    if user.role is not UserRole.ADMIN:
        raise Forbidden("This page is for admins.")
    return user


HrUser = Annotated[User, Depends(hr_only)]
AdminWebUser = Annotated[User, Depends(admin_only)]


def safe_next(value: str | None) -> str:
    """A local path to go to after signing in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/home"
    return value
