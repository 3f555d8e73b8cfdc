"""The `users` table: an account and its profile (the seed schema)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from jobswap.db import Base


class UserRole(enum.StrEnum):
    EMPLOYEE = "employee"
    HR = "hr"
    ADMIN = "admin"


# A profile is complete once every field the swap engine reads is filled in...
PROFILE_COMPLETE_SQL = (
    "company IS NOT NULL AND job_title IS NOT NULL "
    "AND home_location IS NOT NULL AND work_location IS NOT NULL"
)
# ...and matchable once its job title also maps to an occupation (confidently, or as chosen).
MATCHABLE_SQL = PROFILE_COMPLETE_SQL + " AND occupation_code IS NOT NULL"


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(Text)
    role: Mapped[UserRole] = mapped_column(
        Enum(
            UserRole,
            name="user_role",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda roles: [r.value for r in roles],
        ),
        server_default=UserRole.EMPLOYEE.value,
    )
    name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    salary_band: Mapped[str | None] = mapped_column(String(64))
    home_location: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    work_location: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    skills: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    profile_complete: Mapped[bool] = mapped_column(Computed(PROFILE_COMPLETE_SQL, persisted=True))
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    commute_mode: Mapped[str] = mapped_column(
        String(16),
        CheckConstraint("commute_mode IN ('car', 'transit', 'bicycle', 'walk')", name="commute_mode"),
        server_default="car",
    )
    # Derived from job_title on every change (O*NET occupation), for the swap engine.
    occupation_code: Mapped[str | None] = mapped_column(String(10))
    occupation_title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(16))
    swap_family: Mapped[str | None] = mapped_column(String(16), index=True)
    # How sure the normaliser was (0-1); a person's own choice sticks while the title stays.
    occupation_confidence: Mapped[float | None] = mapped_column(Float)
    occupation_chosen: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    occupation_candidates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB(none_as_null=True))
    matchable: Mapped[bool] = mapped_column(Computed(MATCHABLE_SQL, persisted=True))
    # Set only by a verification link (a trigger refuses anything else).
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by an admin: an HR user's employer, or an employee's confirmed one.
    employer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employers.id", ondelete="SET NULL"), index=True
    )
    email_opt_out: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
