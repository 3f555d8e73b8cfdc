"""Imports every domain's tables, so that Base.metadata knows them all."""

from jobswap.auth.models import AuthSession, RefreshToken, SigninAttempt
from jobswap.users.models import User

__all__ = ["AuthSession", "RefreshToken", "SigninAttempt", "User"]
