"""Reading a job seeker from a resume, a search query or a profile (pure, no I/O): the
occupations of their recent titles, their skills, years and level, and the words the
candidate query searches for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from jobswap.jobmatch.scoring import LEVELS, Seeker, confidence_of, level_of
from jobswap.matching.commute import CommuteMode
from jobswap.matching.compat import SalaryBandError, parse_band
from jobswap.occupations.titles import MEANINGFUL, title_index
from jobswap.resumes.parsed import ParsedResume
from jobswap.skills.taxonomy import taxonomy

RECENCY = (1.0, 0.85, 0.7, 0.6, 0.5)
MAX_TERMS = 48
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def occupations_of(titles: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """Each title's occupation weighted by its place (most recent first) and the reader's
    confidence; one entry per occupation, at its best weight."""
    index = title_index()
    best: dict[str, float] = {}
    for position, title in enumerate(titles[: len(RECENCY)]):
        found = index.match(title)
        if found is None or found.score < MEANINGFUL:
            continue
        weight = RECENCY[position] * min(1.0, found.score / 0.75)
        best[found.code] = max(best.get(found.code, 0.0), weight)
    return tuple(sorted(best.items(), key=lambda kv: -kv[1]))


def seniority_of(titles: Sequence[str]) -> str | None:
    for title in titles[:1]:
        found = title_index().match(title)
        if found is not None and found.seniority in LEVELS:
            return found.seniority
    return None


def pay_floor(band: str | None) -> tuple[float | None, str | None]:
    if not band:
        return None, None
    try:
        parsed = parse_band(band)
    except SalaryBandError:
        return None, None
    return parsed.minimum, parsed.currency


def search_terms(titles: Sequence[str], skills: Sequence[str]) -> list[str]:
    """Words for the full-text leg: the titles' words first, then the skills', at most MAX_TERMS."""
    terms: dict[str, None] = {}
    for phrase in [*titles[:3], *skills]:
        for word in _WORD.findall(phrase.casefold()):
            if len(word) > 1 or word in {"c", "r"}:
                terms.setdefault(word, None)
    return list(terms)[:MAX_TERMS]


def from_parts(
    *,
    titles: Sequence[str],
    skills: Sequence[str],
    words: int,
    years: float | None,
    embedding: Any = None,
    profile: dict[str, Any] | None = None,
) -> tuple[Seeker, list[str]]:
    """A Seeker and its search terms. `profile` carries the user's home, commute mode, salary
    band and current commute when known."""
    profile = profile or {}
    titles = [t for t in dict.fromkeys(t.strip() for t in titles if t and t.strip())]
    occupations = occupations_of(titles)
    level = seniority_of(titles) or level_of(years)
    confidence, reasons = confidence_of(
        occupations=len(occupations), skills=len(skills), words=words, years=years
    )
    vector = None
    if embedding is not None:
        vector = np.asarray(embedding, dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        vector = vector / norm if norm else None
    floor, currency = pay_floor(profile.get("salary_band"))
    home = profile.get("home")
    seeker = Seeker(
        skills=frozenset(s.casefold() for s in skills),
        occupations=occupations,
        years=years,
        level=level,
        embedding=vector,
        pay_floor=floor,
        pay_currency=currency,
        home=tuple(home) if home else None,
        mode=CommuteMode(profile.get("commute_mode") or CommuteMode.CAR),
        current_commute=profile.get("current_commute"),
        confidence=confidence,
        reasons=reasons,
    )
    return seeker, search_terms(titles, skills)


def resume_titles(parsed: ParsedResume, current_title: str | None = None) -> list[str]:
    """Most recent first: the profile's job title (today's job), the resume's headline, then
    its entries in the order written (resumes list the latest first)."""
    titles = [current_title or "", parsed.headline or ""]
    titles += [e.title for e in parsed.experience if e.title]
    return [t for t in titles if t]


def from_resume(
    parsed: ParsedResume, text: str, embedding: Any, profile: dict[str, Any] | None = None
) -> tuple[Seeker, list[str]]:
    profile = profile or {}
    skills = list(dict.fromkeys([*parsed.skills, *profile.get("skills", [])]))
    return from_parts(
        titles=resume_titles(parsed, profile.get("job_title")),
        skills=skills,
        words=len(text.split()),
        years=parsed.total_years_experience,
        embedding=embedding,
        profile=profile,
    )


def from_query(query: str, embedding: Any, profile: dict[str, Any] | None = None) -> tuple[Seeker, list[str]]:
    """A typed search ("data engineer python") read as a very short resume: its title and skills."""
    skills = taxonomy().find(query, listed=True)
    seeker, terms = from_parts(
        titles=[query], skills=skills, words=250, years=None, embedding=embedding, profile=profile
    )
    # a query is what the person asked for: no resume to be unsure of
    return replace(seeker, confidence=1.0, reasons=()), terms
