"""A local job board that plays every source JobSwap reads, in each one's real shapes.

One Starlette app serves LinkedIn's guest listing and job-view pages (the job-view pages are
real recorded pages), Indeed's and Glassdoor's GraphQL answers, ZipRecruiter's JSON,
CareerBuilder's listing and JSON-LD detail pages, Greenhouse's and Lever's feeds, and a small
career site for the generic adapter. Postings are synthetic and seeded; some appear on
several boards (one re-worded), as real postings do.

Faults are injected per path prefix: an answer with a status and headers (429 with
Retry-After, 503), a delay, a truncated or malformed body, or a changed layout.
"""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from jobswap.jobs.sources.linkedin import parse_job_page
from tests.servers import serve_in_threads

FIXTURES = Path(__file__).parent.parent / "fixtures" / "jobs" / "linkedin"

COMPANIES = [
    "Acme Analytics",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Finance",
    "Hooli",
    "Vandelay Imports",
    "Soylent Foods",
    "Cyberdyne Systems",
    "Tyrell Labs",
    "Wonka Retail",
]
TITLES = [
    "Data Engineer",
    "Senior Data Engineer",
    "Backend Developer",
    "Registered Nurse",
    "Accountant",
    "Product Manager",
    "Senior Software Engineer",
    "QA Analyst",
    "Customer Service Representative",
    "Marketing Specialist",
    "DevOps Engineer",
    "Junior Web Developer",
    "Financial Analyst",
]
CITIES = [
    ("Chicago", "IL"),
    ("Austin", "TX"),
    ("Seattle", "WA"),
    ("Denver", "CO"),
    ("Boston", "MA"),
    ("Atlanta", "GA"),
    ("Portland", "OR"),
    ("Phoenix", "AZ"),
]
SKILLS = [
    "Python",
    "SQL",
    "PostgreSQL",
    "Kubernetes",
    "Excel",
    "Salesforce",
    "Java",
    "Tableau",
    "AWS",
    "Docker",
    "React",
    "Git",
    "Linux",
    "Spark",
]
SENTENCES = [
    "You will own {skill_a} pipelines end to end and review designs with the team.",
    "We value clear writing, careful testing and steady delivery over heroics.",
    "Experience with {skill_b} and {skill_c} is expected; {skill_a} is a plus.",
    "The team ships small changes every day and keeps the on-call load light.",
    "You will work with product, design and support to solve real customer problems.",
    "We offer health insurance, a learning budget and flexible hours.",
    "{company} has grown steadily for ten years and serves customers in many countries.",
    "Requirements: {years}+ years of relevant experience and a habit of documenting decisions.",
]


@dataclass
class Posting:
    key: int
    title: str
    company: str
    city: str
    region: str
    description: str
    pay_low: int
    pay_high: int
    days_ago: int
    remote: bool

    @property
    def location(self) -> str:
        return f"{self.city}, {self.region}"


def catalogue(count: int, seed: int = 1) -> list[Posting]:
    rng = random.Random(seed)
    combos = [(t, c, city) for t in TITLES for c in COMPANIES for city in CITIES]
    rng.shuffle(combos)
    out = []
    for key, (title, company, (city, region)) in enumerate(combos[:count]):
        skills = rng.sample(SKILLS, 3)
        words = {
            "skill_a": skills[0],
            "skill_b": skills[1],
            "skill_c": skills[2],
            "company": company,
            "years": rng.choice([1, 3, 5, 8]),
        }
        text = " ".join(s.format(**words) for s in rng.sample(SENTENCES, 6))
        low = rng.choice([45, 60, 75, 90, 110, 130]) * 1000
        out.append(
            Posting(
                key,
                title,
                company,
                city,
                region,
                f"{title} at {company}. {text}",
                low,
                low + 20_000,
                rng.randint(0, 20),
                rng.random() < 0.2,
            )
        )
    return out


