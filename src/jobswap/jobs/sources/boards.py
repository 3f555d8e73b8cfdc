"""Indeed, Glassdoor and ZipRecruiter, through the JSON endpoints their own sites and apps call.

The request and answer shapes follow what those endpoints return publicly (the fields
JobSpy and similar tools read); only the fields JobSwap stores are read here, and a
missing field is None, not an error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from jobswap.jobs.fetch import Fetcher, FetchError
from jobswap.jobs.normalise import Salary
from jobswap.jobs.sources.base import Page, Query, RawPosting

_INDEED_QUERY = """
query GetJobData($what: String, $location: String, $cursor: String) {
  jobSearch(what: $what, location: {where: $location}, limit: 100, cursor: $cursor, sort: DATE) {
    pageInfo { nextCursor }
    results { job { key title datePublished description { html }
      location { city admin1Code countryCode formatted { long } }
      compensation { baseSalary { unitOfWork range { ... on Range { min max } } } currencyCode }
      attributes { label } employer { name } recruit { viewJobUrl } } }
  }
}
"""
_UNITS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year", "ANNUAL": "year"}


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _shape(ok: bool, url: str, what: str) -> None:
    if not ok:
        raise FetchError("malformed", url, f"unexpected answer shape: {what}")


class Indeed:
    name = "indeed"

    def __init__(self, base_url: str) -> None:
        self.url = base_url.rstrip("/") + "/graphql"

    async def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        cursor = None
        for _ in range(query.max_pages):
            variables = {"what": query.text, "location": query.location or "", "cursor": cursor}
            body = (await fetch.post(self.url, json={"query": _INDEED_QUERY, "variables": variables})).json()
            search = _get(body, "data", "jobSearch")
            _shape(
                isinstance(search, dict) and isinstance(search.get("results"), list), self.url, "jobSearch"
            )
            postings = [p for p in (self._posting(r.get("job")) for r in search["results"]) if p]
            if not postings:
                return
            yield Page(postings)
            cursor = _get(search, "pageInfo", "nextCursor")
            if not cursor:
                return

    def _posting(self, job: Any) -> RawPosting | None:
        if not isinstance(job, dict) or not job.get("key"):
            return None
        pay = _get(job, "compensation", "baseSalary")
        salary = None
        if isinstance(pay, dict) and isinstance(pay.get("range"), dict):
            salary = Salary(
                pay["range"].get("min"),
                pay["range"].get("max"),
                _get(job, "compensation", "currencyCode"),
                _UNITS.get(str(pay.get("unitOfWork"))),
            )
        labels = " ".join(str(a.get("label", "")) for a in job.get("attributes") or [] if isinstance(a, dict))
        return RawPosting(
            source=self.name,
            source_id=str(job["key"]),
            url=_get(job, "recruit", "viewJobUrl"),
            title=job.get("title"),
            company=_get(job, "employer", "name"),
            location=_get(job, "location", "formatted", "long"),
            description_html=_get(job, "description", "html"),
            posted=job.get("datePublished"),
            employment_type=labels or None,
            salary=salary,
            workplace=labels or None,
            country_hint=_get(job, "location", "countryCode"),
        )


class Glassdoor:
    name = "glassdoor"

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    async def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        cursor = None
        url = f"{self.base}/graph"
        for number in range(1, query.max_pages + 1):
            variables = {
                "keyword": query.text,
                "locationName": query.location or "",
                "pageNumber": number,
                "pageCursor": cursor,
                "numJobsToShow": 30,
            }
            body = (
                await fetch.post(
                    url, json=[{"operationName": "JobSearchResultsQuery", "variables": variables}]
                )
            ).json()
            listings = _get(body[0] if isinstance(body, list) and body else body, "data", "jobListings")
            _shape(
                isinstance(listings, dict) and isinstance(listings.get("jobListings"), list),
                url,
                "jobListings",
            )
            postings = [
                p for p in (self._posting(item.get("jobview")) for item in listings["jobListings"]) if p
            ]
            if not postings:
                return
            yield Page(postings)
            cursors = {c.get("pageNumber"): c.get("cursor") for c in listings.get("paginationCursors") or []}
            cursor = cursors.get(number + 1)
            if not cursor:
                return

    def _posting(self, view: Any) -> RawPosting | None:
        header = _get(view, "header") or {}
        listing_id = _get(view, "job", "listingId")
        if not listing_id:
            return None
        pay = header.get("payPeriodAdjustedPay") or {}
        salary = None
        if pay.get("p10") is not None:
            salary = Salary(
                pay.get("p10"),
                pay.get("p90"),
                header.get("payCurrency"),
                _UNITS.get(str(header.get("payPeriod")), "year"),
                estimated=True,
            )
        link = header.get("jobLink")
        return RawPosting(
            source=self.name,
            source_id=str(listing_id),
            url=f"{self.base}{link}" if isinstance(link, str) and link.startswith("/") else link,
            title=header.get("jobTitleText"),
            company=header.get("employerNameFromSearch") or _get(header, "employer", "name"),
            location=header.get("locationName"),
            description_text=_get(view, "job", "descriptionFragmentsText"),
            posted=f"{header['ageInDays']} days ago" if isinstance(header.get("ageInDays"), int) else None,
            salary=salary,
            salary_text=header.get("salarySource"),
        )


class ZipRecruiter:
    name = "ziprecruiter"

    def __init__(self, base_url: str) -> None:
        self.url = base_url.rstrip("/") + "/jobs-app/jobs"

    async def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        token = None
        for _ in range(query.max_pages):
            params: dict[str, Any] = {"search": query.text, "location": query.location or ""}
            if token:
                params["continue_from"] = token
            body = (await fetch.get(self.url, params=params)).json()
            _shape(isinstance(body, dict) and isinstance(body.get("jobs"), list), self.url, "jobs")
            postings = [p for p in (self._posting(j) for j in body["jobs"]) if p]
            if not postings:
                return
            yield Page(postings)
            token = body.get("continue")
            if not token:
                return

    def _posting(self, job: Any) -> RawPosting | None:
        if not isinstance(job, dict) or not job.get("listing_key"):
            return None
        interval = str(job.get("compensation_interval") or "").lower()
        salary = None
        if job.get("compensation_min") is not None:
            salary = Salary(
                job.get("compensation_min"),
                job.get("compensation_max"),
                job.get("compensation_currency") or "USD",
                {"annual": "year", "hourly": "hour", "monthly": "month", "weekly": "week"}.get(
                    interval, "year"
                ),
            )
        where = ", ".join(str(job[k]) for k in ("job_city", "job_state") if job.get(k))
        return RawPosting(
            source=self.name,
            source_id=str(job["listing_key"]),
            url=job.get("job_url"),
            title=job.get("name"),
            company=_get(job, "hiring_company", "name"),
            location=where or None,
            description_html=job.get("job_description"),
            posted=job.get("posted_time"),
            employment_type=job.get("employment_type"),
            salary=salary,
            country_hint={"US": "US", "CA": "CA"}.get(str(job.get("job_country"))),
        )
