"""Saved job alerts: new jobs scored against every alert they are close to, incrementally.

An alert keeps the reading it scores with (from its resume or query) and an embedding in an
HNSW index of its own. A pass over newly embedded jobs asks that index, per job, for the
alerts nearest it, scores only those pairs with the same scoring functions as the ranked
list, and records each hit at or above the alert's minimum score. The person gets an in-app
notification at once and an e-mail digest at most at the alert's frequency.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.config import Settings
from jobswap.db import Database, Identity
from jobswap.embeddings.provider import embed_one
from jobswap.errors import BadRequest, NotFound
from jobswap.jobmatch import repository
from jobswap.jobmatch.models import AlertFrequency, JobAlert
from jobswap.jobmatch.schemas import AlertCreate, AlertUpdate, JobMatchFilters
from jobswap.jobmatch.scoring import Scored, Seeker, score
from jobswap.jobmatch.seeker import from_query, from_resume, pay_floor
from jobswap.jobmatch.service import commute_model, keep, profile_facts, resolve_resume, resume_vector
from jobswap.matching import calibration
from jobswap.matching.commute import CommuteMode, CommuteModel
from jobswap.notifications.kinds import Kind
from jobswap.notifications.service import Notifier
from jobswap.occupations.titles import title_index
from jobswap.resumes.schemas import merged
from jobswap.users.models import User

MAX_ALERTS = 20  # per person
NEAREST = 50  # alerts asked for per new job (the HNSW search's ef_search is a little more)
# Pairs this far apart are not scored: on the benchmark's real resume-posting pairs, 40% lie below
# it and they hold 9 of the 2,633 pairs that score 55 or more (0.3%).
MIN_COSINE = 0.25
DIGEST_SIZE = 10
_PERIOD = {
    AlertFrequency.INSTANT: timedelta(0),
    AlertFrequency.DAILY: timedelta(days=1),
    AlertFrequency.WEEKLY: timedelta(days=7),
}


def _profile(seeker: Seeker, terms: list[str]) -> dict[str, Any]:
    """What of a Seeker an alert keeps; the home, mode and pay come from the profile at pass time."""
    return {
        "skills": sorted(seeker.skills),
        "occupations": [list(o) for o in seeker.occupations],
        "years": seeker.years,
        "level": seeker.level,
        "confidence": seeker.confidence,
        "terms": terms,
    }


def seeker_of(profile: dict[str, Any], embedding: Any, facts: dict[str, Any]) -> Seeker:
    home = facts.get("home")
    return Seeker(
        skills=frozenset(profile.get("skills", [])),
        occupations=tuple((str(c), float(w)) for c, w in profile.get("occupations", [])),
        years=profile.get("years"),
        level=profile.get("level"),
        embedding=None if embedding is None else np.asarray(embedding, dtype=np.float32),
        pay_floor=facts.get("pay_floor"),
        pay_currency=facts.get("pay_currency"),
        home=tuple(home) if home else None,
        mode=CommuteMode(facts.get("commute_mode") or CommuteMode.CAR),
        current_commute=facts.get("current_commute"),
        confidence=float(profile.get("confidence", 1.0)),
    )


async def _reading(
    session: AsyncSession, settings: Settings, user: User, body: AlertCreate
) -> tuple[dict[str, Any], Any, str | None, Any]:
    model = await commute_model(session)
    facts = profile_facts(user, model)
    if body.query:
        vector, vector_model = await embed_one(settings, body.query)
        seeker, terms = await asyncio.to_thread(from_query, body.query, vector, facts)
        return _profile(seeker, terms), vector, vector_model, None
    resume = await resolve_resume(session, user, body.resume_id)
    if resume is None:
        raise BadRequest("An alert needs a query, or a parsed resume to score new jobs against.")
    parsed = merged(resume.parsed_data, resume.corrections)
    if parsed is None or resume.embedding is None:
        raise BadRequest("That resume has not been read yet.")
    vector, vector_model = await resume_vector(settings, resume, parsed)
    seeker, terms = await asyncio.to_thread(from_resume, parsed, resume.text or "", vector, facts)
    return _profile(seeker, terms), vector, vector_model, resume.id


async def create(session: AsyncSession, settings: Settings, user: User, body: AlertCreate) -> JobAlert:
    count = await session.scalar(
        select(func.count()).select_from(JobAlert).where(JobAlert.user_id == user.id)
    )
    if (count or 0) >= MAX_ALERTS:
        raise BadRequest(f"You have {MAX_ALERTS} alerts already; delete one first.")
    profile, vector, vector_model, resume_id = await _reading(session, settings, user, body)
    alert = JobAlert(
        user_id=user.id,
        resume_id=resume_id,
        name=body.name,
        query=body.query,
        filters=body.filters.model_dump(mode="json"),
        frequency=body.frequency.value,
        min_score=body.min_score,
        enabled=body.enabled,
        profile=profile,
        embedding=vector,
        embedding_model=vector_model,
    )
    session.add(alert)
    await session.flush()
    await session.refresh(alert)
    return alert


async def own(session: AsyncSession, user: User, alert_id: uuid.UUID) -> JobAlert:
    alert = (
        await session.execute(select(JobAlert).where(JobAlert.id == alert_id, JobAlert.user_id == user.id))
    ).scalar_one_or_none()
    if alert is None:
        raise NotFound("No such alert of yours.")
    return alert


async def update(session: AsyncSession, user: User, alert_id: uuid.UUID, body: AlertUpdate) -> JobAlert:
    alert = await own(session, user, alert_id)
    changes = body.model_dump(exclude_unset=True, mode="json")
    for name, value in changes.items():
        if value is not None:
            setattr(alert, name, value)
    alert.updated_at = datetime.now(UTC)
    await session.flush()
    await session.refresh(alert)
    return alert


async def listed(session: AsyncSession, user: User) -> list[JobAlert]:
    rows = await session.execute(
        select(JobAlert).where(JobAlert.user_id == user.id).order_by(JobAlert.created_at)
    )
    return list(rows.scalars())


async def delete(session: AsyncSession, user: User, alert_id: uuid.UUID) -> None:
    await session.delete(await own(session, user, alert_id))


async def hits(
    session: AsyncSession, user: User, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    params = {"u": user.id, "limit": limit, "offset": offset}
    rows = await session.execute(
        text(
            f"SELECT h.alert_id, h.score, h.parts, h.created_at AS hit_at, {repository.JOB_COLUMNS} "
            "FROM job_alert_hits h JOIN jobs j ON j.id = h.job_id WHERE h.user_id = :u "
            "ORDER BY h.created_at DESC, h.score DESC, h.id LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    total = await session.scalar(text("SELECT count(*) FROM job_alert_hits WHERE user_id = :u"), params)
    return [dict(r) for r in rows.mappings()], int(total or 0)


# --- the incremental pass -------------------------------------------------------------------


def passes(  # noqa: PLR0911  (one return per filter)
    filters: JobMatchFilters, row: dict[str, Any], scored: Scored, seeker: Seeker
) -> bool:
    """The list's filters, for one job (the pass does not go through the candidate query)."""
    if filters.workplace and row["workplace"] not in filters.workplace:
        return False
    pay = row["salary_annual_max"] or row["salary_annual_min"]
    if filters.min_pay is not None and (pay is None or pay < filters.min_pay):
        return False
    if filters.level and row["experience_level"] not in filters.level:
        return False
    if filters.language and row["language"] not in filters.language:
        return False
    posted = row["posted_at"] or row["first_seen"]
    if filters.posted_since is not None and (posted is None or posted < filters.posted_since):
        return False
    if filters.source and not set(filters.source) & set(row.get("sources") or ()):
        return False
    return keep(scored, filters, seeker)


