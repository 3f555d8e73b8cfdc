"""Matching rules around the engine: who is eligible, what a match row says, what others may see.

Eligible: a complete profile with both locations geocoded and a job title that
maps to an O*NET occupation (its swap family). Salaries compare within one
currency; a band in another currency counts as unknown to the engine.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.config import Settings
from jobswap.db import Database, Identity
from jobswap.embeddings.provider import active_model
from jobswap.errors import BadRequest, NotFound
from jobswap.matching import calibration, repository
from jobswap.matching.commute import DEFAULT, MODE_INDEX, CommuteMode, CommuteModel, estimate_minutes
from jobswap.matching.compat import SalaryBandError, compatibility, parse_band, salary_overlap
from jobswap.matching.engine import Cycles, Links, Population, Rules, build_index, clear, refresh_one, run
from jobswap.matching.geo import chord_to_km, haversine_km
from jobswap.matching.locate import router_for
from jobswap.matching.models import Match
from jobswap.matching.providers import Point, Router
from jobswap.matching.schemas import MatchDetail, MemberView, summary
from jobswap.metrics import SWAP_RUN
from jobswap.occupations.titles import title_index
from jobswap.users.models import User

AREA_GRID_DEGREES = 0.05  # about 5 km: the finest location shown before a swap is accepted
MAX_MATCHES_PER_PERSON = 20


def rules_from(settings: Settings) -> Rules:
    return Rules(
        min_minutes=settings.swap_min_minutes,
        min_fraction=settings.swap_min_fraction,
        salary_tolerance=settings.salary_tolerance,
        max_options=settings.swap_max_options,
    )


@dataclass
class Cohort:
    """People as the engine sees them, with their rows for building match details."""

    rows: list[Any]
    population: Population
    position: dict[uuid.UUID, int]


def _annual(band: str | None, currency: str | None) -> tuple[float, float]:
    if not band:
        return math.nan, math.nan
    try:
        parsed = parse_band(band)
    except SalaryBandError:
        return math.nan, math.nan
    if (
        parsed.minimum is None
        or parsed.maximum is None
        or (currency and parsed.currency not in (None, currency))
    ):
        return math.nan, math.nan
    return parsed.minimum, parsed.maximum


def linked_families(codes: Iterable[str | None], minimum: float) -> set[str]:
    """The swap families of these occupations and of every occupation equivalent to them."""
    index = title_index()
    found: set[str] = set()
    for code in codes:
        if code:
            found.add(index.family(code))
            found.update(index.family(other) for other in index.equivalents(code, minimum))
    return found


def _links(
    rows: Sequence[Any], families: dict[str, int], minimum: float
) -> tuple[np.ndarray[Any, Any], Links | None]:
    """Occupation ids per person and the equivalent occupation pairs across families."""
    index = title_index()
    codes = sorted({r.occupation_code or "" for r in rows})
    occupation = {c: i for i, c in enumerate(codes)}
    occupation_family: dict[int, int] = {}
    for r in rows:
        occupation_family[occupation[r.occupation_code or ""]] = families[r.swap_family]
    pairs = [
        (occupation[a], occupation[b])
        for a in codes
        if a
        for b in index.equivalents(a, minimum)
        if b in occupation and occupation_family[occupation[a]] != occupation_family[occupation[b]]
    ]
    ids = np.array([occupation[r.occupation_code or ""] for r in rows], dtype=np.int64)
    return ids, (Links.build(pairs, occupation_family) if pairs else None)


def cohort(rows: Sequence[Any], settings: Settings, commute: CommuteModel = DEFAULT) -> Cohort:
    currency = settings.salary_currency
    salaries = np.array([_annual(r.salary_band, currency) for r in rows], dtype=np.float64).reshape(-1, 2)
    families = {f: i for i, f in enumerate(sorted({r.swap_family for r in rows}))}
    occupations, links = _links(rows, families, settings.swap_min_related_equivalence)
    population = Population(
        home_lat=np.array([float(r.home_location["latitude"]) for r in rows]),
        home_lon=np.array([float(r.home_location["longitude"]) for r in rows]),
        work_lat=np.array([float(r.work_location["latitude"]) for r in rows]),
        work_lon=np.array([float(r.work_location["longitude"]) for r in rows]),
        family=np.array([families[r.swap_family] for r in rows], dtype=np.int64),
        mode=np.array([MODE_INDEX[CommuteMode(r.commute_mode)] for r in rows], dtype=np.int8),
        salary_min=salaries[:, 0],
        salary_max=salaries[:, 1],
        occupation=occupations,
        links=links,
        commute=commute,
    )
    return Cohort(list(rows), population, {r.id: i for i, r in enumerate(rows)})


Timed = dict[int, list[dict[str, Any]]]  # cycle index -> each member's {before, after, source}


def estimated_commutes(group: Cohort, ring: list[int]) -> list[dict[str, Any]]:
    pop = group.population
    commutes = []
    for pos, giver in enumerate(ring):
        km = _km(pop, giver, ring[(pos + 1) % len(ring)])
        after = float(estimate_minutes(np.array([km]), pop.mode[[giver]], pop.commute)[0])
        commutes.append(
            {"before": round(float(pop.before[giver]), 1), "after": round(after, 1), "source": "estimate"}
        )
    return commutes


async def retime(
    group: Cohort, cycles: Cycles, router: Router, rules: Rules
) -> tuple[Cycles, Timed, list[calibration.Sample]]:
    """Ask the routing service for every member's commute, before and after, and keep the
    swaps in which everyone still gains what the rules ask. The estimator screened them;
    only these few pairs reach the (rate-limited, possibly paid) service. The answers come
    back as samples for the estimator's calibration too."""
    rings = [[int(m) for m in members if m >= 0] for members in cycles.members]
    rows = group.rows
    wanted: dict[CommuteMode, list[tuple[Point, Point]]] = {}
    for ring in rings:
        for pos, giver in enumerate(ring):
            mode = CommuteMode(rows[giver].commute_mode)
            home = _point(rows[giver].home_location)
            for job in (giver, ring[(pos + 1) % len(ring)]):
                wanted.setdefault(mode, []).append((home, _point(rows[job].work_location)))
    answers: dict[tuple[CommuteMode, tuple[Point, Point]], float | None] = {}
    for mode, pairs in wanted.items():
        unique = list(dict.fromkeys(pairs))
        for pair, minutes in zip(unique, await router.minutes(unique, mode), strict=True):
            answers[(mode, pair)] = minutes
    routed = [(mode, a, b, minutes) for (mode, (a, b)), minutes in answers.items() if minutes is not None]
    ends = np.array([(a[0], a[1], b[0], b[1]) for _, a, b, _ in routed], dtype=np.float64).reshape(-1, 4)
    km = haversine_km(ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3])
    samples = [(mode, float(d), float(minutes)) for (mode, _, _, minutes), d in zip(routed, km, strict=True)]
    kept_members: list[Any] = []
    kept_saved: list[float] = []
    timed: Timed = {}
    for ring, members in zip(rings, cycles.members, strict=True):
        commutes = estimated_commutes(group, ring)
        good = True
        for pos, giver in enumerate(ring):
            mode = CommuteMode(rows[giver].commute_mode)
            home = _point(rows[giver].home_location)
            before = answers.get((mode, (home, _point(rows[giver].work_location))))
            after = answers.get((mode, (home, _point(rows[ring[(pos + 1) % len(ring)]].work_location))))
            if before is not None and after is not None:
                commutes[pos] = {"before": round(before, 1), "after": round(after, 1), "source": "router"}
            b, a = commutes[pos]["before"], commutes[pos]["after"]
            good &= a <= b - rules.min_minutes and a <= b * (1 - rules.min_fraction)
        if good:
            timed[len(kept_members)] = commutes
            kept_members.append(members)
            kept_saved.append(sum(c["before"] - c["after"] for c in commutes))
    if not kept_members:
        return Cycles(np.zeros((0, 3), dtype=np.int64), np.zeros(0)), {}, samples
    return Cycles(np.asarray(kept_members, dtype=np.int64), np.asarray(kept_saved)), timed, samples


