"""Imports every domain's tables, so that Base.metadata knows them all."""

from jobswap.auth.models import AuthSession, RefreshToken, SigninAttempt
from jobswap.jobs.models import Job, JobSource, SavedSearch, ScrapeRun
from jobswap.matching.models import GeocodeCacheEntry, Match
from jobswap.resumes.models import Resume
from jobswap.users.models import User

__all__ = [
    "AuthSession",
    "GeocodeCacheEntry",
    "Job",
    "JobSource",
    "Match",
    "RefreshToken",
    "Resume",
    "SavedSearch",
    "ScrapeRun",
    "SigninAttempt",
    "User",
]
