"""A Crawl4AI JsonCssExtractionStrategy schema given as a career page's rules extracts the
same postings as the equivalent JobSwap rules, from the local career site."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.jobs.sources.crawl4ai import translate
from jobswap.jobs.sources.pages import validate_rules
from jobswap.runtime import Runtime
from tests.conftest import Account
from tests.jobs.board import Board
from tests.jobs.test_runs import RULES, scrape

SCHEMA: dict[str, Any] = {
    "name": "Globex openings",
    "baseSelector": "div.opening",
    "fields": [
        {"name": "job_title", "selector": "h2.role", "type": "text"},
        {
            "name": "meta",
            "selector": "",
            "type": "nested",
            "fields": [
                {"name": "company_name", "selector": ".org", "type": "text"},
                {"name": "location", "selector": ".where", "type": "text"},
            ],
        },
        {"name": "salary", "selector": ".pay", "type": "regex", "pattern": r"(\$\d+K-\$\d+K)"},
        {"name": "job_url", "selector": "a.apply", "type": "attribute", "attribute": "href"},
        {"name": "summary", "selector": "p.summary", "type": "text"},
        {"name": "tags", "selector": "ul.tags", "type": "list", "fields": [{"name": "tag", "type": "text"}]},
    ],
    "next": "a[rel=next]",
}


def test_the_schema_translates_to_jobswap_rules() -> None:
    rules = translate(SCHEMA)
    assert rules["item"] == "div.opening" and rules["next"] == "a[rel=next]"
    assert rules["fields"] == {
        "title": {"css": "h2.role"},
        "company": {"css": ".org"},
        "location": {"css": ".where"},
        "salary": {"css": ".pay", "pattern": r"(\$\d+K-\$\d+K)"},
        "url": {"css": "a.apply", "attr": "href"},
        "description": {"css": "p.summary"},
    }
    with_id = translate(
        {**SCHEMA, "baseFields": [{"name": "id", "type": "attribute", "attribute": "data-id"}]}
    )
    assert with_id["fields"]["id"] == {"css": "", "attr": "data-id"}  # read from the item itself


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"baseSelector": ""}, "baseSelector"),
        (
            {"baseSelector": "li", "fields": [{"name": "x", "type": "computed", "expression": "1"}]},
            "computed",
        ),
        ({"baseSelector": "li", "fields": [{"name": "title", "type": "bogus"}]}, "unknown type"),
        ({"baseSelector": "li", "fields": [{"name": "colour", "selector": "b"}]}, "none of the schema"),
        (
            {"baseSelector": "li", "fields": [{"name": "title", "type": "regex", "pattern": "("}]},
            "bad pattern",
        ),
        ({"baseSelector": "li", "fields": "title"}, "must be a list"),
    ],
)
def test_schemas_that_cannot_carry_over_are_refused_clearly(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_rules(schema)


def jobs(admin_engine: Any) -> set[tuple[Any, ...]]:
    with admin_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT title, company, location, canonical_url, salary_annual_min, salary_annual_max, "
                "description FROM jobs"
            )
        ).all()
    return {tuple(r) for r in rows}


async def test_same_postings_as_the_equivalent_rules(
    board: Board, board_url: str, scrape_settings: Settings, runtime: Runtime, admin_engine: Any
) -> None:
    def options(rules: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"{board_url}/careers", "rules": rules}

    ours = await scrape(runtime, scrape_settings, ["generic"], board_url, options=options(RULES))
    assert ours.status == "succeeded", ours.per_source
    expected = jobs(admin_engine)
    assert len(expected) == len(board.on("generic")) > 5  # every page followed
    with admin_engine.begin() as conn:
        conn.execute(text("TRUNCATE jobs, job_sources, scrape_runs CASCADE"))
    theirs = await scrape(runtime, scrape_settings, ["generic"], board_url, options=options(SCHEMA))
    assert theirs.status == "succeeded", theirs.per_source
    assert jobs(admin_engine) == expected


async def test_a_bad_schema_is_a_400_naming_the_problem(
    scrape_client: httpx.AsyncClient, admin: Account
) -> None:
    bad = {"baseSelector": "div", "fields": [{"name": "title", "type": "computed", "expression": "x"}]}
    body = {"sources": ["generic"], "query": "x", "options": {"url": "http://127.0.0.1/c", "rules": bad}}
    response = await scrape_client.post("/api/scrape-runs", json=body, headers=admin.headers)
    assert response.status_code == 400
    assert "computed fields" in response.json()["error"]["message"]
