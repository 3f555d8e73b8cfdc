"""Swap matching: commute mode and normalised occupation on users; matches; match_profiles.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import SERVICE_ONLY, app_role, enable_rls, grant_dml

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column(
            "commute_mode",
            sa.String(16),
            sa.CheckConstraint("commute_mode IN ('car', 'transit', 'bicycle', 'walk')", name="commute_mode"),
            server_default="car",
            nullable=False,
        ),
    )
    op.add_column("users", sa.Column("occupation_code", sa.String(10)))
    op.add_column("users", sa.Column("occupation_title", sa.String(200)))
    op.add_column("users", sa.Column("seniority", sa.String(16)))
    op.add_column("users", sa.Column("swap_family", sa.String(16)))
    op.create_index("ix_users_swap_family", "users", ["swap_family"])

    op.create_table(
        "matches",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), primary_key=True),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("match_user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column(
            "cycle_size",
            sa.SmallInteger(),
            sa.CheckConstraint("cycle_size IN (2, 3)", name="cycle_size"),
            nullable=False,
        ),
        sa.Column("members", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("compatibility_score", sa.SmallInteger(), nullable=False),
        sa.Column("compatibility", postgresql.JSONB(), nullable=False),
        sa.Column("commute_before_minutes", sa.Float(), nullable=False),
        sa.Column("commute_after_minutes", sa.Float(), nullable=False),
        sa.Column("minutes_saved_total", sa.Float(), nullable=False),
        sa.Column("commutes", postgresql.JSONB(), nullable=False),
        sa.Column("salary_compatible", sa.Boolean(), nullable=False),
        sa.Column("selected", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("user_id", "match_user_id", name="uq_matches_user_id_match_user_id"),
    )
    op.create_index("ix_matches_user_id_score", "matches", ["user_id", "minutes_saved_total"])
    op.create_index("ix_matches_match_user_id", "matches", ["match_user_id"])
    enable_rls(
        "matches",
        {
            "matches_select": "FOR SELECT USING (user_id = jobswap_uid() OR jobswap_role() IN ('admin', 'service'))",  # noqa: E501
            "matches_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
        },
    )
    grant_dml("matches")

    # The seed's match_profiles: people whose resumes are closest to an embedding. It runs
    # with its owner's rights (RLS would hide every other resume) and returns no personal
    # data: ids, occupation and similarity only.
    op.execute(
        """
        CREATE FUNCTION match_profiles(query_embedding vector(384), match_threshold float, match_count int)
        RETURNS TABLE (user_id uuid, occupation_title text, similarity float)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT r.user_id, u.occupation_title, max(1 - (r.embedding <=> query_embedding)) AS similarity
          FROM resumes r JOIN users u ON u.id = r.user_id
          WHERE r.embedding IS NOT NULL
            AND 1 - (r.embedding <=> query_embedding) >= match_threshold
            AND jobswap_role() <> 'anon'
          GROUP BY r.user_id, u.occupation_title
          ORDER BY similarity DESC
          LIMIT least(greatest(match_count, 0), 100)
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION match_profiles(vector, float, int) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION match_profiles(vector, float, int) TO {app_role()}")


def downgrade() -> None:
    op.execute("DROP FUNCTION match_profiles(vector, float, int)")
    op.drop_table("matches")
    op.drop_index("ix_users_swap_family", table_name="users")
    for column in ("swap_family", "seniority", "occupation_title", "occupation_code", "commute_mode"):
        op.drop_column("users", column)
