"""Issue 10's resume examples on their exact strings: entry layouts, names, skills precision;
and parsed skills reaching the profile once their owner confirms them."""

from __future__ import annotations

import httpx
import pytest

from jobswap.resumes.parsing import parse_resume
from jobswap.resumes.parsing.contact import name
from jobswap.runtime import Runtime
from jobswap.skills.taxonomy import taxonomy
from tests.conftest import Account
from tests.resumes.test_resumes_api import drain_queue, upload

LAYOUTS = """Jane Roe
Senior Software Engineer
jane@example.com

EXPERIENCE
Senior Software Engineer, Stripe — New York, NY
Jan 2020 - Present
Built payment APIs.
Led a team of four.

Acme Corp | Backend Developer | 2017 - 2019
Wrote services in Go.

Data Analyst at Initech
2015 - 2017
Reported on sales.

Globex
Product Manager
Mar 2012 – Dec 2014
Owned the roadmap.

2010 - 2012  Junior Developer  Hooli Inc.
Fixed bugs.
"""


def test_entry_layouts() -> None:
    parsed = parse_resume(LAYOUTS)
    assert parsed.headline == "Senior Software Engineer"
    got = [(e.title, e.company, e.location, e.start, e.end) for e in parsed.experience]
    assert got == [
        ("Senior Software Engineer", "Stripe", "New York, NY", "2020-01", "present"),
        ("Backend Developer", "Acme Corp", None, "2017", "2019"),
        ("Data Analyst", "Initech", None, "2015", "2017"),
        ("Product Manager", "Globex", None, "2012-03", "2014-12"),
        ("Junior Developer", "Hooli Inc.", None, "2010", "2012"),
    ]
    # each description stops before the next entry's heading
    assert parsed.experience[0].description == "Built payment APIs.\nLed a team of four."
    assert parsed.experience[2].description == "Reported on sales."


def test_a_job_title_is_never_the_company() -> None:
    text = (
        "EXPERIENCE\nJAVA Developer/Senior Systems Engineer\n\n"
        "INFOSYS LIMITED - Pune, Maharashtra -\n\nFebruary 2016 to Present\nBuilt things.\n"
    )
    parsed = parse_resume(text)
    [job] = parsed.experience
    assert job.company == "INFOSYS LIMITED" and job.title == "JAVA Developer/Senior Systems Engineer"
    assert job.location == "Pune, Maharashtra"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Arjun KS", "Bangalore"], "Arjun KS"),
        (["Govardhana K", "Senior Software Engineer"], "Govardhana K"),
        (["Core Qualifications", "John Smith"], "John Smith"),
        (["Career Focus", "Maria Silva"], "Maria Silva"),
        (['"Hal Schmeler, MS (CS), PMP  232 Olive Ave'], "Hal Schmeler"),
        (["Scarlett McClure"], "Scarlett McClure"),
        (["Software Engineer", "Los Angeles"], None),
        # surnames that are also trades
        (["Bruno Borer", "Technical Project Manager"], "Bruno Borer"),
        (["Josef Miller", "Tech Support Executive"], "Josef Miller"),
        (["Retail Associate", "Boston"], None),
    ],
)
def test_names_with_initials_and_never_headings(lines: list[str], expected: str | None) -> None:
    assert name(lines) == expected


@pytest.mark.parametrize(
    ("text", "listed", "wanted", "unwanted"),
    [
        ("Prepared monthly reports for the board.", False, set(), {"Oracle Reports"}),
        ("Served eight years in the US Air Force.", False, set(), {"Adobe AIR"}),
        ("Ensured ADA compliance of every page.", False, set(), {"Ada"}),
        ("FIELDS OF STUDY: LAWS, ETC. CASE STUDIES TO REDUCE IMPACT", False, set(),
         {"FIELDS", "LAWS", "ETC", "CASE", "REDUCE", "IMPACT"}),
        ("Saved money, and so forth.", False, set(), {"Microsoft Money", "Forth"}),
        ("DasyLab, Labview, Mechanical", True, {"National Instruments LabVIEW"}, {"Autodesk Mechanical"}),
        ("Developed REST services in Java and SQL.", False, {"Oracle Java", "SQL"}, set()),
        ("Offices in San Jose and San Diego", False, set(), {"SAN"}),
        ("Languages: Ada, Forth, C", True, {"Ada", "Forth", "C"}, set()),
        # a middle initial is no language, and an acronym in title case is a name, even in a list
        ("The Law Office of Richard C. Peper, PA", False, set(), {"C"}),
        ("Vim, VirtualBox, Bob, SQL", True, {"SQL"}, {"BOB"}),
        # a plain word opening a longer list item is that item's word; alone, it is the skill
        ("Basic graphic design, Photo editing", True, set(), {"BASIC"}),
        ("Go, Excel 2016, Basic", True, {"Go", "BASIC"}, set()),
    ],
)  # fmt: skip
def test_skills_need_evidence_that_fits(
    text: str, listed: bool, wanted: set[str], unwanted: set[str]
) -> None:
    found = set(taxonomy().find(text, listed=listed))
    assert wanted <= found and not (unwanted & found), found


async def test_the_text_and_skills_reach_the_profile_when_confirmed(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, bob: Account
) -> None:
    resume = "Alice Doe\nData Engineer\n\nSKILLS\nPython, SQL, Apache Spark\n"
    rid = (await upload(client, alice, resume.encode())).json()["id"]
    await drain_queue(runtime)
    detail = (await client.get(f"/api/resumes/{rid}", headers=alice.headers)).json()
    assert detail["text"].startswith("Alice Doe")
    offered = detail["suggestions"]["skills"]
    assert {"Python", "SQL", "Apache Spark"} <= set(offered)
    assert detail["suggestions"]["job_title"] == "Data Engineer"  # the profile has none yet
    me = (await client.get("/api/users/me", headers=alice.headers)).json()
    assert me["skills"] == []  # nothing changes until the owner confirms

    wrong = await client.post(f"/api/resumes/{rid}/skills", headers=alice.headers, json={"skills": ["COBOL"]})
    assert wrong.status_code == 400 and "COBOL" in wrong.json()["error"]["message"]
    other = await client.post(f"/api/resumes/{rid}/skills", headers=bob.headers, json={})
    assert other.status_code == 404  # another person's resume does not exist for them
    some = await client.post(f"/api/resumes/{rid}/skills", headers=alice.headers, json={"skills": ["python"]})
    assert some.status_code == 200 and some.json() == {"added": ["Python"], "skills": ["Python"]}
    rest = (await client.post(f"/api/resumes/{rid}/skills", headers=alice.headers, json={})).json()
    assert set(rest["skills"]) == set(offered) and "Python" not in rest["added"]
    again = (await client.get(f"/api/resumes/{rid}", headers=alice.headers)).json()
    assert again["suggestions"]["skills"] == []
