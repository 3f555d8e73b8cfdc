"""Scrape runs end to end: every source into the real database, de-duplicated, idempotent,
and a failing source leaving the others' jobs stored."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from jobswap.config import Settings
from jobswap.db import Identity
from jobswap.jobs import service
from jobswap.jobs.models import ScrapeRun
from jobswap.runtime import Runtime
from tests.jobs.board import Board, Fault

ALL = ["linkedin", "indeed", "glassdoor", "ziprecruiter", "careerbuilder", "greenhouse", "lever", "generic"]
RULES = {
    "item": "div.opening",
    "fields": {
        "url": {"css": "a.apply", "attr": "href"},
        "title": {"css": "h2.role"},
        "company": {"css": ".org"},
        "location": {"css": ".where"},
        "salary": {"css": ".pay"},
        "description": {"css": "p.summary"},
    },
    "next": "a[rel=next]",
}


def options(board_url: str) -> dict[str, Any]:
    return {
        "board": "acme",
        "company": "globex",
        "company_name": "Globex",
        "url": f"{board_url}/careers",
        "rules": RULES,
    }


async def scrape(
    runtime: Runtime, settings: Settings, sources: list[str], board_url: str, **extra: Any
) -> ScrapeRun:
    request = service.RunRequest(
        sources,
        extra.pop("query", ""),
        None,
        extra.pop("max_pages", 20),
        extra.pop("options", options(board_url)),
    )
    async with runtime.database.transaction(Identity.service()) as session:
        run = await service.create_run(session, request)
    await service.execute(runtime.database, settings, run.id)
    async with runtime.database.transaction(Identity.service()) as session:
        found = await session.get(ScrapeRun, run.id)
        assert found is not None
        return found


def expected_jobs(board: Board, sources: list[str]) -> int:
    """Distinct postings across the boards asked, plus LinkedIn's 13 pages (12 postings)."""
    keys = {p.key for s in sources if s != "linkedin" for p in board.on(s)}
    return len(keys) + (12 if "linkedin" in sources else 0)


def count(admin_engine: Any, sql: str) -> int:
    with admin_engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


