"""Request and response shapes for sign-up, sign-in, refresh and sign-out."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from jobswap.text_types import Strict
from jobswap.users.schemas import Email, Name, Password, UserRead


class SignUp(Strict):
    email: Email
    password: Password
    name: Name | None = None


class RefreshRequest(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class SignOutRequest(Strict):
    refresh_token: Annotated[str | None, Field(max_length=512)] = None


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int
    refresh_token: str
    user: UserRead


# An e-mailed link's token, wherever it arrives: a JSON body, a link's query or a page's form.
LINK_TOKEN_MAX = 200
LinkTokenField = Annotated[str, Field(min_length=1, max_length=LINK_TOKEN_MAX)]


class VerifyRequest(Strict):
    token: LinkTokenField


class VerifyResult(BaseModel):
    email_verified: bool


class ResetRequest(Strict):
    email: Email


class ResetConfirm(Strict):
    token: LinkTokenField
    password: Password


class Accepted(BaseModel):
    message: str


class LocksCleared(BaseModel):
    cleared: int  # recorded failed sign-ins dropped
