"""Request and response shapes for swap requests.

Before every member has accepted, a member appears as matches show them (occupation,
company, seniority, commutes, a ~5 km area). After, each member also shows what they chose
to share, and nothing else.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from jobswap.matching.schemas import SafeMember
from jobswap.swaps.states import SwapStatus
from jobswap.text_types import Strict, Text


class Sharing(Strict):
    """Your own choices: what the other members (and HR) may see of you once everyone accepts."""

    share_contact: bool = False  # your name and e-mail, to the other members
    share_resume: bool = False  # your latest resume, to the other members
    share_resume_with_hr: bool = False  # your latest resume, to the HR of every employer involved
    consent_hr_review: Literal[True] = Field(
        description="You agree that the employers' HR review this swap (required to take part)"
    )


class SwapRequestCreate(Sharing):
    match_id: uuid.UUID
    message: Annotated[Text | None, Field(max_length=10_000)] = None


class DeclineBody(Strict):
    reason: Annotated[Text | None, Field(max_length=2000)] = None


class Contact(BaseModel):
    name: str | None
    email: str


class MemberRead(SafeMember):
    position: int
    takes_job_of_position: int
    proposer: bool
    accepted: bool
    contact: Contact | None = None  # only after everyone accepted, and only if they share it
    resume_url: str | None = None  # likewise


class YourChoices(BaseModel):
    share_contact: bool
    share_resume: bool
    share_resume_with_hr: bool


class HrStatusRead(BaseModel):
    employer: str
    status: str
    reason: str | None
    decided_at: datetime | None


class EventRead(BaseModel):
    from_status: str | None
    to_status: str
    by: str  # "you", "member 2", "HR of Acme", "JobSwap"
    reason: str | None
    at: datetime


class SwapRequestRead(BaseModel):
    id: uuid.UUID
    status: SwapStatus
    direction: Literal["outgoing", "incoming"] | None  # None for admins looking on
    cycle_size: int
    message: str | None
    commute_savings_minutes: float
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    decided_at: datetime | None
    closed_reason: str | None
    members: list[MemberRead]
    your_choices: YourChoices | None
    hr: list[HrStatusRead]
    events: list[EventRead]


class SwapRequestPage(BaseModel):
    items: list[SwapRequestRead]
    total: int
    limit: int
    offset: int
