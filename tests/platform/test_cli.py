"""The `jobswap` command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobswap.cli import app

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "create-admin", "scrape"):
        assert command in result.output
    serve_help = runner.invoke(app, ["serve", "--help"])
    assert "--host" in serve_help.output and "--port" in serve_help.output
    db_help = runner.invoke(app, ["db", "--help"])
    assert "upgrade" in db_help.output


@pytest.mark.slow
def test_create_admin_then_promote(tmp_path: Path) -> None:
    env = {**os.environ, "JOBSWAP_DATA_DIR": str(tmp_path / "var"), "JOBSWAP_ARGON2_MEMORY_COST_KIB": "1024"}
    env.pop("DATABASE_URL", None)
    cmd = [
        sys.executable,
        "-m",
        "jobswap.cli",
        "create-admin",
        "--email",
        "Boss@Example.com",
        "--name",
        "Boss",
    ]
    first = subprocess.run(
        cmd,
        env={**env, "JOBSWAP_ADMIN_PASSWORD": "a long admin password"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    assert "admin boss@example.com created" in first.stderr
    again = subprocess.run(
        cmd,
        env={**env, "JOBSWAP_ADMIN_PASSWORD": "a long admin password"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0 and "promoted" in again.stderr
    weak = subprocess.run(
        cmd, env={**env, "JOBSWAP_ADMIN_PASSWORD": "short"}, capture_output=True, text=True, timeout=120
    )
    assert weak.returncode == 1 and "password" in weak.stderr


@pytest.mark.slow
def test_processes_starting_together_on_a_fresh_data_dir(tmp_path: Path) -> None:
    """Two processes race to start the embedded server, create the database and migrate."""
    env = {**os.environ, "JOBSWAP_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "jobswap.cli", "db", "upgrade"]
    procs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in results), results
