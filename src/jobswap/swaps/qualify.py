"""Does a swap still qualify with its members' profiles as they are now? (pure)

The same rules as the engine, on the offline estimator: each member takes the next member's
job in an equivalent role, and every member's commute shrinks by the minimum minutes and share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jobswap.matching.commute import MODE_INDEX, CommuteMode, estimate_minutes
from jobswap.matching.geo import haversine_km

CIRCUITY = 1.3  # road over straight-line distance in cities (see matching.commute)


@dataclass(frozen=True, slots=True)
class Person:
    home: tuple[float, float] | None
    work: tuple[float, float] | None
    mode: CommuteMode
    occupation_code: str | None
    swap_family: str | None


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_km(np.array([a[0]]), np.array([a[1]]), np.array([b[0]]), np.array([b[1]]))[0])


def minutes(a: tuple[float, float], b: tuple[float, float], mode: CommuteMode) -> float:
    return float(estimate_minutes(np.array([km(a, b)]), np.array([MODE_INDEX[mode]], dtype=np.int8))[0])


def why_not(
    ring: list[Person],
    *,
    min_minutes: float,
    min_fraction: float,
    min_equivalence: float,
    equivalence: object,
) -> str | None:
    """None if the ring still qualifies, else the reason it does not (shown to the members)."""
    assert callable(equivalence)
    for pos, person in enumerate(ring):
        job = ring[(pos + 1) % len(ring)]
        if person.home is None or person.work is None or job.work is None:
            return "a member's home or work address is no longer known"
        if person.swap_family is None or job.swap_family is None:
            return "a member's job title no longer maps to an occupation"
        same = person.swap_family == job.swap_family
        if not same and float(equivalence(person.occupation_code, job.occupation_code)) < min_equivalence:
            return "a member's occupation changed and no longer fits the job they would take"
        before = minutes(person.home, person.work, person.mode)
        after = minutes(person.home, job.work, person.mode)
        if not (after <= before - min_minutes and after <= before * (1 - min_fraction)):
            return (
                "a member's addresses or commute mode changed, so the swap no longer shortens every commute"
            )
    return None
