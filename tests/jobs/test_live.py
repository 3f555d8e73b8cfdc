"""Live smoke tests: each source against the real site, one page. They run only when asked
(`JOBSWAP_LIVE_SMOKE=1 pytest -m live tests/jobs/test_live.py`), for users with the internet;
the boards change their pages and endpoints without notice, and this is how to find out."""

from __future__ import annotations

import os

import pytest

from jobswap.config import Settings
from jobswap.jobs.fetch import Fetcher
from jobswap.jobs.pipeline import Rejected, clean
from jobswap.jobs.sources import Query, build_source

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(os.environ.get("JOBSWAP_LIVE_SMOKE") != "1", reason="set JOBSWAP_LIVE_SMOKE=1 to run"),
]
LIVE = {
    "linkedin": {},
    "indeed": {},
    "glassdoor": {},
    "ziprecruiter": {},
    "careerbuilder": {},
    "greenhouse": {"board": os.environ.get("JOBSWAP_LIVE_GREENHOUSE_BOARD", "gitlab")},
    "lever": {"company": os.environ.get("JOBSWAP_LIVE_LEVER_COMPANY", "lever")},
}


@pytest.mark.parametrize("source", sorted(LIVE))
async def test_one_live_page(source: str) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]  # the real base URLs
    query = Query(os.environ.get("JOBSWAP_LIVE_QUERY", "software engineer"), "United States", 1, LIVE[source])
    async with Fetcher(settings) as fetch:
        pages = [page async for page in build_source(source, settings).pages(query, fetch)]
    postings = [p for page in pages for p in page.postings]
    assert postings, f"{source}: no postings on the first page"
    usable = 0
    for posting in postings:
        try:
            clean(posting)
            usable += 1
        except Rejected:
            pass
    assert usable >= len(postings) // 2, f"{source}: most postings were rejected"