def _point(location: dict[str, Any]) -> Point:
    return (float(location["latitude"]), float(location["longitude"]))


def match_rows(
    group: Cohort,
    cycles: Cycles,
    chosen: set[int],
    settings: Settings,
    only: uuid.UUID | None,
    timed: Timed | None = None,
    vectors: dict[uuid.UUID, Any] | None = None,
) -> list[Match]:
    """One row per member and swap (each member takes the next member's job)."""
    out: dict[tuple[uuid.UUID, uuid.UUID], Match] = {}
    for index, (members, saved) in enumerate(zip(cycles.members, cycles.saved, strict=True)):
        ring = [int(m) for m in members if m >= 0]
        cycle_id = uuid.uuid4()
        commutes = (timed or {}).get(index) or estimated_commutes(group, ring)
        for pos, giver in enumerate(ring):
            person = group.rows[giver]
            if only is not None and person.id != only:
                continue
            other = group.rows[ring[(pos + 1) % len(ring)]]
            parts = _compatibility(person, other, settings, vectors)
            key = (person.id, other.id)
            if key in out and out[key].minutes_saved_total >= saved:
                continue
            out[key] = Match(
                user_id=person.id,
                match_user_id=other.id,
                cycle_id=cycle_id,
                cycle_size=len(ring),
                members=[group.rows[m].id for m in ring[pos:] + ring[:pos]],
                compatibility_score=parts["score"],
                compatibility=parts,
                commute_before_minutes=commutes[pos]["before"],
                commute_after_minutes=commutes[pos]["after"],
                minutes_saved_total=round(float(saved), 1),
                commutes=commutes[pos:] + commutes[:pos],
                salary_compatible=parts["salary"] is not None and parts["salary"] > 0,
                selected=index in chosen,
            )
    best: dict[uuid.UUID, list[Match]] = {}
    for match in out.values():
        best.setdefault(match.user_id, []).append(match)
    return [
        m
        for rows in best.values()
        for m in sorted(rows, key=lambda r: -r.minutes_saved_total)[:MAX_MATCHES_PER_PERSON]
    ]


