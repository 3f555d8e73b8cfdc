"""Probes, the error shape, request ids and structured request logs."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pydantic import ValidationError
from sqlalchemy import text

from jobswap import migrate
from jobswap.config import DEFAULT_SECRET_KEY, Settings
from jobswap.db import Database, sqlalchemy_url
from jobswap.main import create_app
from jobswap.observability import JsonFormatter
from jobswap.runtime import Runtime


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "revision": migrate.head_revision()}


async def test_unknown_route_and_method_use_the_error_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "Not Found", "details": None}}
    wrong_method = await client.patch("/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


async def test_unexpected_errors_hide_internals(app: object, client: httpx.AsyncClient) -> None:
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM internals")

    app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "SELECT" not in response.text and "Traceback" not in response.text


async def test_request_id_and_json_log_line(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="jobswap.access"):
        given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        generated = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\n"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(generated.headers["x-request-id"]) == 32
    records = [r for r in caplog.records if r.name == "jobswap.access"]
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert line["request_id"] == "abc-123"
    assert isinstance(line["duration_ms"], float)


async def test_openapi_docs_and_oauth2_flow(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/auth/signin"
    for path in (
        "/api/auth/signup",
        "/api/auth/signin",
        "/api/auth/refresh",
        "/api/auth/signout",
        "/api/users/{user_id}",
    ):
        assert path in spec["paths"]


def test_default_secret_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="JOBSWAP_SECRET_KEY"):
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(_env_file=None, environment="production", secret_key="short")  # type: ignore[call-arg]
    dev = Settings(_env_file=None)  # type: ignore[call-arg]
    assert dev.secret_key.get_secret_value() == DEFAULT_SECRET_KEY


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example.com:5432/app")
    monkeypatch.setenv("JOBSWAP_DATA_DIR", "/srv/jobswap")
    monkeypatch.setenv("JOBSWAP_SIGNIN_MAX_FAILURES", "3")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "postgresql://u:p@db.example.com:5432/app"
    assert not settings.embedded_database
    assert str(settings.pgdata_dir) == "/srv/jobswap/pgdata"
    assert settings.signin_max_failures == 3


async def test_readyz_is_503_when_schema_is_behind(
    settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    name = "readyz_behind"
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    behind_url = sqlalchemy_url(runtime.urls.admin).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(behind_url, app_role=settings.database_app_role, app_password=None, revision="0001")
    app_url = sqlalchemy_url(runtime.urls.app).set(database=name).render_as_string(hide_password=False)
    database = Database(app_url)
    stale = Runtime(settings=settings, urls=runtime.urls, database=database, queue=runtime.queue)
    app = create_app(settings, runtime=stale)
    try:
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                response = await c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["error"]["details"] == {"current": "0001", "head": migrate.head_revision()}
    finally:
        await database.dispose()
        with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
