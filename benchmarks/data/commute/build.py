"""Rebuilds helsinki_travel_times.csv.gz from the Helsinki Region Travel Time Matrix 2015 files.

    python benchmarks/data/commute/build.py TRAVEL_TIMES.gpkg [travel_times_to_ID.txt ...]

The GeoPackage holds every 250 m grid cell's travel times to Helsinki railway station with its
polygon (EPSG:3067, metres); further text files add other destinations, their origins placed by
the same cells. Each row: the straight-line distance between cell centroids and the rush-hour
door-to-door minutes by walking, public transport (without the wait before departure) and car.
Cells with no data (-1) and trips under 250 m (one cell) are left out.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import sqlite3
import struct
import sys
from pathlib import Path

OUT = Path(__file__).with_name("helsinki_travel_times.csv.gz")


def centroids(gpkg: str) -> tuple[dict[int, tuple[float, float]], list[dict[str, int]]]:
    db = sqlite3.connect(gpkg)
    cells: dict[int, tuple[float, float]] = {}
    rows = []
    query = "SELECT geom, from_id, to_id, walk_t, pt_r_t, car_r_t FROM travel_times_to_railway_station"
    for geom, from_id, to_id, walk, transit, car in db.execute(query):
        # GeoPackage header: magic, version, flags, srs id, then the envelope (minx, maxx, miny, maxy).
        minx, maxx, miny, maxy = struct.unpack("<4d", geom[8:40])
        cells[from_id] = ((minx + maxx) / 2, (miny + maxy) / 2)
        rows.append({"from_id": from_id, "to_id": to_id, "walk": walk, "transit": transit, "car": car})
    return cells, rows


def main() -> None:
    cells, rows = centroids(sys.argv[1])
    for extra in sys.argv[2:]:
        with open(extra, encoding="utf-8") as fh:
            for r in csv.DictReader(fh, delimiter=";"):
                rows.append(
                    {
                        "from_id": int(r["from_id"]),
                        "to_id": int(r["to_id"]),
                        "walk": int(r["walk_t"]),
                        "transit": int(r["pt_r_t"]),
                        "car": int(r["car_r_t"]),
                    }
                )
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["to_id", "from_id", "km", "walk_min", "transit_min", "car_min"])
    kept = 0
    for r in rows:
        if r["from_id"] not in cells or r["to_id"] not in cells or min(r["walk"], r["transit"], r["car"]) < 0:
            continue
        (x1, y1), (x2, y2) = cells[r["from_id"]], cells[r["to_id"]]
        km = math.hypot(x1 - x2, y1 - y2) / 1000
        if km < 0.25:
            continue
        out.writerow([r["to_id"], r["from_id"], f"{km:.3f}", r["walk"], r["transit"], r["car"]])
        kept += 1
    OUT.write_bytes(gzip.compress(buffer.getvalue().encode(), mtime=0))
    print(f"{kept} trips -> {OUT}")


if __name__ == "__main__":
    main()
