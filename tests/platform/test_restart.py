"""The embedded server keeps its data across restarts; DATABASE_URL points at any server."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from jobswap.db import Identity
from jobswap.runtime import Runtime
from jobswap.users import repository
from tests.conftest import make_settings


async def test_restart_keeps_data(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    async with Runtime.open(settings) as runtime, runtime.database.transaction(Identity.service()) as session:
        await repository.add(session, email="kept@example.com", name="Kept")
    pgdata = settings.pgdata_dir
    assert (pgdata / "PG_VERSION").exists()
    assert not (pgdata / "postmaster.pid").exists(), "the server should stop when the last holder lets go"

    async with Runtime.open(settings) as runtime, runtime.database.transaction(Identity.service()) as session:
        user = await repository.get_by_email(session, "KEPT@example.com")
        assert user is not None and user.name == "Kept"
        # The application role of the first start still works on the second.
        who = await session.execute(text("SELECT current_user"))
        assert who.scalar_one() == "jobswap_app"


async def test_database_url_uses_that_server(runtime: Runtime, tmp_path: Path) -> None:
    """Point a second runtime at the running server through DATABASE_URL, as for Supabase."""
    settings = make_settings(tmp_path / "unused", database_url=runtime.urls.admin)
    async with Runtime.open(settings) as external:
        assert not (tmp_path / "unused" / "pgdata").exists()
        async with external.database.engine.connect() as conn:
            who = await conn.execute(text("SELECT current_user, current_database()"))
            assert tuple(who.one()) == ("jobswap_app", "jobswap")
