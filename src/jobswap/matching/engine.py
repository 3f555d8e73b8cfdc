"""The swap engine: directed options, 2- and 3-way cycles, and the clearing.

Pure numpy/scipy on arrays, no database, so that a full run over a million
people fits in seconds and the same code serves tests, benchmarks and tasks.

Definitions
- Option A -> B ("A could take B's job"): equivalent roles (the same role family,
  or an occupation linked to A's across families, see `Links`), compatible salary
  bands, and A's commute from A's home to B's workplace is shorter than A's
  own by at least `min_minutes` and by at least `min_fraction`.
- A 2-way swap is a pair of options A -> B and B -> A; a 3-way swap a cycle
  A -> B -> C -> A. Every member's commute gets shorter, by construction.
- Clearing picks swaps, no person in two, that maximise the total minutes saved.

Scale
- Because the estimator grows with distance, A's options are exactly the
  workplaces of A's family inside a ball around A's home; the best ones are the
  nearest. A KD-tree per family answers "nearest workplaces" (k at a time,
  widened only for people whose first k were not enough), never all pairs.
  Occupations linked across families have trees of their own, searched the same way.
- With `max_options` set, each person keeps the options that save them most
  (ties broken by id), as a person's list of alternatives would.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp  # type: ignore[attr-defined]
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree  # type: ignore[attr-defined]

from jobswap.matching.commute import DEFAULT, CommuteModel, estimate_minutes, km_within
from jobswap.matching.geo import chord_to_km, km_to_chord, to_xyz

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Rules:
    min_minutes: float = 10.0
    min_fraction: float = 0.15
    salary_tolerance: float = 0.10  # ranges may miss each other by this share and still match
    max_options: int | None = 10


@dataclass
class Links:
    """Equivalent roles across families (O*NET-related occupations at one job zone).

    Inside a family every member may take every other's job; across families only
    the occupation pairs listed here may. The engine searches one KD-tree per linked
    occupation, so that every workplace it looks at qualifies by role."""

    jobs: dict[int, list[int]]  # taker occupation -> occupations in other families whose jobs it may take
    takers: dict[int, list[int]]  # the reverse: job occupation -> taker occupations
    pairs: I64  # sorted keys taker_occupation * base + job_occupation
    base: int

    @classmethod
    def build(cls, pairs: list[tuple[int, int]], occupation_family: dict[int, int]) -> Links:
        cross = sorted({(a, b) for a, b in pairs if occupation_family[a] != occupation_family[b]})
        base = max(occupation_family, default=0) + 1
        keys = np.asarray([a * base + b for a, b in cross], dtype=np.int64)
        jobs: dict[int, list[int]] = {}
        takers: dict[int, list[int]] = {}
        for a, b in cross:
            jobs.setdefault(a, []).append(b)
            takers.setdefault(b, []).append(a)
        return cls(jobs, takers, np.sort(keys), base)

    def allowed(self, taker: I64, job: I64) -> npt.NDArray[np.bool_]:
        if not len(self.pairs):
            return np.zeros(len(taker), dtype=bool)
        keys = taker * self.base + job
        at = np.minimum(np.searchsorted(self.pairs, keys), len(self.pairs) - 1)
        result: npt.NDArray[np.bool_] = self.pairs[at] == keys
        return result


@dataclass
class Population:
    """One row per person. Salaries are annual amounts in one currency; NaN = unknown.

    `occupation` and `links` are needed only when roles are equivalent across families."""

    home_lat: F64
    home_lon: F64
    work_lat: F64
    work_lon: F64
    family: I64
    mode: npt.NDArray[np.int8]
    salary_min: F64
    salary_max: F64
    occupation: I64 | None = None
    links: Links | None = None
    commute: CommuteModel = DEFAULT  # the estimator's constants (a deployment may calibrate its own)

    def __post_init__(self) -> None:
        self.home_xyz = to_xyz(self.home_lat, self.home_lon)
        self.work_xyz = to_xyz(self.work_lat, self.work_lon)
        own_km = chord_to_km(np.linalg.norm(self.home_xyz - self.work_xyz, axis=1))
        self.before = estimate_minutes(own_km, self.mode, self.commute)

    def __len__(self) -> int:
        return len(self.family)

    def may_take(self, taker: I64, job: I64) -> npt.NDArray[np.bool_]:
        """Equivalent roles: the same family, or a linked occupation pair."""
        same: npt.NDArray[np.bool_] = self.family[taker] == self.family[job]
        if self.links is None or self.occupation is None:
            return same
        return same | self.links.allowed(self.occupation[taker], self.occupation[job])


@dataclass
class Options:
    """Directed options as edges, grouped by src (each person's best first)."""

    src: I64
    dst: I64
    after: F64  # src's commute to dst's workplace, minutes
    saved: F64  # src's minutes saved

    def __len__(self) -> int:
        return len(self.src)


@dataclass
class Cycles:
    """2-way swaps have members[:, 2] == -1. `saved` is the total over members."""

    members: I64  # (n, 3)
    saved: F64

    def __len__(self) -> int:
        return len(self.saved)


@dataclass
class Clearing:
    chosen: I64  # indexes into the cycles
    total_saved: float
    exact: bool
    seconds: float


@dataclass
class Group:
    """People searched together: a KD-tree over their workplaces, their homes and reach."""

    members: I64
    work_tree: cKDTree
    homes: F64
    reach_chord: F64
    pay_low: float  # the lowest salary_min and highest salary_max among members (NaN: none known)
    pay_high: float
    pay_unknown: bool  # some member's band is unknown, so any searcher's salary may suit

    def salary_may_suit(self, pop: Population, searchers: I64, tolerance: float) -> npt.NDArray[np.bool_]:
        """False only where no member's band can suit: the envelope of the members' bands
        fails the same test (its gap is no larger and its scale no smaller than any member's)."""
        lo, hi = pop.salary_min[searchers], pop.salary_max[searchers]
        if self.pay_unknown or np.isnan(self.pay_low):
            return np.ones(len(searchers), dtype=bool)
        gap = np.maximum(self.pay_low - hi, lo - self.pay_high)
        result: npt.NDArray[np.bool_] = (gap <= tolerance * np.maximum(hi, self.pay_high)) | np.isnan(lo + hi)
        return result


@dataclass
class Index:
    """KD-trees per family (and per linked occupation), kept for incremental refreshes."""

    reach: F64  # each person's reach, km
    families: dict[int, Group] = field(default_factory=dict)
    occupations: dict[int, Group] = field(default_factory=dict)  # only occupations in `Links`


def reach_km(pop: Population, rules: Rules, who: I64 | slice = slice(None)) -> F64:
    """How far from home a workplace may be and still be an option for each person."""
    before = pop.before[who]
    limit = np.minimum(before - rules.min_minutes, before * (1 - rules.min_fraction))
    return km_within(limit, pop.mode[who], pop.commute)


def salary_ok(pop: Population, a: I64, b: I64, tolerance: float) -> npt.NDArray[np.bool_]:
    """Bands overlap, allowing a gap of `tolerance` of the higher band; unknown bands do not block."""
    lo_a, hi_a, lo_b, hi_b = pop.salary_min[a], pop.salary_max[a], pop.salary_min[b], pop.salary_max[b]
    gap = np.maximum(lo_b - hi_a, lo_a - hi_b)
    scale = np.maximum(hi_a, hi_b)
    ok = gap <= tolerance * scale
    unknown = np.isnan(lo_a) | np.isnan(hi_a) | np.isnan(lo_b) | np.isnan(hi_b)
    result: npt.NDArray[np.bool_] = ok | unknown
    return result


def build_index(pop: Population, rules: Rules) -> Index:
    index = Index(reach_km(pop, rules))
    reach = km_to_chord(np.maximum(index.reach, 0.0))

    def group(members: I64) -> Group:
        low, high = pop.salary_min[members], pop.salary_max[members]
        unknown = bool(np.isnan(low).any() or np.isnan(high).any())
        low_known, high_known = low[~np.isnan(low)], high[~np.isnan(high)]
        return Group(
            members,
            cKDTree(pop.work_xyz[members]),
            np.ascontiguousarray(pop.home_xyz[members]),
            reach[members],
            float(low_known.min()) if len(low_known) else math.nan,
            float(high_known.max()) if len(high_known) else math.nan,
            unknown,
        )

    for fam, members in _by_key(np.arange(len(pop), dtype=np.int64), pop.family):
        index.families[fam] = group(members)
    if pop.links is not None and pop.occupation is not None:
        for occ, members in _by_key(np.arange(len(pop), dtype=np.int64), pop.occupation):
            if occ in pop.links.takers or occ in pop.links.jobs:
                index.occupations[occ] = group(members)
    return index


def find_options(pop: Population, rules: Rules, index: Index | None = None) -> Options:
    """Every person's options (their best `max_options` of them, when capped)."""
    index = index or build_index(pop, rules)
    return _edges(pop, [_options_of(pop, rules, index, np.arange(len(pop), dtype=np.int64))])


def _by_key(people: I64, keys: I64) -> list[tuple[int, I64]]:
    order = np.argsort(keys, kind="stable")
    values, starts = np.unique(keys[order], return_index=True)
    bounds = [*starts.tolist(), len(people)]
    return [(key, people[order[bounds[i] : bounds[i + 1]]]) for i, key in enumerate(values.tolist())]


def _options_of(pop: Population, rules: Rules, index: Index, people: I64) -> tuple[I64, I64, F64]:
    """The options of `people`: their own family's jobs, and the jobs of the occupations
    linked to theirs (one tree each)."""
    people = np.unique(people)
    people = people[index.reach[people] > 0]
    parts: list[tuple[I64, I64, F64]] = []
    for fam, searchers in _by_key(people, pop.family[people]):
        group = index.families[fam]
        if len(group.members) > 1:
            parts.append(_family_options(pop, rules, group, searchers, index.reach))
    if pop.links is not None and pop.occupation is not None:
        # One search per linked occupation's tree, by everyone whose occupation may take its jobs
        # (and whose salary some member's band can suit): few calls, each a big batch.
        by_occupation = dict(_by_key(people, pop.occupation[people]))
        for job, takers in pop.links.takers.items():
            target = index.occupations.get(job)
            found = [by_occupation[t] for t in takers if t in by_occupation]
            if target is None or not found:
                continue
            searchers = np.concatenate(found)
            suited = searchers[target.salary_may_suit(pop, searchers, rules.salary_tolerance)]
            if len(suited):
                parts.append(_family_options(pop, rules, target, suited, index.reach))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    if pop.links is not None and rules.max_options is not None:
        return _best_of(parts, people, rules.max_options)
    src, dst, km = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return src.astype(np.int64, copy=False), dst.astype(np.int64, copy=False), km


def _best_of(parts: list[tuple[I64, I64, F64]], people: I64, cap: int) -> tuple[I64, I64, F64]:
    """Each tree gave a person's best few; keep the best `cap` of them all, by distance then id.
    A (people x cap) table is merged with one part at a time, row-wise, rather than sorting
    every candidate edge together."""
    best_km = np.full((len(people), cap), np.inf)
    best_dst = np.full((len(people), cap), -1, dtype=np.int64)
    for part_src, part_dst, part_km in parts:
        if not len(part_src):
            continue
        order = np.argsort(part_src, kind="stable")  # a part lists each person's options best first
        src, dst, km = part_src[order], part_dst[order], part_km[order]
        rows, starts, counts = np.unique(src, return_index=True, return_counts=True)
        row = np.repeat(np.arange(len(rows)), counts)
        column = np.arange(len(src)) - np.repeat(starts, counts)
        new_km = np.full((len(rows), cap), np.inf)
        new_dst = np.full((len(rows), cap), -1, dtype=np.int64)
        new_km[row, column], new_dst[row, column] = km, dst
        at = np.searchsorted(people, rows)
        both_km = np.concatenate([best_km[at], new_km], axis=1)
        both_dst = np.concatenate([best_dst[at], new_dst], axis=1)
        pick = np.lexsort((both_dst, both_km), axis=1)[:, :cap]
        best_km[at] = np.take_along_axis(both_km, pick, axis=1)
        best_dst[at] = np.take_along_axis(both_dst, pick, axis=1)
    kept = np.isfinite(best_km)
    return np.repeat(people, kept.sum(axis=1)), best_dst[kept], best_km[kept]


def _family_options(
    pop: Population, rules: Rules, group: Group, searchers: I64, reach: F64
) -> tuple[I64, I64, F64]:
    """Options of `searchers` among the jobs of `group`, whose roles all suit them."""
    members, tree = group.members, group.work_tree
    size = len(members)
    radius = km_to_chord(reach[searchers])
    if rules.max_options is None:
        found = tree.query_ball_point(pop.home_xyz[searchers], radius, return_sorted=True)
        lengths = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
        src = np.repeat(searchers, lengths)
        dst = (
            members[np.concatenate([np.asarray(f, dtype=np.int64) for f in found])]
            if lengths.sum()
            else src[:0]
        )
        keep = (dst != src) & salary_ok(pop, src, dst, rules.salary_tolerance)
        return src[keep], dst[keep], _km(pop, src[keep], dst[keep])

    out_src: list[I64] = []
    out_dst: list[I64] = []
    pending = searchers
    k = min(size, rules.max_options + 5)
    while len(pending):
        workers = -1 if len(pending) > 2_000 else 1  # threads cost more than they save on small batches
        dist, idx = tree.query(pop.home_xyz[pending], k=k, workers=workers)
        dist = dist.reshape(len(pending), -1)
        idx = idx.reshape(len(pending), -1)
        src = np.repeat(pending, idx.shape[1]).reshape(idx.shape)
        dst = members[idx]
        valid = (dst != src) & (dist <= km_to_chord(reach[pending])[:, None])
        check = np.flatnonzero(valid)  # salaries only where the distance already qualifies
        valid.ravel()[check] = salary_ok(pop, src.ravel()[check], dst.ravel()[check], rules.salary_tolerance)
        # rank by distance, then id, so that the cut at max_options is deterministic
        rank_key = np.where(valid, dist, np.inf)
        order = np.lexsort((dst, rank_key), axis=1)
        rows = np.arange(len(pending))[:, None]
        valid_sorted = valid[rows, order][:, : rules.max_options]
        dst_sorted = dst[rows, order][:, : rules.max_options]
        count = valid.sum(axis=1)
        exhausted = (k >= size) | (dist[:, -1] > km_to_chord(reach[pending]))
        done = exhausted | (count >= rules.max_options)
        # A row whose k-th neighbour is at the same distance as its last kept option could hide
        # an equally near one with a smaller id: widen it as well.
        done &= ~((count >= rules.max_options) & ~exhausted & _tie_at_cut(dist, rank_key, rules.max_options))
        out_src.append(np.repeat(pending[done], valid_sorted[done].sum(axis=1)))
        out_dst.append(dst_sorted[done][valid_sorted[done]])
        pending = pending[~done]
        k = min(size, k * 4)
    src = np.concatenate(out_src)
    dst = np.concatenate(out_dst)
    return src, dst, _km(pop, src, dst)


def _tie_at_cut(dist: F64, rank_key: F64, cut: int) -> npt.NDArray[np.bool_]:
    if rank_key.shape[1] < cut:
        return np.zeros(len(rank_key), dtype=bool)
    kept = np.sort(rank_key, axis=1)[:, cut - 1]
    result: npt.NDArray[np.bool_] = np.isclose(dist[:, -1], kept) & np.isfinite(kept)
    return result


def _km(pop: Population, src: I64, dst: I64) -> F64:
    return chord_to_km(np.linalg.norm(pop.home_xyz[src] - pop.work_xyz[dst], axis=1))


def _edges(pop: Population, parts: list[tuple[I64, I64, F64]]) -> Options:
    if parts:
        src = np.concatenate([p[0] for p in parts]).astype(np.int64, copy=False)
        dst = np.concatenate([p[1] for p in parts]).astype(np.int64, copy=False)
        km = np.concatenate([p[2] for p in parts])
    else:
        src = dst = np.zeros(0, dtype=np.int64)
        km = np.zeros(0)
    after = estimate_minutes(km, pop.mode[src], pop.commute)
    saved = pop.before[src] - after
    order = np.argsort(src, kind="stable")  # family blocks are already sorted runs
    return Options(src[order], dst[order], after[order], saved[order])


def find_cycles(options: Options, n: int, *, chunk: int = 1_000_000) -> Cycles:
    """All 2-way and 3-way cycles among the options, each once (smallest member first)."""
    keep = _on_some_cycle(options.src, options.dst, n)
    src, dst, saved = options.src[keep], options.dst[keep], options.saved[keep]
    indptr = np.searchsorted(src, np.arange(n + 1))
    degree = np.diff(indptr)
    width = int(degree.max(initial=0))
    # Each person's outgoing edges side by side (edge ids, -1 padded): "is there an edge
    # c -> a" becomes a comparison across one short row instead of a search.
    table = np.full((n, max(width, 1)), -1, dtype=np.int32)
    if len(src):
        column = np.arange(len(src)) - indptr[src]
        table[src, column] = np.arange(len(src), dtype=np.int32)
    table_dst = np.where(table >= 0, dst.astype(np.int32)[np.maximum(table, 0)], -1)

    def edge_to(frm: I64, to: I64) -> I64:
        """The id of edge frm -> to, or -1."""
        hit = table_dst[frm] == to.astype(np.int32)[:, None]
        found = hit.any(axis=1)
        result: I64 = np.where(found, table[frm, hit.argmax(axis=1)], -1).astype(np.int64)
        return result

    members: list[I64] = []
    totals: list[F64] = []
    forward = np.flatnonzero(src < dst)
    back = edge_to(dst[forward], src[forward])
    two = forward[back >= 0]
    members.append(np.stack([src[two], dst[two], np.full(len(two), -1)], axis=1))
    totals.append(saved[two] + saved[back[back >= 0]])

    for start in range(0, len(forward), chunk):
        e1 = forward[start : start + chunk]
        b = dst[e1]
        hop = degree[b]
        e1_rep = np.repeat(e1, hop)
        e2 = np.repeat(indptr[b], hop) + (np.arange(len(e1_rep)) - np.repeat(np.cumsum(hop) - hop, hop))
        a, c = src[e1_rep], dst[e2]
        closing = c > a
        e1_rep, e2, a, c = e1_rep[closing], e2[closing], a[closing], c[closing]
        e3 = edge_to(c, a)
        closed = e3 >= 0
        e1_rep, e2, e3 = e1_rep[closed], e2[closed], e3[closed]
        members.append(np.stack([src[e1_rep], dst[e1_rep], dst[e2]], axis=1))
        totals.append(saved[e1_rep] + saved[e2] + saved[e3])
    return Cycles(np.concatenate(members).astype(np.int64), np.concatenate(totals))


def _on_some_cycle(src: I64, dst: I64, n: int) -> npt.NDArray[np.bool_]:
    """Edges that may lie on a cycle: repeatedly drop those into a person with no options
    of their own, or out of a person whose job nobody could take."""
    keep = np.ones(len(src), dtype=bool)
    for _ in range(2):  # a filter only: two passes remove most dead ends
        s, d = src[keep], dst[keep]
        alive = (np.bincount(d, minlength=n)[s] > 0) & (np.bincount(s, minlength=n)[d] > 0)
        if alive.all():
            break
        keep[np.flatnonzero(keep)[~alive]] = False
    return keep


def clear(cycles: Cycles, n: int, *, time_budget: float = 5.0) -> Clearing:
    """Choose disjoint cycles with the most minutes saved: exact (HiGHS) within the time
    budget, else greedy by minutes saved."""
    started = time.perf_counter()
    m = len(cycles)
    if m == 0:
        return Clearing(np.zeros(0, dtype=np.int64), 0.0, True, 0.0)
    rows = np.repeat(np.arange(m), 3)
    cols = cycles.members.ravel()
    real = cols >= 0
    incidence = sparse.csr_matrix((np.ones(real.sum()), (rows[real], cols[real])), shape=(m, n))
    # Cycles that share nobody with another cycle are chosen outright; the rest are
    # split into connected groups and solved together as one integer programme.
    per_person = np.asarray(incidence.sum(axis=0)).ravel()
    contested = np.asarray((incidence[:, per_person > 1]).sum(axis=1)).ravel() > 0
    free = np.flatnonzero(~contested)
    chosen = [free]
    # Groups of exactly two overlapping cycles: the heavier one wins, no solver needed.
    group = _groups(incidence, contested)
    sizes = np.bincount(group[contested]) if contested.any() else np.zeros(0, dtype=np.int64)
    pair_mask = contested & (sizes[np.maximum(group, 0)] == 2) if len(sizes) else contested & False
    pairs = np.flatnonzero(pair_mask)
    if len(pairs):
        order = np.lexsort((-cycles.saved[pairs], group[pairs]))
        first_of_group = np.r_[True, group[pairs][order][1:] != group[pairs][order][:-1]]
        chosen.append(pairs[order][first_of_group])
    hard = np.flatnonzero(contested & ~pair_mask)
    exact = True
    if len(hard):
        sub = incidence[hard][:, per_person > 1].tocsr()
        # The LP relaxation first: groups are independent, so a group whose LP optimum is
        # integral is solved exactly; only groups with fractional values need the MIP.
        lp = linprog(
            -cycles.saved[hard],
            A_ub=sub.T.tocsr(),
            b_ub=np.ones(sub.shape[1]),
            bounds=(0, 1),
            method="highs",
            options={"time_limit": max(time_budget - (time.perf_counter() - started), 0.05)},
        )
        if lp.status == 0 and lp.x is not None:
            fractional = (lp.x > 1e-6) & (lp.x < 1 - 1e-6)
            bad_groups = np.unique(group[hard][fractional])
            in_bad = np.isin(group[hard], bad_groups)
            chosen.append(hard[~in_bad & (lp.x > 0.5)])
            hard_rest = np.flatnonzero(in_bad)
        else:
            hard_rest = np.arange(len(hard))
        if len(hard_rest):
            rest = sub[hard_rest]
            rest = rest[:, np.asarray(rest.sum(axis=0)).ravel() > 0].tocsc()
            remaining = time_budget - (time.perf_counter() - started)
            picked, exact = _solve(rest, cycles.saved[hard][hard_rest], max(remaining, 0.05))
            chosen.append(hard[hard_rest][picked])
    result = np.sort(np.concatenate(chosen))
    return Clearing(result, float(cycles.saved[result].sum()), exact, time.perf_counter() - started)


def _groups(incidence: sparse.csr_matrix, contested: npt.NDArray[np.bool_]) -> I64:
    """For each cycle, the group of cycles it is connected to through shared people."""
    m = incidence.shape[0]
    graph = sparse.bmat([[None, incidence], [incidence.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    result: I64 = np.where(contested, labels[:m], -1).astype(np.int64)
    return result


def _solve(incidence: sparse.csc_matrix, weight: F64, budget: float) -> tuple[I64, bool]:
    m = incidence.shape[0]
    constraint = LinearConstraint(incidence.T.tocsr(), -np.inf, 1.0)
    result = milp(
        c=-weight,
        constraints=[constraint],
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
        options={"time_limit": budget, "disp": False},
    )
    if result.status == 0 and result.x is not None:
        return np.flatnonzero(result.x > 0.5), True
    return _greedy(incidence.tocsr(), weight), False


def _greedy(incidence: sparse.csr_matrix, weight: F64) -> I64:
    used = np.zeros(incidence.shape[1], dtype=bool)
    picked = []
    for i in np.argsort(-weight, kind="stable"):
        people = incidence.indices[incidence.indptr[i] : incidence.indptr[i + 1]]
        if not used[people].any():
            used[people] = True
            picked.append(i)
    return np.asarray(picked, dtype=np.int64)


def refresh_one(pop: Population, rules: Rules, index: Index, person: int) -> Cycles:
    """The swaps one person can be part of now, without a full run (e.g. after a profile edit).

    With capped options the answer is what a full run would find for this person:
    each hop is among its giver's best options, looked up in the trees of the
    giver's family and linked occupations (a handful of small queries). Uncapped,
    every option counts, by the criteria.
    """
    empty = Cycles(np.zeros((0, 3), dtype=np.int64), np.zeros(0))
    if index.reach[person] <= 0:
        return empty
    if rules.max_options is None:
        return _refresh_uncapped(pop, rules, index, person)

    def best_options(people: I64) -> dict[int, set[int]]:
        src, dst, _ = _options_of(pop, rules, index, people)
        found: dict[int, set[int]] = {}
        for a, b in zip(src.tolist(), dst.tolist(), strict=True):
            found.setdefault(a, set()).add(b)
        return found

    mine = best_options(np.array([person], dtype=np.int64)).get(person, set())
    second = best_options(np.fromiter(mine, dtype=np.int64, count=len(mine)))
    thirds = {c for b in mine for c in second.get(b, ()) if c != person}
    third = best_options(np.fromiter(thirds, dtype=np.int64, count=len(thirds)))
    cycles: list[tuple[int, int, int]] = []
    for b in sorted(mine):
        if person in second.get(b, ()):
            cycles.append((person, b, -1))
        for c in sorted(second.get(b, ())):
            if c != person and person in third.get(c, ()):
                cycles.append((person, b, c))
    if not cycles:
        return empty
    found_members = np.asarray(cycles, dtype=np.int64)
    return _with_savings(pop, found_members)


def _with_savings(pop: Population, members: I64) -> Cycles:
    """Total minutes saved by each cycle (members in order; -1 pads a 2-way swap)."""
    nxt = np.where(members[:, [2]] >= 0, np.roll(members, -1, axis=1), members[:, [1, 0, 0]])
    total = np.zeros(len(members))
    for j in range(3):
        giver, taker = members[:, j], nxt[:, j]
        real = giver >= 0
        km = _km(pop, giver[real], taker[real])
        total[real] += pop.before[giver[real]] - estimate_minutes(km, pop.mode[giver[real]], pop.commute)
    order = np.argsort(-total, kind="stable")
    return Cycles(members[order], total[order])


def _refresh_uncapped(pop: Population, rules: Rules, index: Index, person: int) -> Cycles:
    fam = int(pop.family[person])
    reach = index.reach
    me = np.array([person], dtype=np.int64)
    _, outs, _ = _options_of(pop, rules, index, me)
    groups = [index.families[fam]]
    if pop.links is not None and pop.occupation is not None:
        linked = pop.links.takers.get(int(pop.occupation[person]), [])
        groups += [index.occupations[o] for o in linked if o in index.occupations]
    takers: list[I64] = []  # people who could take my job: homes within their reach of my workplace
    for group in groups:
        gap = group.homes - pop.work_xyz[person]
        near = group.members[np.einsum("ij,ij->i", gap, gap) <= group.reach_chord**2]
        near = near[near != person]
        takers.append(near[salary_ok(pop, near, np.full(len(near), person), rules.salary_tolerance)])
    ins = np.concatenate(takers) if takers else me[:0]
    found = [
        np.stack(
            [me.repeat(len(common := np.intersect1d(outs, ins))), common, np.full(len(common), -1)], axis=1
        )
    ]
    if len(outs) and len(ins):
        b = np.repeat(outs, len(ins))
        c = np.tile(ins, len(outs))
        keep = b != c
        b, c = b[keep], c[keep]
        link = (
            (_km(pop, b, c) <= reach[b]) & salary_ok(pop, b, c, rules.salary_tolerance) & pop.may_take(b, c)
        )
        found.append(np.stack([me.repeat(int(link.sum())), b[link], c[link]], axis=1))
    return _with_savings(pop, np.concatenate(found))


@dataclass
class Result:
    options: Options
    cycles: Cycles
    clearing: Clearing
    timings: dict[str, float]


def run(pop: Population, rules: Rules, *, time_budget: float = 5.0) -> Result:
    """The whole engine: index, options, cycles, clearing, with the time of each step."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    index = build_index(pop, rules)
    options = find_options(pop, rules, index)
    timings["candidates"] = time.perf_counter() - t
    t = time.perf_counter()
    cycles = find_cycles(options, len(pop))
    timings["cycles"] = time.perf_counter() - t
    clearing = clear(cycles, len(pop), time_budget=time_budget)
    timings["clearing"] = clearing.seconds
    return Result(options, cycles, clearing, timings)
