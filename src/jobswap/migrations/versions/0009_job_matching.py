"""Job matching: what each job is (occupation, place) and how it is searched for a resume;
ranked lists per person with their cache key; saved alerts and what they found; the job
corpus version that tells a cached list it is stale. Existing jobs are read again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import OWN_OR_STAFF, SERVICE_ONLY, app_role, enable_rls, grant_dml

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
SIGNED_IN = "(jobswap_role() IN ('employee', 'hr', 'admin', 'service'))"
WRITERS = "(jobswap_role() IN ('admin', 'service'))"
# Title and skills only: short documents the candidate query can rank quickly at any corpus size
# (the description's words count in the re-score, on the candidates alone).
MATCH_TERMS = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', jobswap_words(skills)), 'B')"
)


def upgrade() -> None:
    # array_to_string is only STABLE; a generated column needs an IMMUTABLE expression, and for
    # text[] the result cannot change, so this wrapper may say so.
    op.execute(
        "CREATE FUNCTION jobswap_words(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT coalesce(array_to_string($1, ' '), '') $$"
    )
    op.execute(f"GRANT EXECUTE ON FUNCTION jobswap_words(text[]) TO {app_role()}")
    op.add_column("jobs", sa.Column("occupation_code", sa.String(10)))
    op.add_column("jobs", sa.Column("occupation_confidence", sa.Float()))
    op.add_column("jobs", sa.Column("latitude", sa.Float()))
    op.add_column("jobs", sa.Column("longitude", sa.Float()))
    op.add_column(
        "jobs",
        sa.Column("match_terms", postgresql.TSVECTOR(), sa.Computed(MATCH_TERMS, persisted=True)),
    )
    op.create_index("ix_jobs_match_terms", "jobs", ["match_terms"], postgresql_using="gin")
    # Postings are public, so reading them needs no condition; and a condition (any non-constant
    # policy) keeps PostgreSQL from using the GIN index for `@@`, which is not leakproof: every
    # full-text search became a sequential scan. Writes stay with staff.
    for table in ("jobs", "job_sources"):
        op.execute(f"ALTER POLICY {table}_read ON {table} USING (true)")
    op.create_index("ix_jobs_occupation_code", "jobs", ["occupation_code"])
    _read_jobs()

    op.create_table(
        "job_corpus",
        sa.Column("id", sa.SmallInteger(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("changed_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("id = 1", name="one_row"),
    )
    op.execute("INSERT INTO job_corpus (id, version) VALUES (1, 0)")
    enable_rls(
        "job_corpus",
        {
            "job_corpus_read": f"FOR SELECT USING {SIGNED_IN}",
            "job_corpus_write": f"FOR ALL USING {WRITERS} WITH CHECK {WRITERS}",
        },
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON job_corpus TO {app_role()}")

    # How many jobs hold each search term: the full-text leg picks a person's rarer terms from it,
    # so the rows it ranks stay bounded however large the corpus grows.
    op.create_table(
        "job_term_stats",
        sa.Column("term", sa.Text(), primary_key=True),
        sa.Column("documents", sa.Integer(), nullable=False),
    )
    enable_rls(
        "job_term_stats",
        {
            "job_term_stats_read": "FOR SELECT USING (true)",
            "job_term_stats_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
        },
    )
    grant_dml("job_term_stats")
    op.create_table(
        "job_match_lists",
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("resume_id", sa.Uuid(), sa.ForeignKey("resumes.id", ondelete="CASCADE")),
        sa.Column("cache_key", sa.String(64), nullable=False),
        sa.Column("filters", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("corpus_version", sa.BigInteger(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("confidence_reasons", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("computed_at", _TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "job_matches",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("resume_id", sa.Uuid(), sa.ForeignKey("resumes.id", ondelete="SET NULL")),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("parts", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("rank", sa.Integer()),
        sa.Column("saved", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("dismissed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("saved_at", _TS),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("user_id", "job_id", name="uq_job_matches_user_job"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )
    op.create_index(
        "ix_job_matches_user_rank",
        "job_matches",
        ["user_id", "rank"],
        postgresql_where=sa.text("rank IS NOT NULL"),
    )
    op.create_index("ix_job_matches_job_id", "job_matches", ["job_id"])

    op.create_table(
        "job_alerts",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("resume_id", sa.Uuid(), sa.ForeignKey("resumes.id", ondelete="CASCADE")),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("query", sa.String(300)),
        sa.Column("filters", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("min_score", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        # The reading the alert scores new jobs with (from its resume or query), kept with it so
        # that a pass over new jobs asks one index for the alerts each job is close to.
        sa.Column("profile", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("embedding", Vector(384)),
        sa.Column("last_digest_at", _TS),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("frequency IN ('instant', 'daily', 'weekly')", name="frequency"),
        sa.CheckConstraint("min_score >= 0 AND min_score <= 100", name="min_score_range"),
    )
    op.create_index("ix_job_alerts_user_id", "job_alerts", ["user_id"])
    op.create_index(
        "ix_job_alerts_embedding_hnsw",
        "job_alerts",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_table(
        "job_alert_hits",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("alert_id", sa.Uuid(), sa.ForeignKey("job_alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("parts", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("digested_at", _TS),
        sa.UniqueConstraint("alert_id", "job_id", name="uq_job_alert_hits_alert_job"),
    )
    op.create_index("ix_job_alert_hits_user_id", "job_alert_hits", ["user_id", "created_at"])
    op.create_index(
        "ix_job_alert_hits_pending",
        "job_alert_hits",
        ["alert_id"],
        postgresql_where=sa.text("digested_at IS NULL"),
    )
    # The alert pass asks, per new job, for the nearest alerts of everyone. Under RLS the planner
    # misjudges how many alerts the policy lets through and scans them all instead of the HNSW
    # index (40 ms a job at 10k alerts); this function runs as the tables' owner, for the service
    # identity only, so the index is used.
    op.execute(
        "CREATE FUNCTION jobswap_nearest_alerts(job_ids uuid[], n int, floor float8) "
        "RETURNS TABLE (job_id uuid, alert_id uuid, cosine float8) LANGUAGE sql STABLE SECURITY DEFINER "
        "SET search_path = public, pg_temp AS $$ "
        "SELECT j.id, a.id, 1 - (a.embedding <=> j.embedding) FROM jobs j CROSS JOIN LATERAL ("
        "SELECT ja.id, ja.embedding FROM job_alerts ja WHERE ja.enabled AND ja.embedding IS NOT NULL "
        "ORDER BY ja.embedding <=> j.embedding LIMIT n) AS a "
        "WHERE jobswap_role() = 'service' AND j.id = ANY(job_ids) AND j.embedding IS NOT NULL "
        "AND 1 - (a.embedding <=> j.embedding) >= floor $$"
    )
    op.execute("REVOKE ALL ON FUNCTION jobswap_nearest_alerts(uuid[], int, float8) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION jobswap_nearest_alerts(uuid[], int, float8) TO {app_role()}")
    for table in ("job_match_lists", "job_matches", "job_alerts"):
        enable_rls(table, {f"{table}_own": f"FOR ALL USING {OWN_OR_STAFF} WITH CHECK {OWN_OR_STAFF}"})
        grant_dml(table)
    enable_rls(
        "job_alert_hits",
        {
            "job_alert_hits_read": f"FOR SELECT USING {OWN_OR_STAFF}",
            "job_alert_hits_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
        },
    )
    grant_dml("job_alert_hits")


def _read_jobs() -> None:
    """Every stored job's title read into an occupation and its location into a place, as new
    postings are from now on."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title, location, country FROM jobs")).all()
    if not rows:
        return
    from jobswap.jobs.placing import read_job  # loads the indexes only when there are jobs

    for row in rows:
        found = read_job(row.title, row.location, row.country)
        bind.execute(
            sa.text(
                "UPDATE jobs SET occupation_code = :occupation_code, occupation_confidence = "
                ":occupation_confidence, latitude = :latitude, longitude = :longitude WHERE id = :id"
            ),
            {"id": row.id, **found},
        )


def downgrade() -> None:
    op.execute("DROP FUNCTION jobswap_nearest_alerts(uuid[], int, float8)")
    for table in ("jobs", "job_sources"):
        op.execute(f"ALTER POLICY {table}_read ON {table} USING ({SIGNED_IN})")
    for table in (
        "job_alert_hits",
        "job_alerts",
        "job_matches",
        "job_match_lists",
        "job_term_stats",
        "job_corpus",
    ):
        op.drop_table(table)
    op.drop_index("ix_jobs_occupation_code", "jobs")
    op.drop_index("ix_jobs_match_terms", "jobs")
    for column in ("match_terms", "longitude", "latitude", "occupation_confidence", "occupation_code"):
        op.drop_column("jobs", column)
    op.execute("DROP FUNCTION jobswap_words(text[])")
