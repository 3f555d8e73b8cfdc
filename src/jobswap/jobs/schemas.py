"""Request and response bodies for jobs, scrape runs and saved searches."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from jobswap.text_types import Line, Strict, Text

SourceName = Literal[
    "linkedin", "indeed", "glassdoor", "ziprecruiter", "careerbuilder", "greenhouse", "lever", "generic"
]
Workplace = Literal["remote", "hybrid", "on_site"]
EmploymentType = Literal["full_time", "part_time", "contract", "temporary", "internship", "volunteer"]
Level = Literal["intern", "entry", "mid", "senior", "lead", "executive"]


class ScrapeOptions(Strict):
    board: Line | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    company: Line | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    company_name: Line | None = Field(default=None, max_length=200)
    url: HttpUrl | None = None
    rules: dict[str, Any] | None = None
    render: bool = Field(
        default=False, description="generic: read the page through Chromium (optional extra)"
    )
    wait_for: Line | None = Field(
        default=None, max_length=200, description="render: a CSS selector to wait for"
    )


class ScrapeRunCreate(Strict):
    sources: list[SourceName] = Field(min_length=1, max_length=8)
    query: Line = Field(default="", max_length=300, description="words to search; empty: everything listed")
    location: Line | None = Field(default=None, max_length=200)
    max_pages: int = Field(default=5, ge=1, le=100)
    options: ScrapeOptions = ScrapeOptions()


class ScrapeRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sources: list[str]
    query: str
    location: str | None
    max_pages: int
    status: str
    attempts: int
    saved_search_id: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    pages_fetched: int
    requests: int
    postings_found: int
    postings_new: int
    postings_updated: int
    postings_merged: int
    postings_rejected: int
    errors: dict[str, int]
    rejections: dict[str, int]
    per_source: dict[str, Any]
    message: str | None


class ScrapeRunPage(BaseModel):
    items: list[ScrapeRunRead]
    total: int
    limit: int
    offset: int


class JobSourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source: str
    source_id: str
    url: str | None
    first_seen: datetime
    last_seen: datetime


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    company: str
    location: str | None
    city: str | None
    region: str | None
    country: str | None
    salary_range: str | None
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    salary_period: str | None
    employment_type: str | None
    workplace: str | None
    experience_level: str | None
    language: str | None
    skills: list[str]
    canonical_url: str | None
    posted_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    sources: list[JobSourceRead]


class JobDetail(JobRead):
    description: str
    description_html: str
    corrected: dict[str, Any]


class JobPage(BaseModel):
    items: list[JobRead]
    total: int
    limit: int
    offset: int


class JobCorrection(Strict):
    """An admin's fix; every field given is pinned against later scrapes."""

    title: Line | None = Field(default=None, min_length=1, max_length=300)
    company: Line | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = Field(default=None, max_length=100_000)
    location: Line | None = Field(default=None, max_length=300)
    city: Line | None = Field(default=None, max_length=120)
    region: Line | None = Field(default=None, max_length=120)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    salary_min: float | None = Field(default=None, ge=0, le=100_000_000)
    salary_max: float | None = Field(default=None, ge=0, le=100_000_000)
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    salary_period: Literal["hour", "day", "week", "month", "year"] | None = None
    employment_type: (
        Literal["full_time", "part_time", "contract", "temporary", "internship", "volunteer"] | None
    ) = None
    workplace: Workplace | None = None
    experience_level: Level | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]{2})?$")
    skills: list[Line] | None = Field(default=None, max_length=200)


class SavedSearchCreate(Strict):
    name: Line = Field(min_length=1, max_length=120)
    sources: list[SourceName] = Field(min_length=1, max_length=8)
    query: Line = Field(min_length=1, max_length=300)
    location: Line | None = Field(default=None, max_length=200)
    max_pages: int = Field(default=5, ge=1, le=100)
    options: ScrapeOptions = ScrapeOptions()
    cron: str = Field(min_length=9, max_length=100, examples=["0 6 * * *"])
    enabled: bool = True


class SavedSearchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    sources: list[str]
    query: str
    location: str | None
    max_pages: int
    cron: str
    enabled: bool
    next_run_at: datetime
    last_run_at: datetime | None
