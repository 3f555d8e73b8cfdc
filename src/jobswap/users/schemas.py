"""Request and response shapes for users and profiles."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, HttpUrl, model_validator

from jobswap.matching.commute import CommuteMode
from jobswap.matching.compat import parse_band
from jobswap.matching.geocode import Precision
from jobswap.text_types import Line, Secret, Strict
from jobswap.users.models import UserRole

MAX_SKILLS = 100


class Location(Strict):
    """An address, and its coordinates when known (a map pin, or geocoded later)."""

    address: Annotated[Line, Field(min_length=1, max_length=500)]
    latitude: Annotated[float | None, Field(ge=-90, le=90, allow_inf_nan=False)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180, allow_inf_nan=False)] = None
    precision: Annotated[
        Precision | None, Field(description="Set by JobSwap: pin, street, postcode or city")
    ] = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        return self


def _dedupe_skills(skills: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for skill in skills:
        key = skill.casefold()
        if key not in seen:
            seen.add(key)
            out.append(skill)
    return out


Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(lambda e: e.lower())]
Name = Annotated[Line, Field(min_length=1, max_length=200)]
Skill = Annotated[Line, Field(min_length=1, max_length=64)]
Skills = Annotated[list[Skill], Field(max_length=MAX_SKILLS), AfterValidator(_dedupe_skills)]


def _valid_band(value: str) -> str:
    parse_band(value)  # raises with the accepted formats in the message
    return value


SalaryBand = Annotated[
    Line,
    Field(min_length=1, max_length=64, description="e.g. 'USD 80k-100k', 'EUR 3,000-4,000/month', 'Band L3'"),
    AfterValidator(_valid_band),
]
Password = Annotated[Secret, Field(min_length=8, max_length=256)]


class ProfileFields(Strict):
    name: Name | None = None
    company: Name | None = None
    job_title: Name | None = None
    salary_band: SalaryBand | None = None
    home_location: Location | None = None
    work_location: Location | None = None
    skills: Skills | None = None
    avatar_url: Annotated[HttpUrl, Field(max_length=2048)] | None = None
    commute_mode: CommuteMode | None = None


class UserCreate(ProfileFields):
    """An admin creating an account."""

    email: Email
    password: Password
    role: UserRole = UserRole.EMPLOYEE


OccupationCode = Annotated[
    str,
    Field(
        pattern=r"^\d{2}-\d{4}\.\d{2}$",
        description="An O*NET-SOC code, e.g. 15-1252.00: one of occupation_candidates, or any other",
    ),
]


class OccupationOption(BaseModel):
    code: str
    title: str
    confidence: float


class UserUpdate(ProfileFields):
    """A partial update: only the fields present in the body change; null clears one."""

    email: Email | None = None
    occupation_code: Annotated[
        OccupationCode | None,
        Field(
            description="Your occupation, when the one read from your job title is wrong or missing; "
            "it sticks until the job title changes. null: read it from the job title again."
        ),
    ] = None
    role: UserRole | None = None
    employer_id: Annotated[
        uuid.UUID | None, Field(description="Admins only: the employer an HR user (or employee) works for")
    ] = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: UserRole
    name: str | None
    company: str | None
    job_title: str | None
    salary_band: str | None
    home_location: Location | None
    work_location: Location | None
    skills: list[str]
    profile_complete: bool
    avatar_url: str | None
    commute_mode: CommuteMode
    occupation_code: str | None
    occupation_title: str | None
    occupation_confidence: Annotated[
        float | None, Field(description="How sure the reading of the job title is (0-1); 1 when chosen")
    ]
    occupation_chosen: bool
    occupation_candidates: Annotated[
        list[OccupationOption] | None,
        Field(description="When the job title could not be read with confidence: occupations to choose from"),
    ]
    matchable: Annotated[
        bool,
        Field(
            description="Whether the swap engine can use this profile: complete, and the job title "
            "maps to an occupation (read with confidence, or chosen)"
        ),
    ]
    seniority: str | None
    email_verified_at: datetime | None
    employer_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
    limit: int
    offset: int