def _km(pop: Population, giver: int, taker_job: int) -> float:
    chord = np.linalg.norm(pop.home_xyz[giver] - pop.work_xyz[taker_job])
    return float(chord_to_km(np.array([chord]))[0])


def members_of(group: Cohort, cycles: Cycles) -> set[uuid.UUID]:
    return {group.rows[int(m)].id for m in np.unique(cycles.members) if m >= 0}


def _compatibility(
    person: Any, other: Any, settings: Settings, vectors: dict[uuid.UUID, Any] | None = None
) -> dict[str, Any]:
    role = title_index().equivalence(person.occupation_code, other.occupation_code)
    try:
        a = parse_band(person.salary_band) if person.salary_band else None
        b = parse_band(other.salary_band) if other.salary_band else None
        salary = salary_overlap(a, b, settings.salary_tolerance)
    except SalaryBandError:
        salary = None
    resume = None
    if vectors and person.id in vectors and other.id in vectors:
        resume = round(max(0.0, float(vectors[person.id] @ vectors[other.id])), 3)  # unit vectors: cosine
    parts = compatibility(
        role, person.skills or [], other.skills or [], person.seniority, other.seniority, salary, resume
    )
    return {
        "score": parts.score,
        "role": parts.role,
        "skills": parts.skills,
        "resume": parts.resume,
        "seniority": parts.seniority,
        "salary": parts.salary,
    }


async def generate_for(database: Database, settings: Settings, user: User) -> int:
    """Refresh one person's matches now, from the people whose options can reach theirs:
    their family and equivalent occupations' families, and those people's own (a
    second hop, so that everyone's best options are ranked as in a full run)."""
    if user.profile_complete and not user.occupation_code:
        raise BadRequest(
            "We could not tell your occupation from your job title: choose one of occupation_candidates "
            "(PUT /api/users/{your id} with occupation_code).",
            details={"field": "occupation_code", "candidates": user.occupation_candidates or []},
        )
    if not user.swap_family or not user.matchable:
        raise BadRequest("Complete your profile first: company, job title, and home and work locations.")
    async with database.transaction(Identity.service()) as session:
        minimum = settings.swap_min_related_equivalence
        near = linked_families([user.occupation_code], minimum) | {user.swap_family}
        rows = await repository.eligible(session, sorted(near))
        further = linked_families({r.occupation_code for r in rows}, minimum) - near
        rows += await repository.eligible(session, sorted(further))
        group = cohort(rows, settings, await calibration.load(session))
        person = group.position.get(user.id)
        rules = rules_from(settings)
        matches: list[Match] = []
        if person is not None:
            index = build_index(group.population, rules)
            cycles = refresh_one(group.population, rules, index, person)
            timed: Timed | None = None
            router = router_for(settings)
            if router is not None and len(cycles):
                cycles, timed, samples = await retime(group, cycles, router, rules)
                if settings.commute_calibration:
                    await calibration.record(session, samples, settings.router)
            vectors = await repository.resume_vectors(
                session, members_of(group, cycles), active_model(settings)
            )
            matches = match_rows(group, cycles, set(), settings, only=user.id, timed=timed, vectors=vectors)
        await repository.replace_for(session, user.id, matches)
    return len(matches)


