"""The local job board, served once per session and reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jobswap.config import Settings
from tests.jobs.board import Board, catalogue, serve, settings_for


@pytest.fixture(scope="session")
def _served_board() -> Iterator[tuple[Board, str]]:
    board = Board(catalogue(120))
    with serve(board) as urls:
        yield board, urls[0]


@pytest.fixture
def board(_served_board: tuple[Board, str]) -> Iterator[Board]:
    board, _ = _served_board
    board.reset()
    yield board
    board.reset()


@pytest.fixture
def board_url(_served_board: tuple[Board, str]) -> str:
    return _served_board[1]


@pytest.fixture
def scrape_settings(settings: Settings, board_url: str) -> Settings:
    """Sources pointed at the board; fast limits so tests take seconds."""
    overrides: dict[str, Any] = {
        **settings_for([board_url]),
        "scrape_per_host_per_second": 200.0,
        "scrape_per_host_concurrency": 4,
        "scrape_backoff_seconds": 0.01,
        "scrape_retries": 2,
    }
    return settings.model_copy(update=overrides)


@pytest.fixture
async def scrape_runtime(scrape_settings: Settings, runtime: Any) -> Any:
    """A runtime whose queue's tasks read the board-pointed settings (the shared one's do not)."""
    from jobswap.runtime import Runtime

    async with Runtime.open(scrape_settings, run_migrations=False) as rt:
        yield rt


@pytest.fixture
async def scrape_client(scrape_settings: Settings, scrape_runtime: Any) -> Any:
    import httpx
    from asgi_lifespan import LifespanManager

    from jobswap.main import create_app

    app = create_app(scrape_settings, runtime=scrape_runtime)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
