"""The engine against a brute-force oracle on small random cities."""

from __future__ import annotations

import numpy as np
import pytest

from jobswap.matching.engine import Population, Rules, clear, find_cycles, find_options, run
from tests.matching import oracle


def random_city(seed: int, n: int, families: int = 3, shared_offices: bool = False) -> Population:
    """People living and working around one centre; optionally many sharing one office."""
    rng = np.random.default_rng(seed)
    home = rng.normal([40.0, -3.7], 0.12, size=(n, 2))
    work = rng.normal([40.0, -3.7], 0.06, size=(n, 2))
    if shared_offices:
        offices = work[rng.integers(0, max(2, n // 6), size=n)]
        work = offices
    low = rng.choice([np.nan, 30_000, 45_000, 60_000, 90_000], size=n)
    return Population(
        home_lat=home[:, 0],
        home_lon=home[:, 1],
        work_lat=work[:, 0],
        work_lon=work[:, 1],
        family=rng.integers(0, families, size=n).astype(np.int64),
        mode=rng.integers(0, 4, size=n).astype(np.int8),
        salary_min=low,
        salary_max=low * 1.25,
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("max_options", [None, 3])
def test_engine_equals_oracle(seed: int, max_options: int | None) -> None:
    pop = random_city(seed, n=36, shared_offices=seed % 3 == 0)
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
def test_refresh_one_finds_the_oracles_swaps_for_that_person(seed: int, max_options: int | None) -> None:
    from jobswap.matching.engine import build_index, refresh_one

    pop = random_city(seed, n=36, shared_offices=seed % 2 == 0)
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
