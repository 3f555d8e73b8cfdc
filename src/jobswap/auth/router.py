"""/api/auth: the endpoints a Supabase-style client expects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Form, status

from jobswap.auth.dependencies import AuthServiceDep, ClientDep, CurrentUser, RequiredClaims
from jobswap.auth.schemas import RefreshRequest, SignOutRequest, SignUp, TokenResponse
from jobswap.users.schemas import UserRead

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/signup", response_model=TokenResponse, status_code=status.HTTP_201_CREATED)
async def sign_up(data: SignUp, service: AuthServiceDep, client: ClientDep) -> TokenResponse:
    """Create an employee account with an empty profile, and sign it in."""
    return await service.sign_up(data, client)


@router.post("/signin", response_model=TokenResponse)
async def sign_in(
    username: Annotated[str, Form(max_length=320, description="The account's e-mail address")],
    password: Annotated[str, Form(max_length=256)],
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
