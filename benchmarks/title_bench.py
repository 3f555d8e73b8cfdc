"""Job titles to O*NET occupations: accuracy per language and speed, beside the previous normaliser.

The labelled set (benchmarks/data/titles/labelled_titles.tsv, described in its SOURCE.md) has
real titles in English and Portuguese and titles in Spanish, French and German, each with the
O*NET occupations a judge accepted. Every third title was held out while the vocabulary
was written; the held-out figures are the honest ones.

    .venv/bin/python benchmarks/title_bench.py [--misses]
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from baselines.titles_v1 import TitleIndex as PreviousIndex  # noqa: E402
from jobswap.occupations.titles import CONFIDENT, title_index  # noqa: E402

LABELLED = ROOT / "data" / "titles" / "labelled_titles.tsv"
LANGUAGES = ("en", "pt", "es", "fr", "de")


def load() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader((ln.lstrip("# ") for ln in fh), delimiter="\t"))
    for i, row in enumerate(rows):
        row["split"] = "held-out" if i % 3 == 2 else "dev"
    return rows


def evaluate(name: str, top: Callable[[str], list[str]], rows: list[dict[str, str]], misses: bool) -> None:
    for title in ("Data Scientist", "Engenheiro de Dados", "Softwareentwickler", "Growth hacker"):
        top(title)  # warm-up: index and vocabulary load once
    hits1: dict[tuple[str, str], list[int]] = defaultdict(list)
    hits3: dict[tuple[str, str], list[int]] = defaultdict(list)
    times = []
    for row in rows:
        gold = set(row["codes"].split("|"))
        start = time.perf_counter()
        found = top(row["title"])
        times.append(time.perf_counter() - start)
        for split in (row["split"], "all"):
            hits1[(row["lang"], split)].append(int(bool(found) and found[0] in gold))
            hits3[(row["lang"], split)].append(int(bool(gold & set(found[:3]))))
        if misses and row["split"] == "dev" and not (found and found[0] in gold):
            print(f"   miss [{row['lang']}] {row['title']!r} -> {found[:3]} want {sorted(gold)}")
    print(f"\n{name}")
    print(f"  {'language':<9}{'titles':>7}{'top-1':>8}{'top-3':>8}{'held-out top-1':>16}")
    for lang in (*LANGUAGES, "all"):
        keys = [(lg, "all") for lg in LANGUAGES] if lang == "all" else [(lang, "all")]
        held = [(lg, "held-out") for lg in LANGUAGES] if lang == "all" else [(lang, "held-out")]
        one = [h for k in keys for h in hits1[k]]
        three = [h for k in keys for h in hits3[k]]
        held_one = [h for k in held for h in hits1[k]]
        print(
            f"  {lang:<9}{len(one):>7}{sum(one) / len(one):>8.1%}{sum(three) / len(three):>8.1%}"
            f"{sum(held_one) / max(1, len(held_one)):>16.1%}"
        )
    ordered = sorted(times)
    print(
        f"  per title: median {statistics.median(times) * 1000:.2f} ms, "
        f"p95 {ordered[int(len(ordered) * 0.95)] * 1000:.2f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def main() -> None:
    misses = "--misses" in sys.argv
    rows = load()
    print(f"{len(rows)} labelled titles from {LABELLED.relative_to(ROOT.parent)}")
    previous = PreviousIndex()

    def previous_top(title: str) -> list[str]:
        match = previous.match(title)
        return [match.code] if match else []

    index = title_index()
    index.warm()  # the embedding model and the occupations' vectors
    previous._vectors = index._occupation_vectors()  # the same model on the same titles: computed once

    def current_top(title: str) -> list[str]:
        return [m.code for m in index.candidates(title, limit=3)]

    def meaning_top(title: str) -> list[str]:
        """Sentence embeddings alone: the title against every O*NET occupation title."""
        import numpy as np

        from jobswap.embeddings.model import get_embedder

        codes, matrix = index._occupation_vectors()
        similarity = matrix @ get_embedder().embed_sync([title])[0]
        return [codes[int(i)] for i in np.argsort(-similarity)[:3]]

    evaluate("previous normaliser (baseline; one answer or none)", previous_top, rows, False)
    evaluate("embedding only (the shipped MiniLM, raw title vs O*NET titles)", meaning_top, rows, False)
    evaluate("current normaliser", current_top, rows, misses)
    best = [(index.match(r["title"]), set(r["codes"].split("|"))) for r in rows]
    confident = [(m, gold) for m, gold in best if m and m.confident]
    right = sum(1 for m, gold in confident if m.code in gold)
    print(
        f"  confident (>= {CONFIDENT}): {len(confident)} of {len(rows)} titles, "
        f"{right / max(1, len(confident)):.1%} of them right"
    )


if __name__ == "__main__":
    main()
