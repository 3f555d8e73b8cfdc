"""Response shapes for matches. Nothing here identifies the other people in a swap."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class CompatibilityParts(BaseModel):
    score: int
    role: float
    skills: float | None
    resume: float | None = None  # similarity of the two people's resumes (embeddings), when both have one
    seniority: float
    salary: float | None


class MatchSummary(BaseModel):
    id: uuid.UUID
    cycle_size: int
    selected: bool  # part of the best overall set of swaps from the last full run
    compatibility_score: int
    compatibility: CompatibilityParts
    commute_before_minutes: float
    commute_after_minutes: float
    minutes_saved_total: float
    salary_compatible: bool
    counterpart_occupation: str | None
    created_at: datetime


class SafeMember(BaseModel):
    """What anyone in a swap may see of another member before every member has accepted:
    occupation, company, seniority, a ~5 km area and the commutes. Matches and swap requests
    both show members this way."""

    you: bool
    occupation: str | None
    company: str | None
    seniority: str | None
    home_area: dict[str, float] | None
    work_area: dict[str, float] | None
    commute_before_minutes: float
    commute_after_minutes: float


class MemberView(SafeMember):
    """A member of the swap as the viewer may see them before any swap request is accepted."""

    takes_job_of_next: bool = True
    commute_source: str  # "estimate" (offline estimator) or "router" (the routing service)


class MatchDetail(MatchSummary):
    members: list[MemberView]


class MatchPage(BaseModel):
    items: list[MatchSummary]
    total: int
    limit: int
    offset: int


class GenerateResult(BaseModel):
    matches: int


def summary(match: Any, counterpart_occupation: str | None) -> MatchSummary:
    return MatchSummary(
        id=match.id,
        cycle_size=match.cycle_size,
        selected=match.selected,
        compatibility_score=match.compatibility_score,
        compatibility=CompatibilityParts.model_validate(match.compatibility),
        commute_before_minutes=match.commute_before_minutes,
        commute_after_minutes=match.commute_after_minutes,
        minutes_saved_total=match.minutes_saved_total,
        salary_compatible=match.salary_compatible,
        counterpart_occupation=counterpart_occupation,
        created_at=match.created_at,
    )
