"""Swap requests (the seed's `swap_requests`), their members and their audit trail.

A request copies what it needs from the match it came from (members in ring order, each
member's commute before and after), because matches are recomputed every night.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from jobswap.db import Base
from jobswap.swaps.states import SwapStatus


class SwapRequest(Base):
    __tablename__ = "swap_requests"
    __table_args__ = (
        # One open request per swap: the database refuses a second however requests race.
        Index(
            "uq_swap_requests_open_swap_key",
            "swap_key",
            unique=True,
            postgresql_where=text("status IN ('pending', 'accepted', 'hr_review')"),
        ),
        Index("ix_swap_requests_proposer_id_status", "proposer_id", "status"),
        Index("ix_swap_requests_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(String(16), server_default=SwapStatus.PENDING.value)
    proposer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cycle_size: Mapped[int] = mapped_column(SmallInteger)
    swap_key: Mapped[str] = mapped_column(String(160))
    message: Mapped[str | None] = mapped_column(Text)
    commute_savings_minutes: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(String(500))

    @property
    def state(self) -> SwapStatus:
        return SwapStatus(self.status)


class SwapMember(Base):
    """Member `position` takes the job of member `(position + 1) % cycle_size`."""

    __tablename__ = "swap_request_members"
    __table_args__ = (
        UniqueConstraint("request_id", "user_id", name="uq_swap_request_members_request_id_user_id"),
        Index("ix_swap_request_members_user_id", "user_id"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("swap_requests.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    employer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("employers.id", ondelete="SET NULL"))
    employer_verified: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    company: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    occupation_code: Mapped[str | None] = mapped_column(String(10))
    occupation_title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(16))
    salary_band: Mapped[str | None] = mapped_column(String(64))
    commute_mode: Mapped[str] = mapped_column(String(16))
    commute_before_minutes: Mapped[float] = mapped_column(Float)
    commute_after_minutes: Mapped[float] = mapped_column(Float)
    distance_before_km: Mapped[float] = mapped_column(Float)
    distance_after_km: Mapped[float] = mapped_column(Float)
    home_area: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    work_area: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    share_contact: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    share_resume: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    share_resume_with_hr: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class SwapEvent(Base):
    """The audit trail: who moved which request (or its HR review) from what to what, and why."""

    __tablename__ = "swap_events"
    __table_args__ = (Index("ix_swap_events_request_id", "request_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("swap_requests.id", ondelete="CASCADE"))
    hr_request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hr_requests.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
