"""Small SQL builders the revisions share (row-level security, grants)."""

from __future__ import annotations

from alembic import context, op


def app_role() -> str:
    role = context.config.attributes.get("app_role", "jobswap_app")
    assert isinstance(role, str) and role.replace("_", "").isalnum()
    return role


def grant_dml(table: str) -> None:
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {app_role()}")


def enable_rls(table: str, policies: dict[str, str]) -> None:
    """Enable RLS on `table` with one policy per entry: name -> 'FOR ... USING/WITH CHECK ...'."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for name, body in policies.items():
        op.execute(f"CREATE POLICY {name} ON {table} {body}")


OWN_OR_STAFF = "(user_id = jobswap_uid() OR jobswap_role() IN ('admin', 'service'))"
SERVICE_ONLY = "(jobswap_role() = 'service')"
