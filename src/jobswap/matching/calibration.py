"""The estimator calibrated per deployment from its own router's answers.

Every routed commute the engine asks for is kept as a sample (mode, straight-line km,
minutes). After a full run with enough new samples, `fit_mode` re-fits each mode's
constants, bounded around the defaults, and the next runs screen with them; the fit,
its sample count and its error before and after are logged and stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.matching.commute import DEFAULT_MODELS, CommuteMode, CommuteModel, Fit, ModeModel, fit_mode

log = logging.getLogger(__name__)

KEEP_SAMPLES = 20_000  # per mode: the newest, so the fit follows the network as it changes

Sample = tuple[CommuteMode, float, float]  # mode, straight-line km, routed minutes


async def record(session: AsyncSession, samples: Iterable[Sample], source: str) -> int:
    rows = [
        {"mode": mode.value, "km": km, "minutes": minutes, "source": source}
        for mode, km, minutes in samples
        if km > 0 and minutes > 0 and np.isfinite(km) and np.isfinite(minutes)
    ]
    if rows:
        await session.execute(
            text(
                "INSERT INTO commute_samples (mode, km, minutes, source) "
                "VALUES (:mode, :km, :minutes, :source)"
            ),
            rows,
        )
    return len(rows)


async def load(session: AsyncSession) -> CommuteModel:
    """The defaults with each calibrated mode's constants in their place."""
    modes = dict(DEFAULT_MODELS)
    rows = await session.execute(
        text("SELECT mode, fixed_minutes, near_per_km, far_per_km, break_km FROM commute_calibration")
    )
    for row in rows:
        modes[CommuteMode(row.mode)] = ModeModel(
            row.fixed_minutes, row.near_per_km, row.far_per_km, row.break_km
        )
    return CommuteModel(modes)


async def recalibrate(session: AsyncSession, min_samples: int) -> dict[CommuteMode, Fit]:
    """Refit every mode with at least `min_samples` routed answers; prune old samples."""
    fits: dict[CommuteMode, Fit] = {}
    for mode in CommuteMode:
        await session.execute(
            text(
                "DELETE FROM commute_samples WHERE mode = :mode AND id <= "
                "(SELECT id FROM commute_samples WHERE mode = :mode ORDER BY id DESC OFFSET :keep LIMIT 1)"
            ),
            {"mode": mode.value, "keep": KEEP_SAMPLES},
        )
        rows = (
            await session.execute(
                text("SELECT km, minutes FROM commute_samples WHERE mode = :m"), {"m": mode.value}
            )
        ).all()
        if len(rows) < min_samples:
            continue
        data = np.array([(r.km, r.minutes) for r in rows], dtype=np.float64)
        fit = fit_mode(data[:, 0], data[:, 1], DEFAULT_MODELS[mode])
        if fit is None:
            continue
        fits[mode] = fit
        await session.execute(text(_UPSERT), _row(mode, fit))
        log.info(
            "commute estimator calibrated",
            extra={
                "mode": mode.value,
                "samples": fit.samples,
                "fixed_minutes": round(fit.model.fixed_minutes, 2),
                "near_per_km": round(fit.model.near_per_km, 3),
                "far_per_km": round(fit.model.far_per_km, 3),
                "mae_before": round(fit.mae_before, 2),
                "mae_after": round(fit.mae_after, 2),
            },
        )
    return fits


def _row(mode: CommuteMode, fit: Fit) -> dict[str, Any]:
    return {
        "mode": mode.value,
        "fixed": fit.model.fixed_minutes,
        "near": fit.model.near_per_km,
        "far": fit.model.far_per_km,
        "brk": fit.model.break_km,
        "samples": fit.samples,
        "before": fit.mae_before,
        "after": fit.mae_after,
    }


_UPSERT = """
    INSERT INTO commute_calibration
        (mode, fixed_minutes, near_per_km, far_per_km, break_km, samples, mae_before, mae_after, fitted_at)
    VALUES (:mode, :fixed, :near, :far, :brk, :samples, :before, :after, now())
    ON CONFLICT (mode) DO UPDATE SET
        fixed_minutes = EXCLUDED.fixed_minutes, near_per_km = EXCLUDED.near_per_km,
        far_per_km = EXCLUDED.far_per_km, break_km = EXCLUDED.break_km, samples = EXCLUDED.samples,
        mae_before = EXCLUDED.mae_before, mae_after = EXCLUDED.mae_after, fitted_at = now()
"""
