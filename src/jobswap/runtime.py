"""Start-up and shut-down of everything a JobSwap process needs, in one place.

The web app's lifespan, `jobswap worker` and the CLI commands all open a
Runtime: the database (embedded or DATABASE_URL) migrated to head, the
request-path connection pool logged in as the RLS-bound role, and the queue.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import procrastinate

from jobswap import migrate
from jobswap.ai import client as ai_client
from jobswap.config import Settings
from jobswap.db import Database, libpq_url, redact, sqlalchemy_url
from jobswap.embedded_pg import EmbeddedPostgres
from jobswap.worker import TaskContext, build_queue

log = logging.getLogger(__name__)


@dataclass
class DatabaseUrls:
    admin: str  # owner: migrations and the queue
    app: str  # the request path: RLS applies
    app_password: str | None


def _app_url_for(settings: Settings, admin_url: str) -> tuple[str, str | None]:
    if settings.database_app_url:
        return settings.database_app_url, None
    password = settings.derived_secret("database-app-role")
    url = sqlalchemy_url(admin_url).set(username=settings.database_app_role, password=password)
    return libpq_url(url.render_as_string(hide_password=False)), password


@asynccontextmanager
async def database_urls(settings: Settings) -> AsyncIterator[DatabaseUrls]:
    """Resolve the URLs, starting (and finally releasing) the embedded server if needed."""
    embedded: EmbeddedPostgres | None = None
    try:
        if settings.embedded_database:
            embedded = EmbeddedPostgres(settings.pgdata_dir)
            await anyio.to_thread.run_sync(embedded.start)
            await anyio.to_thread.run_sync(
                migrate.ensure_database, embedded.url("postgres"), settings.database_name
            )
            admin = embedded.url(settings.database_name)
        else:
            assert settings.database_url is not None
            admin = libpq_url(settings.database_url)
        app, password = _app_url_for(settings, admin)
        yield DatabaseUrls(admin=admin, app=app, app_password=password)
    finally:
        if embedded is not None:
            await anyio.to_thread.run_sync(embedded.stop)


@dataclass
class Runtime:
    settings: Settings
    urls: DatabaseUrls
    database: Database
    queue: procrastinate.App

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings, *, run_migrations: bool = True) -> AsyncIterator[Runtime]:
        async with database_urls(settings) as urls:
            if run_migrations:
                await anyio.to_thread.run_sync(
                    lambda: migrate.upgrade(
                        urls.admin, app_role=settings.database_app_role, app_password=urls.app_password
                    )
                )
            database = Database(
                urls.app,
                pool_size=settings.db_pool_size,
                statement_timeout_ms=settings.db_statement_timeout_ms,
            )
            try:
                async with database.engine.connect() as conn:
                    await conn.run_sync(migrate.check_app_role)
                queue = build_queue(urls.admin, TaskContext(settings=settings, database=database))
                ai_client.account_to(database)
                async with queue.open_async():
                    log.info(
                        "runtime ready",
                        extra={"database": redact(urls.app), "embedded": settings.embedded_database},
                    )
                    yield cls(settings=settings, urls=urls, database=database, queue=queue)
            finally:
                ai_client.stop_accounting_to(database)
                await ai_client.close_all()
                await database.dispose()
