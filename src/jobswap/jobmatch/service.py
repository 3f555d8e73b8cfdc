"""Ranked jobs for a person: read them (resume and profile), fetch candidates inside the
filters, score them, and keep the list with the key it was computed from.

A request whose key (resume version, profile facts that scoring reads, filters and the job
corpus version) matches the stored list's is answered from it. Otherwise the list is
recomputed under a per-person advisory lock, so that concurrent requests compute it once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.config import Settings
from jobswap.db import as_service
from jobswap.embeddings.provider import active_model, embed_one
from jobswap.errors import BadRequest, Conflict, NotFound
from jobswap.jobmatch import repository
from jobswap.jobmatch.models import JobMatch, JobMatchList
from jobswap.jobmatch.repository import Window
from jobswap.jobmatch.schemas import JobMatchFilters, JobMatchItem, JobMatchPage, JobMatchUpdate, item_of
from jobswap.jobmatch.scoring import LOW_CONFIDENCE, Posting, Scored, Seeker, rank, score
from jobswap.jobmatch.seeker import from_parts, from_resume
from jobswap.matching import calibration
from jobswap.matching.commute import MODE_INDEX, CommuteMode, CommuteModel
from jobswap.matching.geo import haversine_km
from jobswap.matching.locate import router_for
from jobswap.matching.providers import ProviderError, Router
from jobswap.occupations.titles import CONFIDENT, title_index
from jobswap.resumes.embedding_text import embedding_text
from jobswap.resumes.models import Resume, ResumeStatus
from jobswap.resumes.schemas import merged
from jobswap.users.models import User

log = logging.getLogger(__name__)
KEEP = 200  # ranked jobs stored per person
ROUTED = 20  # with a router configured, the best this many trips are routed
_MODEL_TTL_SECONDS = 300.0
_model: tuple[float, CommuteModel] | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    seeker: Seeker
    terms: list[str]
    resume_id: uuid.UUID | None
    version: str  # what of the resume the reading was made from
    model: str | None  # the model that made the seeker's vector


async def commute_model(session: AsyncSession) -> CommuteModel:
    """The swap engine's estimator with this deployment's calibration (read as the service,
    which owns that table), kept for a few minutes."""
    global _model  # noqa: PLW0603  (a process-wide cache of one small object)
    now = time.monotonic()
    if _model is None or now - _model[0] > _MODEL_TTL_SECONDS:
        async with as_service(session):
            _model = (now, await calibration.load(session))
    return _model[1]


def _point(location: dict[str, Any] | None) -> tuple[float, float] | None:
    if not location or location.get("latitude") is None or location.get("longitude") is None:
        return None
    return float(location["latitude"]), float(location["longitude"])


def profile_facts(user: User, model: CommuteModel, mode: CommuteMode | None = None) -> dict[str, Any]:
    """The profile's parts that scoring reads: home, commute mode, pay, skills, today's title."""
    home, work = _point(user.home_location), _point(user.work_location)
    chosen = mode or CommuteMode(user.commute_mode)
    current = None
    if home and work:
        km = haversine_km(np.array([home[0]]), np.array([home[1]]), np.array([work[0]]), np.array([work[1]]))
        current = round(float(model.estimate(km, np.array([MODE_INDEX[chosen]], dtype=np.int8))[0]), 1)
    return {
        "home": home,
        "commute_mode": chosen.value,
        "current_commute": current,
        "salary_band": user.salary_band,
        "skills": list(user.skills or []),
        "job_title": user.job_title,
    }


async def resolve_resume(session: AsyncSession, user: User, resume_id: uuid.UUID | None) -> Resume | None:
    """The resume to rank for: the one named (it must be the caller's and parsed) or the latest
    parsed one; None when the caller has none."""
    if resume_id is None:
        return (
            await session.execute(
                select(Resume)
                .where(Resume.user_id == user.id, Resume.status == ResumeStatus.PARSED)
                .order_by(Resume.parsed_at.desc().nulls_last(), Resume.id)
                .limit(1)
            )
        ).scalar_one_or_none()
    resume = await session.get(Resume, resume_id)
    if resume is None or resume.user_id != user.id:
        raise NotFound("No such resume of yours.")
    if resume.status is ResumeStatus.PENDING:
        raise Conflict("That resume is still being read; ask again in a few seconds.")
    if resume.status is ResumeStatus.FAILED:
        raise BadRequest(f"That resume could not be read ({resume.failure_reason or 'unknown reason'}).")
    return resume


async def resume_vector(settings: Settings, resume: Resume, parsed: Any) -> tuple[list[float], str]:
    """The resume's stored vector when the active model made it; otherwise one made now, so
    that the seeker's vector and the jobs' always come from the same model."""
    wanted = active_model(settings)
    if resume.embedding is not None and resume.embedding_model == wanted:
        return [float(x) for x in resume.embedding], wanted
    vector, model = await embed_one(settings, embedding_text(parsed, resume.text or ""))
    return vector, model


def version_of(resume: Resume | None) -> str:
    """What of the resume a reading is made from: a re-parse or a correction changes it."""
    if resume is None:
        return "profile"
    return f"{resume.id}:{resume.parsed_at}:{_digest(resume.corrections)}"


async def read_seeker(settings: Settings, resume: Resume | None, facts: dict[str, Any]) -> Reading:
    """A Seeker from the resume, or from the profile alone (a title and skills) when there is none."""
    if resume is not None:
        parsed = merged(resume.parsed_data, resume.corrections)
        if parsed is None:
            raise BadRequest("That resume has no parsed content.")
        vector, model = await resume_vector(settings, resume, parsed)
        seeker, terms = await asyncio.to_thread(from_resume, parsed, resume.text or "", vector, facts)
        return Reading(seeker, terms, resume.id, version_of(resume), model)
    if not facts.get("job_title") and not facts.get("skills"):
        raise BadRequest(
            "Upload a resume, or put a job title and skills in your profile, to get ranked jobs."
        )
    blurb = ". ".join(filter(None, [facts.get("job_title"), ", ".join(facts.get("skills") or [])]))
    vector, model = await embed_one(settings, blurb)
    seeker, terms = await asyncio.to_thread(
        lambda: from_parts(
            titles=[facts.get("job_title") or ""],
            skills=facts.get("skills") or [],
            words=len(blurb.split()),
            years=None,
            embedding=vector,
            profile=facts,
        )
    )
    return Reading(seeker, terms, None, "profile", model)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def window_for(filters: JobMatchFilters, user: User, seeker: Seeker, model: CommuteModel) -> Window:
    near = None
    if filters.max_commute_minutes is not None or filters.shorter_commute:
        if seeker.home is None:
            raise BadRequest("A commute filter needs your home location in your profile.")
        limit = float(filters.max_commute_minutes or 10_000)
        if filters.shorter_commute:
            if seeker.current_commute is None:
                raise BadRequest("shorter_commute needs both your home and work locations in your profile.")
            limit = min(limit, seeker.current_commute)
        km = float(model.within(np.array([limit]), np.array([MODE_INDEX[seeker.mode]], dtype=np.int8))[0])
        near = (seeker.home[0], seeker.home[1], max(km, 0.0) * 1.01)  # the exact check follows
    occupations: tuple[str, ...] = ()
    if filters.occupation == "equivalent":
        if not user.occupation_code:
            raise BadRequest(
                "occupation=equivalent needs your profile's occupation: set a job title we can read, "
                "or choose one of its occupation_candidates."
            )
        codes = {user.occupation_code, *title_index().equivalents(user.occupation_code)}
        occupations = tuple(sorted(codes))
    return Window(
        workplaces=tuple(filters.workplace),
        min_pay=filters.min_pay,
        levels=tuple(filters.level),
        posted_since=filters.posted_since,
        languages=tuple(filters.language),
        sources=tuple(filters.source),
        hide_dismissed_of=None if filters.include_dismissed else user.id,
        occupations=occupations,
        min_occupation_confidence=CONFIDENT if occupations else 0.0,
        near=near,
    )


def keep(scored: Scored, filters: JobMatchFilters, seeker: Seeker) -> bool:
    """The exact commute checks, on the estimate the score shows (the query's bound is a
    straight-line distance)."""
    minutes = scored.commute_minutes
    remote = bool(scored.parts.get("remote"))
    too_far = minutes is None or minutes > (filters.max_commute_minutes or 0)
    if filters.max_commute_minutes is not None and not remote and too_far:
        return False
    return not (filters.shorter_commute and not scored.parts.get("shorter_commute"))


async def compute(
    session: AsyncSession,
    reading: Reading,
    window: Window,
    filters: JobMatchFilters,
    model: CommuteModel,
    router: Router | None = None,
) -> list[Scored]:
    found = await repository.candidates(
        session, reading.terms, reading.seeker.embedding, window, model=reading.model
    )
    postings = [posting for posting, _ in found]
    index = title_index()
    ranked = await asyncio.to_thread(rank, reading.seeker, postings, index.equivalence, model=model)
    ranked = [s for s in ranked if keep(s, filters, reading.seeker)]
    if router is not None:
        ranked = await _routed(reading.seeker, ranked, {p.id: p for p in postings}, router, model, filters)
    return ranked[:KEEP]


async def _routed(
    seeker: Seeker,
    ranked: list[Scored],
    postings: dict[uuid.UUID, Posting],
    router: Router,
    model: CommuteModel,
    filters: JobMatchFilters,
) -> list[Scored]:
    """The configured router's minutes for the best ROUTED trips (one matrix call), rescored and
    re-checked against the filters. A router that fails leaves the estimates."""
    if seeker.home is None:
        return ranked
    top = [s for s in ranked[:ROUTED] if s.commute_minutes is not None]
    if not top:
        return ranked
    pairs = [
        (seeker.home, (postings[s.job_id].latitude or 0.0, postings[s.job_id].longitude or 0.0)) for s in top
    ]
    try:
        minutes = await router.minutes(pairs, seeker.mode)
    except ProviderError as exc:
        log.warning("router failed; job commutes stay estimates", extra={"error": str(exc)[:200]})
        return ranked
    equivalence = title_index().equivalence
    again = {
        s.job_id: score(seeker, postings[s.job_id], equivalence, model=model, routed=m)
        for s, m in zip(top, minutes, strict=True)
        if m is not None
    }
    rescored = [again.get(s.job_id, s) for s in ranked]
    rescored = [s for s in rescored if keep(s, filters, seeker)]
    return sorted(rescored, key=lambda s: (-s.score, str(s.job_id)))


async def ranked_page(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    resume_id: uuid.UUID | None,
    filters: JobMatchFilters,
    refresh: bool,
    limit: int,
    offset: int,
) -> JobMatchPage:
    asked_at = datetime.now(UTC)
    model = await commute_model(session)
    resume = await resolve_resume(session, user, resume_id)
    facts = profile_facts(user, model, filters.commute_mode)
    filters_json = filters.model_dump(mode="json")
    version = await repository.corpus_version(session)
    key = _digest(
        [version_of(resume), facts, user.occupation_code, filters_json, version, active_model(settings)]
    )
    stored = await session.get(JobMatchList, user.id)
    cached = stored is not None and stored.cache_key == key and not refresh
    if not cached:
        await repository.lock_list(session, user.id)
        stored = (
            await session.execute(
                select(JobMatchList)
                .where(JobMatchList.user_id == user.id)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        # another request computed it while this one waited for the lock
        waited = (
            stored is not None and stored.cache_key == key and (not refresh or stored.computed_at >= asked_at)
        )
        if waited:
            cached = True
        else:
            started = time.perf_counter()
            reading = await read_seeker(settings, resume, facts)
            window = window_for(filters, user, reading.seeker, model)
            ranked = await compute(session, reading, window, filters, model, router_for(settings))
            await repository.replace_list(session, user.id, reading.resume_id, ranked)
            values = {
                "resume_id": reading.resume_id,
                "cache_key": key,
                "filters": filters_json,
                "corpus_version": version,
                "confidence": reading.seeker.confidence,
                "confidence_reasons": list(reading.seeker.reasons),
                "total": len(ranked),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "computed_at": datetime.now(UTC),
            }
            if stored is None:
                stored = JobMatchList(user_id=user.id, **values)
                session.add(stored)
            else:
                for name, value in values.items():
                    setattr(stored, name, value)
            await session.flush()
    assert stored is not None
    rows, total = await repository.page(
        session,
        user.id,
        saved_only=False,
        include_dismissed=filters.include_dismissed,
        limit=limit,
        offset=offset,
    )
    return JobMatchPage(
        items=[item_of(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        resume_id=stored.resume_id,
        cached=cached,
        computed_at=stored.computed_at,
        confidence=stored.confidence,
        low_confidence=stored.confidence < LOW_CONFIDENCE,
        confidence_reasons=list(stored.confidence_reasons),
        filters=filters,
    )


async def saved(session: AsyncSession, user: User, limit: int, offset: int) -> tuple[list[JobMatchItem], int]:
    rows, total = await repository.page(
        session, user.id, saved_only=True, include_dismissed=True, limit=limit, offset=offset
    )
    return [item_of(r) for r in rows], total


async def mark(
    session: AsyncSession, user: User, match_id: uuid.UUID, change: JobMatchUpdate
) -> JobMatchItem:
    """Save or dismiss one of your matches. Dismissing hides it from later lists (unless asked
    for); the marks outlive every recomputation."""
    match = (
        await session.execute(select(JobMatch).where(JobMatch.id == match_id, JobMatch.user_id == user.id))
    ).scalar_one_or_none()
    if match is None:
        raise NotFound("No such job match of yours.")
    if change.saved is not None:
        match.saved_at = datetime.now(UTC) if change.saved and not match.saved else match.saved_at
        match.saved = change.saved
        if not change.saved:
            match.saved_at = None
    if change.dismissed is not None:
        match.dismissed = change.dismissed
    match.updated_at = datetime.now(UTC)
    await session.flush()
    if change.dismissed:
        # the stored list no longer says what a fresh one would: recompute on the next request
        await session.execute(
            text("UPDATE job_match_lists SET cache_key = '' WHERE user_id = :u"), {"u": user.id}
        )
    row = await repository.one(session, user.id, match_id)
    assert row is not None
    return item_of(row)


async def get_one(session: AsyncSession, user: User, match_id: uuid.UUID) -> JobMatchItem:
    row = await repository.one(session, user.id, match_id)
    if row is None:
        raise NotFound("No such job match of yours.")
    return item_of(row)
