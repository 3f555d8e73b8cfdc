"""Name, e-mail addresses, phone numbers, links and location from a resume's text."""

from __future__ import annotations

import re

import phonenumbers

EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])"
)
URL = re.compile(
    r"(?<![\w@])(?:https?://|www\.)[^\s<>\"'),;]+|(?<![\w@./])(?:linkedin\.com|github\.com|gitlab\.com)/[^\s<>\"'),;]+",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(
    r"^[A-ZÀ-Ý][a-zà-ÿ'’\-]+(?:[A-ZÀ-Ý][a-zà-ÿ'’\-]+)?\.?$|^[A-ZÀ-Ý]{1,}$|^[A-ZÀ-Ý]\.$|^(?:de|da|van|von|der|del|la|le|di|dos)$"
)
_NAME_WORD_FIRST = re.compile(r"^[A-ZÀ-Ý]")
_NOT_NAME = {
    "resume", "curriculum", "vitae", "cv", "profile", "summary", "contact", "email", "phone", "address",
    "objective", "experience", "education", "skills", "page", "name", "mobile", "linkedin", "github",
    "qualifications", "highlights", "focus", "career", "core", "seeker", "applicant", "student", "seeking",
    "internship", "enhancement", "department", "university", "college", "school", "institute", "rd", "st",
    "street", "avenue", "ave", "template", "example", "sample", "professional", "personal", "technical",
    "achievements", "accomplishments", "overview", "information", "details", "references", "interests",
}  # fmt: skip
_LOCATION = re.compile(
    r"\b([A-Z][A-Za-zÀ-ÿ.'\-]+(?: [A-Z][A-Za-zÀ-ÿ.'\-]+){0,3}),\s*"
    r"([A-Z]{2}|[A-Z][A-Za-zÀ-ÿ.'\-]+(?: [A-Z][A-Za-zÀ-ÿ.'\-]+){0,3})(?:\s+\d{5}(?:-\d{4})?)?\b"
)


def emails(text: str) -> list[str]:
    return _unique(m.group(0).lower().rstrip(".") for m in EMAIL.finditer(text))


def phones(text: str, region: str) -> list[str]:
    """Phone numbers in E.164 form ("+14155550123"), validated by libphonenumber."""
    out = []
    without_dates = re.sub(r"(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2}", " ", text)
    for match in phonenumbers.PhoneNumberMatcher(without_dates, region, leniency=phonenumbers.Leniency.VALID):
        out.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    return _unique(out)


def links(text: str) -> list[dict[str, str]]:
    found = []
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".")
        if not url.lower().startswith("http"):
            url = "https://" + url
        lower = url.lower()
        if "linkedin.com" in lower:
            kind = "linkedin"
        elif "github.com" in lower or "gitlab.com" in lower:
            kind = "github"
        else:
            kind = "portfolio"
        found.append({"kind": kind, "url": url})
    unique: dict[str, dict[str, str]] = {}
    for link in found:
        unique.setdefault(link["url"], link)
    return list(unique.values())


def name(header_lines: list[str]) -> str | None:
    """The first line near the top that looks like a person's name: two to six name words
    ("Scarlett McClure", "Govardhana K", "Arjun KS"), credentials after a comma dropped
    ("Hal Schmeler, MS, PMP"); never a heading, a job title, a place or an institution."""
    from jobswap.resumes.parsing.entries import is_place_name, looks_like_title, title_score
    from jobswap.resumes.parsing.sections import heading_kind

    for line in header_lines[:8]:
        candidate = re.split(r"\s{2,}|\s[|•·]\s|\t|,\s", line.strip().strip("\"'“”"))[0].strip(" ,\"'“”")
        words = candidate.split()
        if not 2 <= len(words) <= 6:
            continue
        if any(w.lower().strip(".:") in _NOT_NAME for w in words) or EMAIL.search(candidate):
            continue
        if any(ch.isdigit() for ch in candidate) or heading_kind(candidate) is not None:
            continue
        if is_place_name(candidate, 1_000):
            continue
        if (looks_like_title(candidate) or title_score(candidate) >= 0.6) and not _surname_like(words):
            continue
        if all(_NAME_WORD.match(w) for w in words) and _NAME_WORD_FIRST.match(words[0]):
            return " ".join(w if not w.isupper() or len(w) <= 3 else w.title() for w in words)
    return None


def _surname_like(words: list[str]) -> bool:
    """ "Bruno Borer", "Josef Miller": the only job word is the last, a surname that is also a
    trade, and no word before it is one that job titles use ("Retail Associate" is a title)."""
    from jobswap.resumes.parsing.entries import title_vocabulary

    vocabulary = title_vocabulary()
    return not any(w.casefold().strip(".") in vocabulary for w in words[:-1])


def location(header_lines: list[str]) -> str | None:
    for raw in header_lines[:12]:
        line = EMAIL.sub(" ", raw)
        match = _LOCATION.search(line)
        if match and not any(ch.isdigit() for ch in match.group(1)):
            return match.group(0).strip()
    return None


def _unique(values: object) -> list[str]:
    out: list[str] = []
    for value in values:  # type: ignore[attr-defined]
        if value not in out:
            out.append(value)
    return out
