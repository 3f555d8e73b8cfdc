"""The nearest-alert search always walks the alerts' HNSW index.

With statistics that lag the table (a burst of new alerts before autovacuum's next analyze), the
planner read every alert of the model through the `embedding_model` btree and sorted them per
job: 4 s per 64 jobs at 10,000 alerts, and past the statement timeout at 100,000
(benchmarks/job_match_bench.py). `enable_sort = off` for the function's own statement leaves the
index-ordered HNSW scan as the only cheap plan; nothing else in the function sorts.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SIGNATURE = "jobswap_nearest_alerts(uuid[], int, float8)"


def upgrade() -> None:
    op.execute(f"ALTER FUNCTION {SIGNATURE} SET enable_sort = off")


def downgrade() -> None:
    op.execute(f"ALTER FUNCTION {SIGNATURE} RESET enable_sort")
