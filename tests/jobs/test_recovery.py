"""A worker killed in the middle of a scrape: the run is picked up again and finishes, with
every page it had stored kept once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.db import Identity
from jobswap.jobs import service
from tests.jobs.board import Board, settings_for


def state(admin_engine: Any, run_id: Any) -> tuple[str, int, int]:
    with admin_engine.connect() as conn:
        status, pages, attempts = conn.execute(
            text("SELECT status, pages_fetched, attempts FROM scrape_runs WHERE id = :i"), {"i": run_id}
        ).one()
    return status, pages, attempts


@pytest.mark.slow
async def test_a_killed_worker_leaves_a_run_that_is_retried_and_finishes(
    board: Board, board_url: str, scrape_settings: Settings, scrape_runtime: Any, admin_engine: Any
) -> None:
    board.page_delay = 0.5  # slow pages, so that the worker dies mid-run
    env = {
        **os.environ,
        "JOBSWAP_ENVIRONMENT": "test",
        "JOBSWAP_DATA_DIR": str(scrape_settings.data_dir),
        "JOBSWAP_SECRET_KEY": scrape_settings.secret_key.get_secret_value(),
        "JOBSWAP_SCRAPE_PER_HOST_PER_SECOND": "100",
        "JOBSWAP_OUTBOUND_ALLOW": '["127.0.0.0/8"]',
        **{f"JOBSWAP_{k.upper()}": v for k, v in settings_for([board_url]).items()},
    }
    env.pop("DATABASE_URL", None)
    request = service.RunRequest(["indeed"], "", None, 10, {})
    run = await service.start_run(scrape_runtime.database, scrape_runtime.queue, request, Identity.service())
    worker = subprocess.Popen(
        [sys.executable, "-m", "jobswap.cli", "worker"], env=env, stderr=subprocess.PIPE
    )
    try:
        for _ in range(300):
            if state(admin_engine, run.id)[1] >= 1:
                break
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    status, pages, attempts = state(admin_engine, run.id)
    assert status == "running" and 1 <= pages < 4 and attempts == 1  # killed mid-run
    with admin_engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM jobs")).scalar_one()
    assert stored == pages * 15  # whole pages only: each page and its counters commit together

    await asyncio.sleep(1.5)  # the dead worker's heartbeat goes stale
    board.page_delay = 0.0
    recovered = await service.recover(
        scrape_runtime.database, scrape_settings, scrape_runtime.queue, seconds_since_heartbeat=1
    )
    assert recovered == 1
    await scrape_runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)
    status, pages, attempts = state(admin_engine, run.id)
    assert status == "succeeded" and pages == 4 and attempts == 2
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs")).scalar_one() == len(board.on("indeed"))
        assert conn.execute(text("SELECT count(*) FROM job_sources")).scalar_one() == len(board.on("indeed"))


async def test_a_run_left_running_without_a_task_is_marked_failed(
    scrape_settings: Settings, scrape_runtime: Any, admin_engine: Any
) -> None:
    async with scrape_runtime.database.transaction(Identity.service()) as session:
        run = await service.create_run(session, service.RunRequest(["indeed"], "x"))
    with admin_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE scrape_runs SET status = 'running', heartbeat_at = now() - interval '1 hour' "
                "WHERE id = :i"
            ),
            {"i": run.id},
        )
    settings = scrape_settings.model_copy(update={"scrape_run_stale_seconds": 60})
    assert (
        await service.recover(
            scrape_runtime.database, settings, scrape_runtime.queue, seconds_since_heartbeat=60
        )
        == 1
    )
    assert state(admin_engine, run.id)[0] == "failed"
