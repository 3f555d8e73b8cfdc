"""Engine, sessions and the per-transaction identity that row-level security reads.

Every transaction starts by telling PostgreSQL who is asking
(`jobswap.user_id`, `jobswap.role`, transaction-local settings that the SQL
functions `jobswap_uid()` and `jobswap_role()` read, as Supabase's `auth.uid()`
does). The policies on each table then decide what is visible, whatever the
query says.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, MetaData, Select, func, or_, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AccessRole(enum.StrEnum):
    """Who a transaction runs as, for the row-level-security policies.

    `service` is JobSwap's own trusted code (sign-in, background tasks), the
    counterpart of Supabase's service role; no HTTP caller ever holds it.
    """

    ANONYMOUS = "anon"
    EMPLOYEE = "employee"
    HR = "hr"
    ADMIN = "admin"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: uuid.UUID | None
    role: AccessRole

    @classmethod
    def anonymous(cls) -> Identity:
        return cls(None, AccessRole.ANONYMOUS)

    @classmethod
    def service(cls) -> Identity:
        return cls(None, AccessRole.SERVICE)


def sqlalchemy_url(url: str) -> URL:
    """Any libpq/SQLAlchemy PostgreSQL URL, as SQLAlchemy with psycopg 3 wants it."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    return parsed.set(drivername="postgresql+psycopg")


def libpq_url(url: str) -> str:
    """The same URL without a SQLAlchemy driver name, for psycopg and procrastinate."""
    return sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def redact(url: str) -> str:
    return sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=True)


async def set_identity(session: AsyncSession, identity: Identity) -> None:
    await session.execute(
        text("SELECT set_config('jobswap.user_id', :uid, true), set_config('jobswap.role', :role, true)"),
        {"uid": str(identity.user_id) if identity.user_id else "", "role": identity.role.value},
    )
    session.info["identity"] = identity


def identity_of(session: AsyncSession) -> Identity:
    identity = session.info.get("identity")
    return identity if isinstance(identity, Identity) else Identity.anonymous()


@asynccontextmanager
async def as_service(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Run part of the caller's transaction as JobSwap's service identity, then hand it back.

    For writes that a domain's rules (checked first, on reads made as the caller) allow but
    RLS keeps to the service: a swap request writes rows for every member, a notification
    goes to another person. The same transaction, so the change and its side effects commit
    or roll back together.
    """
    caller = identity_of(session)
    await set_identity(session, Identity.service())
    yield session
    # Not on an error: that transaction is rolled back whole, and could not run a query.
    if caller.role is not AccessRole.SERVICE:
        await set_identity(session, caller)


async def paged(session: AsyncSession, query: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of an ORM query's rows, and how many rows the whole query has."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = await session.execute(query.limit(limit).offset(offset))
    return list(rows.scalars()), int(total or 0)


def contains(text_: str, *columns: Any) -> ColumnElement[bool]:
    """Any of the columns holds `text_`, ignoring case; LIKE's wildcards in it match literally."""
    escaped = text_.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(func.lower(column).like(f"%{escaped}%") for column in columns))


class Database:
    """The request path's connection pool, logged in as the role that RLS applies to."""

    def __init__(self, url: str, *, pool_size: int = 10, statement_timeout_ms: int = 15_000) -> None:
        self.engine: AsyncEngine = create_async_engine(
            sqlalchemy_url(url),
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            connect_args={"options": f"-c statement_timeout={statement_timeout_ms}"},
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self, identity: Identity) -> AsyncIterator[AsyncSession]:
        """One transaction as `identity`: committed if the block succeeds, else rolled back."""
        async with self.sessionmaker() as session, session.begin():
            await set_identity(session, identity)
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
