"""Scoring a job for a job seeker: pure functions over plain values (no session, no HTTP), so
that the benchmark and the alert pass call exactly what the API calls.

A score is a weighted mean of parts in 0-1, each shown to the user with what it is made of.
A part the data cannot tell (a job without pay, a title with no occupation) is left out of
the mean and shown as unknown rather than guessed. The mean is then held down by how much the
resume gives to go on, so that an empty resume never looks like a strong match everywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jobswap.matching.commute import DEFAULT, MODE_INDEX, CommuteMode, CommuteModel
from jobswap.matching.geo import haversine_km

LEVELS = ("intern", "entry", "mid", "senior", "lead", "executive")
_LEVEL = {name: i for i, name in enumerate(LEVELS)}

# The weight of each part in the score, chosen by a search on the benchmark's even-numbered
# categories (benchmarks/job_match_bench.py, docs/job-matching.md); the odd ones are held out.
# Skills weigh little: extracted skill lists are noisy on real postings and resumes, and
# counting them rewards keyword stuffing. Seniority, pay and commute are not in the labelled
# data (their weights are a product choice, not a measurement).
WEIGHTS: dict[str, float] = {
    "semantic": 0.30,
    "text": 0.20,
    "role": 0.20,
    "skills": 0.05,
    "seniority": 0.05,
    "pay": 0.05,
    "commute": 0.05,
}
TEXT_RANGE = (0.0, 1.0)
SEMANTIC_RANGE = (0.2, 0.55)
# A commute up to this long costs nothing; one of LONGEST minutes or more scores zero.
EASY_MINUTES = 20.0
LONGEST_MINUTES = 120.0
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class Seeker:
    """What is known of the person jobs are ranked for (from a resume, a query or a profile)."""

    skills: frozenset[str]  # casefolded
    occupations: tuple[tuple[str, float], ...] = ()  # (O*NET code, weight 0-1), most recent first
    years: float | None = None
    level: str | None = None
    embedding: np.ndarray | None = None  # unit length
    pay_floor: float | None = None  # the lower end of their salary band, per year
    pay_currency: str | None = None
    home: tuple[float, float] | None = None
    mode: CommuteMode = CommuteMode.CAR
    current_commute: float | None = None  # minutes from home to today's work
    confidence: float = 1.0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Posting:
    """A candidate job as the candidate query returns it."""

    id: uuid.UUID
    title: str
    skills: tuple[str, ...] = ()
    occupation_code: str | None = None
    occupation_confidence: float | None = None
    level: str | None = None
    pay_min: float | None = None  # per year
    pay_max: float | None = None
    currency: str | None = None
    workplace: str | None = None  # remote | hybrid | on_site
    latitude: float | None = None
    longitude: float | None = None
    text_rank: float = 0.0  # ts_rank_cd with normalisation 32: 0-1
    semantic: float | None = None  # cosine similarity of the embeddings
    fts_position: int | None = None  # 1-based place in each candidate list, None when absent
    vector_position: int | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    job_id: uuid.UUID
    score: float  # 0-100
    parts: dict[str, Any] = field(default_factory=dict)
    commute_minutes: float | None = None


Equivalence = Callable[[str, str], float]


def stretch(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def text_part(rank: float) -> float:
    """ts_rank_cd with normalisation 32 is rank/(rank+1), already 0-1. On the benchmark's real
    pairs, postings of the resume's occupation have a median of 0.62 and the others 0.38."""
    return stretch(rank, *TEXT_RANGE)


def semantic_part(cosine: float | None) -> float | None:
    """MiniLM cosines between a resume and a posting: on the benchmark's pairs a median of 0.37
    for postings of the resume's occupation and 0.28 for the others; SEMANTIC_RANGE spans them."""
    if cosine is None:
        return None
    return stretch(cosine, *SEMANTIC_RANGE)


def skills_part(seeker: Seeker, job: Posting) -> tuple[float | None, list[str], list[str]]:
    """The job's skills the seeker has and those they lack (the gap), and a value that counts
    matched skills against at most ten asked for: a posting listing 40 is not ten times harder,
    and a resume listing every skill it can name gains nothing beyond what the job asks."""
    if not job.skills:
        return None, [], []
    matched = [s for s in job.skills if s.casefold() in seeker.skills]
    missing = [s for s in job.skills if s.casefold() not in seeker.skills]
    return min(1.0, len(matched) / min(len(job.skills), 10)), matched, missing


def soc_similarity(a: str, b: str) -> float:
    """Nearness in the SOC hierarchy: the same broad occupation, minor or major group."""
    if a[:7] == b[:7]:  # one detailed occupation ("29-1141.01" and "29-1141.00")
        return 0.85
    if a[:6] == b[:6]:
        return 0.7
    if a[:4] == b[:4]:
        return 0.45
    if a[:2] == b[:2]:
        return 0.2
    return 0.0


def role_part(seeker: Seeker, job: Posting, equivalence: Equivalence) -> tuple[float | None, str | None]:
    """The job's occupation against the seeker's recent ones: O*NET's related occupations
    and the SOC hierarchy, weighted by how recent and how sure each reading is."""
    if job.occupation_code is None or not seeker.occupations:
        return None, None
    sure = min(1.0, (job.occupation_confidence or 0.0) / 0.75)
    best, best_code = 0.0, None
    for code, weight in seeker.occupations:
        near = max(equivalence(job.occupation_code, code), soc_similarity(job.occupation_code, code))
        value = near * weight
        if value > best:
            best, best_code = value, code
    # an unsure reading of the job's title moves the part towards neutral, not to zero
    return sure * best + (1.0 - sure) * 0.3, best_code


