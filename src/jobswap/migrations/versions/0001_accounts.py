"""Accounts: users, sign-in sessions, refresh tokens, sign-in attempts; RLS on each.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from jobswap.migrations._helpers import OWN_OR_STAFF, SERVICE_ONLY, app_role, enable_rls, grant_dml

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    # The identity of the transaction, as set by jobswap.db.set_identity.
    op.execute(
        """
        CREATE FUNCTION jobswap_uid() RETURNS uuid LANGUAGE sql STABLE AS
        $$ SELECT nullif(current_setting('jobswap.user_id', true), '')::uuid $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION jobswap_role() RETURNS text LANGUAGE sql STABLE AS
        $$ SELECT coalesce(nullif(current_setting('jobswap.role', true), ''), 'anon') $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION jobswap_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION jobswap_guard_user_role() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN
          IF NEW.role IS DISTINCT FROM OLD.role AND jobswap_role() NOT IN ('admin', 'service') THEN
            RAISE EXCEPTION 'only an admin may change a role' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$
        """
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column(
            "role",
            sa.String(16),
            sa.CheckConstraint("role IN ('employee', 'hr', 'admin')", name="user_role"),
            server_default="employee",
            nullable=False,
        ),
        sa.Column("name", sa.String(200)),
        sa.Column("company", sa.String(200)),
        sa.Column("job_title", sa.String(200)),
        sa.Column("salary_band", sa.String(64)),
        sa.Column("home_location", postgresql.JSONB()),
        sa.Column("work_location", postgresql.JSONB()),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column(
            "profile_complete",
            sa.Boolean(),
            sa.Computed(
                "company IS NOT NULL AND job_title IS NOT NULL "
                "AND home_location IS NOT NULL AND work_location IS NOT NULL",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("avatar_url", sa.String(2048)),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.execute(
        "CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON users "
        "FOR EACH ROW EXECUTE FUNCTION jobswap_touch_updated_at()"
    )
    op.execute(
        "CREATE TRIGGER users_guard_role BEFORE UPDATE OF role ON users "
        "FOR EACH ROW EXECUTE FUNCTION jobswap_guard_user_role()"
    )
    own_user = "(id = jobswap_uid() OR jobswap_role() IN ('admin', 'service'))"
    enable_rls(
        "users",
        {
            "users_select": f"FOR SELECT USING {own_user}",
            "users_insert": "FOR INSERT WITH CHECK (jobswap_role() IN ('admin', 'service'))",
            "users_update": f"FOR UPDATE USING {own_user} WITH CHECK {own_user}",
            "users_delete": f"FOR DELETE USING {own_user}",
        },
    )
    grant_dml("users")

    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), primary_key=True),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("refreshed_at", _TS),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS),
        sa.Column("revoked_reason", sa.String(32)),
        sa.Column("user_agent", sa.String(512)),
        sa.Column("ip", postgresql.INET()),
    )
    op.create_index("ix_auth_sessions_user_id", "auth_sessions", ["user_id"])

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("auth_sessions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])
    op.create_index("ix_refresh_tokens_expires_at", "refresh_tokens", ["expires_at"])

    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("ip", postgresql.INET()),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_signin_attempts_email_created_at", "signin_attempts", ["email", "created_at"])
    op.create_index("ix_signin_attempts_ip_created_at", "signin_attempts", ["ip", "created_at"])

    for table in ("auth_sessions", "refresh_tokens"):
        enable_rls(
            table,
            {
                f"{table}_select": f"FOR SELECT USING {OWN_OR_STAFF}",
                f"{table}_write": f"FOR ALL USING {SERVICE_ONLY} WITH CHECK {SERVICE_ONLY}",
            },
        )
        grant_dml(table)
    enable_rls("signin_attempts", {"signin_attempts_service": f"FOR ALL USING {SERVICE_ONLY}"})
    grant_dml("signin_attempts")

    role = app_role()
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    op.execute(f"GRANT SELECT ON alembic_version TO {role}")


def downgrade() -> None:
    op.drop_table("signin_attempts")
    op.drop_table("refresh_tokens")
    op.drop_table("auth_sessions")
    op.drop_table("users")
    op.execute("DROP FUNCTION jobswap_guard_user_role()")
    op.execute("DROP FUNCTION jobswap_touch_updated_at()")
    op.execute("DROP FUNCTION jobswap_role()")
    op.execute("DROP FUNCTION jobswap_uid()")
