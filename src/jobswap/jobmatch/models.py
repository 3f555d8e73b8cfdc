"""Ranked jobs per person (`job_matches`, the seed's table plus parts, rank and marks), the
cache key of each person's list, saved alerts and what they found."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
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
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from jobswap.db import Base
from jobswap.embeddings.model import DIMENSIONS


class AlertFrequency(enum.StrEnum):
    INSTANT = "instant"  # a digest at every pass that found something
    DAILY = "daily"
    WEEKLY = "weekly"


class JobTermStat(Base):
    """How many jobs' `match_terms` hold each lexeme (refreshed by a periodic task)."""

    __tablename__ = "job_term_stats"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)


class JobMatchList(Base):
    """What a person's ranked list was computed from; a request with another key recomputes it."""

    __tablename__ = "job_match_lists"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    resume_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"))
    cache_key: Mapped[str] = mapped_column(String(64))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    corpus_version: Mapped[int] = mapped_column(BigInteger)
    confidence: Mapped[float] = mapped_column(Float)
    confidence_reasons: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    total: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JobMatch(Base):
    __tablename__ = "job_matches"
    __table_args__ = (
        UniqueConstraint("user_id", "job_id", name="uq_job_matches_user_job"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        Index("ix_job_matches_user_rank", "user_id", "rank", postgresql_where=text("rank IS NOT NULL")),
        Index("ix_job_matches_job_id", "job_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    resume_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resumes.id", ondelete="SET NULL"))
    score: Mapped[float] = mapped_column(Float)
    parts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    rank: Mapped[int | None] = mapped_column(Integer)
    saved: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    dismissed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JobAlert(Base):
    __tablename__ = "job_alerts"
    __table_args__ = (
        CheckConstraint("frequency IN ('instant', 'daily', 'weekly')", name="frequency"),
        CheckConstraint("min_score >= 0 AND min_score <= 100", name="min_score_range"),
        Index("ix_job_alerts_user_id", "user_id"),
        Index("ix_job_alerts_embedding_model", "embedding_model"),
        Index(
            "ix_job_alerts_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resume_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str | None] = mapped_column(String(300))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    frequency: Mapped[str] = mapped_column(String(8))
    min_score: Mapped[float] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    profile: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    embedding: Mapped[list[float] | None] = mapped_column(Vector(DIMENSIONS))
    embedding_model: Mapped[str | None] = mapped_column(String(64))
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JobAlertHit(Base):
    __tablename__ = "job_alert_hits"
    __table_args__ = (
        UniqueConstraint("alert_id", "job_id", name="uq_job_alert_hits_alert_job"),
        Index("ix_job_alert_hits_user_id", "user_id", "created_at"),
        Index("ix_job_alert_hits_pending", "alert_id", postgresql_where=text("digested_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job_alerts.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    parts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    digested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
