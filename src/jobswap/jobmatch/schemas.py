"""What the job-matching API reads and answers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jobswap.jobmatch.models import AlertFrequency
from jobswap.jobmatch.scoring import LEVELS
from jobswap.matching.commute import CommuteMode

Workplace = Literal["remote", "hybrid", "on_site"]
Level = Literal["intern", "entry", "mid", "senior", "lead", "executive"]
IMPORT_SOURCE = "import"
assert set(LEVELS) == set(Level.__args__)  # type: ignore[attr-defined]


class JobMatchFilters(BaseModel):
    """What a job seeker narrows the list to. Every filter applies inside the candidate
    query, so a narrow filter still gets a full list rather than a filtered short one."""

    model_config = ConfigDict(extra="forbid")

    max_commute_minutes: Annotated[
        int | None,
        Field(ge=5, le=240, description="Remote jobs always pass; jobs with no known place do not"),
    ] = None
    commute_mode: Annotated[CommuteMode | None, Field(description="Default: your profile's commute mode")] = (
        None
    )
    workplace: Annotated[list[Workplace], Field(max_length=3)] = []
    min_pay: Annotated[
        float | None, Field(ge=0, le=10_000_000, description="Per year; jobs that state no pay are left out")
    ] = None
    level: Annotated[list[Level], Field(max_length=6)] = []
    posted_since: datetime | None = None
    language: Annotated[list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]], Field(max_length=10)] = []
    source: Annotated[list[Annotated[str, Field(pattern=r"^[a-z_]{2,32}$")]], Field(max_length=10)] = []
    include_dismissed: bool = False
    occupation: Annotated[
        Literal["any", "equivalent"],
        Field(description="equivalent: only your profile's occupation and those O*NET relates to it"),
    ] = "any"
    shorter_commute: Annotated[
        bool, Field(description="Only jobs that would shorten your commute from home to today's workplace")
    ] = False

    @field_validator("posted_since")
    @classmethod
    def _not_future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value > datetime.now(UTC) + timedelta(days=1):
            raise ValueError("posted_since is in the future")
        if value.year < 2000:
            raise ValueError("posted_since is before 2000")
        return value

    @field_validator("workplace", "level", "language", "source")
    @classmethod
    def _unique_sorted(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class JobMatchQuery(JobMatchFilters):
    """GET /api/job-matches: the filters, which resume, and the page."""

    resume_id: Annotated[uuid.UUID | None, Field(description="Default: your latest parsed resume")] = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    offset: Annotated[int, Field(ge=0, le=10_000)] = 0

    def filters(self) -> JobMatchFilters:
        return JobMatchFilters.model_validate(self.model_dump(exclude={"resume_id", "limit", "offset"}))


class JobMatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resume_id: Annotated[uuid.UUID | None, Field(description="Default: your latest parsed resume")] = None
    filters: JobMatchFilters = JobMatchFilters()
    refresh: Annotated[bool, Field(description="Recompute even when the stored list is current")] = False


class JobMatchUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    saved: bool | None = None
    dismissed: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> JobMatchUpdate:
        if self.saved is None and self.dismissed is None:
            raise ValueError("give saved, dismissed or both")
        return self


class JobBrief(BaseModel):
    id: uuid.UUID
    title: str
    company: str
    location: str | None
    workplace: str | None
    employment_type: str | None
    experience_level: str | None
    salary_min: float | None
    salary_max: float | None
    salary_period: str | None
    salary_currency: str | None
    posted_at: datetime | None
    url: str | None
    language: str | None
    occupation_code: str | None


class ScoreParts(BaseModel):
    """Each part 0-1, or null where the data cannot tell (then it does not count in the score)."""

    text: float | None = Field(description="Full-text relevance of your titles and skills to the posting")
    semantic: float | None = Field(description="Similarity of the resume's and the posting's embeddings")
    skills: float | None
    skills_matched: list[str]
    skills_missing: list[str] = Field(description="The skill gap: skills the posting asks for that you lack")
    skills_summary: str | None = Field(description='"x of y skills"')
    role: float | None = Field(description="The posting's occupation against your recent ones")
    role_because: str | None = Field(description="Your occupation (O*NET code) the role part compares with")
    seniority: float | None
    pay: float | None
    commute: float | None
    commute_minutes: float | None
    commute_mode: str
    commute_source: Literal["estimate", "router"] | None = None
    remote: bool
    shorter_commute: bool | None


class JobMatchItem(BaseModel):
    id: uuid.UUID
    rank: int | None
    score: float = Field(ge=0, le=100)
    saved: bool
    dismissed: bool
    job: JobBrief
    parts: ScoreParts


class JobMatchPage(BaseModel):
    items: list[JobMatchItem]
    total: int
    limit: int
    offset: int
    resume_id: uuid.UUID | None
    cached: bool = Field(description="Served from the stored list rather than computed for this request")
    computed_at: datetime
    confidence: float = Field(description="How much the resume gives to go on, 0-1")
    low_confidence: bool
    confidence_reasons: list[str]
    filters: JobMatchFilters


class SavedPage(BaseModel):
    items: list[JobMatchItem]
    total: int
    limit: int
    offset: int


def brief_of(row: dict[str, Any]) -> JobBrief:
    return JobBrief(
        id=row["id"],
        title=row["title"],
        company=row["company"],
        location=row["location"],
        workplace=row["workplace"],
        employment_type=row["employment_type"],
        experience_level=row["experience_level"],
        salary_min=row["salary_min"],
        salary_max=row["salary_max"],
        salary_period=row["salary_period"],
        salary_currency=row["salary_currency"],
        posted_at=row["posted_at"],
        url=row["canonical_url"],
        language=row["language"],
        occupation_code=row["occupation_code"],
    )


def item_of(row: dict[str, Any]) -> JobMatchItem:
    return JobMatchItem(
        id=row["match_id"],
        rank=row["rank"],
        score=row["score"],
        saved=row["saved"],
        dismissed=row["dismissed"],
        job=brief_of(row),
        parts=ScoreParts.model_validate(dict(row["parts"] or {})),
    )


class AlertCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=120)]
    query: Annotated[
        str | None, Field(min_length=2, max_length=300, description="Words to look for; default: your resume")
    ] = None
    resume_id: uuid.UUID | None = None
    filters: JobMatchFilters = JobMatchFilters()
    frequency: AlertFrequency = AlertFrequency.DAILY
    min_score: Annotated[float, Field(ge=0, le=100)] = 55.0
    enabled: bool = True


class AlertUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    filters: JobMatchFilters | None = None
    frequency: AlertFrequency | None = None
    min_score: Annotated[float | None, Field(ge=0, le=100)] = None
    enabled: bool | None = None


class AlertView(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    query: str | None
    resume_id: uuid.UUID | None
    filters: JobMatchFilters
    frequency: AlertFrequency
    min_score: float
    enabled: bool
    last_digest_at: datetime | None
    created_at: datetime


class AlertHitView(BaseModel):
    alert_id: uuid.UUID
    job: JobBrief
    score: float
    parts: ScoreParts
    created_at: datetime
