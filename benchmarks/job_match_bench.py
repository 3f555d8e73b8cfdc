"""Job matching: ranking quality on labelled real data, and latency at scale.

Quality: the 592 real LinkedIn postings of `data/job_match/postings.jsonl` are imported through
the product's own import pipeline into an embedded PostgreSQL and embedded; the 96 real resumes
of `data/job_match/resumes.jsonl` (24 categories) are parsed and embedded as uploads are. Each
resume's category grades the postings (2: the title is of that occupation, 1: only LinkedIn's
job-function or industry label points there). For each resume, in the same run:

- BM25 alone (Okapi, k1=1.2, b=0.75) over title and description, the whole resume as the query;
- embeddings alone (cosine of the resume's and the posting's vectors, over every posting);
- the two fused by reciprocal rank fusion (k=60);
- the full ranker: the product's candidate query (GIN full-text and HNSW legs) and scoring.

Prints nDCG@10 (gain 2^grade - 1) and recall@50 (grade >= 1), mean over resumes and per category;
the weights were chosen on the even-numbered categories, so the odd ones are also shown apart.

Latency (`--sizes`): the postings replicated with perturbations (another real title and place,
the embedding moved towards another posting's) to each size, then one resume's list cold (computed)
and cached (served) through the service, p50 and p99; and the alert pass for 1,000 new jobs
against as many stored resume alerts as the size.

    .venv/bin/python benchmarks/job_match_bench.py [--sizes 10000 100000] [--skip-quality]

Targets on this 2-core machine: the full ranker beats the best baseline's nDCG@10 by at least 25%;
cold p99 under 300 ms at 1M jobs, cached under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import text  # noqa: E402

from jobswap.config import Settings  # noqa: E402
from jobswap.db import AccessRole, Identity  # noqa: E402
from jobswap.embeddings.model import MODEL_ID, get_embedder, vector_literal  # noqa: E402
from jobswap.jobmatch import repository, scoring  # noqa: E402
from jobswap.jobmatch.repository import Window  # noqa: E402
from jobswap.jobmatch.seeker import from_resume  # noqa: E402
from jobswap.jobs import importing  # noqa: E402
from jobswap.jobs.service import embed_jobs  # noqa: E402
from jobswap.occupations.titles import title_index  # noqa: E402
from jobswap.resumes.embedding_text import embedding_text  # noqa: E402
from jobswap.resumes.parsing import parse_resume  # noqa: E402
from jobswap.runtime import Runtime  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "job_match"
STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "you",
        "your",
        "we",
        "us",
        "they",
        "he",
        "she",
        "i",
        "me",
        "my",
        "who",
        "which",
    ]
)
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text_: str) -> list[str]:
    return [t for t in _TOKEN.findall(text_.casefold()) if t not in STOP and len(t) > 1]


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.frequencies = [Counter(d) for d in documents]
        self.lengths = np.array([len(d) for d in documents], dtype=np.float64)
        self.average = float(self.lengths.mean())
        df: Counter[str] = Counter()
        for f in self.frequencies:
            df.update(f.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def scores(self, query: list[str]) -> np.ndarray:
        weights = Counter(query)
        out = np.zeros(len(self.frequencies))
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.average)
        for term, qf in weights.items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = np.array([f.get(term, 0) for f in self.frequencies], dtype=np.float64)
            out += idf * min(qf, 3) * tf * (self.k1 + 1) / (tf + norm)
        return out


def ndcg(ranked: list[Any], grades: dict[Any, int], k: int = 10) -> float:
    gains = [(2 ** grades.get(j, 0) - 1) / math.log2(i + 2) for i, j in enumerate(ranked[:k])]
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return sum(gains) / best if best else 0.0


def recall(ranked: list[Any], grades: dict[Any, int], k: int = 50) -> float:
    relevant = {j for j, g in grades.items() if g >= 1}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def order(scores: np.ndarray, ids: list[Any]) -> list[Any]:
    return [ids[i] for i in sorted(range(len(ids)), key=lambda i: (-scores[i], str(ids[i])))]


def rrf(*rankings: list[Any], k: int = 60) -> list[Any]:
    fused: dict[Any, float] = defaultdict(float)
    for ranking in rankings:
        for position, item in enumerate(ranking, start=1):
            fused[item] += 1 / (k + position)
    return sorted(fused, key=lambda j: (-fused[j], str(j)))


def settings_for(tmp: str) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        data_dir=Path(tmp),
        secret_key=secrets.token_urlsafe(48),
        run_worker=False,
        log_json=True,
        log_level="WARNING",
    )


async def load_postings(runtime: Runtime) -> dict[uuid.UUID, dict[str, int]]:
    """Import through the product's pipeline and embed; the grades of each stored job."""
    with (DATA / "postings.jsonl").open("rb") as stream:
        run = await importing.run_import(runtime.database, Identity.service(), stream, "postings.jsonl")
    async with runtime.database.transaction(Identity.service()) as session:
        rows = (
            await session.execute(
                text("SELECT j.id, s.source_id FROM jobs j JOIN job_sources s ON s.job_id = j.id")
            )
        ).all()
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 128):
        await embed_jobs(runtime.database, runtime.settings, ids[start : start + 128])
    labels = {}
    for line in (DATA / "postings.jsonl").read_text().splitlines():
        posting = json.loads(line)
        labels[str(posting["job_id"])] = posting["resume_categories"]
    print(
        f"imported {run.postings_new} of {len(labels)} postings "
        f"({run.postings_rejected} rejected by the pipeline)"
    )
    return {r.id: labels.get(r.source_id, {}) for r in rows}


