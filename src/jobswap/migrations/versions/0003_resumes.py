"""Resumes: stored file metadata, parse status, parsed data, corrections, 384-dim embedding.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import OWN_OR_STAFF, enable_rls, grant_dml

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "resumes",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), primary_key=True),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(512), nullable=False, unique=True),
        sa.Column(
            "status",
            sa.String(16),
            sa.CheckConstraint("status IN ('pending', 'parsed', 'failed')", name="resume_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("failure_reason", sa.Text()),
        sa.Column("pages", sa.Integer()),
        sa.Column("language", sa.String(16)),
        sa.Column("text", sa.Text()),
        sa.Column("parsed_data", postgresql.JSONB()),
        sa.Column("corrections", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("embedding", Vector(384)),
        sa.Column("embedding_model", sa.String(64)),
        sa.Column("parse_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("parsed_at", _TS),
    )
    op.create_index("ix_resumes_user_id", "resumes", ["user_id"])
    op.create_index(
        "ix_resumes_embedding_hnsw",
        "resumes",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.execute(
        "CREATE TRIGGER resumes_touch_updated_at BEFORE UPDATE ON resumes "
        "FOR EACH ROW EXECUTE FUNCTION jobswap_touch_updated_at()"
    )
    enable_rls(
        "resumes",
        {
            "resumes_select": f"FOR SELECT USING {OWN_OR_STAFF}",
            "resumes_insert": f"FOR INSERT WITH CHECK {OWN_OR_STAFF}",
            "resumes_update": f"FOR UPDATE USING {OWN_OR_STAFF} WITH CHECK {OWN_OR_STAFF}",
            "resumes_delete": f"FOR DELETE USING {OWN_OR_STAFF}",
        },
    )
    grant_dml("resumes")


def downgrade() -> None:
    op.drop_table("resumes")
