"""Charts and schematic maps as plain numbers for SVG templates: no chart library, no tiles.

Every shape is drawn by the templates from these coordinates (SVG attributes, no inline style),
so pages satisfy a strict Content-Security-Policy and work offline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bar:
    label: str
    before: float
    after: float
    y: float
    before_width: float
    after_width: float


def commute_chart(members: list[Any], width: float = 300.0) -> dict[str, Any]:
    """Horizontal bars, before and after, one pair per member, on a shared minute scale."""
    longest = max(
        [m.commute_before_minutes for m in members] + [m.commute_after_minutes for m in members] + [1.0]
    )
    bars = []
    for i, m in enumerate(members):
        label = "You" if getattr(m, "you", False) else f"Member {i + 1}"
        bars.append(
            Bar(
                label=label,
                before=round(m.commute_before_minutes),
                after=round(m.commute_after_minutes),
                y=10 + i * 46,
                before_width=max(2.0, width * m.commute_before_minutes / longest),
                after_width=max(2.0, width * m.commute_after_minutes / longest),
            )
        )
    return {"bars": bars, "height": 20 + 46 * len(bars), "width": width}


def _points(members: list[Any]) -> list[tuple[float, float]]:
    out = []
    for m in members:
        for area in (getattr(m, "home_area", None), getattr(m, "work_area", None)):
            if area and area.get("latitude") is not None:
                out.append((float(area["latitude"]), float(area["longitude"])))
    return out


def area_map(members: list[Any], size: float = 240.0, pad: float = 24.0) -> dict[str, Any] | None:
    """Each member's approximate home and workplace (the ~5 km areas matches show), projected
    into a square: today's trip dashed, the trip after the swap solid. None without areas."""
    points = _points(members)
    if len(points) < 2:
        return None
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    span = max(max(lats) - min(lats), max(lons) - min(lons), 0.02)
    mid_lat, mid_lon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2

    def xy(area: dict[str, Any] | None) -> tuple[float, float] | None:
        if not area or area.get("latitude") is None:
            return None
        x = size / 2 + (float(area["longitude"]) - mid_lon) / span * (size - 2 * pad)
        y = size / 2 - (float(area["latitude"]) - mid_lat) / span * (size - 2 * pad)
        return round(x, 1), round(y, 1)

    n = len(members)
    shapes = []
    placed: list[tuple[float, float]] = []

    def apart(point: tuple[float, float] | None) -> tuple[float, float] | None:
        """Markers at one spot (one's home is the other's workplace) are set side by side."""
        if point is None:
            return None
        while any(abs(point[0] - p[0]) < 14 and abs(point[1] - p[1]) < 14 for p in placed):
            point = (point[0] + 16, point[1])
        placed.append(point)
        return point

    homes = [apart(xy(getattr(m, "home_area", None))) for m in members]
    works = [apart(xy(getattr(m, "work_area", None))) for m in members]
    for i, m in enumerate(members):
        # after the swap each member takes the next member's job (the cycle's order)
        shapes.append(
            {
                "n": i + 1,
                "home": homes[i],
                "work": works[i],
                "new_work": works[(i + 1) % n],
                "you": getattr(m, "you", False),
            }
        )
    km = span * 111.0
    return {"size": size, "shapes": shapes, "km": round(km)}


def runs_chart(runs: list[Any], width: float = 400.0, height: float = 120.0) -> dict[str, Any]:
    """Postings found per scrape run, oldest first, as vertical bars."""
    counts = [int(r.postings_found or 0) for r in runs]
    top = max([*counts, 1])
    step = width / max(len(counts), 1)
    bars = [
        {
            "x": round(i * step + 2, 1),
            "w": round(max(step - 4, 2), 1),
            "h": round(height * c / top, 1),
            "count": c,
        }
        for i, c in enumerate(counts)
    ]
    return {"bars": bars, "width": width, "height": height}
