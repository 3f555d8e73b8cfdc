"""Migrations up and down on an empty database, and start-up checks."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import create_engine, pool, text

from jobswap import migrate
from jobswap.db import sqlalchemy_url
from jobswap.errors import StartupError
from jobswap.runtime import Runtime


def _tables(url: str) -> set[str]:
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        result = {r[0] for r in names}
    engine.dispose()
    return result


@pytest.fixture
def empty_database(runtime: Runtime, admin_engine: Any) -> Any:
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(sqlalchemy_url(runtime.urls.admin).set(database=name).render_as_string(hide_password=False))
    yield url
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_up_down_up_on_empty_database(empty_database: str) -> None:
    assert _tables(empty_database) == set()
    migrate.upgrade(empty_database, app_role="jobswap_app", app_password=None)
    expected = {
        "users",
        "auth_sessions",
        "refresh_tokens",
        "signin_attempts",
        "procrastinate_jobs",
        "alembic_version",
    }
    assert expected <= _tables(empty_database)

    migrate.downgrade(empty_database, app_role="jobswap_app", revision="0001")
    after_one = _tables(empty_database)
    assert "users" in after_one and not any(t.startswith("procrastinate") for t in after_one)

    migrate.downgrade(empty_database, app_role="jobswap_app", revision="base")
    assert _tables(empty_database) == {"alembic_version"}

    migrate.upgrade(empty_database, app_role="jobswap_app", app_password=None)
    assert expected <= _tables(empty_database)
    # A second upgrade at head is a no-op.
    migrate.upgrade(empty_database, app_role="jobswap_app", app_password=None)


def test_models_match_migrations(runtime: Runtime) -> None:
    """Alembic's autogenerate finds nothing to add: the models and revisions agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import jobswap.models  # noqa: F401
    from jobswap.db import Base

    engine = create_engine(sqlalchemy_url(runtime.urls.admin), poolclass=pool.NullPool)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    relevant = [
        d
        for d in diff
        if not (
            isinstance(d, tuple) and d[0] in ("remove_table", "remove_index") and "procrastinate" in str(d[1])
        )
        and not (isinstance(d, tuple) and d[0] == "remove_index" and "uq_users_email_lower" in str(d[1]))
    ]
    assert relevant == []


def test_missing_extension_is_refused_with_a_clear_message(admin_engine: Any) -> None:
    with admin_engine.connect() as conn, pytest.raises(StartupError, match="does not have the 'no_such_ext'"):
        migrate.require_extension(conn, "no_such_ext")
    with admin_engine.connect() as conn:
        migrate.require_extension(conn, "vector")


def test_superuser_connection_is_refused(admin_engine: Any) -> None:
    with admin_engine.connect() as conn, pytest.raises(StartupError, match="bypasses row-level security"):
        migrate.check_app_role(conn)


def test_unreachable_database_is_a_clear_error(tmp_path: Any) -> None:
    url = f"postgresql://nobody@/nodb?host={tmp_path}&port=1"
    with pytest.raises(StartupError, match="cannot reach PostgreSQL"):
        migrate.upgrade(url, app_role="jobswap_app", app_password=None)
