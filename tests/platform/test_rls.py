"""Row-level security in PostgreSQL holds even when the application's own filters are skipped."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jobswap.db import AccessRole, Identity
from jobswap.runtime import Runtime
from tests.conftest import Account


async def _raw_ids(runtime: Runtime, identity: Identity, table: str, column: str = "id") -> set[str]:
    """A hand-written query with no WHERE clause: only RLS decides what comes back."""
    async with runtime.database.transaction(identity) as session:
        rows = await session.execute(text(f"SELECT {column}::text FROM {table}"))
        return {r[0] for r in rows}


async def test_unfiltered_query_sees_only_own_rows(runtime: Runtime, alice: Account, bob: Account) -> None:
    as_alice = Identity(alice.id, AccessRole.EMPLOYEE)
    assert await _raw_ids(runtime, as_alice, "users") == {str(alice.id)}
    assert await _raw_ids(runtime, as_alice, "auth_sessions", "user_id") == {str(alice.id)}
    assert await _raw_ids(runtime, as_alice, "refresh_tokens", "user_id") == {str(alice.id)}
    assert await _raw_ids(runtime, as_alice, "signin_attempts") == set()


async def test_anonymous_sees_nothing(runtime: Runtime, alice: Account) -> None:
    for table in ("users", "auth_sessions", "refresh_tokens", "signin_attempts"):
        assert await _raw_ids(runtime, Identity.anonymous(), table) == set(), table


async def test_admin_and_service_see_all(runtime: Runtime, alice: Account, bob: Account) -> None:
    everyone = {str(alice.id), str(bob.id)}
    assert await _raw_ids(runtime, Identity(None, AccessRole.ADMIN), "users") == everyone
    assert await _raw_ids(runtime, Identity.service(), "users") == everyone


async def test_unfiltered_writes_touch_only_own_rows(runtime: Runtime, alice: Account, bob: Account) -> None:
    async with runtime.database.transaction(Identity(alice.id, AccessRole.EMPLOYEE)) as session:
        updated = await session.execute(text("UPDATE users SET company = 'pwned'"))
        deleted = await session.execute(text("DELETE FROM auth_sessions"))
        assert updated.rowcount == 1  # type: ignore[attr-defined]
        assert deleted.rowcount == 0  # type: ignore[attr-defined]  (sessions are written by the service only)
    async with runtime.database.transaction(Identity.service()) as session:
        company = await session.execute(text("SELECT company FROM users WHERE id = :b"), {"b": bob.id})
        assert company.scalar_one() is None


async def test_employee_cannot_insert_users_or_raise_own_role(runtime: Runtime, alice: Account) -> None:
    with pytest.raises(DBAPIError, match="row-level security"):
        async with runtime.database.transaction(Identity(alice.id, AccessRole.EMPLOYEE)) as session:
            await session.execute(text("INSERT INTO users (email) VALUES ('sneaky@example.com')"))
    with pytest.raises(DBAPIError, match="only an admin may change a role"):
        async with runtime.database.transaction(Identity(alice.id, AccessRole.EMPLOYEE)) as session:
            await session.execute(text("UPDATE users SET role = 'admin' WHERE id = :a"), {"a": alice.id})


async def test_identity_does_not_leak_between_transactions(runtime: Runtime, alice: Account) -> None:
    async with runtime.database.transaction(Identity.service()) as session:
        await session.execute(text("SELECT 1"))
    # The same pooled connection, next transaction, anonymous: sees nothing.
    assert await _raw_ids(runtime, Identity.anonymous(), "users") == set()
    async with runtime.database.engine.connect() as conn:
        setting = await conn.execute(text("SELECT jobswap_role(), jobswap_uid()"))
        assert tuple(setting.one()) == ("anon", None)


async def test_application_role_is_bound_by_rls(runtime: Runtime) -> None:
    async with runtime.database.engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            )
        ).one()
        owner = (
            await conn.execute(
                text("SELECT tableowner = current_user FROM pg_tables WHERE tablename = 'users'")
            )
        ).scalar_one()
    assert row == (False, False)
    assert owner is False