async def _pairs(
    session: AsyncSession, job_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[uuid.UUID, float]]]:
    """For each new job, the enabled alerts its embedding is nearest (the alerts' HNSW index)."""
    await session.execute(text(f"SET LOCAL hnsw.ef_search = {NEAREST + 30}"))
    await session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))  # the model filter
    rows = await session.execute(
        text("SELECT job_id, alert_id, cosine FROM jobswap_nearest_alerts(CAST(:ids AS uuid[]), :n, :floor)"),
        {"ids": job_ids, "n": NEAREST, "floor": MIN_COSINE},
    )
    found: dict[uuid.UUID, list[tuple[uuid.UUID, float]]] = defaultdict(list)
    for row in rows:
        found[row.alert_id].append((row.job_id, float(row.cosine)))
    return found


async def _text_ranks(
    session: AsyncSession, pairs: list[tuple[uuid.UUID, uuid.UUID]], terms: dict[uuid.UUID, list[str]]
) -> dict[tuple[uuid.UUID, uuid.UUID], float]:
    """Full-text rank of each (alert, job) pair, in one statement for the whole pass."""
    wanted = [(a, j) for a, j in pairs if terms.get(a)]
    if not wanted:
        return {}
    rows = await session.execute(
        text(
            "SELECT t.a, t.j, ts_rank_cd(jobs.search, to_tsquery('simple', t.q), 32) AS r "
            "FROM unnest(CAST(:a AS uuid[]), CAST(:j AS uuid[]), CAST(:q AS text[])) AS t(a, j, q) "
            "JOIN jobs ON jobs.id = t.j"
        ),
        {
            "a": [a for a, _ in wanted],
            "j": [j for _, j in wanted],
            "q": [repository.tsquery_text(terms[a]) for a, _ in wanted],
        },
    )
    return {(r.a, r.j): float(r.r) for r in rows}