def level_of(years: float | None) -> str | None:
    if years is None:
        return None
    if years < 1:
        return "entry"
    if years < 3:
        return "entry" if years < 2 else "mid"
    if years < 7:
        return "mid" if years < 5 else "senior"
    return "senior" if years < 12 else "lead"


def seniority_part(seeker: Seeker, job: Posting) -> float | None:
    """Under-qualified costs twice what over-qualified does, per level apart."""
    if job.level not in _LEVEL or seeker.level not in _LEVEL:
        return None
    gap = _LEVEL[job.level] - _LEVEL[seeker.level or ""]
    return max(0.0, 1.0 - (0.3 * gap if gap > 0 else 0.15 * -gap))


def pay_part(seeker: Seeker, job: Posting) -> float | None:
    top = job.pay_max or job.pay_min
    if seeker.pay_floor is None or not top:
        return None
    if seeker.pay_currency and job.currency and seeker.pay_currency != job.currency:
        return None
    if top >= seeker.pay_floor:
        return 1.0
    return max(0.0, 1.0 - 2.0 * (seeker.pay_floor - top) / seeker.pay_floor)


def commute_minutes(seeker: Seeker, job: Posting, model: CommuteModel = DEFAULT) -> float | None:
    """Estimated minutes from home to the job, by the seeker's mode; None when either place is unknown."""
    if seeker.home is None or job.latitude is None or job.longitude is None:
        return None
    km = haversine_km(
        np.array([seeker.home[0]]),
        np.array([seeker.home[1]]),
        np.array([job.latitude]),
        np.array([job.longitude]),
    )
    return float(model.estimate(km, np.array([MODE_INDEX[seeker.mode]], dtype=np.int8))[0])


def commute_part(minutes: float | None, workplace: str | None) -> float | None:
    if workplace == "remote":
        return 1.0
    if minutes is None:
        return None
    value = 1.0 - (minutes - EASY_MINUTES) / (LONGEST_MINUTES - EASY_MINUTES)
    value = min(1.0, max(0.0, value))
    return 0.5 + 0.5 * value if workplace == "hybrid" else value  # a hybrid job is travelled less


def score(
    seeker: Seeker,
    job: Posting,
    equivalence: Equivalence,
    *,
    model: CommuteModel = DEFAULT,
    weights: dict[str, float] | None = None,
    routed: float | None = None,
) -> Scored:
    """`routed`: a router's minutes for this trip, in place of the estimate."""
    weights = weights or WEIGHTS
    skill_value, matched, missing = skills_part(seeker, job)
    role_value, because = role_part(seeker, job, equivalence)
    minutes = None if job.workplace == "remote" else commute_minutes(seeker, job, model)
    if routed is not None and minutes is not None:
        minutes = routed
    values: dict[str, float | None] = {
        "text": text_part(job.text_rank),
        "semantic": semantic_part(job.semantic),
        "skills": skill_value,
        "role": role_value,
        "seniority": seniority_part(seeker, job),
        "pay": pay_part(seeker, job),
        "commute": commute_part(minutes, job.workplace),
    }
    known = {k: v for k, v in values.items() if v is not None and weights.get(k, 0) > 0}
    total = sum(weights[k] for k in known)
    mean = sum(weights[k] * v for k, v in known.items()) / total if total else 0.0
    final = 100.0 * mean * (0.4 + 0.6 * seeker.confidence)
    parts: dict[str, Any] = {k: (None if v is None else round(v, 4)) for k, v in values.items()}
    parts["skills_matched"] = matched
    parts["skills_missing"] = missing
    parts["skills_summary"] = f"{len(matched)} of {len(job.skills)} skills" if job.skills else None
    parts["role_because"] = because
    parts["commute_minutes"] = None if minutes is None else round(minutes, 1)
    parts["remote"] = job.workplace == "remote"
    parts["commute_mode"] = seeker.mode.value
    parts["commute_source"] = None if minutes is None else "router" if routed is not None else "estimate"
    parts["shorter_commute"] = (
        None
        if seeker.current_commute is None or (minutes is None and job.workplace != "remote")
        else (0.0 if job.workplace == "remote" else minutes or 0.0) < seeker.current_commute
    )
    return Scored(job.id, round(min(100.0, max(0.0, final)), 2), parts, minutes)


def rank(
    seeker: Seeker,
    jobs: Sequence[Posting],
    equivalence: Equivalence,
    *,
    model: CommuteModel = DEFAULT,
    weights: dict[str, float] | None = None,
) -> list[Scored]:
    """Best first; ties by job id, so the same inputs give the same order every time."""
    scored = [score(seeker, job, equivalence, model=model, weights=weights) for job in jobs]
    return sorted(scored, key=lambda s: (-s.score, str(s.job_id)))


def reciprocal_rank_fusion(positions: Sequence[int | None], k: int = 60) -> float:
    """The RRF score of one item from its 1-based positions in several lists."""
    return sum(1.0 / (k + p) for p in positions if p is not None)


def confidence_of(
    *, occupations: int, skills: int, words: int, years: float | None
) -> tuple[float, tuple[str, ...]]:
    """How much a reading gives to go on, 0-1, with what it lacks in words."""
    reasons = []
    value = 0.0
    if occupations:
        value += 0.35
    else:
        reasons.append("no job title that maps to an occupation")
    value += 0.35 * min(1.0, skills / 6)
    if skills < 6:
        reasons.append(f"only {skills} recognised skills" if skills else "no recognised skills")
    value += 0.15 * min(1.0, words / 250)
    if words < 250:
        reasons.append("little text to read")
    if years is not None:
        value += 0.15
    else:
        reasons.append("no dated experience")
    return round(value, 3), tuple(reasons)
