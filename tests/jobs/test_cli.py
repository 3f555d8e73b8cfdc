"""`jobswap scrape` as a user runs it, against the local board."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import text

from jobswap.config import Settings
from tests.jobs.board import Board, settings_for


@pytest.mark.slow
def test_scrape_command(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Any, admin_engine: Any
) -> None:
    env = {
        **os.environ,
        "JOBSWAP_ENVIRONMENT": "test",
        "JOBSWAP_DATA_DIR": str(scrape_settings.data_dir),
        "JOBSWAP_SECRET_KEY": scrape_settings.secret_key.get_secret_value(),
        "JOBSWAP_OUTBOUND_ALLOW": '["127.0.0.0/8"]',
        "COLUMNS": "250",  # Rich wraps at the terminal width
        **{f"JOBSWAP_{k.upper()}": v for k, v in settings_for([board_url]).items()},
    }
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "jobswap.cli", "scrape", "lever", "greenhouse"]
    done = subprocess.run(
        [*cmd, "-o", "company=globex", "-o", "board=acme"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "succeeded" in done.stdout and "lever: succeeded" in done.stdout
    with admin_engine.connect() as conn:
        sources = dict(conn.execute(text("SELECT source, count(*) FROM job_sources GROUP BY 1")).all())
    assert sources == {"lever": len(board.on("lever")), "greenhouse": len(board.on("greenhouse"))}
    missing = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "options.board" in missing.stderr
    wrong = subprocess.run([*cmd[:-2], "monster"], env=env, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 1 and "Unknown" in wrong.stderr
    # A run that fails says so in its exit status (cron and scripts can tell).
    dead = [*cmd[:-2], "generic", "-o", "url=http://127.0.0.1:9/careers", "-o", "company_name=Nobody"]
    failed = subprocess.run(dead, env=env, capture_output=True, text=True, timeout=120)
    assert (
        failed.returncode == 1
        and "failed" in failed.stdout
        and "robots.txt could not be read" in failed.stdout
    )
