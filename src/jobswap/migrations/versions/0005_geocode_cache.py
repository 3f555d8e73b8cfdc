"""Geocoding cache: one answer per provider and address.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from jobswap.migrations._helpers import SERVICE_ONLY, enable_rls, grant_dml

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geocode_cache",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("query", sa.String(600), primary_key=True),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("precision", sa.String(16)),
        sa.Column("label", sa.String(600)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    enable_rls(
        "geocode_cache", {"geocode_cache_service": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}"}
    )
    grant_dml("geocode_cache")


def downgrade() -> None:
    op.drop_table("geocode_cache")
