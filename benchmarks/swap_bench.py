"""The swap engine at 10k, 100k and 1M people, beside a naive all-pairs baseline.

A seeded synthetic metro: homes spread around a few residential centres, jobs
concentrated downtown and in sub-centres, role families with heavy-tailed
(Zipf) popularity, salary bands by family, commute modes in typical shares.
Each person keeps their 10 best options. Prints the time of each engine step,
the swaps found and cleared, peak memory, and one person's incremental
refresh time; the naive baseline checks every pair at small N in the same run.

    .venv/bin/python benchmarks/swap_bench.py [--sizes 10000 100000 1000000] [--seed 7]

Target on this 2-core machine: 1M people through the whole engine in under
10 seconds; one person's refresh under 100 ms at 1M.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np

from jobswap.matching.commute import estimate_minutes
from jobswap.matching.engine import (
    Links,
    Population,
    Rules,
    build_index,
    find_options,
    refresh_one,
    run,
    salary_ok,
)
from jobswap.matching.geo import chord_to_km

CENTRE = np.array([41.88, -87.63])  # a Chicago-sized metro; any would do
KM = 1 / 111.0


def synthetic_metro(n: int, seed: int, families: int = 400, links: int = 0) -> Population:
    """`links`: each family's occupations related to this many occupations in other families
    with similar pay (two occupations per family), as O*NET Related Occupations link broad
    groups at one job zone."""
    rng = np.random.default_rng(seed)
    # homes: five residential centres up to ~35 km out, each a wide Gaussian
    centres = CENTRE + rng.normal(0, 18 * KM, size=(5, 2))
    which = rng.choice(5, size=n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    home = centres[which] + rng.normal(0, 9 * KM, size=(n, 2))
    # jobs: 55% downtown, 45% in four sub-centres
    subs = CENTRE + rng.normal(0, 14 * KM, size=(4, 2))
    job_centres = np.vstack([CENTRE, subs])
    where = rng.choice(5, size=n, p=[0.55, 0.15, 0.1, 0.1, 0.1])
    spread = np.where(where == 0, 2.5, 4.0)[:, None] * KM
    work = job_centres[where] + rng.normal(0, 1, size=(n, 2)) * spread
    # role families: Zipf popularity; salary bands by family with personal variation
    ranks = np.arange(1, families + 1)
    popularity = 1 / ranks**1.1
    family = rng.choice(families, size=n, p=popularity / popularity.sum()).astype(np.int64)
    base = rng.uniform(30_000, 160_000, size=families)
    low = np.round(base[family] * rng.uniform(0.85, 1.15, size=n), -3)
    mode = rng.choice(4, size=n, p=[0.7, 0.2, 0.07, 0.03]).astype(np.int8)
    occupation = family * 2 + rng.integers(0, 2, size=n)
    related = None
    if links:
        pairs = set()
        for occ in range(2 * families):
            # related occupations share a job zone, so their pay is alike: within 20% here
            alike = np.flatnonzero(np.abs(base / base[occ // 2] - 1) < 0.2)
            candidates = np.concatenate([alike * 2, alike * 2 + 1])
            for other in rng.choice(candidates, size=min(links, len(candidates)), replace=False).tolist():
                if other // 2 != occ // 2:
                    pairs |= {(occ, other), (other, occ)}
        related = Links.build(sorted(pairs), {o: o // 2 for o in range(2 * families)})
    return Population(
        home_lat=home[:, 0],
        home_lon=home[:, 1],
        work_lat=work[:, 0],
        work_lon=work[:, 1],
        family=family,
        mode=mode,
        salary_min=low,
        salary_max=low * 1.2,
        occupation=occupation if links else None,
        links=related,
    )


def naive_options(pop: Population, rules: Rules) -> int:
    """The baseline: every pair in each family, one person at a time, best 10 kept."""
    assert rules.max_options is not None
    count = 0
    for fam in np.unique(pop.family):
        members = np.flatnonzero(pop.family == fam)
        for a in members:
            km = chord_to_km(np.linalg.norm(pop.home_xyz[a] - pop.work_xyz[members], axis=1))
            after = estimate_minutes(km, np.full(len(members), pop.mode[a], dtype=np.int8))
            before = pop.before[a]
            ok = (after <= before - rules.min_minutes) & (after <= before * (1 - rules.min_fraction))
            ok &= members != a
            ok &= salary_ok(pop, np.full(len(members), a), members, rules.salary_tolerance)
            count += min(int(ok.sum()), rules.max_options)
    return count


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--naive-size", type=int, default=5_000)
    parser.add_argument("--links", type=int, default=3, help="related occupations per occupation, last row")
    args = parser.parse_args()
    rules = Rules(min_minutes=10, min_fraction=0.15, max_options=10)

    small = synthetic_metro(args.naive_size, args.seed)
    t = time.perf_counter()
    naive = naive_options(small, rules)
    naive_s = time.perf_counter() - t
    t = time.perf_counter()
    engine_options = find_options(small, rules)
    engine_s = time.perf_counter() - t
    assert len(engine_options) == naive, "the engine and the baseline disagree"
    print(
        f"candidate generation at N={args.naive_size}, best 10 options each ({naive} options): "
        f"naive all pairs {naive_s:.2f} s, engine (KD-trees) {engine_s:.3f} s"
    )

    print(
        f"{'people':>11} {'options':>9} {'2-way':>7} {'3-way':>8} {'cleared':>8} {'saved h':>9} "
        f"{'cand s':>7} {'cycle s':>8} {'clear s':>8} {'total s':>8} {'exact':>5} "
        f"{'refresh ms p50/p99':>19} {'peak MB':>8}"
    )
    rows = [(n, 0) for n in args.sizes] + ([(max(args.sizes), args.links)] if args.links else [])
    for n, links in rows:
        pop = synthetic_metro(n, args.seed, links=links)
        t = time.perf_counter()
        result = run(pop, rules, time_budget=3.0)
        total = time.perf_counter() - t
        three = int((result.cycles.members[:, 2] >= 0).sum())
        two = len(result.cycles) - three
        index = build_index(pop, rules)
        rng = np.random.default_rng(args.seed)
        times = []
        for person in rng.choice(n, size=200, replace=False):
            t = time.perf_counter()
            refresh_one(pop, rules, index, int(person))
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        tm = result.timings
        print(
            f"{n:>9}{'+L' if links else '  '} {len(result.options):>9} {two:>7} {three:>8} "
            f"{len(result.clearing.chosen):>8} "
            f"{result.clearing.total_saved / 60:>9.0f} {tm['candidates']:>7.2f} {tm['cycles']:>8.2f} "
            f"{tm['clearing']:>8.2f} {total:>8.2f} {'yes' if result.clearing.exact else 'no':>5} "
            f"{statistics.median(times):>9.1f}/{times[int(len(times) * 0.99) - 1]:<9.1f} {peak_mb():>8.0f}"
        )


if __name__ == "__main__":
    main()
