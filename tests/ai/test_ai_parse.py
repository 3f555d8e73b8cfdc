"""AI-assisted resume parsing: the model's answer is checked against the text, merged field by
field with the rule-based parse, labelled with its parser, and the rules stand in when the
provider is down."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from jobswap.resumes.parsed import ParsedResume
from jobswap.resumes.parsing.ai import SCHEMA, clean, merge
from jobswap.resumes.service import process
from jobswap.resumes.storage import LocalStorage
from jobswap.runtime import Runtime
from tests.ai.conftest import AISettings
from tests.ai.fake_openai import FakeOpenAI
from tests.conftest import Account, app_client

RESUME = """Maria Oliveira
Senior Software Engineer
maria.oliveira@example.com | +1 415 555 0134 | linkedin.example/in/maria-oliveira

Experience
Senior Software Engineer, Stripe — New York, NY
Jan 2021 - Present
Built payment APIs in Go and Python; led the migration to Kubernetes.

Software Engineer, Globex Corporation — Chicago, IL
Mar 2017 - Dec 2020
Wrote data pipelines with Apache Spark and PostgreSQL.

Education
B.Sc. Computer Science, University of Illinois, 2016

Skills
Python, Go, Kubernetes, PostgreSQL, Apache Spark
"""

MODEL_ANSWER: dict[str, Any] = {
    "name": "Maria Oliveira",
    "headline": "Senior Software Engineer",
    "emails": ["maria.oliveira@example.com", "maria@stripe.com"],  # the second is invented
    "phones": ["+1 415 555 0134", "+1 212 555 0199"],  # so is this one
    "links": [{"kind": "linkedin", "url": "https://linkedin.example/in/maria-oliveira"}],
    "location": None,
    "summary": None,
    "experience": [
        {
            "title": "Senior Software Engineer",
            "company": "Stripe",
            "location": "New York, NY",
            "start": "2021-01",
            "end": "present",
            "description": "Built payment APIs in Go and Python.",
        },
        {
            "title": "Software Engineer",
            "company": "Globex Corporation",
            "location": "Chicago, IL",
            "start": "2017-03",
            "end": "2020-12",
            "description": None,
        },
        {  # an employer the resume never names, with dates it never gives
            "title": "Intern",
            "company": "Initech",
            "location": None,
            "start": "2014-06",
            "end": "2014-09",
            "description": None,
        },
    ],
    "education": [
        {
            "degree": "B.Sc.",
            "field": "Computer Science",
            "institution": "University of Illinois",
            "graduation_year": 2016,
        }
    ],
    "skills": ["Python", "Go", "Kubernetes", "PostgreSQL", "Apache Spark", "Terraform"],  # no Terraform in it
    "total_years_experience": 9.5,
}


def test_the_schema_is_strict_and_complete() -> None:
    """Structured output in strict mode needs every property required and no others."""

    def check(node: dict[str, Any]) -> None:
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert set(node["required"]) == set(node["properties"])
            for child in node["properties"].values():
                check(child)
        if node.get("type") == "array":
            check(node["items"])

    check(SCHEMA)
    assert set(SCHEMA["properties"]) <= set(ParsedResume.model_fields)


def test_inventions_are_dropped() -> None:
    parsed, dropped = clean(MODEL_ANSWER, RESUME)
    assert parsed.emails == ["maria.oliveira@example.com"]
    assert parsed.phones == ["+1 415 555 0134"]
    assert [(e.title, e.company, e.start, e.end) for e in parsed.experience] == [
        ("Senior Software Engineer", "Stripe", "2021-01", "present"),
        ("Software Engineer", "Globex Corporation", "2017-03", "2020-12"),
    ]
    assert "Terraform" not in parsed.skills and "Apache Spark" in parsed.skills
    assert parsed.education[0].institution == "University of Illinois"
    assert parsed.education[0].graduation_year == 2016
    assert {d.split(":")[0] for d in dropped} >= {"email", "phone", "employer", "dates", "skill"}


def test_hostile_answers_never_break_the_parse() -> None:
    for answer in (
        {},
        {"emails": "not a list", "experience": [None, 3, {"company": 7}], "skills": [None, {"x": 1}]},
        {"name": "x" * 5000, "total_years_experience": -4, "links": [{"url": "javascript:alert(1)"}]},
        {"experience": [{"title": "Senior Software Engineer", "start": "20211", "end": "13-2020"}]},
    ):
        parsed, _ = clean(answer, RESUME)
        assert isinstance(parsed, ParsedResume)


def test_gaps_are_filled_from_the_rules_and_each_field_says_its_parser() -> None:
    ai, _ = clean({**MODEL_ANSWER, "skills": [], "education": []}, RESUME)
    rules = ParsedResume(skills=["Python", "Go"], language="en", location="Chicago, IL")
    merged, sources = merge(ai, rules)
    assert merged.skills == ["Python", "Go"] and sources["skills"] == "rules"
    assert merged.experience == ai.experience and sources["experience"] == "ai"
    assert sources["language"] == "rules" and sources["location"] == "rules"
    assert "education" not in sources and "summary" not in sources


async def test_preview_and_upload_with_the_ai_parser(
    runtime: Runtime,
    alice: Account,
    ai_settings: AISettings,
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, _ = openai
    fake.chat_answer = MODEL_ANSWER
    files = {"file": ("maria.txt", RESUME.encode(), "text/plain")}
    async with app_client(ai_settings(resume_parser="ai"), runtime) as web:
        preview = await web.post("/api/resumes/parse", headers=alice.headers, files=files)
        assert preview.status_code == 200, preview.text
        body = preview.json()
        assert body["field_sources"]["experience"] == "ai"
        assert body["field_sources"]["language"] == "rules"
        assert [e["company"] for e in body["data"]["experience"]] == ["Stripe", "Globex Corporation"]
        assert body["data"]["emails"] == ["maria.oliveira@example.com"]
        [(_, request)] = fake.calls("/v1/chat/completions")
        assert request["model"] == "gpt-4o-mini" and "Stripe" in request["messages"][1]["content"]

        fake.down = True  # the provider fails: the rule-based parse stands, labelled so
        fallback = await web.post("/api/resumes/parse", headers=alice.headers, files=files)
        assert fallback.status_code == 200
        assert set(fallback.json()["field_sources"].values()) == {"rules"}


async def test_processing_stores_which_parser_made_each_field(
    client: httpx.AsyncClient,
    runtime: Runtime,
    alice: Account,
    ai_settings: AISettings,
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, _ = openai
    fake.chat_answer = MODEL_ANSWER
    ai = ai_settings(resume_parser="ai")
    response = await client.post(
        "/api/resumes/upload",
        headers=alice.headers,
        files={"file": ("maria.txt", RESUME.encode(), "text/plain")},
    )
    assert response.status_code == 202
    resume_id = response.json()["id"]
    await process(
        uuid.UUID(resume_id),
        settings=ai,
        database=runtime.database,
        storage=LocalStorage(ai.data_dir / "files"),
    )
    stored = (await client.get(f"/api/resumes/{resume_id}", headers=alice.headers)).json()
    assert stored["status"] == "parsed"
    assert stored["field_sources"]["experience"] == "ai"
    assert stored["data"]["experience"][0]["company"] == "Stripe"


async def test_the_default_parser_sends_nothing(
    client: httpx.AsyncClient, alice: Account, openai: tuple[FakeOpenAI, str]
) -> None:
    fake, _ = openai
    files = {"file": ("maria.txt", RESUME.encode(), "text/plain")}
    preview = await client.post("/api/resumes/parse", headers=alice.headers, files=files)
    assert preview.status_code == 200
    assert set(preview.json()["field_sources"].values()) == {"rules"}
    assert fake.seen == []
