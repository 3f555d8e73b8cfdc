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
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.jobs import normalise as n
from jobswap.jobs.models import Job, JobSource
from jobswap.jobs.sources.base import RawPosting
from jobswap.resumes.parsing.language import detect_language
from jobswap.skills.taxonomy import taxonomy

log = logging.getLogger(__name__)

NEAR_DUPLICATE_BITS = 6
_BIT64 = BIT(64)
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
        "language": detect_language(f"{title}\n{description}"),
        "skills": skills,
        "canonical_url": raw.url,
        "posted_at": posted,
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
    unchanged: int = 0
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
    for item in items:
        await _upsert(session, item, now, outcome)
    return outcome


async def _upsert(session: AsyncSession, item: Clean, now: datetime, outcome: Outcome) -> None:
    seen = (
        await session.execute(
            select(JobSource).where(JobSource.source == item.source, JobSource.source_id == item.source_id)
        )
    ).scalar_one_or_none()
    if seen is not None:
        seen.last_seen = now
        seen.url = item.url or seen.url
        job = await session.get(Job, seen.job_id)
        assert job is not None
        changed = _apply(job, item, now)
        outcome.updated += int(changed)
        outcome.unchanged += int(not changed)
        if changed:
            outcome.job_ids.append(job.id)
        return
    job = (await session.execute(select(Job).where(Job.fingerprint == item.fingerprint))).scalar_one_or_none()
    if job is None and item.simhash:
        job = await _near_duplicate(session, item)
    if job is not None:
        session.add(JobSource(job_id=job.id, source=item.source, source_id=item.source_id, url=item.url))
        if _apply(job, item, now, fill_only=True):
            outcome.job_ids.append(job.id)
        outcome.merged += 1
        return
    job = Job(
        fingerprint=item.fingerprint, simhash=item.simhash, first_seen=now, last_seen=now, updated_at=now
    )
    for key, value in item.fields.items():
        setattr(job, key, value)
    job.sources = [JobSource(source=item.source, source_id=item.source_id, url=item.url)]
    session.add(job)
    await session.flush()
    outcome.new += 1
    outcome.job_ids.append(job.id)


async def _near_duplicate(session: AsyncSession, item: Clean) -> Job | None:
    """The same company's job whose description differs in a few SimHash bits and whose title is
    close: the same posting, re-worded or re-formatted by another board."""
    rows = (
        await session.execute(
            select(Job)
            .where(Job.company_key == item.fields["company_key"], Job.simhash != 0)
            .where(func.bit_count((Job.simhash.op("#")(item.simhash)).cast(_BIT64)) <= NEAR_DUPLICATE_BITS)
            .limit(20)
        )
    ).scalars()
    for job in rows:
        if fuzz.token_set_ratio(n.title_key(job.title), n.title_key(item.fields["title"])) >= 85:
            return job
    return None


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
