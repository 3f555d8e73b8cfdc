"""The offline commute estimator: minutes = fixed part + minutes per straight-line kilometre.

Straight-line distance understates the road or track distance; the per-km
figure folds in that detour (a "circuity" factor) and the mode's typical
door-to-door speed, and the fixed part stands for parking, waiting and walking
at both ends. The constants are calibrated so that typical trips land near
published averages, and are meant to be replaced by a routing provider (OSRM,
Google) for the pairs that survive the engine's screening.

Sources behind the constants:
- Circuity: road distance is about 1.2-1.4 times the straight line in cities
  (Ballou, Rahardja & Sakai, "Selected country circuity factors for road travel
  distance estimation", Transportation Research Part A 36, 2002: US mean 1.20;
  Giacomin & Levinson 2015, US metro average 1.34). 1.3 is used for car, bicycle, walk.
- Car: US mean commute about 27 minutes (U.S. Census Bureau, American
  Community Survey 2019-2023: 26.8) over a mean commute trip of 12.2 miles,
  19.6 km of road (FHWA NHTS 2017), i.e. about 15 km straight-line. Taking ~4
  minutes to park and walk, the remaining 23 minutes give ~51 km/h on the road:
  1.3 * 60 / 51 = 1.55 min per straight-line km (15 km -> 27 minutes).
- Transit: mean US transit commute about 50 minutes (ACS) for trips of similar
  length; typical scheduled speeds of 20-25 km/h (bus and rail mixed) plus
  ~10 minutes of access, waiting and transfers: 1.25 * 60 / 22 = 3.4 min/km.
- Bicycle: 15-18 km/h typical urban commuting speed (e.g. Dutch Fietsberaad
  figures) -> 1.3 * 60 / 16 = 4.9 min/km, plus 2 minutes.
- Walking: 4.8-5 km/h (Manual on Uniform Traffic Control Devices design walking
  speed 1.07-1.2 m/s) -> 1.3 * 60 / 4.8 = 16.3 min/km.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


class CommuteMode(enum.StrEnum):
    CAR = "car"
    TRANSIT = "transit"
    BICYCLE = "bicycle"
    WALK = "walk"


@dataclass(frozen=True, slots=True)
class ModeModel:
    fixed_minutes: float
    minutes_per_km: float


MODELS: dict[CommuteMode, ModeModel] = {
    CommuteMode.CAR: ModeModel(fixed_minutes=4.0, minutes_per_km=1.55),
    CommuteMode.TRANSIT: ModeModel(fixed_minutes=10.0, minutes_per_km=3.4),
    CommuteMode.BICYCLE: ModeModel(fixed_minutes=2.0, minutes_per_km=4.9),
    CommuteMode.WALK: ModeModel(fixed_minutes=0.0, minutes_per_km=16.3),
}
MODE_INDEX = {mode: i for i, mode in enumerate(CommuteMode)}
FIXED = np.array([MODELS[m].fixed_minutes for m in CommuteMode])
PER_KM = np.array([MODELS[m].minutes_per_km for m in CommuteMode])


def estimate_minutes(km: npt.NDArray[np.float64], mode: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
    """Door-to-door minutes for straight-line `km` by `mode` (indexes into CommuteMode)."""
    result: npt.NDArray[np.float64] = FIXED[mode] + PER_KM[mode] * km
    return result


def km_within(minutes: npt.NDArray[np.float64], mode: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
    """The straight-line distance that takes at most `minutes` by `mode` (the inverse)."""
    result: npt.NDArray[np.float64] = np.maximum((minutes - FIXED[mode]) / PER_KM[mode], -1.0)
    return result