def _facts(user: User, model: CommuteModel) -> dict[str, Any]:
    facts = profile_facts(user, model)
    facts["pay_floor"], facts["pay_currency"] = pay_floor(user.salary_band)
    return facts


async def run_pass(database: Database, notifier: Notifier, job_ids: list[uuid.UUID]) -> int:
    """Score new jobs against the alerts near them; record hits, tell their owners. Returns hits."""
    if not job_ids:
        return 0
    async with database.transaction(Identity.service()) as session:
        near = await _pairs(session, job_ids)
        if not near:
            return 0
        alerts = {
            a.id: a
            for a in (await session.execute(select(JobAlert).where(JobAlert.id.in_(list(near))))).scalars()
        }
        users = {
            u.id: u
            for u in (
                await session.execute(select(User).where(User.id.in_({a.user_id for a in alerts.values()})))
            ).scalars()
        }
        jobs = {
            row["id"]: dict(row)
            for row in (
                await session.execute(
                    text(
                        f"SELECT {repository.JOB_COLUMNS}, ARRAY(SELECT s.source FROM job_sources s "
                        "WHERE s.job_id = j.id) AS sources FROM jobs j WHERE j.id = ANY(:ids)"
                    ),
                    {"ids": job_ids},
                )
            ).mappings()
        }
        pairs = [(a, j) for a, found in near.items() for j, _ in found if a in alerts and j in jobs]
        ranks = await _text_ranks(
            session, pairs, {a.id: list(a.profile.get("terms", [])) for a in alerts.values()}
        )
        model = await calibration.load(session)
        equivalence = title_index().equivalence
        recorded: list[dict[str, Any]] = []
        for alert_id, found in near.items():
            alert = alerts.get(alert_id)
            owner = users.get(alert.user_id) if alert else None
            if alert is None or owner is None:
                continue
            seeker = seeker_of(alert.profile, alert.embedding, _facts(owner, model))
            filters = JobMatchFilters.model_validate(alert.filters or {})
            for job_id, cosine in found:
                row = jobs.get(job_id)
                if row is None:
                    continue
                posting = repository.posting_of(
                    {
                        **row,
                        "text_rank": ranks.get((alert_id, job_id), 0.0),
                        "semantic": cosine,
                        "fts_pos": None,
                        "vec_pos": None,
                    }
                )
                scored = score(seeker, posting, equivalence, model=model)
                if scored.score >= alert.min_score and passes(filters, row, scored, seeker):
                    recorded.append({"alert": alert, "job": row, "scored": scored})
        if not recorded:
            return 0
        inserted = await session.execute(
            text(
                "INSERT INTO job_alert_hits (alert_id, user_id, job_id, score, parts) "
                "SELECT * FROM unnest(CAST(:a AS uuid[]), CAST(:u AS uuid[]), CAST(:j AS uuid[]), "
                "CAST(:s AS float8[]), CAST(:p AS jsonb[])) ON CONFLICT (alert_id, job_id) DO NOTHING "
                "RETURNING alert_id"
            ),
            {
                "a": [r["alert"].id for r in recorded],
                "u": [r["alert"].user_id for r in recorded],
                "j": [r["job"]["id"] for r in recorded],
                "s": [r["scored"].score for r in recorded],
                "p": [json.dumps(r["scored"].parts) for r in recorded],
            },
        )
        fresh: dict[uuid.UUID, int] = defaultdict(int)
        for (alert_id,) in inserted:
            fresh[alert_id] += 1
        await notifier.notify_in_app(
            session,
            [
                (
                    alerts[alert_id].user_id,
                    Kind.JOB_ALERT,
                    f"{count} new job{'s' if count != 1 else ''} for your alert “{alerts[alert_id].name}”.",
                    "/api/job-alerts/hits",
                    {"alert_id": str(alert_id), "alert_name": alerts[alert_id].name, "count": count},
                )
                for alert_id, count in fresh.items()
            ],
        )
        instant = [alerts[a] for a in fresh if alerts[a].frequency == AlertFrequency.INSTANT.value]
        await _digest(session, notifier, instant, datetime.now(UTC))
        return sum(fresh.values())


