"""Jobs, where each was seen, scrape runs and saved searches."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jobswap.db import Base

SEARCH_DOCUMENT = (
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(company, '')), 'B') || "
    "setweight(to_tsvector('simple', left(coalesce(description, ''), 20000)), 'C')"
)

# What a resume's titles and skills are searched against (see migration 0009).
MATCH_TERMS = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', jobswap_words(skills)), 'B')"
)


class JobCorpus(Base):
    """One row: a counter every change to the stored jobs moves on, so that a cached ranked
    list knows whether it was computed before the latest postings landed."""

    __tablename__ = "job_corpus"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Job(Base):
    """One posting, however many boards it was seen on."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_search", "search", postgresql_using="gin"),
        Index("ix_jobs_embedding_model", "embedding_model"),
        Index("ix_jobs_company_key", "company_key"),
        Index("ix_jobs_posted_at", "posted_at"),
        Index("ix_jobs_match_terms", "match_terms", postgresql_using="gin"),
        Index("ix_jobs_occupation_code", "occupation_code"),
        Index(
            "ix_jobs_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    title: Mapped[str] = mapped_column(String(300))
    company: Mapped[str] = mapped_column(String(300))
    company_key: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    salary_range: Mapped[str | None] = mapped_column(String(200))  # as the board wrote it
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[str | None] = mapped_column(String(8))
    salary_annual_min: Mapped[float | None] = mapped_column(Float)  # for search across periods
    salary_annual_max: Mapped[float | None] = mapped_column(Float)
    employment_type: Mapped[str | None] = mapped_column(String(16))
    workplace: Mapped[str | None] = mapped_column(String(8))  # remote | hybrid | on_site
    experience_level: Mapped[str | None] = mapped_column(String(12))
    language: Mapped[str | None] = mapped_column(String(8))
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(120)), default=list)
    canonical_url: Mapped[str | None] = mapped_column(String(2000))
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fingerprint: Mapped[str] = mapped_column(String(40), unique=True)
    simhash: Mapped[int] = mapped_column(BigInteger, default=0)
    corrected: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # admin fixes, kept over scrapes
    embedding: Mapped[Any] = mapped_column(Vector(384), nullable=True)
    embedding_model: Mapped[str | None] = mapped_column(String(64))
    occupation_code: Mapped[str | None] = mapped_column(String(10))
    occupation_confidence: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    search: Mapped[Any] = mapped_column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True))
    match_terms: Mapped[Any] = mapped_column(TSVECTOR, Computed(MATCH_TERMS, persisted=True))

    sources: Mapped[list[JobSource]] = relationship(
        back_populates="job", cascade="all, delete-orphan", lazy="selectin", order_by="JobSource.first_seen"
    )


class JobSource(Base):
    """Where a job was seen: one row per board and that board's id for it."""

    __tablename__ = "job_sources"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_job_sources_source_source_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    job: Mapped[Job] = relationship(back_populates="sources")


class ScrapeRun(Base):
    """One query on one or more sources, fetched at once. Counters change in the same
    transaction as the jobs they count, so a run is never ahead of or behind what is stored;
    `per_source` holds each source's own counters, status and errors."""

    __tablename__ = "scrape_runs"
    __table_args__ = (Index("ix_scrape_runs_created", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    sources: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    per_source: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    query: Mapped[str] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(200))
    max_pages: Mapped[int] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(
        String(12), default="queued"
    )  # queued|running|succeeded|partial|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    saved_search_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    postings_found: Mapped[int] = mapped_column(Integer, default=0)
    postings_new: Mapped[int] = mapped_column(Integer, default=0)
    postings_updated: Mapped[int] = mapped_column(Integer, default=0)
    postings_merged: Mapped[int] = mapped_column(Integer, default=0)  # seen first on another board
    postings_rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)  # kind -> count
    rejections: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)  # reason -> count
    message: Mapped[str | None] = mapped_column(String(1000))
    duration_seconds: Mapped[float | None] = mapped_column(Float)


class SavedSearch(Base):
    """A query that runs on its own schedule (cron), on one or more sources."""

    __tablename__ = "saved_searches"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    name: Mapped[str] = mapped_column(String(120))
    sources: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    query: Mapped[str] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(200))
    max_pages: Mapped[int] = mapped_column(Integer, default=5)
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    cron: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
