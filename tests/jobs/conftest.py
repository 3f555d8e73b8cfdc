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
