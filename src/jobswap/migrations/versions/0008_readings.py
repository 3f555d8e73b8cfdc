"""Readings the engines stand on: how sure a profile's occupation is, the occupation a person
chose, whether the engine can use the profile (`matchable`); routed commutes and the
estimator's per-deployment calibration. Existing job titles are read again with the new
normaliser.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import SERVICE_ONLY, enable_rls, grant_dml

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
MATCHABLE = (
    "company IS NOT NULL AND job_title IS NOT NULL "
    "AND home_location IS NOT NULL AND work_location IS NOT NULL AND occupation_code IS NOT NULL"
)


def upgrade() -> None:
    op.add_column("users", sa.Column("occupation_confidence", sa.Float()))
    op.add_column(
        "users", sa.Column("occupation_chosen", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("users", sa.Column("occupation_candidates", postgresql.JSONB()))
    _reread_titles()
    op.add_column(
        "users",
        sa.Column("matchable", sa.Boolean(), sa.Computed(MATCHABLE, persisted=True), nullable=False),
    )

    op.create_table(
        "commute_samples",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("km", sa.Float(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("km > 0 AND minutes > 0", name="positive"),
    )
    op.create_index("ix_commute_samples_mode_id", "commute_samples", ["mode", "id"])
    op.create_table(
        "commute_calibration",
        sa.Column("mode", sa.String(16), primary_key=True),
        sa.Column("fixed_minutes", sa.Float(), nullable=False),
        sa.Column("near_per_km", sa.Float(), nullable=False),
        sa.Column("far_per_km", sa.Float(), nullable=False),
        sa.Column("break_km", sa.Float(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("mae_before", sa.Float(), nullable=False),
        sa.Column("mae_after", sa.Float(), nullable=False),
        sa.Column("fitted_at", _TS, server_default=sa.func.now(), nullable=False),
    )
    for table in ("commute_samples", "commute_calibration"):
        enable_rls(
            table,
            {
                f"{table}_read": "FOR SELECT USING (jobswap_role() IN ('admin', 'service'))",
                f"{table}_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
            },
        )
        grant_dml(table)


def _reread_titles() -> None:
    """Every stored job title through the new normaliser: a title it is not sure of loses
    its occupation (and so its matches) until its owner picks one of the candidates."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, job_title FROM users WHERE job_title IS NOT NULL")).all()
    if not rows:
        return
    from jobswap.occupations.titles import title_index  # loads the index only when there are titles

    index = title_index()
    for row in rows:
        found = index.reading(row.job_title)
        bind.execute(
            sa.text(
                "UPDATE users SET occupation_code = :occupation_code, occupation_title = :occupation_title, "
                "seniority = :seniority, swap_family = :swap_family, "
                "occupation_confidence = :occupation_confidence, "
                "occupation_candidates = CAST(:occupation_candidates AS jsonb) WHERE id = :id"
            ),
            {"id": row.id, **found.columns(json_text=True)},
        )


def downgrade() -> None:
    op.drop_table("commute_calibration")
    op.drop_table("commute_samples")
    for column in ("matchable", "occupation_candidates", "occupation_chosen", "occupation_confidence"):
        op.drop_column("users", column)
