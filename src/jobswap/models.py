"""Imports every domain's tables, so that Base.metadata knows them all."""

from jobswap.ai.models import AIUsage, EmbeddingBatch
from jobswap.auth.models import AuthSession, EmailToken, RefreshToken, SigninAttempt
from jobswap.hr.models import Employer, HrRequest
from jobswap.jobmatch.models import JobAlert, JobAlertHit, JobMatch, JobMatchList, JobTermStat
from jobswap.jobs.models import Job, JobCorpus, JobSource, SavedSearch, ScrapeRun
from jobswap.matching.models import CommuteCalibration, CommuteSample, GeocodeCacheEntry, Match
from jobswap.notifications.models import Notification, OutboxEmail
from jobswap.resumes.models import Resume
from jobswap.swaps.models import SwapEvent, SwapMember, SwapRequest
from jobswap.users.models import User

__all__ = [
    "AIUsage",
    "AuthSession",
    "CommuteCalibration",
    "CommuteSample",
    "EmailToken",
    "EmbeddingBatch",
    "Employer",
    "GeocodeCacheEntry",
    "HrRequest",
    "Job",
    "JobAlert",
    "JobAlertHit",
    "JobCorpus",
    "JobMatch",
    "JobMatchList",
    "JobSource",
    "JobTermStat",
    "Match",
    "Notification",
    "OutboxEmail",
    "RefreshToken",
    "Resume",
    "SavedSearch",
    "ScrapeRun",
    "SigninAttempt",
    "SwapEvent",
    "SwapMember",
    "SwapRequest",
    "User",
]
