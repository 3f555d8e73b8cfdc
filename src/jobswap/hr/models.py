"""Employers (managed by admins) and the HR side of a swap: one review per employer involved."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from jobswap.db import Base


class Employer(Base):
    __tablename__ = "employers"
    __table_args__ = (
        Index("uq_employers_name_lower", func.lower(text("name")), unique=True),
        Index("ix_employers_email_domains", "email_domains", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    name: Mapped[str] = mapped_column(String(200))
    email_domains: Mapped[list[str]] = mapped_column(ARRAY(String(253)), server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HrStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # the swap ended another way (a member left, another employer said no)


class HrRequest(Base):
    __tablename__ = "hr_requests"
    __table_args__ = (
        UniqueConstraint("request_id", "employer_id", name="uq_hr_requests_request_id_employer_id"),
        Index("ix_hr_requests_employer_id_status", "employer_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("swap_requests.id", ondelete="CASCADE"))
    employer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), server_default=HrStatus.PENDING.value)
    reason: Mapped[str | None] = mapped_column(String(2000))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    estimated_cost_savings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
