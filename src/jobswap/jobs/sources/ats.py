"""Employers' applicant-tracking feeds: public, documented JSON and stable.

- Greenhouse job board API: GET /v1/boards/{board}/jobs?content=true (one answer, every job).
- Lever postings API: GET /v0/postings/{company}?mode=json&skip=&limit= (paged).
A query's words filter titles here, since these feeds list an employer's every opening.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from typing import Any

from jobswap.jobs.fetch import Fetcher, FetchError
from jobswap.jobs.normalise import Salary, title_key
from jobswap.jobs.sources.base import Page, Query, RawPosting


def _wanted(query: Query, title: str | None) -> bool:
    words = title_key(query.text).split()
    have = set(title_key(title).split())
    return not words or query.text.strip() == "*" or all(w in have for w in words)


def _option(query: Query, name: str, source: str) -> str:
    value = query.options.get(name)
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise FetchError("config", source, f"{source} needs options.{name} (the employer's token)")
    return value.strip()


class Greenhouse:
    name = "greenhouse"

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    async def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        board = _option(query, "board", self.name)
        url = f"{self.base}/v1/boards/{board}/jobs"
        body = (await fetch.get(url, params={"content": "true"})).json()
        if not isinstance(body, dict) or not isinstance(body.get("jobs"), list):
            raise FetchError("malformed", url, "no jobs list")
        company = await self._company_name(fetch, board)
        postings = []
        for job in body["jobs"]:
            if not isinstance(job, dict) or job.get("id") is None or not _wanted(query, job.get("title")):
                continue
            location = job.get("location")
            postings.append(
                RawPosting(
                    source=self.name,
                    source_id=f"{board}:{job['id']}",
                    url=job.get("absolute_url"),
                    title=job.get("title"),
                    company=job.get("company_name") or company,
                    location=location.get("name") if isinstance(location, dict) else None,
                    description_html=html.unescape(job.get("content") or "") or None,
                    posted=job.get("first_published") or job.get("updated_at"),
                )
            )
        yield Page(postings)

    async def _company_name(self, fetch: Fetcher, board: str) -> str:
        """The employer's name from the board's own record (the jobs list does not carry it)."""
        try:
            about = (await fetch.get(f"{self.base}/v1/boards/{board}")).json()
        except FetchError:
            return board
        name = about.get("name") if isinstance(about, dict) else None
        return name if isinstance(name, str) and name.strip() else board


class Lever:
    name = "lever"
    page_size = 100

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    async def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        company = _option(query, "company", self.name)
        url = f"{self.base}/v0/postings/{company}"
        for number in range(query.max_pages):
            params = {"mode": "json", "skip": number * self.page_size, "limit": self.page_size}
            body = (await fetch.get(url, params=params)).json()
            if not isinstance(body, list):
                raise FetchError("malformed", url, "not a list of postings")
            if not body:
                return
            postings = [p for p in (self._posting(company, item, query) for item in body) if p]
            yield Page(postings)
            if len(body) < self.page_size:
                return

    def _posting(self, company: str, item: Any, query: Query) -> RawPosting | None:
        if not isinstance(item, dict) or not item.get("id") or not _wanted(query, item.get("text")):
            return None
        categories = item.get("categories") or {}
        pay = item.get("salaryRange") or {}
        salary = None
        if isinstance(pay, dict) and pay.get("min") is not None:
            interval = str(pay.get("interval") or "")
            period = next((p for p in ("hour", "day", "week", "month", "year") if p in interval), "year")
            salary = Salary(pay.get("min"), pay.get("max"), pay.get("currency"), period)
        body = item.get("description") or ""
        for block in item.get("lists") or []:
            if isinstance(block, dict):
                body += (
                    f"<h3>{html.escape(str(block.get('text', '')))}</h3><ul>{block.get('content', '')}</ul>"
                )
        body += item.get("additional") or ""
        return RawPosting(
            source=self.name,
            source_id=f"{company}:{item['id']}",
            url=item.get("hostedUrl"),
            title=item.get("text"),
            company=query.options.get("company_name") or company,
            location=categories.get("location"),
            description_html=body or None,
            description_text=item.get("descriptionPlain") if not body else None,
            posted=item.get("createdAt"),
            employment_type=categories.get("commitment"),
            salary=salary,
            workplace=item.get("workplaceType"),
            country_hint=item.get("country"),
        )
