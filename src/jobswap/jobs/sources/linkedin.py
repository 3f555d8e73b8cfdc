"""LinkedIn's public guest pages: the job-search listing (HTML cards, 10 a page) and the
public job-view page of each posting, the one a signed-out visitor sees."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from jobswap.jobs.fetch import Fetcher, FetchError
from jobswap.jobs.sources.base import Page, Query, RawPosting, attr_of, text_of

_ID = re.compile(r"(?:jobPosting:|/jobs/view/(?:[^/?]*-)?)(\d{6,})")


def parse_cards(markup: str) -> list[RawPosting]:
    """The listing's cards: id, title, company, location, date and (sometimes) pay."""
    tree = LexborHTMLParser(markup)
    found: list[RawPosting] = []
    for card in tree.css("div.base-card, div.base-search-card, li > div.job-search-card"):
        urn = card.attributes.get("data-entity-urn") or ""
        link = attr_of(card, "a.base-card__full-link", "href") or attr_of(card, "a", "href") or ""
        match = _ID.search(urn) or _ID.search(link)
        if not match or any(f.source_id == match.group(1) for f in found):
            continue  # a card matching two selectors of the group is listed once
        found.append(
            RawPosting(
                source="linkedin",
                source_id=match.group(1),
                url=link.split("?")[0] or None,
                title=text_of(card, ".base-search-card__title"),
                company=text_of(card, ".base-search-card__subtitle"),
                location=text_of(card, ".job-search-card__location"),
                posted=attr_of(card, "time", "datetime"),
                salary_text=text_of(card, ".job-search-card__salary-info"),
            )
        )
    return found


def parse_job_page(markup: str, source_id: str | None = None) -> RawPosting | None:
    """A public job-view page. None when it is not one (a sign-in wall, a changed layout)."""
    tree = LexborHTMLParser(markup)
    title = text_of(tree, "h1.top-card-layout__title") or text_of(tree, "h1.topcard__title")
    if not title:
        return None
    canonical = attr_of(tree, 'link[rel="canonical"]', "href")
    if source_id is None:
        match = _ID.search(canonical or "")
        if not match:
            return None
        source_id = match.group(1)
    criteria: dict[str, str] = {}
    for item in tree.css("li.description__job-criteria-item"):
        key = text_of(item, ".description__job-criteria-subheader")
        value = text_of(item, ".description__job-criteria-text")
        if key and value:
            criteria[key.casefold()] = value
    body = tree.css_first("div.show-more-less-html__markup") or tree.css_first("div.description__text")
    company = text_of(tree, "a.topcard__org-name-link") or text_of(tree, "span.topcard__flavor")
    location = None
    for node in tree.css("span.topcard__flavor--bullet"):
        location = " ".join((node.text() or "").split()) or None
        break
    return RawPosting(
        source="linkedin",
        source_id=source_id,
        url=canonical.split("?")[0] if canonical else None,
        title=title,
        company=company,
        location=location,
        description_html=body.html if body is not None else None,
        posted=text_of(tree, ".posted-time-ago__text"),
        employment_type=criteria.get("employment type") or criteria.get("tipo de emprego"),
        salary_text=text_of(tree, ".compensation__salary"),
        level_hint=criteria.get("seniority level") or criteria.get("nível de experiência"),
        workplace=None,
    )


def _merge(card: RawPosting, page: RawPosting | None) -> RawPosting:
    if page is None:
        return card
    for name in ("title", "company", "location", "posted", "salary_text", "url"):
        if getattr(page, name) is None:
            setattr(page, name, getattr(card, name))
    return page


class LinkedIn:
    name = "linkedin"
    page_size = 10

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    async def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        seen: set[str] = set()
        for number in range(query.max_pages):
            params: dict[str, Any] = {"keywords": query.text, "start": number * self.page_size}
            if query.location:
                params["location"] = query.location
            listing = await fetch.get(
                f"{self.base}/jobs-guest/jobs/api/seeMoreJobPostings/search", params=params
            )
            cards = [c for c in parse_cards(listing.text) if c.source_id not in seen]
            if not cards:
                return
            page = Page([])
            for card in cards:
                seen.add(card.source_id)
                try:
                    detail = await fetch.get(f"{self.base}/jobs/view/{card.source_id}")
                    page.postings.append(_merge(card, parse_job_page(detail.text, card.source_id)))
                except FetchError as exc:
                    page.errors.append(exc)
                    page.postings.append(card)  # the card alone: validation decides
            yield page
