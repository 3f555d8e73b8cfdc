"""A brute-force oracle for the swap engine: every pair, every triple, every subset."""

from __future__ import annotations

import itertools

import numpy as np

from jobswap.matching.commute import estimate_minutes
from jobswap.matching.engine import Population, Rules
from jobswap.matching.geo import haversine_km


def options(pop: Population, rules: Rules) -> dict[tuple[int, int], float]:
    """(a, b) -> minutes a saves, for every option, by the definition alone."""
    n = len(pop)
    found: dict[int, list[tuple[float, int, float]]] = {a: [] for a in range(n)}
    for a, b in itertools.permutations(range(n), 2):
        if pop.family[a] != pop.family[b] and not _linked(pop, a, b):
            continue
        km = haversine_km(pop.home_lat[a], pop.home_lon[a], pop.work_lat[b], pop.work_lon[b])
        after = float(estimate_minutes(np.array([km]), pop.mode[[a]])[0])
        before = float(pop.before[a])
        if after > before - rules.min_minutes + 1e-9 or after > before * (1 - rules.min_fraction) + 1e-9:
            continue
        lo_a, hi_a, lo_b, hi_b = pop.salary_min[a], pop.salary_max[a], pop.salary_min[b], pop.salary_max[b]
        known = not any(np.isnan(v) for v in (lo_a, hi_a, lo_b, hi_b))
        if known and max(lo_b - hi_a, lo_a - hi_b) > rules.salary_tolerance * max(hi_a, hi_b):
            continue
        found[a].append((km, b, before - after))
    result = {}
    for a, items in found.items():
        items.sort(key=lambda t: (round(t[0], 9), t[1]))
        for _, b, saved in items[: rules.max_options] if rules.max_options else items:
            result[(a, b)] = saved
    return result


def _linked(pop: Population, a: int, b: int) -> bool:
    if pop.links is None or pop.occupation is None:
        return False
    key = int(pop.occupation[a]) * pop.links.base + int(pop.occupation[b])
    return key in set(pop.links.pairs.tolist())


def cycles(opts: dict[tuple[int, int], float], n: int) -> dict[tuple[int, ...], float]:
    out: dict[tuple[int, ...], float] = {}
    for (a, b), s in opts.items():
        if a < b and (b, a) in opts:
            out[(a, b)] = s + opts[(b, a)]
    for a, b, c in itertools.permutations(range(n), 3):
        if a < b and a < c and (a, b) in opts and (b, c) in opts and (c, a) in opts:
            out[(a, b, c)] = opts[(a, b)] + opts[(b, c)] + opts[(c, a)]
    return out


def best_clearing(found: dict[tuple[int, ...], float]) -> float:
    """The exact optimum by exhaustive search, one group of overlapping cycles at a time."""
    items = list(found.items())
    # group cycles that share people (union-find over people)
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for members, _ in items:
        for m in members[1:]:
            parent[root(m)] = root(members[0])
    groups: dict[int, list[tuple[tuple[int, ...], float]]] = {}
    for members, weight in items:
        groups.setdefault(root(members[0]), []).append((members, weight))
    return sum(_best(sorted(g, key=lambda kv: -kv[1])) for g in groups.values())


def _best(items: list[tuple[tuple[int, ...], float]]) -> float:
    best = 0.0

    def search(i: int, used: frozenset[int], total: float) -> None:
        nonlocal best
        best = max(best, total)
        free = [w for members, w in items[i:] if not used.intersection(members)]
        if i == len(items) or total + sum(free) <= best:
            return
        members, weight = items[i]
        if used.intersection(members):
            search(i + 1, used, total)
            return
        search(i + 1, used | set(members), total + weight)
        # leaving cycle i out only pays if a later cycle that overlaps it is taken
        if any(set(members) & set(m) for m, _ in items[i + 1 :]):
            search(i + 1, used, total)

    search(0, frozenset(), 0.0)
    return best
