"""Swap workflow: employers, e-mail tokens, swap requests with members and an audit trail,
HR requests, in-app notifications and the e-mail outbox; RLS on each.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import SERVICE_ONLY, app_role, enable_rls, grant_dml

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
STAFF = "(jobswap_role() IN ('admin', 'service'))"
SIGNED_IN = "(jobswap_role() IN ('employee', 'hr', 'admin', 'service'))"
SWAP_STATUSES = (
    "pending",
    "accepted",
    "hr_review",
    "approved",
    "rejected",
    "declined",
    "withdrawn",
    "expired",
    "cancelled",
)
OPEN_STATUSES = ("pending", "accepted", "hr_review")
HR_STATUSES = ("pending", "approved", "rejected", "cancelled")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:  # noqa: PLR0915  (one revision, many tables)
    now = sa.func.now()
    op.create_table(
        "employers",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email_domains", postgresql.ARRAY(sa.String(253)), nullable=False, server_default="{}"),
        sa.Column("created_at", _TS, nullable=False, server_default=now),
        sa.Column("updated_at", _TS, nullable=False, server_default=now),
    )
    op.create_index("uq_employers_name_lower", "employers", [sa.text("lower(name)")], unique=True)
    op.create_index("ix_employers_email_domains", "employers", ["email_domains"], postgresql_using="gin")
    op.execute(
        "CREATE TRIGGER employers_touch_updated_at BEFORE UPDATE ON employers "
        "FOR EACH ROW EXECUTE FUNCTION jobswap_touch_updated_at()"
    )
    enable_rls(
        "employers",
        {
            "employers_read": f"FOR SELECT USING {SIGNED_IN}",
            "employers_write": f"FOR ALL USING {STAFF} WITH CHECK {STAFF}",
        },
    )
    grant_dml("employers")

    op.add_column("users", sa.Column("email_verified_at", _TS))
    op.add_column(
        "users", sa.Column("employer_id", sa.Uuid(), sa.ForeignKey("employers.id", ondelete="SET NULL"))
    )
    op.add_column(
        "users",
        sa.Column("email_opt_out", postgresql.ARRAY(sa.String(40)), nullable=False, server_default="{}"),
    )
    op.create_index("ix_users_employer_id", "users", ["employer_id"])
    # Only an admin (or the service) may move someone to another employer, whatever the query.
    op.execute(
        """
        CREATE FUNCTION jobswap_guard_user_employer() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN
          IF NEW.employer_id IS DISTINCT FROM OLD.employer_id
             AND jobswap_role() NOT IN ('admin', 'service') THEN
            RAISE EXCEPTION 'only an admin may change an employer' USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF NEW.email_verified_at IS DISTINCT FROM OLD.email_verified_at
             AND NEW.email_verified_at IS NOT NULL AND jobswap_role() <> 'service' THEN
            RAISE EXCEPTION 'only a verification link verifies an address'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER users_guard_employer BEFORE UPDATE OF employer_id, email_verified_at ON users "
        "FOR EACH ROW EXECUTE FUNCTION jobswap_guard_user_employer()"
    )

    op.create_table(
        "email_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "purpose",
            sa.String(16),
            sa.CheckConstraint("purpose IN ('verify_email', 'reset_password')", name="purpose"),
            nullable=False,
        ),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("created_at", _TS, nullable=False, server_default=now),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS),
    )
    op.create_index("ix_email_tokens_user_id_purpose", "email_tokens", ["user_id", "purpose", "created_at"])
    enable_rls("email_tokens", {"email_tokens_service": f"FOR ALL USING {SERVICE_ONLY}"})
    grant_dml("email_tokens")

    op.create_table(
        "swap_requests",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column(
            "status",
            sa.String(16),
            sa.CheckConstraint(f"status IN ({_in(SWAP_STATUSES)})", name="status"),
            nullable=False,
            server_default="pending",
        ),
        sa.Column("proposer_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column(
            "cycle_size",
            sa.SmallInteger(),
            sa.CheckConstraint("cycle_size IN (2, 3)", name="cycle_size"),
            nullable=False,
        ),
        sa.Column("swap_key", sa.String(160), nullable=False),
        sa.Column("message", sa.Text()),
        sa.Column("commute_savings_minutes", sa.Float(), nullable=False),
        sa.Column("created_at", _TS, nullable=False, server_default=now),
        sa.Column("updated_at", _TS, nullable=False, server_default=now),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("reminded_at", _TS),
        sa.Column("accepted_at", _TS),
        sa.Column("decided_at", _TS),
        sa.Column("closed_reason", sa.String(500)),
    )
    # One open request per swap: the database refuses a second, however the requests race.
    op.create_index(
        "uq_swap_requests_open_swap_key",
        "swap_requests",
        ["swap_key"],
        unique=True,
        postgresql_where=sa.text(f"status IN ({_in(OPEN_STATUSES)})"),
    )
    op.create_index("ix_swap_requests_proposer_id_status", "swap_requests", ["proposer_id", "status"])
    op.create_index("ix_swap_requests_status_expires_at", "swap_requests", ["status", "expires_at"])

    op.create_table(
        "swap_request_members",
        sa.Column(
            "request_id", sa.Uuid(), sa.ForeignKey("swap_requests.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.SmallInteger(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("employer_id", sa.Uuid(), sa.ForeignKey("employers.id", ondelete="SET NULL")),
        sa.Column("employer_verified", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("company", sa.String(200)),
        sa.Column("job_title", sa.String(200)),
        sa.Column("occupation_code", sa.String(10)),
        sa.Column("occupation_title", sa.String(200)),
        sa.Column("seniority", sa.String(16)),
        sa.Column("salary_band", sa.String(64)),
        sa.Column("commute_mode", sa.String(16), nullable=False),
        sa.Column("commute_before_minutes", sa.Float(), nullable=False),
        sa.Column("commute_after_minutes", sa.Float(), nullable=False),
        sa.Column("distance_before_km", sa.Float(), nullable=False),
        sa.Column("distance_after_km", sa.Float(), nullable=False),
        sa.Column("home_area", postgresql.JSONB()),
        sa.Column("work_area", postgresql.JSONB()),
        sa.Column("accepted_at", _TS),
        sa.Column("share_contact", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("share_resume", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("share_resume_with_hr", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("request_id", "user_id", name="uq_swap_request_members_request_id_user_id"),
    )
    op.create_index("ix_swap_request_members_user_id", "swap_request_members", ["user_id"])

    op.create_table(
        "hr_requests",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column(
            "request_id", sa.Uuid(), sa.ForeignKey("swap_requests.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "employer_id", sa.Uuid(), sa.ForeignKey("employers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "status",
            sa.String(16),
            sa.CheckConstraint(f"status IN ({_in(HR_STATUSES)})", name="status"),
            nullable=False,
            server_default="pending",
        ),
        sa.Column("reason", sa.String(2000)),
        sa.Column("decided_by", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("decided_at", _TS),
        sa.Column("estimated_cost_savings", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", _TS, nullable=False, server_default=now),
        sa.Column("updated_at", _TS, nullable=False, server_default=now),
        sa.UniqueConstraint("request_id", "employer_id", name="uq_hr_requests_request_id_employer_id"),
    )
    op.create_index("ix_hr_requests_employer_id_status", "hr_requests", ["employer_id", "status"])

    op.create_table(
        "swap_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "request_id", sa.Uuid(), sa.ForeignKey("swap_requests.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("hr_request_id", sa.Uuid(), sa.ForeignKey("hr_requests.id", ondelete="CASCADE")),
        sa.Column("actor_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(2000)),
        sa.Column("created_at", _TS, nullable=False, server_default=now),
    )
    op.create_index("ix_swap_events_request_id", "swap_events", ["request_id", "id"])

    # Policies on these tables ask about each other; SECURITY DEFINER helpers answer without
    # re-entering RLS (which would recurse), and reveal only a yes/no or the caller's employer.
    op.execute(
        """
        CREATE FUNCTION jobswap_hr_employer() RETURNS uuid LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = public AS
        $$ SELECT employer_id FROM users WHERE id = jobswap_uid() AND role = 'hr' $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION jobswap_is_swap_member(req uuid) RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = public AS
        $$ SELECT EXISTS (SELECT 1 FROM swap_request_members
                          WHERE request_id = req AND user_id = jobswap_uid()) $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION jobswap_is_swap_hr(req uuid) RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = public AS
        $$ SELECT EXISTS (SELECT 1 FROM hr_requests
                          WHERE request_id = req AND employer_id = jobswap_hr_employer()) $$
        """
    )
    for fn in ("jobswap_hr_employer()", "jobswap_is_swap_member(uuid)", "jobswap_is_swap_hr(uuid)"):
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO {app_role()}")

    def party(column: str) -> str:
        return f"({STAFF} OR jobswap_is_swap_member({column}) OR jobswap_is_swap_hr({column}))"

    for table, column in (
        ("swap_requests", "id"),
        ("swap_request_members", "request_id"),
        ("swap_events", "request_id"),
    ):
        enable_rls(
            table,
            {
                f"{table}_read": f"FOR SELECT USING {party(column)}",
                f"{table}_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
            },
        )
        grant_dml(table)
    hr_read = f"({STAFF} OR employer_id = jobswap_hr_employer() OR jobswap_is_swap_member(request_id))"
    enable_rls(
        "hr_requests",
        {
            "hr_requests_read": f"FOR SELECT USING {hr_read}",
            "hr_requests_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
        },
    )
    grant_dml("hr_requests")

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(2000)),
        sa.Column("data", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("read_at", _TS),
        sa.Column("created_at", _TS, nullable=False, server_default=now),
    )
    op.create_index("ix_notifications_user_id_created_at", "notifications", ["user_id", "created_at"])
    own = "(user_id = jobswap_uid())"
    enable_rls(
        "notifications",
        {
            "notifications_read": f"FOR SELECT USING ({own} OR {STAFF})",
            "notifications_mark_read": f"FOR UPDATE USING {own} WITH CHECK {own}",
            "notifications_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
        },
    )
    grant_dml("notifications")

    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Uuid(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("message_id", sa.String(255), nullable=False, unique=True),
        sa.Column(
            "status",
            sa.String(12),
            sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
            nullable=False,
            server_default="pending",
        ),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(2000)),
        sa.Column("transport", sa.String(8)),
        sa.Column("created_at", _TS, nullable=False, server_default=now),
        sa.Column("sent_at", _TS),
    )
    op.create_index("ix_email_outbox_status_created_at", "email_outbox", ["status", "created_at"])
    enable_rls("email_outbox", {"email_outbox_staff": f"FOR ALL USING {STAFF} WITH CHECK {STAFF}"})
    grant_dml("email_outbox")

    role = app_role()
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    # The transactional outbox: a notification's mail job is deferred inside the request's own
    # transaction, so the app role may add jobs to the queue (and nothing else there).
    op.execute(f"GRANT SELECT, INSERT ON procrastinate_jobs TO {role}")
    op.execute(f"GRANT INSERT ON procrastinate_events TO {role}")


def downgrade() -> None:
    role = app_role()
    op.execute(f"REVOKE INSERT ON procrastinate_events FROM {role}")
    op.execute(f"REVOKE SELECT, INSERT ON procrastinate_jobs FROM {role}")
    for table in (
        "email_outbox",
        "notifications",
        "swap_events",
        "hr_requests",
        "swap_request_members",
        "swap_requests",
        "email_tokens",
    ):
        op.drop_table(table)
    for fn in ("jobswap_is_swap_hr(uuid)", "jobswap_is_swap_member(uuid)", "jobswap_hr_employer()"):
        op.execute(f"DROP FUNCTION {fn}")
    op.execute("DROP TRIGGER users_guard_employer ON users")
    op.execute("DROP FUNCTION jobswap_guard_user_employer()")
    op.drop_index("ix_users_employer_id", table_name="users")
    for column in ("email_opt_out", "employer_id", "email_verified_at"):
        op.drop_column("users", column)
    op.drop_table("employers")
