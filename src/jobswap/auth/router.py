"""/api/auth: the endpoints a Supabase-style client expects."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Form, Query, status
from fastapi.responses import RedirectResponse
from pydantic import IPvAnyAddress

from jobswap.auth.dependencies import (
    AdminUser,
    AuthServiceDep,
    ClientDep,
    CurrentUser,
    LinkToken,
    RequiredClaims,
)
from jobswap.auth.schemas import (
    Accepted,
    LocksCleared,
    RefreshRequest,
    ResetConfirm,
    ResetRequest,
    SignOutRequest,
    SignUp,
    TokenResponse,
    VerifyRequest,
    VerifyResult,
)
from jobswap.errors import BadRequest
from jobswap.text_types import Line, Secret
from jobswap.users.schemas import UserRead

router = APIRouter(prefix="/api/auth", tags=["auth"])
admin_router = APIRouter(prefix="/api/admin/signin-locks", tags=["admin"])


@router.post("/signup", response_model=TokenResponse, status_code=status.HTTP_201_CREATED)
async def sign_up(data: SignUp, service: AuthServiceDep, client: ClientDep) -> TokenResponse:
    """Create an employee account with an empty profile, and sign it in."""
    return await service.sign_up(data, client)


@router.post("/signin", response_model=TokenResponse)
async def sign_in(
    username: Annotated[Line, Form(max_length=320, description="The account's e-mail address")],
    password: Annotated[Secret, Form(max_length=256)],
    service: AuthServiceDep,
    client: ClientDep,
) -> TokenResponse:
    """OAuth2 password flow (form fields `username` and `password`), as /docs' Authorize sends it."""
    return await service.sign_in(username, password, client)


@router.post("/refresh", response_model=TokenResponse)
async def refresh(data: RefreshRequest, service: AuthServiceDep, client: ClientDep) -> TokenResponse:
    """Swap a refresh token for a new pair. Each refresh token works once."""
    return await service.refresh(data.refresh_token, client)


@router.post("/signout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(
    claims: RequiredClaims,
    service: AuthServiceDep,
    data: Annotated[SignOutRequest | None, Body()] = None,
) -> None:
    """End this session: its refresh tokens and its access tokens stop working."""
    await service.sign_out(claims, data.refresh_token if data else None)


@router.get("/me", response_model=UserRead)
async def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


RESET_ANSWER = "If an account uses this address, a link to reset its password is on its way."


@router.post("/verify", response_model=VerifyResult)
async def verify(data: VerifyRequest, service: AuthServiceDep) -> VerifyResult:
    """Redeem the link from the verification e-mail (single use, expiring)."""
    await service.links.verify(data.token)
    return VerifyResult(email_verified=True)


@router.get("/verify", include_in_schema=False)
async def verify_link(token: LinkToken) -> RedirectResponse:
    """Links mailed before the web app's own pages existed: on to the page that redeems them."""
    return RedirectResponse(f"/confirm?{urlencode({'token': token})}", status_code=303)


@router.post("/verify/resend", response_model=Accepted, status_code=status.HTTP_202_ACCEPTED)
async def resend_verification(user: CurrentUser, service: AuthServiceDep) -> Accepted:
    """Send the verification e-mail again (rate-limited)."""
    await service.links.resend_verification(user.id)
    return Accepted(message=f"A new confirmation link is on its way to {user.email}.")


@router.post("/password-reset", response_model=Accepted, status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(data: ResetRequest, service: AuthServiceDep) -> Accepted:
    """Always the same answer, in the same time, whether or not the address has an account."""
    await service.links.request_reset(data.email)
    return Accepted(message=RESET_ANSWER)


@router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def confirm_password_reset(data: ResetConfirm, service: AuthServiceDep) -> None:
    """Set a new password with the e-mailed token; every session of the account ends."""
    await service.links.reset(data.token, data.password)


@router.get("/password-reset/confirm", include_in_schema=False)
async def password_reset_link(token: LinkToken) -> RedirectResponse:
    """Links mailed before the web app's own pages existed: on to the page with the form."""
    return RedirectResponse(f"/reset?{urlencode({'token': token})}", status_code=303)


@admin_router.delete("", response_model=LocksCleared)
async def clear_signin_locks(
    admin: AdminUser,
    service: AuthServiceDep,
    email: Annotated[str | None, Query(max_length=320, description="The account's e-mail")] = None,
    ip: Annotated[IPvAnyAddress | None, Query(description="The client address")] = None,
) -> LocksCleared:
    """Lift a sign-in lock now: an account's failures, an address's, or only the pair's."""
    if email is None and ip is None:
        raise BadRequest("Name an e-mail, an address (ip), or both.")
    return LocksCleared(cleared=await service.clear_locks(email, str(ip) if ip else None))
