"""The engine against a brute-force oracle on small random cities."""

from __future__ import annotations

import numpy as np
import pytest

from jobswap.matching.engine import Links, Population, Rules, clear, find_cycles, find_options, run
from tests.matching import oracle


def random_city(
    seed: int, n: int, families: int = 3, shared_offices: bool = False, linked: bool = False
) -> Population:
    """People living and working around one centre; optionally many sharing one office.

    Linked: two occupations per family, and some occupations in different families
    related (0's second with 1's first, both ways; 1's second may take 2's first only)."""
    rng = np.random.default_rng(seed)
    home = rng.normal([40.0, -3.7], 0.12, size=(n, 2))
    work = rng.normal([40.0, -3.7], 0.06, size=(n, 2))
    if shared_offices:
        offices = work[rng.integers(0, max(2, n // 6), size=n)]
        work = offices
    low = rng.choice([np.nan, 30_000, 45_000, 60_000, 90_000], size=n)
    occupation = rng.integers(0, 2 * families, size=n).astype(np.int64)
    links = None
    if linked:
        pairs = [(1, 2), (2, 1), (3, 4)]
        links = Links.build(pairs, {o: o // 2 for o in range(2 * families)})
    return Population(
        home_lat=home[:, 0],
        home_lon=home[:, 1],
        work_lat=work[:, 0],
        work_lon=work[:, 1],
        family=occupation // 2,
        mode=rng.integers(0, 4, size=n).astype(np.int8),
        salary_min=low,
        salary_max=low * 1.25,
        occupation=occupation if linked else None,
        links=links,
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("max_options", [None, 3])
@pytest.mark.parametrize("linked", [False, True])
def test_engine_equals_oracle(seed: int, max_options: int | None, linked: bool) -> None:
    pop = random_city(seed, n=36, shared_offices=seed % 3 == 0, linked=linked)
    rules = Rules(min_minutes=5, min_fraction=0.1, max_options=max_options)
    options = find_options(pop, rules)
    expected_options = oracle.options(pop, rules)
    got = {
        (int(a), int(b)): float(s) for a, b, s in zip(options.src, options.dst, options.saved, strict=True)
    }
    assert got.keys() == expected_options.keys()
    for key, saved in got.items():
        assert saved == pytest.approx(expected_options[key], abs=1e-6)
        assert saved > 0  # every option shortens the commute

    cycles = find_cycles(options, len(pop))
    expected_cycles = oracle.cycles(expected_options, len(pop))
    found = {
        tuple(int(x) for x in m if x >= 0): float(s)
        for m, s in zip(cycles.members, cycles.saved, strict=True)
    }
    assert len(found) == len(cycles)  # no cycle reported twice
    assert found.keys() == expected_cycles.keys()

    clearing = clear(cycles, len(pop))
    assert clearing.exact
    assert clearing.total_saved == pytest.approx(oracle.best_clearing(expected_cycles), abs=1e-6)
    members = cycles.members[clearing.chosen].ravel()
    members = members[members >= 0]
    assert len(members) == len(set(members.tolist()))  # nobody in two swaps


def test_some_cities_have_three_way_swaps() -> None:
    seen_three = 0
    for seed in range(12):
        result = run(random_city(seed, n=36), Rules(min_minutes=5, min_fraction=0.1, max_options=None))
        seen_three += int((result.cycles.members[:, 2] >= 0).sum())
    assert seen_three > 0, "the random cities should exercise 3-way cycles"


def test_greedy_fallback_is_feasible_when_time_runs_out() -> None:
    pop = random_city(7, n=300, families=1)
    result = run(pop, Rules(min_minutes=3, min_fraction=0.05, max_options=10), time_budget=0.0)
    members = result.cycles.members[result.clearing.chosen].ravel()
    members = members[members >= 0]
    assert len(members) == len(set(members.tolist()))
    assert result.clearing.total_saved > 0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_options", [None, 3])
@pytest.mark.parametrize("linked", [False, True])
def test_refresh_one_finds_the_oracles_swaps_for_that_person(
    seed: int, max_options: int | None, linked: bool
) -> None:
    from jobswap.matching.engine import build_index, refresh_one

    pop = random_city(seed, n=36, shared_offices=seed % 2 == 0, linked=linked)
    rules = Rules(min_minutes=5, min_fraction=0.1, max_options=max_options)
    index = build_index(pop, rules)
    expected = oracle.cycles(oracle.options(pop, rules), len(pop))
    for person in range(len(pop)):
        got = refresh_one(pop, rules, index, person)
        mine = {
            tuple(int(x) for x in m if x >= 0): float(s) for m, s in zip(got.members, got.saved, strict=True)
        }
        want = {c: s for c, s in expected.items() if person in c}
        # the same cycles, each written starting from this person
        canon = {_rotate_min(c): s for c, s in mine.items()}
        assert canon.keys() == want.keys(), person
        for c, s in canon.items():
            assert s == pytest.approx(want[c], abs=1e-6)


def _rotate_min(cycle: tuple[int, ...]) -> tuple[int, ...]:
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]


def test_linked_families_add_cross_family_options_for_linked_pairs_only() -> None:
    rules = Rules(min_minutes=5, min_fraction=0.1, max_options=None)
    crossing = 0
    for seed in range(12):
        pop = random_city(seed, n=36, linked=True)
        assert pop.occupation is not None
        options = find_options(pop, rules)
        cross = pop.family[options.src] != pop.family[options.dst]
        takers, jobs = pop.occupation[options.src[cross]], pop.occupation[options.dst[cross]]
        occ_pairs = zip(takers.tolist(), jobs.tolist(), strict=True)
        assert set(occ_pairs) <= {(1, 2), (2, 1), (3, 4)}  # never (4, 3): that link is one way
        crossing += int(cross.sum())
        unlinked = find_options(random_city(seed, n=36), rules)
        same = set(zip(options.src[~cross].tolist(), options.dst[~cross].tolist(), strict=True))
        assert same == set(zip(unlinked.src.tolist(), unlinked.dst.tolist(), strict=True))  # links only add
    assert crossing > 0
