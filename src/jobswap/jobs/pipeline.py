"""normalise -> validate -> de-duplicate -> store, one listing page at a time.

De-duplication, in order:
1. the same board and board id: the same job (a re-scrape updates it);
2. the same fingerprint (normalised company + title + city, or "remote"/country);
3. the same company with a near-identical description (SimHash within a few bits) and a
   similar title: the same posting re-worded on another board.
Transaction-scoped advisory locks on the page's companies serialise two runs (or two
sources of one run) that meet the same posting at once, so it is stored once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.jobs import normalise as n
from jobswap.jobs.models import Job, JobSource
from jobswap.jobs.placing import read_job
from jobswap.jobs.sources.base import RawPosting
from jobswap.resumes.parsing.language import detect_language
from jobswap.skills.taxonomy import taxonomy

log = logging.getLogger(__name__)

NEAR_DUPLICATE_BITS = 6
_DAY = timedelta(days=1)
MAX_DESCRIPTION = 100_000
_ANNUAL = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}
# Fields an admin correction pins: a re-scrape leaves them as corrected.
CORRECTABLE = (
    "title", "company", "description", "location", "city", "region", "country", "salary_min",
    "salary_max", "salary_currency", "salary_period", "employment_type", "workplace", "experience_level",
    "language", "skills",
)  # fmt: skip


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Clean:
    """A posting ready to store."""

    source: str
    source_id: str
    url: str | None
    fields: dict[str, Any]
    fingerprint: str
    simhash: int


def _short(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:limit] or None


def clean(raw: RawPosting, *, now: datetime | None = None) -> Clean:
    """Normalise one raw posting, or raise Rejected with the reason."""
    if not raw.source_id or len(raw.source_id) > 300:
        raise Rejected("missing_id")
    title = _short(n.clean_text(raw.title or ""), 1000)
    company = _short(n.clean_text(raw.company or ""), 1000)
    if not title:
        raise Rejected("missing_title")
    if not company:
        raise Rejected("missing_company")
    if len(title) > 300 or len(company) > 300:
        raise Rejected("field_too_long")
    if raw.url and not re.match(r"^https?://", raw.url):
        raise Rejected("bad_url")
    safe_html = n.sanitise_html(raw.description_html) if raw.description_html else ""
    description = n.html_to_text(safe_html) if safe_html else n.clean_text(raw.description_text or "")
    if len(description) > MAX_DESCRIPTION:
        raise Rejected("description_too_long")
    place = n.parse_location(raw.location, country_hint=raw.country_hint)
    salary = raw.salary or n.parse_salary(raw.salary_text)
    if (
        salary
        and salary.minimum is not None
        and salary.maximum is not None
        and salary.minimum > salary.maximum
    ):
        salary = n.Salary(salary.maximum, salary.minimum, salary.currency, salary.period, salary.estimated)
    if salary and ((salary.minimum or 0) < 0 or (salary.maximum or 0) > 100_000_000):
        raise Rejected("implausible_salary")
    workplace = n.workplace(raw.workplace, raw.location, title) or ("remote" if place.remote else None)
    skills = taxonomy().find(description)[:60] if description else []
    posted = n.parse_posted(raw.posted, now=now)
    if posted and posted > (now or datetime.now(UTC)).replace(microsecond=0) + _DAY:
        posted = None  # a date in the future is a board's mistake, not a fact
    yearly = _ANNUAL.get(salary.period or "", 0) if salary else 0
    fields: dict[str, Any] = {
        "title": title,
        "company": company,
        "company_key": n.company_key(company)[:300],
        "description": description,
        "description_html": safe_html,
        "location": _short(raw.location, 300),
        "city": _short(place.city, 120),
        "region": _short(place.region, 120),
        "country": place.country if place.country and len(place.country) == 2 else None,
        "salary_range": _short(raw.salary_text, 200),
        "salary_min": salary.minimum if salary else None,
        "salary_max": salary.maximum if salary else None,
        "salary_currency": salary.currency if salary else None,
        "salary_period": salary.period if salary else None,
        "salary_annual_min": salary.minimum * yearly if salary and salary.minimum and yearly else None,
        "salary_annual_max": salary.maximum * yearly if salary and salary.maximum and yearly else None,
        "employment_type": n.employment_type(raw.employment_type) or n.employment_type(title),
        "workplace": workplace,
        "experience_level": n.experience_level(title, raw.level_hint, description),
        "language": detect_language(f"{title}\n{description[:2000]}"),  # enough to tell, and quick
        "skills": skills,
        "canonical_url": raw.url,
        "posted_at": posted,
        **read_job(title, raw.location, place.country),
    }
    return Clean(
        raw.source,
        raw.source_id,
        raw.url,
        fields,
        n.fingerprint(company, title, place),
        n.simhash(description) if len(description) >= 200 else 0,
    )


@dataclass
class Outcome:
    new: int = 0
    updated: int = 0
    merged: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    job_ids: list[Any] = field(default_factory=list)  # new or changed: to embed


def prepare(postings: list[RawPosting], now: datetime) -> tuple[list[Clean], dict[str, int]]:
    """Clean a page's postings (CPU work, no I/O: run it in a thread); rejections by reason."""
    items: list[Clean] = []
    rejected: dict[str, int] = {}
    for raw in postings:
        try:
            items.append(clean(raw, now=now))
        except Rejected as exc:
            rejected[exc.reason] = rejected.get(exc.reason, 0) + 1
            log.info(
                "posting rejected",
                extra={"source": raw.source, "source_id": raw.source_id[:100], "reason": exc.reason},
            )
    return items, rejected


