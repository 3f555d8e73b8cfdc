"""What each call to an AI provider cost (`ai_usage`), and the re-embedding batches in flight
(`embedding_batches`), so that a killed worker resumes a batch instead of paying twice."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Identity, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from jobswap.db import Base


class UsageOutcome(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"  # the provider answered with an error after every retry, or not at all
    REFUSED = "refused"  # the breaker was open: no request was sent


class AIUsage(Base):
    __tablename__ = "ai_usage"
    __table_args__ = (Index("ix_ai_usage_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    operation: Mapped[str] = mapped_column(String(32))  # embeddings | chat | batch
    model: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    detail: Mapped[str | None] = mapped_column(Text)


class BatchState(enum.StrEnum):
    SUBMITTING = "submitting"  # the row exists; the provider may or may not have the batch yet
    SUBMITTED = "submitted"
    APPLIED = "applied"
    FAILED = "failed"


class EmbeddingBatch(Base):
    __tablename__ = "embedding_batches"
    __table_args__ = (Index("ix_embedding_batches_state", "state"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    model: Mapped[str] = mapped_column(String(64))  # the vectors' model id it produces
    state: Mapped[str] = mapped_column(String(16), default=BatchState.SUBMITTING.value)
    provider_batch_id: Mapped[str | None] = mapped_column(String(200))
    input_file_id: Mapped[str | None] = mapped_column(String(200))
    items: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
