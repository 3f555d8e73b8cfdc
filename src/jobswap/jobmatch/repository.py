"""The candidate query and the stored lists. Candidates come from two indexes at once, the
full-text GIN index over titles and skills and the HNSW index over embeddings, each cut to
its best `k` within the filters; everything after that is the scoring module's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.embeddings.model import vector_literal
from jobswap.jobmatch.scoring import Posting, Scored

CANDIDATES = 200  # from each index
EF_SEARCH = 200  # hnsw.ef_search must be at least the LIMIT to return that many


@dataclass(frozen=True, slots=True)
class Window:
    """The restrictions the candidate query applies inside both indexes' scans."""

    workplaces: tuple[str, ...] = ()
    min_pay: float | None = None
    levels: tuple[str, ...] = ()
    posted_since: datetime | None = None
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    hide_dismissed_of: uuid.UUID | None = None
    occupations: tuple[str, ...] = ()
    min_occupation_confidence: float = 0.0
    near: tuple[float, float, float] | None = None  # latitude, longitude, km; remote jobs pass


JOB_COLUMNS = (
    "j.id, j.title, j.company, j.location, j.city, j.region, j.country, j.workplace, j.employment_type, "
    "j.experience_level, j.salary_min, j.salary_max, j.salary_period, j.salary_currency, "
    "j.salary_annual_min, j.salary_annual_max, j.posted_at, j.first_seen, j.canonical_url, j.language, "
    "j.skills, j.occupation_code, j.occupation_confidence, j.latitude, j.longitude"
)


# The full-text leg ranks every job that holds one of its terms, so it takes the person's terms
# in their order (titles first, then skills) while the jobs holding them add up to at most
# TERM_BUDGET, and skips any single term held by more than TERM_CAP jobs ("manager", "care"):
# the work stays bounded at any corpus size, and the common words still count in the re-score's
# text part. A term not in the statistics yet (a new word, or none computed) counts as rare.
TERM_CAP = 2_000
TERM_BUDGET = 5_000
CHOSEN_TERMS = (
    "chosen AS (SELECT coalesce(to_tsquery('simple', string_agg(quote_literal(lex), ' | ')), "
    "to_tsquery('simple', '')) AS q FROM (SELECT lex, sum(df) OVER (ORDER BY ord) AS running FROM ("
    "SELECT DISTINCT ON (w.lex) w.lex, w.ord, coalesce(s.documents, 1) AS df FROM ("
    "SELECT t.ord, unnest(tsvector_to_array(to_tsvector('english', t.w))) AS lex "
    "FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS t(w, ord)) AS w "
    "LEFT JOIN job_term_stats s ON s.term = w.lex ORDER BY w.lex, w.ord) AS d "
    "WHERE df <= :term_cap) AS r WHERE running <= :term_budget)"
)


