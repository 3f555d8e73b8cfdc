"""Shapes for employers and HR reviews."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from jobswap.text_types import Line, Strict, Text
from jobswap.users.schemas import Name

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def _domain(value: str) -> str:
    value = value.strip().lower().removeprefix("@")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("not a valid domain name") from None
    if not _DOMAIN.match(value):
        raise ValueError("not a valid domain name, e.g. 'acme.com'")
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


Domain = Annotated[Line, Field(min_length=3, max_length=253), AfterValidator(_domain)]
Domains = Annotated[list[Domain], Field(max_length=50), AfterValidator(_unique)]


class EmployerCreate(Strict):
    name: Name
    email_domains: Domains = []


class EmployerUpdate(Strict):
    name: Name | None = None
    email_domains: Domains | None = None


class EmployerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    email_domains: list[str]
    created_at: datetime
    updated_at: datetime


class EmployerPage(BaseModel):
    items: list[EmployerRead]
    total: int
    limit: int
    offset: int


class RejectBody(Strict):
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class ApproveBody(Strict):
    note: Annotated[Text | None, Field(max_length=2000)] = None


class HrMember(BaseModel):
    """A member as this employer's HR sees them: their own employee in full; someone from
    another employer only as far as that person agreed."""

    position: int
    takes_job_of_position: int
    your_employee: bool
    joins_your_employer: bool
    employer: str | None
    employer_verified: bool
    company: str | None
    job_title: str | None
    occupation: str | None
    seniority: str | None
    salary_band: str | None
    commute_mode: str
    commute_before_minutes: float
    commute_after_minutes: float
    accepted_at: datetime | None
    name: str | None
    email: str | None
    member_since: datetime | None
    resume_url: str | None


class HrDecision(BaseModel):
    employer: str
    status: str
    reason: str | None
    decided_at: datetime | None


class HrRequestRead(BaseModel):
    id: uuid.UUID
    swap_request_id: uuid.UUID
    employer_id: uuid.UUID
    employer: str
    status: str
    reason: str | None
    decided_at: datetime | None
    swap_status: str
    cycle_size: int
    commute_savings_minutes: float
    created_at: datetime
    estimated_cost_savings: dict[str, Any]
    members: list[HrMember] = []
    decisions: list[HrDecision] = []


class HrRequestPage(BaseModel):
    items: list[HrRequestRead]
    total: int
    limit: int
    offset: int