async def _digest(session: AsyncSession, notifier: Notifier, alerts: list[JobAlert], now: datetime) -> int:
    """One e-mail per alert with its undelivered hits (best first), and mark them delivered."""
    sent = 0
    for alert in alerts:
        rows = (
            await session.execute(
                text(
                    "UPDATE job_alert_hits h SET digested_at = :now FROM jobs j WHERE h.alert_id = :a "
                    "AND h.digested_at IS NULL AND j.id = h.job_id "
                    "RETURNING h.score, j.title, j.company, j.location, j.canonical_url"
                ),
                {"a": alert.id, "now": now},
            )
        ).all()
        alert.last_digest_at = now
        if not rows:
            continue
        best = sorted(rows, key=lambda r: (-r.score, r.title))
        user = await session.get(User, alert.user_id)
        if user is None or Kind.JOB_ALERT_DIGEST.value in (user.email_opt_out or []):
            continue
        facts = {
            "alert_name": alert.name,
            "count": len(rows),
            "jobs": [
                {
                    "title": r.title,
                    "company": r.company,
                    "location": r.location or "",
                    "score": round(r.score),
                    "url": r.canonical_url or "",
                }
                for r in best[:DIGEST_SIZE]
            ],
        }
        await notifier.enqueue_email(
            session, user, Kind.JOB_ALERT_DIGEST, facts, notifier.url("/api/job-alerts/hits")
        )
        sent += 1
    return sent


async def due_digests(database: Database, notifier: Notifier, now: datetime | None = None) -> int:
    """Daily and weekly digests whose period has passed and that have hits waiting."""
    now = now or datetime.now(UTC)
    async with database.transaction(Identity.service()) as session:
        candidates = (
            await session.execute(
                select(JobAlert)
                .where(
                    JobAlert.frequency != AlertFrequency.INSTANT.value,
                    text(
                        "EXISTS (SELECT 1 FROM job_alert_hits h WHERE h.alert_id = job_alerts.id "
                        "AND h.digested_at IS NULL)"
                    ),
                )
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        due = [
            a
            for a in candidates
            if a.last_digest_at is None or now - a.last_digest_at >= _PERIOD[AlertFrequency(a.frequency)]
        ]
        return await _digest(session, notifier, due, now)
