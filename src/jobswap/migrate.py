"""Preparing a database: pgvector check, the application role, Alembic migrations.

Runs at every start (and as `jobswap db upgrade`), under a PostgreSQL advisory
lock so that several processes starting together migrate once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import Connection, create_engine, pool, text
from sqlalchemy.exc import OperationalError

from jobswap.db import redact, sqlalchemy_url
from jobswap.errors import StartupError

_MIGRATION_LOCK = 0x6A6F6273  # "jobs"
REQUIRED_EXTENSION = "vector"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("jobswap") / "migrations"))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision shipped with this code (fixed for the life of the process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def admin_connection(admin_url: str) -> Iterator[Connection]:
    engine = create_engine(sqlalchemy_url(admin_url), poolclass=pool.NullPool)
    try:
        try:
            conn = engine.connect()
        except OperationalError as exc:
            raise StartupError(f"cannot reach PostgreSQL at {redact(admin_url)}: {exc.orig}") from exc
        with conn:
            yield conn
    finally:
        engine.dispose()


def ensure_database(server_url: str, name: str) -> None:
    """Create database `name` on the server if it is missing (embedded server)."""
    engine = create_engine(sqlalchemy_url(server_url), poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            # Several processes may start together: one creates, the others wait and see it.
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).first()
                if not exists:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
    finally:
        engine.dispose()


def require_extension(conn: Connection, name: str = REQUIRED_EXTENSION) -> None:
    available = conn.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = :n"), {"n": name}
    ).first()
    if available is None:
        raise StartupError(
            f"this PostgreSQL server does not have the '{name}' extension (pgvector), which JobSwap "
            f"needs for embeddings; install pgvector on the server (on Supabase: enable 'vector' "
            f"under Database > Extensions), or unset DATABASE_URL to use the embedded server"
        )


def ensure_app_role(conn: Connection, role: str, password: str | None) -> None:
    """The role the request path logs in as: no superuser, no BYPASSRLS, so RLS binds it."""
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    ident = sql.Identifier(role)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if not exists:
        conn.exec_driver_sql(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident).as_string(raw))  # type: ignore[arg-type]
    attrs: sql.Composable = sql.SQL("NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT")
    if password is not None:
        attrs = sql.SQL("{} LOGIN PASSWORD {}").format(attrs, sql.Literal(password))
    stmt = sql.SQL("ALTER ROLE {} {}").format(ident, attrs)
    conn.exec_driver_sql(stmt.as_string(raw))  # type: ignore[arg-type]
    db = conn.execute(text("SELECT current_database()")).scalar_one()
    conn.exec_driver_sql(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(db), ident).as_string(raw)  # type: ignore[arg-type]
    )
    conn.exec_driver_sql(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident).as_string(raw))  # type: ignore[arg-type]


def upgrade(admin_url: str, *, app_role: str, app_password: str | None, revision: str = "head") -> None:
    """Bring the database to `revision`, creating the app role first."""
    with admin_connection(admin_url) as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
        try:
            require_extension(conn)
            ensure_app_role(conn, app_role, app_password)
            conn.commit()
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            cfg.attributes["app_role"] = app_role
            command.upgrade(cfg, revision)
            conn.commit()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
            conn.commit()


def downgrade(admin_url: str, *, app_role: str, revision: str = "base") -> None:
    with admin_connection(admin_url) as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        cfg.attributes["app_role"] = app_role
        command.downgrade(cfg, revision)
        conn.commit()


def check_app_role(conn: Connection) -> None:
    """Refuse to serve through a connection that row-level security would not bind."""
    row = conn.execute(
        text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    if row.rolsuper or row.rolbypassrls:
        raise StartupError(
            f"the application connects as '{row.current_user}', which bypasses row-level security; "
            f"set JOBSWAP_DATABASE_APP_URL to a role without SUPERUSER or BYPASSRLS"
        )
