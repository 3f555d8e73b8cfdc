"""Imports every domain's tables, so that Base.metadata knows them all."""

from jobswap.auth.models import AuthSession, RefreshToken, SigninAttempt
from jobswap.matching.models import GeocodeCacheEntry, Match
from jobswap.resumes.models import Resume
from jobswap.users.models import User

__all__ = ["AuthSession", "GeocodeCacheEntry", "Match", "RefreshToken", "Resume", "SigninAttempt", "User"]
