"""Alembic environment. JobSwap runs migrations itself (`jobswap db upgrade`,
and at start-up) and hands this script an open connection; run standalone,
it connects to DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import jobswap.models  # noqa: F401  (registers every table on Base.metadata)
from jobswap.db import Base, sqlalchemy_url

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return

    from jobswap.config import get_settings

    url = get_settings().database_url
    if url is None:
        raise SystemExit(
            "run `jobswap db upgrade` for the embedded database; alembic alone needs DATABASE_URL"
        )
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
