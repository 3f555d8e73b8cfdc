"""The `matches` table: one row per person and swap they could take part in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from jobswap.db import Base


class Match(Base):
    """`user_id` would take `match_user_id`'s job, inside the swap `cycle_id` (2 or 3 people)."""

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("user_id", "match_user_id", name="uq_matches_user_id_match_user_id"),
        Index("ix_matches_user_id_score", "user_id", "minutes_saved_total"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    match_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    cycle_size: Mapped[int] = mapped_column(
        SmallInteger, CheckConstraint("cycle_size IN (2, 3)", name="cycle_size")
    )
    members: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))
    compatibility_score: Mapped[int] = mapped_column(SmallInteger)
    compatibility: Mapped[dict[str, Any]] = mapped_column(JSONB)
    commute_before_minutes: Mapped[float] = mapped_column(Float)
    commute_after_minutes: Mapped[float] = mapped_column(Float)
    minutes_saved_total: Mapped[float] = mapped_column(Float)
    commutes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    salary_compatible: Mapped[bool] = mapped_column(Boolean)
    selected: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GeocodeCacheEntry(Base):
    """A geocoding service's answer for one address (or that it found nothing)."""

    __tablename__ = "geocode_cache"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    query: Mapped[str] = mapped_column(String(600), primary_key=True)
    found: Mapped[bool] = mapped_column(Boolean)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(600))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CommuteSample(Base):
    """A commute a routing service timed: the estimator's calibration data (newest kept)."""

    __tablename__ = "commute_samples"
    __table_args__ = (
        CheckConstraint("km > 0 AND minutes > 0", name="positive"),
        Index("ix_commute_samples_mode_id", "mode", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    km: Mapped[float] = mapped_column(Float)
    minutes: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CommuteCalibration(Base):
    """One mode's fitted estimator constants for this deployment (see matching/calibration.py)."""

    __tablename__ = "commute_calibration"

    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    fixed_minutes: Mapped[float] = mapped_column(Float)
    near_per_km: Mapped[float] = mapped_column(Float)
    far_per_km: Mapped[float] = mapped_column(Float)
    break_km: Mapped[float] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer)
    mae_before: Mapped[float] = mapped_column(Float)
    mae_after: Mapped[float] = mapped_column(Float)
    fitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
