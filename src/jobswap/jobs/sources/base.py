"""The contract every source adapter keeps: a search query in, raw postings out, page by page."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from selectolax.lexbor import LexborHTMLParser

from jobswap.jobs.fetch import Fetcher, FetchError
from jobswap.jobs.normalise import Salary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Query:
    text: str
    location: str | None = None
    max_pages: int = 10
    # Source-specific values: Greenhouse "board", Lever "company", generic "url" and "rules".
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawPosting:
    """What a board shows, before normalisation. Only `source` and `source_id` are certain."""

    source: str
    source_id: str
    url: str | None = None
    title: str | None = None
    company: str | None = None
    location: str | None = None
    description_html: str | None = None
    description_text: str | None = None
    posted: str | int | float | None = None
    employment_type: str | None = None
    salary_text: str | None = None
    salary: Salary | None = None
    workplace: str | None = None
    level_hint: str | None = None
    country_hint: str | None = None


@dataclass
class Page:
    """One listing page's postings, plus what went wrong fetching its details (by kind)."""

    postings: list[RawPosting]
    errors: list[FetchError] = field(default_factory=list)


class Source(Protocol):
    name: str

    def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        """Listing pages in order, until the board has no more or `query.max_pages` is reached."""
        ...


def text_of(node: Any, selector: str) -> str | None:
    found = node.css_first(selector) if node is not None else None
    if found is None:
        return None
    value = " ".join((found.text(separator=" ") or "").split())
    return value or None


def attr_of(node: Any, selector: str, name: str) -> str | None:
    found = node.css_first(selector) if node is not None else None
    if found is None:
        return None
    value = found.attributes.get(name)
    return value.strip() if value else None


def json_ld_postings(markup: str) -> list[dict[str, Any]]:
    """Every schema.org JobPosting object in a page's JSON-LD blocks (lists and @graph too)."""
    tree = LexborHTMLParser(markup)
    found: list[dict[str, Any]] = []
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True) or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if "JobPosting" in kinds:
                    found.append(item)
                elif "@graph" in item:
                    stack.append(item["@graph"])
    return found


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def from_json_ld(source: str, item: dict[str, Any], url: str | None) -> RawPosting | None:
    """A schema.org JobPosting as a raw posting."""
    org = _first(item.get("hiringOrganization"))
    company = org.get("name") if isinstance(org, dict) else org if isinstance(org, str) else None
    place = _first(item.get("jobLocation"))
    address = place.get("address") if isinstance(place, dict) else None
    location = None
    country = None
    if isinstance(address, dict):
        country_value = address.get("addressCountry")
        if isinstance(country_value, dict):
            country_value = country_value.get("name")
        country = country_value if isinstance(country_value, str) and len(country_value) == 2 else None
        parts = [address.get("addressLocality"), address.get("addressRegion"), country_value]
        location = ", ".join(str(p) for p in parts if p)
    elif isinstance(address, str):
        location = address
    identifier = item.get("identifier")
    ident = identifier.get("value") if isinstance(identifier, dict) else identifier
    link = item.get("url") or url
    if not (ident or link):
        return None
    salary_text = None
    pay = item.get("baseSalary")
    if isinstance(pay, dict):
        value = pay.get("value")
        if isinstance(value, dict):
            low, high = value.get("minValue", value.get("value")), value.get("maxValue")
            unit = str(value.get("unitText") or "").lower()
            amounts = " - ".join(str(v) for v in (low, high) if v is not None)
            salary_text = f"{pay.get('currency') or ''} {amounts} per {unit or 'year'}".strip()
        elif value is not None:
            salary_text = f"{pay.get('currency') or ''} {value}"
    kind = item.get("employmentType")
    remote = "remote" if str(item.get("jobLocationType", "")).upper() == "TELECOMMUTE" else None
    return RawPosting(
        source=source,
        source_id=str(ident or link),
        url=link,
        title=item.get("title"),
        company=company,
        location=location,
        description_html=item.get("description"),
        posted=item.get("datePosted"),
        employment_type=", ".join(kind) if isinstance(kind, list) else kind,
        salary_text=salary_text,
        workplace=remote,
        country_hint=country,
    )
