"""Normalisation of what boards really show, and the LinkedIn parser on real recorded pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobswap.jobs import normalise as n
from jobswap.jobs.sources.base import from_json_ld, json_ld_postings
from jobswap.jobs.sources.linkedin import parse_cards, parse_job_page

PAGES = Path(__file__).parent.parent / "fixtures" / "jobs" / "linkedin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$53K-$91K (Glassdoor est.)", (53_000, 91_000, "USD", "year", True)),
        ("£30,000 a year", (30_000, 30_000, "GBP", "year", False)),
        ("R$ 8.000/mês", (8_000, 8_000, "BRL", "month", False)),
        ("R$ 5.500,00 a R$ 7.000,00", (5_500, 7_000, "BRL", "month", False)),
        ("$25 - $30 an hour", (25, 30, "USD", "hour", False)),
        ("EUR 60.000 - 75.000 per year", (60_000, 75_000, "EUR", "year", False)),
        ("€45k–55k", (45_000, 55_000, "EUR", "year", False)),
    ],
)
def test_salaries(text: str, expected: tuple[float, float, str, str, bool]) -> None:
    salary = n.parse_salary(text)
    assert salary is not None
    assert (salary.minimum, salary.maximum, salary.currency, salary.period, salary.estimated) == expected


def test_no_salary_in_text_without_amounts() -> None:
    assert n.parse_salary("Competitive pay") is None and n.parse_salary(None) is None


@pytest.mark.parametrize(
    ("text", "city", "region", "country", "remote"),
    [
        ("São Paulo, SP, Brasil", "São Paulo", "SP", "BR", False),
        ("Albuquerque, NM", "Albuquerque", "NM", "US", False),
        ("New York, NY 10001", "New York", "NY", "US", False),
        ("Remote in Austin, TX", "Austin", "TX", "US", True),
        ("London, England, United Kingdom", "London", "England", "GB", False),
        ("Brazil", None, None, "BR", False),
    ],
)
def test_locations(
    text: str, city: str | None, region: str | None, country: str | None, remote: bool
) -> None:
    assert n.parse_location(text) == n.Place(city, region, country, remote)


@pytest.mark.parametrize(
    ("title", "criteria", "level"),
    [
        ("Senior Backend Software Engineer", None, "senior"),
        ("Business Analytics Pleno", None, "mid"),
        ("Estagiário de dados", None, "intern"),
        ("Head of Data", None, "lead"),
        ("Chief Technology Officer", None, "executive"),
        ("Data Engineer", "Entry level", "entry"),
        ("Data Engineer", "Mid-Senior level", "senior"),
        ("Data Engineer", None, None),
    ],
)
def test_levels(title: str, criteria: str | None, level: str | None) -> None:
    assert n.experience_level(title, criteria) == level


def test_level_from_years_asked_for() -> None:
    assert n.experience_level("Analyst", None, "You have 6+ years of experience.") == "senior"


def test_types_workplaces_and_dates() -> None:
    assert n.employment_type("Tempo integral") == "full_time" and n.employment_type("Contract") == "contract"
    assert n.workplace("Berlin (Hybrid)") == "hybrid" and n.workplace("100% remoto") == "remote"
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert n.parse_posted("Há 2 semanas", now=now) == datetime(2026, 11, 9, tzinfo=UTC)
    assert n.parse_posted("3 days ago", now=now) == datetime(2026, 11, 20, tzinfo=UTC)
    assert n.parse_posted(1_700_000_000_000) == datetime.fromtimestamp(1_700_000_000, UTC)
    assert n.parse_posted("2026-11-18") == datetime(2026, 11, 18, tzinfo=UTC)
    assert n.parse_posted("someday") is None


def test_fingerprints_and_near_duplicates() -> None:
    place = n.parse_location("Austin, TX")
    assert n.fingerprint("Acme, Inc.", "Data Engineer (m/w/d)", place) == n.fingerprint(
        "ACME", "data engineer", n.parse_location("Austin, Texas, USA")
    )
    text = (
        "We build data pipelines for retail clients and review designs carefully. The team ships small "
        "changes every day and keeps the on-call load light. You will work with product, design and "
        "support to solve real customer problems. We offer health insurance, a learning budget and "
        "flexible hours. Experience with Python and SQL is expected; Spark is a plus."
    )
    reworded = text.replace("carefully", "with care") + " Apply now."
    other = (
        "Nurses care for patients on the night shift in a busy hospital ward. You will assess patients, "
        "give medication, keep records and work with doctors and families. A state licence is required "
        "and two years of acute care experience are preferred. We offer shift differentials."
    )
    assert n.hamming(n.simhash(text), n.simhash(reworded)) <= 6 < n.hamming(n.simhash(text), n.simhash(other))


def test_sanitising_keeps_formatting_and_drops_active_content() -> None:
    dirty = (
        '<p onclick="x()">Hi <b>there</b><script>steal()</script><a href="javascript:x()">a</a></p>'
        "<ul><li>one</li></ul>"
    )
    clean = n.sanitise_html(dirty)
    assert clean == '<p>Hi <b>there</b><a rel="nofollow noopener">a</a></p><ul><li>one</li></ul>'
    assert n.html_to_text(clean) == "Hi therea\n\n- one"


def test_linkedin_job_pages_parse() -> None:
    pages = sorted(PAGES.glob("*.html"))
    assert len(pages) == 13
    for path in pages:
        posting = parse_job_page(path.read_text(encoding="utf-8"))
        assert posting is not None, path.name
        assert posting.title and posting.company and posting.location and posting.description_html, path.name
        assert posting.employment_type and posting.level_hint and posting.posted, path.name
    gympass = parse_job_page((PAGES / "job-3692916406.html").read_text(encoding="utf-8"))
    assert gympass is not None
    assert (gympass.source_id, gympass.company, gympass.location) == ("3692916406", "Gympass", "Brazil")
    assert (gympass.employment_type, gympass.level_hint, gympass.posted) == (
        "Full-time",
        "Mid-Senior level",
        "1 week ago",
    )
    zup = parse_job_page((PAGES / "job-3731091890.html").read_text(encoding="utf-8"))
    assert zup is not None and zup.employment_type == "Tempo integral" and zup.posted == "Há 1 semana"


def test_linkedin_layout_change_is_detected_not_guessed() -> None:
    page = (PAGES / "job-1.html").read_text(encoding="utf-8").replace("top-card-layout__title", "renamed")
    page = page.replace("topcard__title", "renamed")
    assert parse_job_page(page) is None
    assert parse_cards("<html><body><p>Sign in to see jobs</p></body></html>") == []


def test_json_ld_in_lists_and_graphs() -> None:
    page = """<script type="application/ld+json">{"@graph": [{"@type": "Organization"},
      {"@type": "JobPosting", "title": "Nurse", "identifier": {"value": "n1"},
       "hiringOrganization": {"name": "City Hospital"}, "jobLocationType": "TELECOMMUTE",
       "baseSalary": {"currency": "USD", "value": {"minValue": 30, "maxValue": 40, "unitText": "HOUR"}}}]}
    </script><script type="application/ld+json">{not json</script>"""
    [item] = json_ld_postings(page)
    posting = from_json_ld("generic", item, "https://example.org/jobs/1")
    assert posting is not None and posting.source_id == "n1" and posting.workplace == "remote"
    salary = n.parse_salary(posting.salary_text)
    assert salary is not None and (salary.minimum, salary.maximum, salary.period) == (30, 40, "hour")
