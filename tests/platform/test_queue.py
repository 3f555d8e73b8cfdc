"""Background work through the real procrastinate queue."""

from __future__ import annotations

import asyncio
from typing import Any

from asgi_lifespan import LifespanManager
from sqlalchemy import text

from jobswap.auth.tasks import PURGE_TASK
from jobswap.config import Settings
from jobswap.main import create_app
from jobswap.runtime import Runtime
from tests.conftest import Account, make_settings


def _expire_alice(admin_engine: Any, alice: Account) -> None:
    """Age one of Alice's two sessions (and its token) past expiry; leave the other live."""
    with admin_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE auth_sessions SET expires_at = now() - interval '1 day' WHERE id = "
                "(SELECT id FROM auth_sessions WHERE user_id = :u ORDER BY created_at LIMIT 1)"
            ),
            {"u": alice.id},
        )
        conn.execute(
            text(
                "UPDATE refresh_tokens SET expires_at = now() - interval '1 day' WHERE session_id IN "
                "(SELECT id FROM auth_sessions WHERE expires_at < now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO signin_attempts (email, succeeded, created_at) "
                "VALUES ('x@example.com', false, now() - interval '3 days')"
            )
        )


def _counts(admin_engine: Any) -> dict[str, int]:
    with admin_engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("auth_sessions", "refresh_tokens", "signin_attempts")
        }


async def test_purge_task_runs_through_the_queue(
    runtime: Runtime, admin_engine: Any, client: Any, alice: Account
) -> None:
    await client.post("/api/auth/signin", data={"username": alice.email, "password": "correct horse battery"})
    _expire_alice(admin_engine, alice)
    assert _counts(admin_engine) == {"auth_sessions": 2, "refresh_tokens": 2, "signin_attempts": 2}

    job_id = await runtime.queue.configure_task(PURGE_TASK).defer_async()
    await runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)

    with admin_engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM procrastinate_jobs WHERE id = :j"), {"j": job_id}
        ).scalar_one()
    assert status == "succeeded"
    # The expired session and its token are gone; the live ones, and the recent attempt, stay.
    assert _counts(admin_engine) == {"auth_sessions": 1, "refresh_tokens": 1, "signin_attempts": 1}
    assert (await client.get("/api/auth/me", headers=alice.headers)).status_code in (200, 401)
    # Running it again is harmless.
    await runtime.queue.configure_task(PURGE_TASK).defer_async()
    await runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)
    assert _counts(admin_engine) == {"auth_sessions": 1, "refresh_tokens": 1, "signin_attempts": 1}


def test_purge_is_scheduled(runtime: Runtime, settings: Settings) -> None:
    periodic = runtime.queue.periodic_registry.periodic_tasks
    crons = {(task.task.name, task.cron) for task in periodic.values()}
    assert (PURGE_TASK, settings.token_purge_cron) in crons


async def test_serve_runs_a_worker_in_process(
    settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    # A second app on the same data directory, as `jobswap serve` builds it: worker on.
    serve_settings = make_settings(settings.data_dir, secret_key=settings.secret_key, run_worker=True)
    app = create_app(serve_settings)
    async with LifespanManager(app, startup_timeout=60):
        job_id = await app.state.runtime.queue.configure_task(PURGE_TASK).defer_async()
        status = None
        for _ in range(100):
            with admin_engine.connect() as conn:
                status = conn.execute(
                    text("SELECT status FROM procrastinate_jobs WHERE id = :j"), {"j": job_id}
                ).scalar_one()
            if status == "succeeded":
                break
            await asyncio.sleep(0.1)
    assert status == "succeeded"


async def test_worker_can_be_turned_off(settings: Settings, runtime: Runtime, admin_engine: Any) -> None:
    quiet = make_settings(settings.data_dir, secret_key=settings.secret_key, run_worker=False)
    app = create_app(quiet)
    async with LifespanManager(app, startup_timeout=60):
        job_id = await app.state.runtime.queue.configure_task(PURGE_TASK).defer_async()
        await asyncio.sleep(1.0)
        with admin_engine.connect() as conn:
            status = conn.execute(
                text("SELECT status FROM procrastinate_jobs WHERE id = :j"), {"j": job_id}
            ).scalar_one()
    assert status == "todo"