def linkedin_pages() -> dict[str, str]:
    """Card id -> the recorded page (the file's id, or the page's own id when the name has none)."""
    pages = {}
    for path in sorted(FIXTURES.glob("*.html")):
        markup = path.read_text(encoding="utf-8")
        number = path.stem.removeprefix("job-")
        if len(number) < 6:
            found = re.search(r'rel="canonical" href="[^"]*?(\d{8,})"', markup)
            assert found, path
            number = found.group(1)
        pages[number] = markup
    return pages


@dataclass
class Fault:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    delay: float = 0.0


@dataclass
class Board:
    postings: list[Posting]
    robots: str = "User-agent: *\nAllow: /\n"
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    always: dict[str, Fault] = field(default_factory=dict)  # path prefix -> a fault on every call
    hits: list[tuple[float, str, str]] = field(default_factory=list)  # (time, host, path)
    changed_layout: bool = False
    page_delay: float = 0.0
    linkedin: dict[str, str] = field(default_factory=linkedin_pages)

    def on(self, source: str) -> list[Posting]:
        """Which postings each board lists: overlapping subsets, as on the real web."""
        rules = {
            "indeed": lambda p: p.key % 4 in (0, 1),
            "ziprecruiter": lambda p: p.key % 4 in (1, 2),
            "glassdoor": lambda p: p.key % 4 in (2, 3) or p.key % 7 == 0,
            "careerbuilder": lambda p: p.key % 3 == 0,
            "greenhouse": lambda p: p.company == "Acme Analytics",
            "lever": lambda p: p.company == "Globex",
            "generic": lambda p: p.company == "Initech",
        }
        return [p for p in self.postings if rules[source](p)]

    def inject(self, prefix: str, *faults: Fault) -> None:
        self.faults.setdefault(prefix, []).extend(faults)

    def reset(self) -> None:
        self.faults.clear()
        self.always.clear()
        self.hits.clear()
        self.changed_layout = False
        self.page_delay = 0.0
        self.robots = "User-agent: *\nAllow: /\n"

    @property
    def app(self) -> Starlette:
        routes = [
            Route("/robots.txt", self.robots_txt),
            Route("/jobs-guest/jobs/api/seeMoreJobPostings/search", self.linkedin_search),
            Route("/jobs/view/{job_id}", self.linkedin_view),
            Route("/graphql", self.indeed, methods=["POST"]),
            Route("/graph", self.glassdoor, methods=["POST"]),
            Route("/jobs-app/jobs", self.ziprecruiter),
            Route("/jobs", self.careerbuilder_list),
            Route("/job/{key}", self.careerbuilder_job),
            Route("/v1/boards/{board}/jobs", self.greenhouse),
            Route("/v1/boards/{board}", self.greenhouse_board),
            Route("/v0/postings/{company}", self.lever),
            Route("/careers", self.career_site),
            Route("/go", self.go),
            Route("/spa", self.spa),
            Route("/spa/openings.json", self.spa_data),
        ]
        return Starlette(routes=routes)

    async def _gate(self, request: Request) -> Response | None:
        path = request.url.path
        self.hits.append((time.monotonic(), request.url.netloc, path))
        for prefix, fault in self.always.items():
            if path.startswith(prefix):
                return await self._answer(fault)
        for prefix, queue in self.faults.items():
            if path.startswith(prefix) and queue:
                return await self._answer(queue.pop(0))
        if self.page_delay and path != "/robots.txt":
            await asyncio.sleep(self.page_delay)
        return None

    async def _answer(self, fault: Fault) -> Response | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status == 200 and fault.body is None:
            return None
        return Response(fault.body or "", status_code=fault.status, headers=fault.headers)

    async def robots_txt(self, request: Request) -> Response:
        return await self._gate(request) or PlainTextResponse(self.robots)

    # --- LinkedIn ---------------------------------------------------------------------------

    async def linkedin_search(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        start = int(request.query_params.get("start", "0"))
        ids = list(self.linkedin)[start : start + 10]
        cards = []
        for job_id in ids:
            page = parse_job_page(self.linkedin[job_id], job_id)
            assert page is not None and page.title and page.company
            cards.append(
                f'<li><div class="base-card base-search-card" data-entity-urn="urn:li:jobPosting:{job_id}">'
                f'<a class="base-card__full-link" href="{request.base_url}jobs/view/x-{job_id}?trk=a"></a>'
                f'<h3 class="base-search-card__title">{html.escape(page.title)}</h3>'
                f'<h4 class="base-search-card__subtitle"><a>{html.escape(page.company)}</a></h4>'
                f'<span class="job-search-card__location">{html.escape(page.location or "")}</span>'
                f'<time class="job-search-card__listdate" datetime="2023-11-20"></time></div></li>'
            )
        return HTMLResponse("".join(cards))

    async def linkedin_view(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        page = self.linkedin.get(request.path_params["job_id"])
        if page is None:
            return HTMLResponse("not found", status_code=404)
        if self.changed_layout:
            page = page.replace("top-card-layout__title", "jobs-unified-top-card__title")
        return HTMLResponse(page)

    # --- JSON boards ----------------------------------------------------------------------------

    async def indeed(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        variables = (await request.json())["variables"]
        start = int(variables.get("cursor") or 0)
        chosen = self._matching(self.on("indeed"), variables.get("what"))
        page = chosen[start : start + 15]
        results = [
            {
                "job": {
                    "key": f"in{p.key}",
                    "title": p.title,
                    "datePublished": int((time.time() - p.days_ago * 86400) * 1000),
                    "description": {
                        "html": "".join(f"<p>{html.escape(s)}.</p>" for s in p.description.split(". "))
                    },
                    "location": {
                        "city": p.city,
                        "admin1Code": p.region,
                        "countryCode": "US",
                        "formatted": {"long": p.location},
                    },
                    "compensation": {
                        "baseSalary": {"unitOfWork": "YEAR", "range": {"min": p.pay_low, "max": p.pay_high}},
                        "currencyCode": "USD",
                    },
                    "attributes": [{"label": "Full-time"}] + ([{"label": "Remote"}] if p.remote else []),
                    "employer": {"name": p.company},
                    "recruit": {"viewJobUrl": f"{request.base_url}viewjob?jk=in{p.key}"},
                }
            }
            for p in page
        ]
        more = start + 15 < len(chosen)
        return JSONResponse(
            {
                "data": {
                    "jobSearch": {
                        "results": results,
                        "pageInfo": {"nextCursor": str(start + 15) if more else None},
                    }
                }
            }
        )

    async def glassdoor(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        variables = (await request.json())[0]["variables"]
        number = int(variables["pageNumber"])
        chosen = self._matching(self.on("glassdoor"), variables.get("keyword"))
        page = chosen[(number - 1) * 10 : number * 10]
        listings = [
            {
                "jobview": {
                    "header": {
                        "jobTitleText": p.title.replace("Senior ", "Sr. "),
                        "employerNameFromSearch": p.company,
                        "locationName": p.location,
                        "ageInDays": p.days_ago,
                        "payPeriod": "ANNUAL",
                        "payCurrency": "USD",
                        "payPeriodAdjustedPay": {"p10": p.pay_low - 3000, "p90": p.pay_high + 3000},
                        "jobLink": f"/job-listing/gd{p.key}",
                    },
                    "job": {"listingId": 900000 + p.key, "descriptionFragmentsText": p.description},
                }
            }
            for p in page
        ]
        cursors = (
            [{"pageNumber": number + 1, "cursor": f"c{number + 1}"}] if number * 10 < len(chosen) else []
        )
        return JSONResponse(
            [{"data": {"jobListings": {"jobListings": listings, "paginationCursors": cursors}}}]
        )

    async def ziprecruiter(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        start = int(request.query_params.get("continue_from") or 0)
        chosen = self._matching(self.on("ziprecruiter"), request.query_params.get("search"))
        jobs = [
            {
                "listing_key": f"zr{p.key}",
                "name": p.title,
                "hiring_company": {"name": f"{p.company}, Inc."},
                "job_city": p.city,
                "job_state": p.region,
                "job_country": "US",
                "compensation_min": p.pay_low,
                "compensation_max": p.pay_high,
                "compensation_interval": "annual",
                "job_url": f"{request.base_url}c/job/zr{p.key}",
                "job_description": f"<div>{html.escape(p.description)}</div>",
                "posted_time": f"2026-11-{max(1, 22 - p.days_ago):02d}T10:00:00Z",
                "employment_type": "Full-Time",
            }
            for p in chosen[start : start + 20]
        ]
        more = start + 20 < len(chosen)
        return JSONResponse({"jobs": jobs, "continue": str(start + 20) if more else None})

    # --- HTML and JSON-LD ---------------------------------------------------------------------

    async def careerbuilder_list(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        number = int(request.query_params.get("page_number", "1"))
        chosen = self._matching(self.on("careerbuilder"), request.query_params.get("keywords"))
        items = "".join(
            f'<li class="data-results-content-parent"><a class="data-results-content" href="/job/cb{p.key}">'
            f"{html.escape(p.title)}</a></li>"
            for p in chosen[(number - 1) * 10 : number * 10]
        )
        return HTMLResponse(f"<html><body><ul>{items}</ul></body></html>")

    async def careerbuilder_job(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        key = int(request.path_params["key"].removeprefix("cb"))
        p = next(p for p in self.postings if p.key == key)
        return HTMLResponse(_json_ld_page(p, f"{request.base_url}job/cb{p.key}", f"cb{p.key}"))

    async def go(self, request: Request) -> Response:
        """A redirect to wherever `to` says (for the outbound policy's hop-by-hop check)."""
        return RedirectResponse(request.query_params["to"], status_code=302)

    async def career_site(self, request: Request) -> Response:
        """A plain career page the generic adapter reads with CSS rules (no JSON-LD)."""
        if (stop := await self._gate(request)) is not None:
            return stop
        number = int(request.query_params.get("page", "1"))
        chosen = self.on("generic")
        rows = "".join(
            f'<div class="opening" data-id="i{p.key}"><h2 class="role">{html.escape(p.title)}</h2>'
            f'<span class="org">{html.escape(p.company)}</span><span class="where">{p.location}</span>'
            f'<span class="pay">${p.pay_low // 1000}K-${p.pay_high // 1000}K a year</span>'
            f'<a class="apply" href="/careers/i{p.key}">Apply</a><p class="summary">{html.escape(p.description)}</p></div>'
            for p in chosen[(number - 1) * 5 : number * 5]
        )
        nxt = f'<a rel="next" href="/careers?page={number + 1}">Next</a>' if number * 5 < len(chosen) else ""
        return HTMLResponse(f"<html><body><main>{rows}</main>{nxt}</body></html>")

    async def spa(self, request: Request) -> Response:
        """A career page whose list is built in the browser from JSON: empty without JavaScript."""
        if (stop := await self._gate(request)) is not None:
            return stop
        script = (
            "fetch('/spa/openings.json').then(r => r.json()).then(items => {"
            "const main = document.querySelector('main');"
            "for (const o of items) { const d = document.createElement('div'); d.className = 'opening';"
            'd.innerHTML = `<h2 class="role">${o.title}</h2><span class="org">${o.company}</span>'
            '<span class="where">${o.location}</span><a class="apply" href="/spa/${o.id}">Apply</a>'
            '<p class="summary">${o.description}</p>`; main.appendChild(d); }'
            "document.body.dataset.ready = '1'; });"
        )
        return HTMLResponse(f"<html><body><main></main><script>{script}</script></body></html>")

    async def spa_data(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        return JSONResponse(
            [
                {
                    "id": f"s{p.key}",
                    "title": p.title,
                    "company": p.company,
                    "location": p.location,
                    "description": p.description,
                }
                for p in self.on("generic")
            ]
        )

    # --- ATS feeds -----------------------------------------------------------------------------------

    async def greenhouse(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        if request.path_params["board"] != "acme":
            return JSONResponse({"status": 404, "error": "Job not found"}, status_code=404)
        jobs = [
            {
                "id": 4000 + p.key,
                "title": p.title,
                "updated_at": "2026-11-20T12:00:00-05:00",
                "location": {"name": "Remote" if p.remote else p.location},
                "absolute_url": f"{request.base_url}acme/jobs/{4000 + p.key}",
                "content": html.escape(f"<p>{p.description}</p>"),
            }
            for p in self.on("greenhouse")
        ]
        return JSONResponse({"jobs": jobs, "meta": {"total": len(jobs)}})

    async def greenhouse_board(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        if request.path_params["board"] != "acme":
            return JSONResponse({"status": 404, "error": "Board not found"}, status_code=404)
        return JSONResponse({"name": "Acme Analytics", "content": "<p>We build analytics.</p>"})

    async def lever(self, request: Request) -> Response:
        if (stop := await self._gate(request)) is not None:
            return stop
        skip, limit = int(request.query_params.get("skip", 0)), int(request.query_params.get("limit", 100))
        postings = [
            {
                "id": f"lv-{p.key}",
                "text": p.title,
                "hostedUrl": f"{request.base_url}globex/lv-{p.key}",
                "createdAt": int((time.time() - p.days_ago * 86400) * 1000),
                "categories": {"location": p.location, "commitment": "Full-time", "team": "Engineering"},
                "description": f"<div>{html.escape(p.description)}</div>",
                "lists": [],
                "additional": "",
                "salaryRange": {
                    "min": p.pay_low,
                    "max": p.pay_high,
                    "currency": "USD",
                    "interval": "per-year-salary",
                },
                "workplaceType": "remote" if p.remote else "onsite",
                "country": "US",
            }
            for p in self.on("lever")
        ]
        return JSONResponse(postings[skip : skip + limit])

    @staticmethod
    def _matching(postings: list[Posting], query: str | None) -> list[Posting]:
        words = (query or "").casefold().split()
        return [p for p in postings if all(w in f"{p.title} {p.description}".casefold() for w in words)]


def _json_ld_page(p: Posting, url: str, ident: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": p.title,
        "identifier": {"@type": "PropertyValue", "value": ident},
        "url": url,
        "hiringOrganization": {"@type": "Organization", "name": p.company},
        "jobLocation": {
            "@type": "Place",
            "address": {"addressLocality": p.city, "addressRegion": p.region, "addressCountry": "US"},
        },
        "description": "<p>" + html.escape(p.description) + "</p>",
        "datePosted": "2026-11-18",
        "employmentType": "FULL_TIME",
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "USD",
            "value": {"minValue": p.pay_low, "maxValue": p.pay_high, "unitText": "YEAR"},
        },
    }
    return (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head>'
        f"<body><h1>{html.escape(p.title)}</h1></body></html>"
    )


@contextmanager
def serve(board: Board, hosts: int = 1) -> Iterator[list[str]]:
    """Serve the board on `hosts` ports (each port is a host to the per-host rate limits)."""
    with serve_in_threads(board.app, hosts) as urls:
        yield urls


def settings_for(urls: list[str]) -> dict[str, Any]:
    """Every source's base URL pointed at the board (round-robin over the hosts given)."""
    names = ["linkedin", "indeed", "glassdoor", "ziprecruiter", "careerbuilder", "greenhouse", "lever"]
    return {f"{name}_url": urls[i % len(urls)] for i, name in enumerate(names)}