def read_resumes() -> list[dict[str, Any]]:
    resumes = [json.loads(line) for line in (DATA / "resumes.jsonl").read_text().splitlines()]
    embedder = get_embedder()
    for resume in resumes:
        parsed = parse_resume(resume["text"])
        resume["parsed"] = parsed
        resume["embedding"] = embedder.embed_sync([embedding_text(parsed, resume["text"])])[0]
    return resumes


async def quality(runtime: Runtime, weights: dict[str, float] | None = None) -> None:
    grades_by_job = await load_postings(runtime)
    async with runtime.database.transaction(Identity.service()) as session:
        jobs = (
            await session.execute(text("SELECT id, title, description, embedding FROM jobs ORDER BY id"))
        ).all()
    ids = [j.id for j in jobs]
    bm25 = BM25([tokens(f"{j.title} {j.title} {j.description}") for j in jobs])
    vectors = np.array(
        [json.loads(j.embedding) if isinstance(j.embedding, str) else list(j.embedding) for j in jobs],
        dtype=np.float32,
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    resumes = read_resumes()
    print(f"read {len(resumes)} resumes in {time.perf_counter() - started:.1f} s")
    index = title_index()
    results: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_category: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    timings = []
    for resume in resumes:
        category = resume["category"]
        grades = {j: g[category] for j, g in grades_by_job.items() if category in g}
        if not grades:
            continue
        lexical = order(bm25.scores(tokens(resume["text"])), ids)
        dense = order(vectors @ resume["embedding"], ids)
        fused = rrf(lexical, dense)
        seeker, terms = from_resume(resume["parsed"], resume["text"], resume["embedding"])
        began = time.perf_counter()
        async with runtime.database.transaction(Identity.service()) as session:
            found = await repository.candidates(session, terms, seeker.embedding, Window(), model=MODEL_ID)
        ranked = scoring.rank(seeker, [p for p, _ in found], index.equivalence, weights=weights)
        timings.append(time.perf_counter() - began)
        full = [s.job_id for s in ranked]
        for name, ranking in (
            ("BM25", lexical),
            ("embeddings", dense),
            ("RRF", fused),
            ("full ranker", full),
        ):
            for metric, value in (("ndcg", ndcg(ranking, grades)), ("recall", recall(ranking, grades))):
                results[name][metric].append(value)
                per_category[category][f"{name}:{metric}"].append(value)
                split = "train" if sorted(per_category).index(category) % 2 == 0 else "held-out"
                results[f"{name} [{split}]"][metric].append(value)
    print(
        f"\nquality over {len(results['BM25']['ndcg'])} resumes with graded postings "
        f"({len(ids)} postings stored)"
    )
    print(f"{'ranker':<28} {'nDCG@10':>8} {'recall@50':>10}")
    for name, metrics in sorted(results.items(), key=lambda kv: ("[" in kv[0], kv[0])):
        print(
            f"{name:<28} {statistics.mean(metrics['ndcg']):>8.3f} {statistics.mean(metrics['recall']):>10.3f}"
        )
    best = max(statistics.mean(results[n]["ndcg"]) for n in ("BM25", "embeddings", "RRF"))
    full_ndcg = statistics.mean(results["full ranker"]["ndcg"])
    print(
        f"full ranker against the best baseline: {100 * (full_ndcg / best - 1):+.1f}% nDCG@10 (target +25%)"
    )
    print("\nper category, nDCG@10 (BM25 / embeddings / RRF / full ranker):")
    for category, metrics in sorted(per_category.items()):
        line = " / ".join(
            f"{statistics.mean(metrics[f'{n}:ndcg']):.2f}"
            for n in ("BM25", "embeddings", "RRF", "full ranker")
        )
        print(f"  {category:<24} {line}")
    print(
        f"\nfull ranker per resume (candidates + scoring, {len(ids)} jobs): "
        f"p50 {1000 * statistics.median(timings):.1f} ms"
    )


REPLICA = """
WITH base AS (SELECT row_number() OVER (ORDER BY id) AS rn, * FROM jobs WHERE first_seen <= :cutoff),
n AS (SELECT count(*) AS c FROM base)
INSERT INTO jobs (title, company, company_key, description, description_html, location, city, region, country,
    salary_min, salary_max, salary_currency, salary_period, salary_annual_min, salary_annual_max,
    employment_type, workplace, experience_level, language, skills, posted_at, fingerprint, simhash,
    corrected, embedding, embedding_model,
    occupation_code, occupation_confidence, latitude, longitude, first_seen, last_seen, updated_at)
SELECT CASE g % 4 WHEN 0 THEN 'Senior ' || a.title WHEN 1 THEN a.title || ' II' WHEN 2 THEN 'Lead ' || a.title
           ELSE a.title END,
       a.company || ' ' || (g % 997), a.company_key || ' ' || (g % 997), a.description, '',
       p.location, p.city, p.region, p.country, a.salary_min, a.salary_max, a.salary_currency,
       a.salary_period, a.salary_annual_min, a.salary_annual_max, a.employment_type, a.workplace,
       a.experience_level, a.language, a.skills,
       now() - (g % 60) * interval '1 day', md5(:tag || g::text), 0, '{}',
       l2_normalize(a.embedding + a.embedding + a.embedding + b.embedding), a.embedding_model,
       a.occupation_code, a.occupation_confidence, p.latitude, p.longitude, :copied, :copied, :copied
FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint)) AS g CROSS JOIN n
JOIN base a ON a.rn = (g * 7919) % n.c + 1
JOIN base b ON b.rn = (g * 104729) % n.c + 1
JOIN base p ON p.rn = (g * 31) % n.c + 1
RETURNING id
"""
INDEXES = {
    "ix_jobs_embedding_hnsw": (
        "CREATE INDEX ix_jobs_embedding_hnsw ON jobs USING hnsw (embedding vector_cosine_ops)"
    ),
    "ix_jobs_match_terms": "CREATE INDEX ix_jobs_match_terms ON jobs USING gin (match_terms)",
    "ix_jobs_search": "CREATE INDEX ix_jobs_search ON jobs USING gin (search)",
}


async def replicate(runtime: Runtime, copies: int, tag: str, *, rebuild: bool) -> list[uuid.UUID]:
    """`copies` perturbed copies of the real postings (the indexes dropped and rebuilt around a
    bulk load, as an operator would load millions)."""
    from sqlalchemy import create_engine

    from jobswap.db import sqlalchemy_url

    urls = runtime.urls
    engine = create_engine(sqlalchemy_url(urls.admin).set(drivername="postgresql+psycopg"))
    ids: list[uuid.UUID] = []
    with engine.begin() as conn:
        cutoff = conn.execute(text("SELECT now() - interval '400 days'")).scalar_one()
        conn.execute(text("UPDATE jobs SET first_seen = :c WHERE first_seen > :c"), {"c": cutoff})
        if rebuild:
            for name in INDEXES:
                conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    step = 50_000
    for start in range(1, copies + 1, step):
        with engine.begin() as conn:
            rows = conn.execute(
                text(REPLICA),
                {
                    "start": start,
                    "stop": min(copies, start + step - 1),
                    "tag": tag,
                    "cutoff": cutoff,
                    "copied": cutoff + timedelta(seconds=1),
                },
            )
            ids += [r.id for r in rows]
    if rebuild:
        with engine.begin() as conn:
            conn.execute(text("SET maintenance_work_mem = '3GB'"))
            conn.execute(text("SET max_parallel_maintenance_workers = 2"))
            for sql in INDEXES.values():
                conn.execute(text(sql))
            conn.execute(text("ANALYZE jobs"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE job_corpus SET version = version + 1"))
    engine.dispose()
    return ids


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


HOME = (
    "SELECT latitude, longitude FROM jobs WHERE latitude IS NOT NULL "
    "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
)
PERSON = (
    "INSERT INTO users (email, role, name, home_location, commute_mode) "
    "VALUES ('bench@example.com', 'employee', 'Bench', CAST(:home AS jsonb), 'car') RETURNING id"
)
RESUME = (
    "INSERT INTO resumes (user_id, filename, kind, media_type, size_bytes, sha256, storage_key, status, "
    "text, parsed_data, embedding, embedding_model, parsed_at) VALUES (:u, 'cv.pdf', 'pdf', "
    "'application/pdf', 1, 'x', :key, 'parsed', :t, CAST(:p AS jsonb), CAST(:e AS vector), :m, now()) "
    "RETURNING id"
)
ALERT_PEOPLE = (
    "INSERT INTO users (email, role, name, home_location, commute_mode) "
    "SELECT 'alert' || g || '@example.com', 'employee', 'A', (SELECT jsonb_build_object("
    "'latitude', latitude, 'longitude', longitude, 'address', 'x') FROM jobs WHERE latitude IS NOT NULL "
    "OFFSET g % 50 LIMIT 1), 'car' FROM generate_series(1, 1000) AS g"
)
SEED_ALERT = (
    "INSERT INTO job_alerts (user_id, name, frequency, min_score, profile, embedding, embedding_model) "
    "SELECT (SELECT id FROM users WHERE email = 'alert1@example.com'), 'seed', 'daily', 60, "
    "CAST(:p AS jsonb), CAST(:e AS vector), :m"
)
MORE_ALERTS = (
    "WITH seed AS (SELECT row_number() OVER (ORDER BY id) AS rn, * FROM job_alerts), "
    "n AS (SELECT count(*) c FROM seed), "
    "people AS (SELECT row_number() OVER (ORDER BY id) AS rn, id FROM users WHERE email LIKE 'alert%') "
    "INSERT INTO job_alerts (user_id, name, frequency, min_score, profile, embedding, embedding_model) "
    "SELECT p.id, 'alert ' || g, 'daily', 60, a.profile, "
    "l2_normalize(a.embedding + a.embedding + a.embedding + b.embedding), a.embedding_model "
    "FROM generate_series(1, CAST(:k AS bigint)) g CROSS JOIN n "
    "JOIN seed a ON a.rn = (g * 7919) % n.c + 1 JOIN seed b ON b.rn = (g * 31) % n.c + 1 "
    "JOIN people p ON p.rn = g % 1000 + 1"
)


async def seekers(runtime: Runtime, resumes: list[dict[str, Any]]) -> tuple[Any, list[uuid.UUID]]:
    """One person with a home in the data's densest metro and the sample's resumes stored."""
    from jobswap.users.models import User

    async with runtime.database.transaction(Identity.service()) as session:
        home = (await session.execute(text(HOME))).one()
        where = {"latitude": home.latitude, "longitude": home.longitude, "address": "bench"}
        user_id = (await session.execute(text(PERSON), {"home": json.dumps(where)})).scalar_one()
        ids = []
        for i, resume in enumerate(resumes):
            values = {
                "u": user_id,
                "key": f"bench/{i}",
                "t": resume["text"],
                "p": resume["parsed"].model_dump_json(),
                "e": vector_literal(resume["embedding"]),
                "m": MODEL_ID,
            }
            ids.append((await session.execute(text(RESUME), values)).scalar_one())
    async with runtime.database.transaction(Identity.service()) as session:
        user = await session.get(User, user_id)
        session.expunge(user)
    return user, ids


async def latency(runtime: Runtime, user: Any, resume_ids: list[uuid.UUID]) -> dict[str, list[float]]:
    from jobswap.jobmatch import service
    from jobswap.jobmatch.schemas import JobMatchFilters

    times: dict[str, list[float]] = {"cold": [], "cached": [], "cold, 45 min commute": []}
    identity = Identity(user.id, AccessRole.EMPLOYEE)
    async with runtime.database.transaction(identity) as session:  # a process's first request loads indexes
        await service.ranked_page(
            session,
            runtime.settings,
            user,
            resume_id=resume_ids[0],
            filters=JobMatchFilters(),
            refresh=True,
            limit=20,
            offset=0,
        )
    for resume_id in resume_ids * 2:
        for label, refresh, filters in (
            ("cold", True, JobMatchFilters()),
            ("cached", False, JobMatchFilters()),
            ("cold, 45 min commute", True, JobMatchFilters(max_commute_minutes=45)),
        ):
            began = time.perf_counter()
            async with runtime.database.transaction(identity) as session:
                await service.ranked_page(
                    session,
                    runtime.settings,
                    user,
                    resume_id=resume_id,
                    filters=filters,
                    refresh=refresh,
                    limit=20,
                    offset=0,
                )
            times[label].append(1000 * (time.perf_counter() - began))
    return times


async def alert_pass(
    runtime: Runtime, resumes: list[dict[str, Any]], alerts_wanted: int
) -> tuple[float, int]:
    """`alerts_wanted` resume alerts (perturbed copies of the sample's readings, 1,000 people), then
    the incremental pass for 1,000 new jobs."""
    from jobswap.jobmatch import alerts
    from jobswap.notifications.service import Notifier

    async with runtime.database.transaction(Identity.service()) as session:
        await session.execute(text(ALERT_PEOPLE))
        for resume in resumes:
            seeker, terms = from_resume(resume["parsed"], resume["text"], resume["embedding"])
            profile = json.dumps(alerts._profile(seeker, terms))
            vector = vector_literal(resume["embedding"])
            await session.execute(text(SEED_ALERT), {"p": profile, "e": vector, "m": MODEL_ID})
    # the copies in bulk, with the alerts' HNSW index rebuilt after, as for the jobs
    from sqlalchemy import create_engine

    from jobswap.db import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(runtime.urls.admin).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_job_alerts_embedding_hnsw"))
        conn.execute(text(MORE_ALERTS), {"k": max(0, alerts_wanted - len(resumes))})
    with engine.begin() as conn:
        conn.execute(text("SET maintenance_work_mem = '3GB'"))
        conn.execute(text("SET max_parallel_maintenance_workers = 2"))
        conn.execute(
            text(
                "CREATE INDEX ix_job_alerts_embedding_hnsw ON job_alerts "
                "USING hnsw (embedding vector_cosine_ops)"
            )
        )
        conn.execute(text("ANALYZE job_alerts"))  # the owner's (the app role may not analyze)
    engine.dispose()
    new = await replicate(runtime, 1000, "new-jobs", rebuild=False)
    notifier = Notifier(runtime.settings, runtime.queue)
    began = time.perf_counter()
    hits = 0
    for start in range(0, len(new), 64):  # as the embedding task hands them over
        hits += await alerts.run_pass(runtime.database, notifier, new[start : start + 64])
    return time.perf_counter() - began, hits


async def scale(size: int, resumes: list[dict[str, Any]], alerts_wanted: int) -> None:
    with tempfile.TemporaryDirectory(prefix="jobswap-jobmatch-scale-") as tmp:
        async with Runtime.open(settings_for(tmp)) as runtime:
            await load_postings(runtime)
            began = time.perf_counter()
            await replicate(runtime, size - 541, f"scale-{size}", rebuild=True)
            async with runtime.database.transaction(Identity.service()) as session:
                stored = (await session.execute(text("SELECT count(*) FROM jobs"))).scalar_one()
                counted = time.perf_counter()
                terms = await repository.refresh_term_stats(session)  # the hourly task's work
                counted = time.perf_counter() - counted
            print(f"\n{stored} jobs stored and indexed in {time.perf_counter() - began:.0f} s")
            print(f"  term statistics ({terms} terms) in {counted:.1f} s")
            sample = resumes[::4]
            user, ids = await seekers(runtime, sample)
            times = await latency(runtime, user, ids)
            for label, values in times.items():
                print(
                    f"  one resume, {label:<22} p50 {percentile(values, 0.5):7.1f} ms   "
                    f"p99 {percentile(values, 0.99):7.1f} ms  ({len(values)} requests)"
                )
            seconds, hits = await alert_pass(runtime, resumes, alerts_wanted)
            print(
                f"  alert pass: 1,000 new jobs against {alerts_wanted} stored resume alerts: "
                f"{seconds:.1f} s, {hits} hits"
            )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--alerts", type=int, default=None, help="stored alerts per size (default: the size)")
    args = parser.parse_args()
    print(f"embedding model: {MODEL_ID}")
    if not args.skip_quality:
        with tempfile.TemporaryDirectory(prefix="jobswap-jobmatch-bench-") as tmp:
            async with Runtime.open(settings_for(tmp)) as runtime:
                await quality(runtime)
    if args.sizes:
        resumes = read_resumes()
        for size in args.sizes:
            await scale(size, resumes, args.alerts or size)


if __name__ == "__main__":
    asyncio.run(main())