async def run_everyone(database: Database, settings: Settings) -> dict[str, float]:
    """The full run: every eligible person, every swap, the clearing's choice flagged."""
    async with database.transaction(Identity.service()) as session:
        rows = await repository.eligible(session)
        commute = await calibration.load(session)
    if not rows:
        return {"people": 0, "swaps": 0, "selected": 0}
    group = cohort(rows, settings, commute)
    rules = rules_from(settings)
    result = run(group.population, rules, time_budget=settings.swap_clearing_seconds)
    cycles, clearing, timed = result.cycles, result.clearing, None
    router = router_for(settings)
    retimed: dict[str, float] = {}
    if router is not None and len(cycles):
        # The estimator screened every pair; the routing service times only the members of
        # the swaps found, and the clearing runs again on the routed minutes.
        started = time.perf_counter()
        cycles, timed, samples = await retime(group, cycles, router, rules)
        clearing = clear(cycles, len(group.rows), time_budget=settings.swap_clearing_seconds)
        retimed = {"routing_seconds": time.perf_counter() - started, "swaps_estimated": len(result.cycles)}
        if settings.commute_calibration:
            async with database.transaction(Identity.service()) as session:
                await calibration.record(session, samples, settings.router)
                fits = await calibration.recalibrate(session, settings.commute_calibration_min_samples)
            retimed["modes_calibrated"] = len(fits)
    async with database.transaction(Identity.service()) as session:
        vectors = await repository.resume_vectors(session, members_of(group, cycles), active_model(settings))
    chosen = set(clearing.chosen.tolist())
    matches = match_rows(group, cycles, chosen, settings, only=None, timed=timed, vectors=vectors)
    async with database.transaction(Identity.service()) as session:
        await repository.replace_for(session, None, matches)
    for phase, seconds in result.timings.items():
        SWAP_RUN.labels(phase).observe(seconds)
    return {
        "people": len(rows),
        "swaps": len(cycles),
        "selected": len(clearing.chosen),
        "minutes_saved": clearing.total_saved,
        **{f"{k}_seconds": v for k, v in result.timings.items()},
        **retimed,
    }


async def get_own(session: AsyncSession, user: User, match_id: uuid.UUID) -> Match:
    match = await repository.get_own(session, user, match_id)
    if match is None:
        raise NotFound("No such match.")  # the same for another person's match as for none
    return match


def area(location: dict[str, Any] | None) -> dict[str, float] | None:
    """A location coarsened to a ~5 km grid cell (its centre)."""
    if not location or location.get("latitude") is None:
        return None
    step = AREA_GRID_DEGREES
    return {
        "latitude": round((math.floor(location["latitude"] / step) + 0.5) * step, 3),
        "longitude": round((math.floor(location["longitude"] / step) + 0.5) * step, 3),
        "precision_km": 5.0,
    }


async def counterparts(database: Database, members: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """What a match may show about the other people: no name, contact, address or resume."""
    async with database.transaction(Identity.service()) as session:
        rows = await repository.safe_profiles(session, members)
    return {
        r.id: {
            "occupation": r.occupation_title,
            "company": r.company,
            "seniority": r.seniority,
            "home_area": area(r.home_location),
            "work_area": area(r.work_location),
        }
        for r in rows
    }


async def detail(session: AsyncSession, database: Database, user: User, match_id: uuid.UUID) -> MatchDetail:
    """One of the caller's matches with every member's commute before and after and the
    compatibility parts; the others by occupation, company, seniority and a ~5 km area only."""
    match = await get_own(session, user, match_id)
    return detail_of(match, await counterparts(database, list(match.members)), user.id)


def detail_of(match: Match, others: dict[uuid.UUID, dict[str, Any]], viewer: uuid.UUID) -> MatchDetail:
    """A match's detail from the members' safe views (`counterparts`), for `viewer`."""
    members = []
    for member_id, commute in zip(match.members, match.commutes, strict=True):
        view = others.get(member_id, {})
        members.append(
            MemberView(
                you=member_id == viewer,
                occupation=view.get("occupation"),
                company=view.get("company"),
                seniority=view.get("seniority"),
                home_area=view.get("home_area"),
                work_area=view.get("work_area"),
                commute_before_minutes=commute["before"],
                commute_after_minutes=commute["after"],
                commute_source=commute.get("source", "estimate"),
            )
        )
    base = summary(match, others.get(match.match_user_id, {}).get("occupation"))
    return MatchDetail(**base.model_dump(), members=members)
