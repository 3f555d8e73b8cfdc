"""The optional browser: a career page whose list exists only after its JavaScript runs.
Runs where the 'browser' extra and Chromium are installed (skipped elsewhere)."""

from __future__ import annotations

from typing import Any

import pytest

from jobswap.config import Settings
from jobswap.jobs import browser
from jobswap.runtime import Runtime
from tests.jobs.board import Board
from tests.jobs.test_runs import RULES, count, scrape

pytestmark = pytest.mark.skipif(not browser.available(), reason="needs the 'browser' extra and Chromium")


async def test_a_javascript_page_is_read_through_chromium(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    spa = {"url": f"{board_url}/spa", "rules": RULES}
    plain = await scrape(runtime, scrape_settings, ["generic"], board_url, options=spa)
    assert plain.postings_found == 0  # without JavaScript the list is empty
    rendered = await scrape(
        runtime,
        scrape_settings,
        ["generic"],
        board_url,
        options={**spa, "render": True, "wait_for": "div.opening"},
    )
    assert rendered.status == "succeeded" and rendered.postings_found == len(board.on("generic"))
    assert count(admin_engine, "SELECT count(*) FROM jobs WHERE company = 'Initech'") == len(
        board.on("generic")
    )


async def test_rendering_obeys_robots(board: Board, board_url: str, scrape_settings: Settings) -> None:
    from jobswap.jobs.fetch import Fetcher, FetchError

    board.robots = "User-agent: *\nDisallow: /spa\n"
    async with Fetcher(scrape_settings) as fetch:
        with pytest.raises(FetchError, match="robots"):
            await browser.render(fetch, f"{board_url}/spa")
    assert "/spa" not in [path for _, _, path in board.hits]