async def refresh_term_stats(session: AsyncSession) -> int:
    """Count, for every lexeme of the jobs' `match_terms`, the jobs holding it."""
    await session.execute(text("DELETE FROM job_term_stats"))
    result = await session.execute(
        text(
            "INSERT INTO job_term_stats (term, documents) "
            "SELECT word, ndoc FROM ts_stat('SELECT match_terms FROM jobs')"
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _where(window: Window, params: dict[str, Any]) -> str:
    clauses: list[str] = []
    if window.workplaces:
        clauses.append("j.workplace = ANY(:workplaces)")
        params["workplaces"] = list(window.workplaces)
    if window.min_pay is not None:
        clauses.append("coalesce(j.salary_annual_max, j.salary_annual_min) >= :min_pay")
        params["min_pay"] = window.min_pay
    if window.levels:
        clauses.append("j.experience_level = ANY(:levels)")
        params["levels"] = list(window.levels)
    if window.posted_since is not None:
        clauses.append("coalesce(j.posted_at, j.first_seen) >= :posted_since")
        params["posted_since"] = window.posted_since
    if window.languages:
        clauses.append("j.language = ANY(:languages)")
        params["languages"] = list(window.languages)
    if window.sources:
        clauses.append(
            "EXISTS (SELECT 1 FROM job_sources s WHERE s.job_id = j.id AND s.source = ANY(:sources))"
        )
        params["sources"] = list(window.sources)
    if window.hide_dismissed_of is not None:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM job_matches m "
            "WHERE m.user_id = :viewer AND m.job_id = j.id AND m.dismissed)"
        )
        params["viewer"] = window.hide_dismissed_of
    if window.occupations:
        clauses.append(
            "j.occupation_code = ANY(:occupations) AND j.occupation_confidence >= :occupation_floor"
        )
        params["occupations"] = list(window.occupations)
        params["occupation_floor"] = window.min_occupation_confidence
    if window.near is not None:
        # an equirectangular distance: exact enough within a metro, and cheap per row
        clauses.append(
            "(j.workplace = 'remote' OR (j.latitude IS NOT NULL AND "
            "sqrt(power((j.latitude - :near_lat) * 111.2, 2) + "
            "power((j.longitude - :near_lon) * 111.2 * cos(radians(:near_lat)), 2)) <= :near_km))"
        )
        params["near_lat"], params["near_lon"], params["near_km"] = window.near
    return "".join(f" AND {c}" for c in clauses)


def tsquery_text(terms: Sequence[str]) -> str:
    """Terms are letters and digits only (seeker.search_terms), so OR-ing them is safe."""
    return " | ".join(terms)


async def candidates(
    session: AsyncSession,
    terms: Sequence[str],
    vector: Any,
    window: Window,
    *,
    model: str | None = None,
    k: int = CANDIDATES,
) -> list[tuple[Posting, dict[str, Any]]]:
    """The union of both indexes' best `k` within the window, each with its place in either
    list, its full-text rank over title, company and description, and its cosine similarity
    (only against jobs whose vectors `model` made: vectors of two models never compare)."""
    params: dict[str, Any] = {"k": k}
    where = _where(window, params)
    legs = []
    if terms:
        params["q"] = tsquery_text(terms)
        params["words"] = list(terms)
        params["term_cap"], params["term_budget"] = TERM_CAP, TERM_BUDGET
        legs.append(CHOSEN_TERMS)
        legs.append(
            "fts AS (SELECT j.id, row_number() OVER (ORDER BY ts_rank_cd(j.match_terms, q.q, 32) DESC, j.id) "
            "AS pos FROM jobs j, chosen AS q(q) "
            f"WHERE j.match_terms @@ q.q{where} "
            "ORDER BY ts_rank_cd(j.match_terms, q.q, 32) DESC, j.id LIMIT :k)"
        )
    else:
        legs.append("fts AS (SELECT NULL::uuid AS id, NULL::bigint AS pos WHERE false)")
    if vector is not None and model is not None:
        params["v"], params["model"] = vector_literal(vector), model
        await session.execute(text(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, k)}"))
        await session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
        legs.append(
            "vec AS (SELECT id, row_number() OVER (ORDER BY d, id) AS pos FROM ("
            "SELECT j.id, j.embedding <=> CAST(:v AS vector) AS d FROM jobs j "
            f"WHERE j.embedding IS NOT NULL AND j.embedding_model = :model{where} "
            "ORDER BY j.embedding <=> CAST(:v AS vector) LIMIT :k) AS x)"
        )
        semantic = "CASE WHEN j.embedding_model = :model THEN 1 - (j.embedding <=> CAST(:v AS vector)) END"
    else:
        legs.append("vec AS (SELECT NULL::uuid AS id, NULL::bigint AS pos WHERE false)")
        semantic = "NULL::float8"
    text_rank = "ts_rank_cd(j.search, to_tsquery('simple', :q), 32)" if terms else "0.0"
    sql = (
        "WITH "
        + ", ".join(legs)
        + f" SELECT {JOB_COLUMNS}, {text_rank} AS text_rank, {semantic} AS semantic, "
        "fts.pos AS fts_pos, vec.pos AS vec_pos FROM jobs j "
        "LEFT JOIN fts ON fts.id = j.id LEFT JOIN vec ON vec.id = j.id "
        "WHERE j.id IN (SELECT id FROM fts UNION SELECT id FROM vec)"
    )
    rows = (await session.execute(text(sql), params)).mappings().all()
    return [(posting_of(row), dict(row)) for row in rows]


def posting_of(row: Any) -> Posting:
    return Posting(
        id=row["id"],
        title=row["title"],
        skills=tuple(row["skills"] or ()),
        occupation_code=row["occupation_code"],
        occupation_confidence=row["occupation_confidence"],
        level=row["experience_level"],
        pay_min=row["salary_annual_min"],
        pay_max=row["salary_annual_max"],
        currency=row["salary_currency"],
        workplace=row["workplace"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        text_rank=float(row["text_rank"] or 0.0),
        semantic=None if row["semantic"] is None else float(row["semantic"]),
        fts_position=row["fts_pos"],
        vector_position=row["vec_pos"],
    )


async def corpus_version(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT version FROM job_corpus WHERE id = 1")) or 0)


async def lock_list(session: AsyncSession, user_id: uuid.UUID) -> None:
    """One computation of a person's list at a time: a second request waits, then finds it made."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('job-matches:' || :u))"), {"u": str(user_id)}
    )


async def replace_list(
    session: AsyncSession, user_id: uuid.UUID, resume_id: uuid.UUID | None, ranked: Sequence[Scored]
) -> None:
    """The new ranking in place of the old: ranked rows upserted, others unranked. A job keeps its
    match id across recomputes (a page shown before a filter change can still save it); unranked
    rows nobody saved or dismissed go after a month. Marks survive every recompute."""
    await session.execute(
        text(
            "INSERT INTO job_matches (user_id, job_id, resume_id, score, parts, rank, updated_at) "
            "SELECT :u, t.job_id, :r, t.score, CAST(t.parts AS jsonb), t.rank, now() "
            "FROM unnest(CAST(:ids AS uuid[]), CAST(:scores AS float8[]), CAST(:parts AS text[]), "
            "CAST(:ranks AS int[])) AS t(job_id, score, parts, rank) "
            "ON CONFLICT (user_id, job_id) DO UPDATE SET score = excluded.score, parts = excluded.parts, "
            "rank = excluded.rank, resume_id = excluded.resume_id, updated_at = now()"
        ),
        {
            "u": user_id,
            "r": resume_id,
            "ids": [s.job_id for s in ranked],
            "scores": [s.score for s in ranked],
            "parts": [json.dumps(s.parts) for s in ranked],
            "ranks": list(range(1, len(ranked) + 1)),
        },
    )
    await session.execute(
        text(
            "UPDATE job_matches SET rank = NULL WHERE user_id = :u AND rank IS NOT NULL "
            "AND NOT (job_id = ANY(CAST(:ids AS uuid[])))"
        ),
        {"u": user_id, "ids": [s.job_id for s in ranked]},
    )
    await session.execute(
        text(
            "DELETE FROM job_matches WHERE user_id = :u AND rank IS NULL AND NOT saved AND NOT dismissed "
            "AND updated_at < now() - interval '30 days'"
        ),
        {"u": user_id},
    )


PAGE = (
    f"SELECT m.id AS match_id, m.score, m.parts, m.rank, m.saved, m.dismissed, m.updated_at AS scored_at, "
    f"{JOB_COLUMNS} FROM job_matches m JOIN jobs j ON j.id = m.job_id WHERE m.user_id = :u"
)


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    saved_only: bool,
    include_dismissed: bool,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = " AND m.saved" if saved_only else " AND m.rank IS NOT NULL"
    if not include_dismissed:
        where += " AND NOT m.dismissed"
    order = " ORDER BY m.saved_at DESC NULLS LAST, m.id" if saved_only else " ORDER BY m.rank"
    params = {"u": user_id, "limit": limit, "offset": offset}
    rows = (
        await session.execute(text(PAGE + where + order + " LIMIT :limit OFFSET :offset"), params)
    ).mappings()
    total = await session.scalar(
        text("SELECT count(*) FROM job_matches m WHERE m.user_id = :u" + where), params
    )
    return [dict(r) for r in rows.all()], int(total or 0)


async def one(session: AsyncSession, user_id: uuid.UUID, match_id: uuid.UUID) -> dict[str, Any] | None:
    row = (
        (await session.execute(text(PAGE + " AND m.id = :id"), {"u": user_id, "id": match_id}))
        .mappings()
        .first()
    )
    return dict(row) if row else None
