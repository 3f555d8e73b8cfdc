"""Optional AI providers: which model made each stored vector, which parser produced each
resume field, what each AI call cost, and re-embedding batches in flight.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import enable_rls, grant_dml

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
LOCAL_MODEL = "all-MiniLM-L6-v2/int8-onnx"  # every vector stored before this revision
STAFF = "(jobswap_role() IN ('admin', 'service'))"
SERVICE = "(jobswap_role() = 'service')"
NEAREST_OLD = (
    "SELECT j.id, a.id, 1 - (a.embedding <=> j.embedding) FROM jobs j CROSS JOIN LATERAL ("
    "SELECT ja.id, ja.embedding FROM job_alerts ja WHERE ja.enabled AND ja.embedding IS NOT NULL "
    "ORDER BY ja.embedding <=> j.embedding LIMIT n) AS a "
    "WHERE jobswap_role() = 'service' AND j.id = ANY(job_ids) AND j.embedding IS NOT NULL "
    "AND 1 - (a.embedding <=> j.embedding) >= floor"
)
# Only alerts whose vectors the job's model made: two models' vectors never compare.
NEAREST_NEW = (
    "SELECT j.id, a.id, 1 - (a.embedding <=> j.embedding) FROM jobs j CROSS JOIN LATERAL ("
    "SELECT ja.id, ja.embedding FROM job_alerts ja WHERE ja.enabled AND ja.embedding IS NOT NULL "
    "AND ja.embedding_model = j.embedding_model "
    "ORDER BY ja.embedding <=> j.embedding LIMIT n) AS a "
    "WHERE jobswap_role() = 'service' AND j.id = ANY(job_ids) AND j.embedding IS NOT NULL "
    "AND 1 - (a.embedding <=> j.embedding) >= floor"
)


def _nearest(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION jobswap_nearest_alerts(job_ids uuid[], n int, floor float8) "
        "RETURNS TABLE (job_id uuid, alert_id uuid, cosine float8) LANGUAGE sql STABLE SECURITY DEFINER "
        f"SET search_path = public, pg_temp AS $$ {body} $$"
    )


def upgrade() -> None:
    for table in ("jobs", "job_alerts"):
        op.add_column(table, sa.Column("embedding_model", sa.String(64)))
        op.execute(f"UPDATE {table} SET embedding_model = '{LOCAL_MODEL}' WHERE embedding IS NOT NULL")
    for table in ("jobs", "job_alerts", "resumes"):
        op.create_index(f"ix_{table}_embedding_model", table, ["embedding_model"])
    op.execute(
        f"UPDATE resumes SET embedding_model = '{LOCAL_MODEL}' "
        "WHERE embedding IS NOT NULL AND embedding_model IS NULL"
    )
    op.add_column(
        "resumes",
        sa.Column("parse_sources", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
    )
    _nearest(NEAREST_NEW)

    op.create_table(
        "ai_usage",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("completion_tokens", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cost_usd", sa.Float(), nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("seconds", sa.Float(), nullable=False, server_default="0"),
        sa.Column("detail", sa.Text()),
    )
    op.create_index("ix_ai_usage_created_at", "ai_usage", ["created_at"])
    op.create_table(
        "embedding_batches",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("provider_batch_id", sa.String(200)),
        sa.Column("input_file_id", sa.String(200)),
        sa.Column("items", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("applied", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("detail", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_embedding_batches_state", "embedding_batches", ["state"])
    for table in ("ai_usage", "embedding_batches"):
        enable_rls(
            table,
            {
                f"{table}_read": f"FOR SELECT USING {STAFF}",
                f"{table}_write": f"FOR ALL USING {SERVICE} WITH CHECK {SERVICE}",
            },
        )
        grant_dml(table)


def downgrade() -> None:
    op.drop_table("embedding_batches")
    op.drop_table("ai_usage")
    _nearest(NEAREST_OLD)
    op.drop_column("resumes", "parse_sources")
    op.drop_index("ix_resumes_embedding_model", "resumes")
    for table in ("job_alerts", "jobs"):
        op.drop_column(table, "embedding_model")
