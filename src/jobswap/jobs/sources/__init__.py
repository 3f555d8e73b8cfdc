"""Source adapters, one per board or feed, all behind `Source` (see base.py)."""

from __future__ import annotations

from collections.abc import Callable

from jobswap.config import Settings
from jobswap.jobs.sources.ats import Greenhouse, Lever
from jobswap.jobs.sources.base import Page, Query, RawPosting, Source
from jobswap.jobs.sources.boards import Glassdoor, Indeed, ZipRecruiter
from jobswap.jobs.sources.linkedin import LinkedIn
from jobswap.jobs.sources.pages import CareerPages, careerbuilder

_FACTORIES: dict[str, Callable[[Settings], Source]] = {
    "linkedin": lambda s: LinkedIn(s.linkedin_url),
    "indeed": lambda s: Indeed(s.indeed_url),
    "glassdoor": lambda s: Glassdoor(s.glassdoor_url),
    "ziprecruiter": lambda s: ZipRecruiter(s.ziprecruiter_url),
    "careerbuilder": lambda s: careerbuilder(s.careerbuilder_url),
    "greenhouse": lambda s: Greenhouse(s.greenhouse_url),
    "lever": lambda s: Lever(s.lever_url),
    "generic": lambda s: CareerPages(),
}
SOURCES = tuple(_FACTORIES)


def build_source(name: str, settings: Settings) -> Source:
    """The adapter for `name`, pointed at the base URL its setting names."""
    if name not in _FACTORIES:
        raise ValueError(f"unknown source {name!r}; known: {', '.join(SOURCES)}")
    return _FACTORIES[name](settings)


__all__ = ["SOURCES", "Page", "Query", "RawPosting", "Source", "build_source"]
