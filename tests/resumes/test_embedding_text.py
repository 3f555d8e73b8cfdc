"""What of a resume its vector is made from: the headline leads, then the entries' titles."""

from __future__ import annotations

from jobswap.resumes.embedding_text import embedding_text
from jobswap.resumes.parsed import Experience, ParsedResume


def test_the_headline_leads_and_titles_are_not_repeated() -> None:
    parsed = ParsedResume(
        headline="Staff Accountant",
        experience=[Experience(title="Staff Accountant"), Experience(title="Accounts Payable Clerk")],
        skills=["General Ledger", "Excel"],
        summary="Accountant with eight years in month-end close and reconciliations for manufacturers.",
    )
    digest = embedding_text(parsed, "the whole text")
    assert digest.startswith("Staff Accountant; Accounts Payable Clerk. Skills: General Ledger, Excel. ")
    assert digest.count("Staff Accountant") == 1


def test_a_resume_without_headline_or_titles_falls_back_to_its_text() -> None:
    digest = embedding_text(ParsedResume(skills=["Python"]), "Python developer who builds data pipelines")
    assert digest == "Skills: Python. Python developer who builds data pipelines"
