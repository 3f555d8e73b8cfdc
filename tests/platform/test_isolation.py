"""Two test runs on one machine (two checkouts' CI, say) keep to their own databases and files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from jobswap.db import Identity
from jobswap.runtime import Runtime
from jobswap.users import repository
from tests.conftest import Account

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
async def test_a_second_suite_beside_this_one(runtime: Runtime, alice: Account, tmp_path: Path) -> None:
    """Another pytest session starts its own embedded server and temporary root while this
    session's server is live; both finish, and this one still reads its own data."""
    ours = Path(runtime.settings.data_dir)
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/platform/test_rls.py::test_anonymous_sees_nothing",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert "1 passed" in second.stdout
    assert (ours / "pgdata" / "PG_VERSION").exists()
    async with runtime.database.transaction(Identity.service()) as session:
        assert await repository.get_by_email(session, alice.email) is not None
        assert (await session.execute(text("SELECT count(*) FROM users"))).scalar_one() == 1
    # Each session's temporary root is its own, not pytest's shared one.
    assert "jobswap-tests-" in str(tmp_path)
