"""The offline commute estimator: door-to-door minutes from the straight-line distance.

minutes = fixed + near_per_km * min(km, break_km) + far_per_km * max(km - break_km, 0)

The fixed part stands for getting going at both ends (walking to the stop and waiting,
parking); the two slopes fold in the detour of real streets (circuity) and the speed,
which is lower for the first few kilometres (city streets, stops close together) than
beyond them. The defaults are fitted on router-computed rush-hour travel times of a whole
metro area and checked against published figures; `docs/commute-model.md` gives the data,
the fit and the sources. Where a routing service is configured, `fit_mode` re-fits the
constants per deployment from the routed answers (bounded around these defaults), so that
screening agrees with what the router will say.
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
    near_per_km: float  # minutes per straight-line km up to break_km
    far_per_km: float  # and beyond it
    break_km: float = 3.0

    def minutes(self, km: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        near = np.minimum(km, self.break_km)
        far = np.maximum(km - self.break_km, 0.0)
        result: npt.NDArray[np.float64] = self.fixed_minutes + self.near_per_km * near + self.far_per_km * far
        return result


# Fitted on the Helsinki Region Travel Time Matrix 2015 (rush hour, 13,400 trips of 0.25-60 km;
# see docs/commute-model.md). Bicycle is not in that data: walking's circuity with a 16 km/h
# riding speed and 3 minutes to lock and unlock.
DEFAULT_MODELS: dict[CommuteMode, ModeModel] = {
    CommuteMode.CAR: ModeModel(fixed_minutes=6.0, near_per_km=4.1, far_per_km=1.45),
    CommuteMode.TRANSIT: ModeModel(fixed_minutes=7.0, near_per_km=5.4, far_per_km=2.55),
    CommuteMode.BICYCLE: ModeModel(fixed_minutes=3.0, near_per_km=4.4, far_per_km=4.4),
    CommuteMode.WALK: ModeModel(fixed_minutes=1.0, near_per_km=16.6, far_per_km=16.6),
}
MODE_INDEX = {mode: i for i, mode in enumerate(CommuteMode)}


class CommuteModel:
    """One ModeModel per mode, as arrays the engine can index by mode number."""

    def __init__(self, modes: dict[CommuteMode, ModeModel]) -> None:
        self.modes = dict(modes)
        ordered = [self.modes[m] for m in CommuteMode]
        self._fixed = np.array([m.fixed_minutes for m in ordered])
        self._near = np.array([m.near_per_km for m in ordered])
        self._far = np.array([m.far_per_km for m in ordered])
        self._break = np.array([m.break_km for m in ordered])

    def estimate(self, km: npt.NDArray[np.float64], mode: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        brk = self._break[mode]
        result: npt.NDArray[np.float64] = (
            self._fixed[mode]
            + self._near[mode] * np.minimum(km, brk)
            + self._far[mode] * np.maximum(km - brk, 0.0)
        )
        return result

    def within(self, minutes: npt.NDArray[np.float64], mode: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        """The straight-line distance that takes at most `minutes` (the inverse; -1 for none)."""
        fixed, near, far, brk = self._fixed[mode], self._near[mode], self._far[mode], self._break[mode]
        at_break = fixed + near * brk
        km = np.where(minutes <= at_break, (minutes - fixed) / near, brk + (minutes - at_break) / far)
        result: npt.NDArray[np.float64] = np.maximum(km, -1.0)
        return result


DEFAULT = CommuteModel(DEFAULT_MODELS)


def estimate_minutes(
    km: npt.NDArray[np.float64], mode: npt.NDArray[np.int8], model: CommuteModel = DEFAULT
) -> npt.NDArray[np.float64]:
    """Door-to-door minutes for straight-line `km` by `mode` (indexes into CommuteMode)."""
    return model.estimate(km, mode)


def km_within(
    minutes: npt.NDArray[np.float64], mode: npt.NDArray[np.int8], model: CommuteModel = DEFAULT
) -> npt.NDArray[np.float64]:
    """The straight-line distance that takes at most `minutes` by `mode` (the inverse)."""
    return model.within(minutes, mode)


# A deployment's own fit may move each constant at most this far from the default, either way:
# a handful of odd routes must not make the screening absurd.
FIT_BOUNDS = 2.0
MIN_SAMPLES = 30


@dataclass(frozen=True, slots=True)
class Fit:
    model: ModeModel
    samples: int
    mae_before: float  # mean absolute error of the prior on these samples, minutes
    mae_after: float


def fit_mode(km: npt.NDArray[np.float64], minutes: npt.NDArray[np.float64], prior: ModeModel) -> Fit | None:
    """Least-squares constants for one mode from routed answers, each held within FIT_BOUNDS
    of the prior (and the fixed part within 0-30 minutes); None with too few answers.

    Trips are weighted so that each distance band counts alike: a city where most answers
    are long trips still gets its short ones right."""
    ok = np.isfinite(km) & np.isfinite(minutes) & (km > 0) & (minutes > 0)
    km, minutes = km[ok], minutes[ok]
    if len(km) < MIN_SAMPLES:
        return None
    bands = np.digitize(km, [2.0, 5.0, 10.0, 20.0])
    counts = np.bincount(bands, minlength=5).astype(np.float64)
    weight = np.sqrt(1.0 / counts[bands])
    basis = np.c_[np.ones_like(km), np.minimum(km, prior.break_km), np.maximum(km - prior.break_km, 0.0)]
    if not (km > prior.break_km).any():  # no long trips: the far slope stays the prior's
        basis[:, 2] = 0.0
    coef, *_ = np.linalg.lstsq(basis * weight[:, None], minutes * weight, rcond=None)
    lo, hi = 1 / FIT_BOUNDS, FIT_BOUNDS
    model = ModeModel(
        fixed_minutes=float(np.clip(coef[0], 0.0, 30.0)),
        near_per_km=float(np.clip(coef[1], prior.near_per_km * lo, prior.near_per_km * hi)),
        far_per_km=float(
            np.clip(coef[2], prior.far_per_km * lo, prior.far_per_km * hi)
            if (km > prior.break_km).any()
            else prior.far_per_km
        ),
        break_km=prior.break_km,
    )
    return Fit(
        model,
        len(km),
        float(np.mean(np.abs(prior.minutes(km) - minutes))),
        float(np.mean(np.abs(model.minutes(km) - minutes))),
    )
