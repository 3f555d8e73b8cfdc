"""The FastAPI application: `create_app()` wires routers, errors, middleware and
the lifespan (database, queue, in-process worker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from jobswap import __version__
from jobswap.ai.router import router as ai_admin_router
from jobswap.auth.router import admin_router as signin_locks_router
from jobswap.auth.router import router as auth_router
from jobswap.auth.security import Passwords
from jobswap.config import Settings, get_settings
from jobswap.errors import StartupError
from jobswap.hr.router import admin_router as employers_router
from jobswap.hr.router import router as hr_router
from jobswap.http_errors import BodySizeLimitMiddleware, install_error_handlers
from jobswap.http_security import SecurityHeadersMiddleware, init_sentry
from jobswap.jobmatch.alerts_router import router as job_alerts_router
from jobswap.jobmatch.router import router as job_matches_router
from jobswap.jobs.router import router as jobs_router
from jobswap.matching import locate
from jobswap.matching.geocode import offline_geocoder
from jobswap.matching.router import router as matches_router
from jobswap.notifications.router import router as notifications_router
from jobswap.observability import RequestLogMiddleware, configure_logging
from jobswap.occupations.router import router as occupations_router
from jobswap.ops.router import router as ops_router
from jobswap.resumes.router import router as resumes_router
from jobswap.resumes.storage import build_storage
from jobswap.runtime import Runtime
from jobswap.swaps.router import router as swaps_router
from jobswap.users.router import router as users_router
from jobswap.web import app as web

log = logging.getLogger(__name__)


@asynccontextmanager
async def _runtime_for(app: FastAPI, settings: Settings, given: Runtime | None) -> AsyncIterator[Runtime]:
    if given is not None:
        yield given
        return
    try:
        async with Runtime.open(settings) as runtime:
            yield runtime
    except StartupError as exc:
        log.error("cannot start: %s", exc)
        raise


async def _demo(app: FastAPI, settings: Settings, runtime: Runtime) -> None:
    """Load the demo city (once; later starts keep it) and print its sign-ins."""
    from rich.console import Console
    from rich.table import Table

    from jobswap.demo import loader

    summary = await loader.load(settings, runtime.database, runtime.queue, people=settings.demo_people)
    app.state.demo_accounts = summary.accounts
    out = Console()
    if summary.loaded:
        out.print(
            f"Demo city loaded in {summary.seconds:.0f} s: {summary.people} people, {summary.jobs} jobs, "
            f"{summary.matches} swap matches, requests {summary.requests}"
        )
    table = Table(title="Demo sign-ins")
    for column in ("who", "e-mail", "password"):
        table.add_column(column)
    for row in summary.accounts:
        table.add_row(*row)
    out.print(table)


def _routes(app: FastAPI) -> None:
    """Every domain's router, then the web app's pages (which catch what is left)."""
    app.include_router(ops_router)
    app.include_router(auth_router)
    app.include_router(notifications_router)  # before users: /api/users/me/notifications
    app.include_router(users_router)
    app.include_router(occupations_router)
    app.include_router(resumes_router)
    app.include_router(matches_router)
    app.include_router(jobs_router)
    app.include_router(job_matches_router)
    app.include_router(job_alerts_router)
    app.include_router(swaps_router)
    app.include_router(hr_router)
    app.include_router(employers_router)
    app.include_router(signin_locks_router)
    app.include_router(ai_admin_router)
    web.install(app)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. Tests pass a `runtime` they already opened, to share one database."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _runtime_for(app, settings, runtime) as rt:
            app.state.runtime = rt
            web.started(app, rt)
            if settings.demo:
                await _demo(app, settings, rt)
            worker: asyncio.Task[None] | None = None
            warm_up: asyncio.Task[object] | None = None
            if runtime is None:
                # Load the offline gazetteer now, off the event loop, rather than in the
                # first request that saves an address.
                warm_up = asyncio.create_task(anyio.to_thread.run_sync(offline_geocoder))
            if settings.run_worker and runtime is None:
                worker = asyncio.create_task(
                    rt.queue.run_worker_async(
                        concurrency=settings.worker_concurrency,
                        name="in-process",
                        shutdown_graceful_timeout=10,
                    )
                )
                log.info("in-process worker started")
            try:
                yield
            finally:
                if worker is not None:
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker
                if runtime is None:
                    await locate.close()
                    if warm_up is not None:
                        with contextlib.suppress(Exception):
                            await warm_up

    app = FastAPI(
        title="JobSwap",
        version=__version__,
        description="Job swaps that shorten everyone's commute, and ranked jobs for a resume.",
        lifespan=lifespan,
        docs_url=None,  # served by the web app from vendored assets (works offline)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.passwords = Passwords(settings)
    app.state.storage = build_storage(settings)
    install_error_handlers(app)
    _routes(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=True,
        )
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        # multipart framing adds a little to the file itself
        overrides={
            "/api/resumes": settings.resume_max_bytes + 64 * 1024,
            "/resume": settings.resume_max_bytes + 64 * 1024,  # the web app's upload form
            "/api/jobs/import": settings.job_import_max_bytes + 64 * 1024,
        },
    )
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.add_middleware(RequestLogMiddleware)
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory jobswap.main:app_factory` (and `jobswap serve`)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    init_sentry(settings)
    return create_app(settings)
