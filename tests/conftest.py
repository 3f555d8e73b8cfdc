"""Shared fixtures: one real embedded PostgreSQL per test session, emptied after each test.

The session runs JobSwap's own start-up path (embedded server, migrations,
app role, queue). Each test starts from empty tables, so tests share no state.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import secrets
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager
from sqlalchemy import create_engine, pool, text

from jobswap.config import Settings
from jobswap.db import Identity, sqlalchemy_url
from jobswap.main import create_app
from jobswap.runtime import Runtime
from jobswap.users import repository as users_repository
from jobswap.users.models import UserRole
from tests.servers import free_port

PASSWORD = "correct horse battery"
_OWN_BASETEMP = "_jobswap_own_basetemp"


def pytest_configure(config: pytest.Config) -> None:
    """A temporary root of this session's own, so that another test run on the same machine
    (another checkout's CI, say) can never clean up the directory our database lives in:
    pytest's shared root keeps only the newest few sessions' folders."""
    if not config.option.basetemp:
        config.option.basetemp = tempfile.mkdtemp(prefix="jobswap-tests-")
        setattr(config, _OWN_BASETEMP, config.option.basetemp)


# Files that take a minute or more: started first, so that with two workers (scripts/test.sh) the
# longest is not the last to begin while the other worker sits idle.
_LONG_FILES = (
    "tests/security/test_schemathesis.py",
    "tests/jobmatch/test_import.py",
    "tests/demo/test_demo.py",
    "tests/jobs/test_cli.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A stable sort: the long files first, everything else in its usual order."""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.partition("::")[0]
        return _LONG_FILES.index(path) if path in _LONG_FILES else len(_LONG_FILES)

    items.sort(key=rank)


def pytest_unconfigure(config: pytest.Config) -> None:
    own = getattr(config, _OWN_BASETEMP, None)
    if own:
        shutil.rmtree(own, ignore_errors=True)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "data_dir": data_dir,
        "database_url": None,
        "secret_key": secrets.token_urlsafe(48),
        "argon2_time_cost": 1,
        "argon2_memory_cost_kib": 1024,
        "run_worker": False,
        "log_json": True,
        # The local job board, routing stand-ins and SMTP server run on loopback: allowed
        # explicitly, as an operator would allow an internal service.
        "outbound_allow": ["127.0.0.0/8"],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Mailbox:
    """An in-process SMTP server's handler: keeps what arrives, or misbehaves on demand."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.mode = "accept"  # or "refuse" (5xx), "defer" (4xx), "stall" (never answers DATA)
        self.defer_next = 0  # this many messages get a 4xx first, whatever the mode
        self.stalled = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.defer_next > 0:
            self.defer_next -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "refuse":
            return "554 5.7.1 Message refused by policy"
        if self.mode == "defer":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "stall":
            self.stalled += 1
            await asyncio.sleep(3600)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        self.messages.clear()
        self.mode = "accept"
        self.defer_next = 0
        self.stalled = 0


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Iterator[Mailbox]:
    smtp_server[0].clear()
    yield smtp_server[0]
    smtp_server[0].clear()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jobswap-data")


@pytest.fixture(scope="session")
def settings(data_dir: Path, smtp_server: tuple[Mailbox, int]) -> Settings:
    return make_settings(
        data_dir,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server[1],
        smtp_security="none",
        smtp_timeout_seconds=2,
        email_retry_seconds=0,
        email_max_attempts=3,
        app_url="http://jobswap.test",
        email_from="JobSwap <no-reply@jobswap.test>",
    )


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with Runtime.open(settings) as rt:
        yield rt


@pytest.fixture(scope="session")
def admin_engine(runtime: Runtime) -> Iterator[Any]:
    engine = create_engine(sqlalchemy_url(runtime.urls.admin), poolclass=pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    engine = request.getfixturevalue("admin_engine") if "runtime" in request.fixturenames else None
    yield
    if engine is None:
        return
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).scalar_one()
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    shutil.rmtree(request.getfixturevalue("settings").data_dir / "files", ignore_errors=True)


@pytest.fixture
async def app(settings: Settings, runtime: Runtime) -> AsyncIterator[Any]:
    application = create_app(settings, runtime=runtime)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@asynccontextmanager
async def app_client(
    app_settings: Settings, runtime: Runtime, *, startup_timeout: float = 5.0
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built with other settings than the session's, on the same database."""
    application = create_app(app_settings, runtime=runtime)
    async with (
        LifespanManager(application, startup_timeout=startup_timeout),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application, client=("203.0.113.7", 50000)),
            base_url="http://testserver",
        ) as web,
    ):
        yield web


def client_at(app: Any, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address` (throttling and network rules read it)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@dataclass
class Account:
    id: uuid.UUID
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def sign_up(client: httpx.AsyncClient, email: str | None = None, name: str = "Test User") -> Account:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(uuid.UUID(body["user"]["id"]), email.lower(), body["access_token"], body["refresh_token"])


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/signin", data={"username": email, "password": password})


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> Account:
    return await sign_up(client, "alice@example.com", "Alice")


@pytest.fixture
async def bob(client: httpx.AsyncClient) -> Account:
    return await sign_up(client, "bob@example.com", "Bob")


@pytest.fixture
async def admin(client: httpx.AsyncClient, runtime: Runtime) -> Account:
    account = await sign_up(client, "root@example.com", "Admin")
    async with runtime.database.transaction(Identity.service()) as session:
        user = await users_repository.get_by_email(session, account.email)
        assert user is not None
        await users_repository.update(session, user, {"role": UserRole.ADMIN})
    response = await sign_in(client, account.email)
    assert response.status_code == 200, response.text
    body = response.json()
    return Account(account.id, account.email, body["access_token"], body["refresh_token"])