async def store(
    session: AsyncSession,
    postings: list[RawPosting],
    *,
    now: datetime | None = None,
    prepared: tuple[list[Clean], dict[str, int]] | None = None,
) -> Outcome:
    """Store one page's postings (the caller owns the transaction)."""
    now = now or datetime.now(UTC)
    items, rejected = prepared or prepare(postings, now)
    outcome = Outcome(rejected=dict(rejected))
    # Every match (board id, fingerprint, near duplicate) is within one company: lock the page's
    # companies, in sorted order so that two pages never wait on each other in a cycle.
    for key in sorted({item.fields["company_key"] for item in items}):
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"jobs:{key}"})
    if items:
        await _upsert_page(session, items, now, outcome)
    if outcome.job_ids:
        await bump_corpus(session)
    return outcome


async def bump_corpus(session: AsyncSession) -> int:
    """Move the job corpus version on, last in the transaction that changed jobs (the row lock
    is then held only until that commit): cached ranked lists computed before it are stale."""
    version = await session.scalar(
        text(
            "INSERT INTO job_corpus (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE "
            "SET version = job_corpus.version + 1, changed_at = now() RETURNING version"
        )
    )
    return int(version or 0)


async def _upsert_page(session: AsyncSession, items: list[Clean], now: datetime, outcome: Outcome) -> None:
    """Match a page's postings to stored jobs with a few queries for the whole page, not per
    posting (board ids, jobs by id or fingerprint, near duplicates, and the jobs' sources loaded
    alongside), then write every change in one flush."""
    keys = [(item.source, item.source_id) for item in items]
    seen = {
        (row.source, row.source_id): row
        for row in (
            await session.execute(
                select(JobSource).where(tuple_(JobSource.source, JobSource.source_id).in_(keys))
            )
        ).scalars()
    }
    ids = {row.job_id for row in seen.values()}
    fingerprints = {item.fingerprint for item in items}
    jobs = (
        (await session.execute(select(Job).where(or_(Job.id.in_(ids), Job.fingerprint.in_(fingerprints)))))
        .scalars()
        .all()
    )
    by_id = {job.id: job for job in jobs}
    by_fingerprint = {job.fingerprint: job for job in jobs}
    unmatched = [
        item
        for item in items
        if (item.source, item.source_id) not in seen
        and item.fingerprint not in by_fingerprint
        and item.simhash
    ]
    near = await _near_duplicates(session, unmatched)
    touched: list[Job] = []
    here: dict[tuple[str, str], Job] = {}  # board ids met earlier on this page
    for item, key in zip(items, keys, strict=True):
        if key in seen or key in here:
            row = seen.get(key)
            job = by_id[row.job_id] if row is not None else here[key]
            if row is not None:
                row.last_seen = now
                row.url = item.url or row.url
            changed = _apply(job, item, now)
            outcome.updated += int(changed)
            if changed:
                touched.append(job)
            continue
        match = by_fingerprint.get(item.fingerprint) or near.get(id(item))
        if match is not None:
            match.sources.append(JobSource(source=item.source, source_id=item.source_id, url=item.url))
            if _apply(match, item, now, fill_only=True):
                touched.append(match)
            outcome.merged += 1
            here[key] = match
            continue
        job = Job(
            fingerprint=item.fingerprint, simhash=item.simhash, first_seen=now, last_seen=now, updated_at=now
        )
        for name, value in item.fields.items():
            setattr(job, name, value)
        job.sources = [JobSource(source=item.source, source_id=item.source_id, url=item.url)]
        session.add(job)
        by_fingerprint[item.fingerprint] = job
        here[key] = job
        touched.append(job)
        outcome.new += 1
    await session.flush()
    outcome.job_ids.extend(dict.fromkeys(job.id for job in touched))


_NEAR = text(
    "SELECT q.i, j.id, j.title FROM unnest(CAST(:keys AS text[]), CAST(:hashes AS bigint[]), "
    "CAST(:idx AS int[])) AS q(k, h, i) JOIN jobs j ON j.company_key = q.k AND j.simhash <> 0 "
    "AND bit_count(CAST(j.simhash # q.h AS bit(64))) <= :bits ORDER BY q.i, j.first_seen"
)


async def _near_duplicates(session: AsyncSession, items: list[Clean]) -> dict[int, Job]:
    """For each item (by id()), a stored job of the same company whose description differs in a
    few SimHash bits and whose title is close: the same posting, re-worded by another board."""
    if not items:
        return {}
    rows = await session.execute(
        _NEAR,
        {
            "keys": [item.fields["company_key"] for item in items],
            "hashes": [item.simhash for item in items],
            "idx": list(range(len(items))),
            "bits": NEAR_DUPLICATE_BITS,
        },
    )
    chosen: dict[int, Any] = {}
    for index, job_id, title in rows:
        wanted = n.title_key(items[index].fields["title"])
        if index not in chosen and fuzz.token_set_ratio(n.title_key(title), wanted) >= 85:
            chosen[index] = job_id
    if not chosen:
        return {}
    jobs = {
        j.id: j for j in (await session.execute(select(Job).where(Job.id.in_(chosen.values())))).scalars()
    }
    return {id(items[index]): jobs[job_id] for index, job_id in chosen.items()}


def _apply(job: Job, item: Clean, now: datetime, *, fill_only: bool = False) -> bool:
    """Bring the job up to date; True when a stored field changed. Corrected fields stay.
    `fill_only`: a second board only fills what the first left empty."""
    job.last_seen = now
    changed = False
    pinned = set(job.corrected or {})
    for key, value in item.fields.items():
        if key in pinned or (key == "company_key" and "company" in pinned):
            continue
        current = getattr(job, key)
        if fill_only and current not in (None, "", []):
            continue
        if current != value and value not in (None, "", []):
            setattr(job, key, value)
            changed = True
    if changed:
        job.simhash = item.simhash or job.simhash
        job.updated_at = now
    return changed