async def test_every_source_into_one_deduplicated_table(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    run = await scrape(runtime, scrape_settings, ALL, board_url)
    assert run.status == "succeeded", run.per_source
    assert set(run.per_source) == set(ALL)
    assert all(state["status"] == "succeeded" and state["found"] > 0 for state in run.per_source.values())
    jobs = count(admin_engine, "SELECT count(*) FROM jobs")
    assert jobs == expected_jobs(board, ALL)
    # postings seen on several boards are one job with several sources
    assert (
        run.postings_new == jobs and run.postings_merged == run.postings_found - jobs - run.postings_rejected
    )
    multi = count(
        admin_engine, "SELECT count(*) FROM (SELECT job_id FROM job_sources GROUP BY 1 HAVING count(*) > 1) m"
    )
    assert multi > 20
    # Glassdoor writes "Sr." where the others write "Senior": merged by the description's SimHash
    assert (
        count(
            admin_engine,
            "SELECT count(*) FROM jobs j WHERE title LIKE 'Senior%' AND EXISTS (SELECT 1 FROM job_sources s "
            "WHERE s.job_id = j.id AND s.source = 'glassdoor') AND (SELECT count(*) FROM job_sources s "
            "WHERE s.job_id = j.id) > 1",
        )
        > 0
    )
    # LinkedIn's two pages of the same posting (English and Portuguese) are one job
    assert (
        count(admin_engine, "SELECT count(*) FROM jobs WHERE title = '[Banking] Senior Data Engineer'") == 1
    )
    assert run.pages_fetched >= 8 and run.requests > run.pages_fetched


async def test_normalised_fields(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    await scrape(runtime, scrape_settings, ["linkedin", "glassdoor", "lever"], board_url)
    with admin_engine.connect() as conn:
        row = (
            conn.execute(
                text(
                    "SELECT * FROM jobs j JOIN job_sources s ON s.job_id = j.id "
                    "WHERE s.source = 'glassdoor' LIMIT 1"
                )
            )
            .mappings()
            .one()
        )
        assert row["salary_currency"] == "USD" and row["salary_period"] == "year"
        assert row["salary_min"] < row["salary_max"] and row["country"] == "US" and row["region"]
        assert row["language"] == "en" and row["skills"] and row["posted_at"] is not None
        pt = (
            conn.execute(text("SELECT * FROM jobs WHERE title = 'Pessoa Engenheira de Dados'"))
            .mappings()
            .one()
        )
        assert pt["language"] == "pt" and pt["company"] == "Zup Innovation" and pt["country"] == "BR"
        assert pt["employment_type"] == "full_time" and "<script" not in pt["description_html"]
        levels = conn.execute(
            text("SELECT DISTINCT experience_level FROM jobs WHERE title LIKE 'Sr. %'")
        ).scalars()
        assert set(levels) == {"senior"}
        lever = conn.execute(
            text(
                "SELECT workplace, employment_type FROM jobs j JOIN job_sources s ON s.job_id = j.id "
                "WHERE s.source = 'lever'"
            )
        ).all()
        assert {w for w, _ in lever} <= {"remote", "on_site"} and {e for _, e in lever} == {"full_time"}


async def test_rerunning_is_idempotent(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    sources = ["indeed", "ziprecruiter", "greenhouse"]
    first = await scrape(runtime, scrape_settings, sources, board_url)
    jobs = count(admin_engine, "SELECT count(*) FROM jobs")
    seen = count(admin_engine, "SELECT count(*) FROM job_sources")
    before = count(admin_engine, "SELECT extract(epoch FROM max(last_seen))::bigint FROM jobs")
    second = await scrape(runtime, scrape_settings, sources, board_url)
    assert second.status == "succeeded" and second.postings_new == 0 and second.postings_merged == 0
    assert count(admin_engine, "SELECT count(*) FROM jobs") == jobs
    assert count(admin_engine, "SELECT count(*) FROM job_sources") == seen
    assert count(admin_engine, "SELECT extract(epoch FROM min(last_seen))::bigint FROM jobs") >= before
    assert first.postings_found == second.postings_found


async def test_one_failing_source_leaves_the_others_stored(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    board.always["/graph"] = Fault(status=503)  # Glassdoor is down for good
    board.inject("/jobs-app/jobs", Fault(status=429, headers={"Retry-After": "0"}))  # ZipRecruiter: once
    run = await scrape(runtime, scrape_settings, ["glassdoor", "ziprecruiter", "lever"], board_url)
    assert run.status == "partial"
    assert run.per_source["glassdoor"]["status"] == "failed"
    assert run.per_source["ziprecruiter"]["status"] == "succeeded"
    assert run.errors == {"server": 1} and "glassdoor" in (run.message or "")
    stored = count(admin_engine, "SELECT count(DISTINCT source) FROM job_sources")
    assert stored == 2 and count(admin_engine, "SELECT count(*) FROM jobs") == expected_jobs(
        board, ["ziprecruiter", "lever"]
    )


async def test_broken_pages_and_a_changed_layout(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    board.changed_layout = True  # LinkedIn renamed its title class: the cards still carry the basics
    board.inject("/graphql", Fault(status=200, body="<html>truncated"))  # Indeed answers garbage
    board.inject(
        "/job/cb", Fault(status=200, body='<html><script type="application/ld+json">{"@type": "JobPost')
    )
    run = await scrape(runtime, scrape_settings, ["linkedin", "indeed", "careerbuilder"], board_url)
    assert run.per_source["indeed"]["status"] == "failed" and run.errors.get("malformed") == 1
    assert run.per_source["linkedin"]["status"] == "succeeded"
    assert count(admin_engine, "SELECT count(*) FROM job_sources WHERE source = 'linkedin'") == 13
    # the CareerBuilder page with broken JSON-LD lacks title and company: counted, not stored
    assert run.rejections.get("missing_title") == 1 and run.postings_rejected == 1
    assert run.status == "partial"


async def test_hostile_markup_is_sanitised(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    p = board.on("greenhouse")[0]  # Greenhouse sends the description as (escaped) HTML
    original = p.description
    p.description += " <script>alert('x')</script><a href='javascript:alert(1)' onclick='x()'>apply</a>"
    p.description += "<img src=x onerror=alert(1)><iframe src='https://evil.example'></iframe>"
    try:
        await scrape(runtime, scrape_settings, ["greenhouse"], board_url)
    finally:
        p.description = original
    with admin_engine.connect() as conn:
        html, text_ = conn.execute(
            text("SELECT description_html, description FROM jobs WHERE description_html LIKE '%apply%'")
        ).one()
    for bad in ("<script", "javascript:", "onclick", "onerror", "<iframe", "<img"):
        assert bad not in html
    assert '<a rel="nofollow noopener">apply</a>' in html and "alert" not in text_


async def test_saved_searches_run_on_their_schedule(runtime: Runtime, admin_engine: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from jobswap.jobs.models import SavedSearch

    now = datetime.now(UTC)
    async with runtime.database.transaction(Identity.service()) as session:
        for name, due in (("nurses", now - timedelta(minutes=1)), ("later", now + timedelta(hours=1))):
            session.add(
                SavedSearch(
                    name=name,
                    sources=["indeed"],
                    query=name,
                    location=None,
                    max_pages=2,
                    options={},
                    cron="0 6 * * *",
                    enabled=True,
                    next_run_at=due,
                )
            )
    created = await service.due_searches(runtime.database, now)
    assert len(created) == 1
    assert await service.due_searches(runtime.database, now) == []  # not due again until 06:00
    with admin_engine.connect() as conn:
        nxt = conn.execute(text("SELECT next_run_at FROM saved_searches WHERE name = 'nurses'")).scalar_one()
        status = conn.execute(
            text("SELECT status FROM scrape_runs WHERE id = :i"), {"i": created[0]}
        ).scalar_one()
    assert nxt > now and nxt.hour == 6 and nxt.minute == 0 and status == "queued"


async def test_a_finished_run_is_not_run_again(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime
) -> None:
    run = await scrape(runtime, scrape_settings, ["lever"], board_url)
    hits = len(board.hits)
    assert await service.execute(runtime.database, scrape_settings, run.id) == "succeeded"
    assert len(board.hits) == hits
    assert await service.execute(runtime.database, scrape_settings, uuid.uuid4()) == "missing"
