"""`jobswap worker` as its own process: picks up deferred jobs, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, pool, text

from jobswap.auth.tasks import PURGE_TASK
from jobswap.db import sqlalchemy_url
from jobswap.runtime import Runtime
from tests.conftest import make_settings


@pytest.mark.slow
async def test_standalone_worker_runs_deferred_jobs(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    env = {**os.environ, "JOBSWAP_DATA_DIR": str(settings.data_dir)}
    env.pop("DATABASE_URL", None)
    async with Runtime.open(settings) as runtime:
        owner = create_engine(sqlalchemy_url(runtime.urls.admin), poolclass=pool.NullPool)
        worker = subprocess.Popen(
            [sys.executable, "-m", "jobswap.cli", "worker", "--concurrency", "2"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            job_id = await runtime.queue.configure_task(PURGE_TASK).defer_async()
            status = None
            for _ in range(300):
                with owner.connect() as conn:
                    status = conn.execute(
                        text("SELECT status FROM procrastinate_jobs WHERE id = :j"), {"j": job_id}
                    ).scalar_one_or_none()
                if status == "succeeded":
                    break
                await asyncio.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(timeout=60)
            log = worker.stderr.read() if worker.stderr else ""
            owner.dispose()
    assert status == "succeeded", log
    assert code == 0, log


@pytest.mark.slow
async def test_the_embedded_server_stops_even_after_a_holder_was_killed(tmp_path: Path) -> None:
    """A worker killed outright never lets go of the server; the last process still stops it."""
    settings = make_settings(tmp_path / "var")
    env = {**os.environ, "JOBSWAP_DATA_DIR": str(settings.data_dir)}
    env.pop("DATABASE_URL", None)
    pgdata = settings.data_dir / "pgdata"
    async with Runtime.open(settings):
        worker = subprocess.Popen(
            [sys.executable, "-m", "jobswap.cli", "worker"], env=env, stderr=subprocess.PIPE
        )
        holders = pgdata / ".handle_pids.json"
        for _ in range(300):
            if holders.exists() and str(worker.pid) in holders.read_text():
                break
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert str(worker.pid) in holders.read_text()
    for _ in range(100):
        if not (pgdata / "postmaster.pid").exists():
            break
        await asyncio.sleep(0.1)
    assert not (pgdata / "postmaster.pid").exists()
