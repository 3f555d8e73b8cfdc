"""The offline commute estimator against router-computed travel times, by mode and distance.

Data: the Helsinki Region Travel Time Matrix 2015 (Accessibility Research Group, University of
Helsinki; CC BY 4.0), rush-hour door-to-door minutes from every 250 m grid cell of the region
to two destinations (benchmarks/data/commute/SOURCE.md). Trips are split by origin cell into
two halves: the shipped defaults were fitted on the even cells, so the odd cells are held out.

Beside the current defaults: the constants before issue 10, a constant speed fitted per mode
(minutes = km / v, on the fitting half), and `fit_mode` run on the fitting half (what a
deployment's self-calibration would do with that many routed answers).

    .venv/bin/python benchmarks/commute_bench.py
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np

from jobswap.matching.commute import DEFAULT_MODELS, CommuteMode, ModeModel, fit_mode

DATA = Path(__file__).resolve().parent / "data" / "commute" / "helsinki_travel_times.csv.gz"
COLUMNS = {CommuteMode.WALK: "walk_min", CommuteMode.TRANSIT: "transit_min", CommuteMode.CAR: "car_min"}
PREVIOUS = {  # fixed minutes, minutes per straight-line km, as shipped before issue 10
    CommuteMode.CAR: (4.0, 1.55),
    CommuteMode.TRANSIT: (10.0, 3.4),
    CommuteMode.BICYCLE: (2.0, 4.9),
    CommuteMode.WALK: (0.0, 16.3),
}
BANDS = [(0.25, 2), (2, 5), (5, 10), (10, 20), (20, 60)]


def load() -> tuple[np.ndarray, np.ndarray, dict[CommuteMode, np.ndarray]]:
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(DATA.read_bytes()).decode())))
    km = np.array([float(r["km"]) for r in rows])
    held_out = np.array([int(r["from_id"]) % 2 == 1 for r in rows])
    minutes = {mode: np.array([float(r[col]) for r in rows]) for mode, col in COLUMNS.items()}
    return km, held_out, minutes


def report(name: str, estimate: Callable[[np.ndarray], np.ndarray], km: np.ndarray, real: np.ndarray) -> None:
    est = estimate(km)
    ratio = est / real
    cells = []
    for lo, hi in BANDS:
        m = (km >= lo) & (km < hi)
        cells.append(
            f"{np.median(ratio[m]):.2f}/{np.mean(np.abs(est[m] - real[m])):>4.1f}" if m.any() else "-"
        )
    bias, mae = np.mean(est - real), np.mean(np.abs(est - real))
    summary = f"    {name:<28}{np.median(ratio):>6.2f}{bias:>+7.1f}{mae:>6.1f}  "
    print(summary + "  ".join(f"{c:>10}" for c in cells))


def main() -> None:
    km, held_out, minutes = load()
    fit_half = ~held_out
    print(f"{len(km)} trips ({held_out.sum()} held out), straight-line 0.25-{km.max():.0f} km")
    bands = "  ".join(f"{f'{lo}-{hi} km' if hi < 60 else f'{lo}+ km':>10}" for lo, hi in BANDS)
    print(f"    {'estimator':<28}{'ratio':>6}{'bias':>7}{'MAE':>6}  {bands}")
    print("    (ratio: median estimate/real; bias and MAE in minutes; per band: ratio/MAE)")
    for mode, real in minutes.items():
        counts = [int(((km >= lo) & (km < hi) & held_out).sum()) for lo, hi in BANDS]
        print(f"\n  {mode.value} (held-out trips per band: {counts})")
        test_km, test_real = km[held_out], real[held_out]
        fixed, per_km = PREVIOUS[mode]
        report("previous constants", lambda d, f=fixed, p=per_km: f + p * d, test_km, test_real)
        speed = float(np.sum(km[fit_half] ** 2) / np.sum(km[fit_half] * real[fit_half]))  # km per minute
        report(f"constant speed {speed * 60:.1f} km/h", lambda d, v=speed: d / v, test_km, test_real)
        report("current defaults", DEFAULT_MODELS[mode].minutes, test_km, test_real)
        fit = fit_mode(km[fit_half], real[fit_half], DEFAULT_MODELS[mode])
        assert fit is not None
        report("fit_mode on the fitting half", fit.model.minutes, test_km, test_real)
        print(f"    fitted: {_describe(fit.model)}; shipped: {_describe(DEFAULT_MODELS[mode])}")


def _describe(model: ModeModel) -> str:
    return (
        f"{model.fixed_minutes:.1f} min + {model.near_per_km:.2f}/km to {model.break_km:g} km, "
        f"{model.far_per_km:.2f}/km beyond"
    )


if __name__ == "__main__":
    main()
