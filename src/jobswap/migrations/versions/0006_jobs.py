"""Jobs, their sources, scrape runs and saved searches.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import app_role, enable_rls, grant_dml

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SIGNED_IN = "(jobswap_role() IN ('employee', 'hr', 'admin', 'service'))"
STAFF = "(jobswap_role() IN ('admin', 'service'))"
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(company, '')), 'B') || "
    "setweight(to_tsvector('simple', left(coalesce(description, ''), 20000)), 'C')"
)


def upgrade() -> None:
    now = sa.func.now()
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("company", sa.String(300), nullable=False),
        sa.Column("company_key", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("description_html", sa.Text(), nullable=False, server_default=""),
        sa.Column("location", sa.String(300)),
        sa.Column("city", sa.String(120)),
        sa.Column("region", sa.String(120)),
        sa.Column("country", sa.String(2)),
        sa.Column("salary_range", sa.String(200)),
        sa.Column("salary_min", sa.Float()),
        sa.Column("salary_max", sa.Float()),
        sa.Column("salary_currency", sa.String(3)),
        sa.Column("salary_period", sa.String(8)),
        sa.Column("salary_annual_min", sa.Float()),
        sa.Column("salary_annual_max", sa.Float()),
        sa.Column("employment_type", sa.String(16)),
        sa.Column("workplace", sa.String(8)),
        sa.Column("experience_level", sa.String(12)),
        sa.Column("language", sa.String(8)),
        sa.Column("skills", postgresql.ARRAY(sa.String(120)), nullable=False, server_default="{}"),
        sa.Column("canonical_url", sa.String(2000)),
        sa.Column("posted_at", sa.DateTime(timezone=True)),
        sa.Column("fingerprint", sa.String(40), nullable=False, unique=True),
        sa.Column("simhash", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("corrected", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("embedding", Vector(384)),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("search", postgresql.TSVECTOR(), sa.Computed(SEARCH_DOCUMENT, persisted=True)),
        sa.CheckConstraint("workplace IN ('remote', 'hybrid', 'on_site')", name="ck_jobs_workplace"),
    )
    op.create_index("ix_jobs_search", "jobs", ["search"], postgresql_using="gin")
    op.create_index("ix_jobs_company_key", "jobs", ["company_key"])
    op.create_index("ix_jobs_posted_at", "jobs", ["posted_at"])
    op.create_index(
        "ix_jobs_embedding_hnsw",
        "jobs",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_table(
        "job_sources",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(300), nullable=False),
        sa.Column("url", sa.String(2000)),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.UniqueConstraint("source", "source_id", name="uq_job_sources_source_source_id"),
    )
    op.create_index("ix_job_sources_job_id", "job_sources", ["job_id"])
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("sources", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("query", sa.String(300), nullable=False),
        sa.Column("location", sa.String(200)),
        sa.Column("max_pages", sa.Integer(), nullable=False),
        sa.Column("options", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("cron", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
    )
    op.create_table(
        "scrape_runs",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("sources", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("per_source", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("query", sa.String(300), nullable=False),
        sa.Column("location", sa.String(200)),
        sa.Column("max_pages", sa.Integer(), nullable=False),
        sa.Column("options", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(12), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("saved_search_id", sa.Uuid(), sa.ForeignKey("saved_searches.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
        *(
            sa.Column(name, sa.Integer(), nullable=False, server_default="0")
            for name in (
                "pages_fetched",
                "requests",
                "postings_found",
                "postings_new",
                "postings_updated",
                "postings_merged",
                "postings_rejected",
            )
        ),
        sa.Column("errors", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("rejections", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("message", sa.String(1000)),
        sa.Column("duration_seconds", sa.Float()),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'partial', 'failed')", name="ck_scrape_runs_status"
        ),
    )
    op.create_index("ix_scrape_runs_created", "scrape_runs", ["created_at"])
    op.create_index("ix_scrape_runs_saved_search_id", "scrape_runs", ["saved_search_id"])
    for table in ("jobs", "job_sources"):
        enable_rls(
            table,
            {
                f"{table}_read": f"FOR SELECT USING {SIGNED_IN}",
                f"{table}_write": f"FOR ALL USING {STAFF} WITH CHECK {STAFF}",
            },
        )
        grant_dml(table)
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE job_sources_id_seq TO {app_role()}")
    for table in ("scrape_runs", "saved_searches"):
        enable_rls(table, {f"{table}_staff": f"FOR ALL USING {STAFF} WITH CHECK {STAFF}"})
        grant_dml(table)


def downgrade() -> None:
    for table in ("scrape_runs", "saved_searches", "job_sources", "jobs"):
        op.drop_table(table)
