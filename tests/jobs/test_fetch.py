"""The polite fetcher against the local board: robots.txt, rate, retries, caps."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from jobswap.config import Settings
from jobswap.jobs.fetch import Fetcher, FetchError, retry_after_seconds
from tests.jobs.board import Board, Fault

PATH = "/jobs-app/jobs"


async def test_robots_disallow_is_obeyed_without_touching_the_path(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.robots = "User-agent: *\nDisallow: /jobs-app/\n"
    async with Fetcher(scrape_settings) as fetch:
        with pytest.raises(FetchError) as caught:
            await fetch.get(f"{board_url}{PATH}")
        assert caught.value.kind == "robots"
        allowed = await fetch.get(f"{board_url}/v0/postings/globex")
        assert allowed.status == 200
    paths = [path for _, _, path in board.hits]
    assert PATH not in paths and paths.count("/robots.txt") == 1  # read once per origin


async def test_robots_for_our_agent_only(board: Board, board_url: str, scrape_settings: Settings) -> None:
    board.robots = "User-agent: JobSwapBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    async with Fetcher(scrape_settings) as fetch:
        with pytest.raises(FetchError, match="robots"):
            await fetch.get(f"{board_url}{PATH}")


async def test_unreadable_robots_means_no_fetching_and_missing_robots_means_all(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.always["/robots.txt"] = Fault(status=500)
    async with Fetcher(scrape_settings.model_copy(update={"scrape_retries": 0})) as fetch:
        with pytest.raises(FetchError, match="robots"):
            await fetch.get(f"{board_url}{PATH}")
    board.always["/robots.txt"] = Fault(status=404)
    async with Fetcher(scrape_settings) as fetch:
        assert (await fetch.get(f"{board_url}{PATH}")).status == 200


async def test_the_per_host_rate_is_never_exceeded(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    rate = 20.0
    settings = scrape_settings.model_copy(
        update={"scrape_per_host_per_second": rate, "scrape_per_host_concurrency": 8}
    )
    async with Fetcher(settings) as fetch:
        await asyncio.gather(*(fetch.get(f"{board_url}{PATH}", params={"n": i}) for i in range(30)))
        starts = fetch.stats.starts[board_url]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 31  # robots.txt and 30 pages
    assert min(gaps) >= 1 / rate - 0.005  # request starts at least one interval apart
    arrivals = sorted(t for t, _, path in board.hits if path == PATH)
    assert (arrivals[-1] - arrivals[0]) >= 29 / rate - 0.05


async def test_crawl_delay_slows_the_host_down(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.robots = "User-agent: *\nCrawl-delay: 0.3\n"
    async with Fetcher(scrape_settings) as fetch:
        for i in range(3):
            await fetch.get(f"{board_url}{PATH}", params={"n": i})
        starts = fetch.stats.starts[board_url]
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(starts[1:]))  # after robots.txt


async def test_retry_after_is_honoured_then_the_page_arrives(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.inject(PATH, Fault(status=429, headers={"Retry-After": "1"}), Fault(status=503))
    async with Fetcher(scrape_settings) as fetch:
        started = time.monotonic()
        response = await fetch.get(f"{board_url}{PATH}")
        took = time.monotonic() - started
        assert response.status == 200 and fetch.stats.retries == 2
    assert took >= 1.0  # waited as long as the server asked
    times = [t for t, _, path in board.hits if path == PATH]
    assert times[1] - times[0] >= 0.99


async def test_a_retry_after_beyond_the_limit_gives_up_at_once(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.inject(PATH, Fault(status=429, headers={"Retry-After": "3600"}))
    async with Fetcher(scrape_settings) as fetch:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            await fetch.get(f"{board_url}{PATH}")
    assert caught.value.kind == "rate_limited" and time.monotonic() - started < 1


async def test_server_errors_stop_after_the_retries(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.always[PATH] = Fault(status=503)
    async with Fetcher(scrape_settings) as fetch:
        with pytest.raises(FetchError) as caught:
            await fetch.get(f"{board_url}{PATH}")
    assert caught.value.kind == "server"
    assert [p for _, _, p in board.hits].count(PATH) == scrape_settings.scrape_retries + 1


async def test_slow_answers_time_out_and_are_retried(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.inject(PATH, Fault(delay=1.0))  # the first answer is too slow, the second is fine
    settings = scrape_settings.model_copy(update={"scrape_read_timeout": 0.3})
    async with Fetcher(settings) as fetch:
        response = await fetch.get(f"{board_url}{PATH}")
    assert response.status == 200 and fetch.stats.retries == 1


async def test_oversized_bodies_are_cut_off(board: Board, board_url: str, scrape_settings: Settings) -> None:
    board.inject(PATH, Fault(status=200, body="x" * 50_000))
    async with Fetcher(scrape_settings.model_copy(update={"scrape_max_bytes": 10_000})) as fetch:
        with pytest.raises(FetchError) as caught:
            await fetch.get(f"{board_url}{PATH}")
    assert caught.value.kind == "too_large"


async def test_malformed_json_is_a_clear_error(
    board: Board, board_url: str, scrape_settings: Settings
) -> None:
    board.inject(PATH, Fault(status=200, body='{"jobs": [{"listing_key": '))
    async with Fetcher(scrape_settings) as fetch:
        response = await fetch.get(f"{board_url}{PATH}")
        with pytest.raises(FetchError) as caught:
            response.json()
    assert caught.value.kind == "malformed"


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10)
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
