"""Job ingestion: parsing speed per source, end-to-end throughput under a per-host rate limit,
and language detection (langdetect, the seed's choice, beside lingua).

1. Pages parsed per second per source, JobSwap's parsers (selectolax/lexbor, json) beside
   BeautifulSoup (html.parser) extracting the same fields from the same pages, in this run.
   JSON sources have no HTML to parse: their rate is json decoding plus field mapping.
2. Five sources at once (LinkedIn, Indeed, Glassdoor, ZipRecruiter, CareerBuilder), each on
   its own local host, scraped and stored in the embedded PostgreSQL under a per-host rate
   limit. For each host: requests per second as a fraction of the limit (the ceiling), and
   postings per minute; the goal is at least 90% of the ceiling and never above it.
3. Language detection on the 13 real LinkedIn descriptions (English and Portuguese) and on
   48 short job titles in five languages: accuracy and time per text.

    .venv/bin/python benchmarks/scrape_bench.py [--rates 2 8] [--postings 1500] [--pages 15]

The local board is tests/jobs/board.py (the same server the tests use).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.jobs.board import Board, catalogue, serve

from jobswap.jobs.fetch import Fetcher
from jobswap.jobs.normalise import html_to_text
from jobswap.jobs.sources import Query
from jobswap.jobs.sources.base import from_json_ld, json_ld_postings
from jobswap.jobs.sources.linkedin import parse_cards, parse_job_page

FIVE = ["linkedin", "indeed", "glassdoor", "ziprecruiter", "careerbuilder"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rate(fn: Callable[[str], Any], pages: list[str], seconds: float = 1.5) -> float:
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for page in pages:
            fn(page)
        done += len(pages)
    return done / (time.perf_counter() - started)


# --- BeautifulSoup equivalents: the same fields from the same pages -----------------------


def bs_job_page(markup: str) -> dict[str, Any]:
    soup = BeautifulSoup(markup, "html.parser")

    def text(selector: str) -> str | None:
        node = soup.select_one(selector)
        return " ".join(node.get_text(" ").split()) if node else None

    criteria = {
        (li.select_one(".description__job-criteria-subheader") or li).get_text(strip=True): (
            li.select_one(".description__job-criteria-text") or li
        ).get_text(strip=True)
        for li in soup.select("li.description__job-criteria-item")
    }
    body = soup.select_one("div.show-more-less-html__markup")
    return {
        "title": text("h1.top-card-layout__title"),
        "company": text("a.topcard__org-name-link"),
        "location": text("span.topcard__flavor--bullet"),
        "posted": text(".posted-time-ago__text"),
        "criteria": criteria,
        "description": str(body) if body else None,
    }


def bs_cards(markup: str) -> list[dict[str, Any]]:
    soup = BeautifulSoup(markup, "html.parser")
    return [
        {
            "urn": card.get("data-entity-urn"),
            "title": card.select_one(".base-search-card__title").get_text(strip=True),  # type: ignore[union-attr]
            "company": card.select_one(".base-search-card__subtitle").get_text(strip=True),  # type: ignore[union-attr]
        }
        for card in soup.select("div.base-card")
    ]


def bs_json_ld(markup: str) -> list[Any]:
    soup = BeautifulSoup(markup, "html.parser")
    return [json.loads(s.string or "null") for s in soup.select('script[type="application/ld+json"]')]


def bs_career(markup: str) -> list[dict[str, Any]]:
    soup = BeautifulSoup(markup, "html.parser")
    out = []
    for item in soup.select("div.opening"):
        fields = {}
        for name, selector in (
            ("title", "h2.role"),
            ("company", ".org"),
            ("location", ".where"),
            ("pay", ".pay"),
        ):
            node = item.select_one(selector)
            fields[name] = node.get_text(strip=True) if node else None
        link = item.select_one("a.apply")
        fields["url"] = link.get("href") if link else None  # type: ignore[assignment]
        out.append(fields)
    return out


def ours_career(markup: str) -> int:
    from selectolax.lexbor import LexborHTMLParser

    from jobswap.jobs.sources.pages import _read

    rules = {"title": {"css": "h2.role"}, "company": {"css": ".org"}, "location": {"css": ".where"},
             "salary": {"css": ".pay"}, "url": {"css": "a.apply", "attr": "href"}}  # fmt: skip
    tree = LexborHTMLParser(markup)
    return len([{k: _read(node, spec) for k, spec in rules.items()} for node in tree.css("div.opening")])


def ours_json_ld(markup: str) -> int:
    return len([from_json_ld("careerbuilder", item, None) for item in json_ld_postings(markup)])


async def collect_pages(url: str, board: Board) -> dict[str, list[str]]:
    """Fetch each source's pages once from the local board, to parse offline."""
    ids = list(board.linkedin)
    async with httpx.AsyncClient(base_url=url) as client:
        pages: dict[str, list[str]] = {"linkedin job page": list(board.linkedin.values())}
        pages["linkedin listing"] = [
            (await client.get("/jobs-guest/jobs/api/seeMoreJobPostings/search", params={"start": s})).text
            for s in (0, 10)
        ]
        cb = board.on("careerbuilder")[:20]
        pages["careerbuilder detail (JSON-LD)"] = [(await client.get(f"/job/cb{p.key}")).text for p in cb]
        pages["career page (CSS rules)"] = [
            (await client.get("/careers", params={"page": n})).text for n in (1, 2)
        ]
        pages["indeed (GraphQL JSON)"] = [
            (await client.post("/graphql", json={"query": "", "variables": {"cursor": str(n * 15)}})).text
            for n in range(4)
        ]
        pages["glassdoor (GraphQL JSON)"] = [
            (await client.post("/graph", json=[{"variables": {"pageNumber": n}}])).text for n in (1, 2, 3)
        ]
        pages["ziprecruiter (JSON)"] = [(await client.get("/jobs-app/jobs")).text]
        pages["greenhouse (JSON)"] = [(await client.get("/v1/boards/acme/jobs")).text]
        pages["lever (JSON)"] = [(await client.get("/v0/postings/globex")).text]
    assert len(ids) == 13
    return pages


def parse_speed(pages: dict[str, list[str]]) -> None:
    from jobswap.jobs.sources.ats import Lever
    from jobswap.jobs.sources.boards import Glassdoor, Indeed, ZipRecruiter

    indeed, glassdoor, zip_ = Indeed("http://x"), Glassdoor("http://x"), ZipRecruiter("http://x")
    lever = Lever("http://x")
    q = Query("")
    ours: dict[str, Callable[[str], Any]] = {
        "linkedin job page": parse_job_page,
        "linkedin listing": parse_cards,
        "careerbuilder detail (JSON-LD)": ours_json_ld,
        "career page (CSS rules)": ours_career,
        "indeed (GraphQL JSON)": lambda t: [
            indeed._posting(r["job"]) for r in json.loads(t)["data"]["jobSearch"]["results"]
        ],
        "glassdoor (GraphQL JSON)": lambda t: [
            glassdoor._posting(i["jobview"]) for i in json.loads(t)[0]["data"]["jobListings"]["jobListings"]
        ],
        "ziprecruiter (JSON)": lambda t: [zip_._posting(j) for j in json.loads(t)["jobs"]],
        "greenhouse (JSON)": lambda t: json.loads(t)["jobs"],
        "lever (JSON)": lambda t: [lever._posting("globex", j, q) for j in json.loads(t)],
    }
    theirs: dict[str, Callable[[str], Any]] = {
        "linkedin job page": bs_job_page,
        "linkedin listing": bs_cards,
        "careerbuilder detail (JSON-LD)": bs_json_ld,
        "career page (CSS rules)": bs_career,
    }
    # the two parsers must agree on what they read
    for page in pages["linkedin job page"]:
        mine, other = parse_job_page(page), bs_job_page(page)
        assert mine is not None and mine.title == other["title"] and mine.company == other["company"]
    print(f"{'pages parsed per second':<34} {'JobSwap':>10} {'BeautifulSoup':>14} {'speed-up':>9}")
    for name, fn in ours.items():
        mine = rate(fn, pages[name])
        if name in theirs:
            other = rate(theirs[name], pages[name])
            print(f"{name:<34} {mine:>10.0f} {other:>14.0f} {mine / other:>8.1f}x")
        else:
            print(f"{name:<34} {mine:>10.0f} {'n/a (JSON)':>14}")
    text_rate = rate(html_to_text, pages["linkedin job page"])
    print(f"{'description HTML -> text (job page)':<34} {text_rate:>10.0f}")


async def end_to_end(board: Board, urls: list[str], per_second: float, pages_cap: int) -> None:
    from tests.conftest import make_settings

    from jobswap.db import Identity
    from jobswap.jobs import service
    from jobswap.jobs.models import ScrapeRun
    from jobswap.runtime import Runtime

    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(
            Path(tmp) / "var",
            **{f"{s}_url": urls[i] for i, s in enumerate(FIVE)},
            scrape_per_host_per_second=per_second,
            scrape_per_host_concurrency=4,
        )
        async with Runtime.open(settings) as runtime:
            request = service.RunRequest(FIVE, "", None, pages_cap, {})
            async with runtime.database.transaction(Identity.service()) as session:
                run = await service.create_run(session, request)
            fetch = Fetcher(settings)
            started = time.perf_counter()
            await service.execute(runtime.database, settings, run.id, fetcher=fetch)
            wall = time.perf_counter() - started
            await fetch.aclose()
            async with runtime.database.transaction(Identity.service()) as session:
                done = await session.get(ScrapeRun, run.id)
                assert done is not None
    print(
        f"\nend to end: five sources at once, each on its own host, limit {per_second:g} requests/s per host; "
        f"run {done.status} in {wall:.1f} s, {done.postings_found} postings, {done.postings_new} jobs stored"
    )
    print(
        f"{'source':<14} {'requests':>9} {'span s':>7} {'req/s':>7} {'of limit':>9} {'min gap ms':>11} {'postings/min':>13}"
    )
    total_req = total_span = 0.0
    for source, url in zip(FIVE, urls, strict=True):
        starts = fetch.stats.starts.get(url, [])
        span = (starts[-1] - starts[0]) if len(starts) > 1 else 0.0
        # n requests at the ceiling need (n - 1) intervals: the achieved fraction of that rate
        achieved = (len(starts) - 1) / span if span else 0.0
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        found = done.per_source[source]["found"]
        total_req += len(starts) - 1
        total_span += span
        print(
            f"{source:<14} {len(starts):>9} {span:>7.1f} {achieved:>7.2f} {achieved / per_second:>8.0%} "
            f"{min(gaps) * 1000 if gaps else 0:>11.0f} {found / (span or wall) * 60:>13.0f}"
        )
    print(
        f"{'all hosts':<14} {'':>9} {'':>7} {'':>7} {total_req / total_span / per_second:>8.0%}   "
        f"(ceiling {per_second:g}/s per host; {done.postings_found / wall * 60:.0f} postings/min overall)"
    )
    print(f"peak memory (whole benchmark so far): {peak_mb():.0f} MB")


TITLES = {
    "en": ["Senior Software Engineer", "Registered Nurse", "Warehouse Associate", "Customer Service Representative",
           "Data Analyst", "Truck Driver", "Marketing Manager", "Accountant", "Teacher Assistant", "Line Cook"],
    "pt": ["Engenheiro de Software Sênior", "Enfermeira", "Auxiliar de Almoxarifado", "Atendente de Telemarketing",
           "Analista de Dados Pleno", "Motorista de Caminhão", "Gerente de Marketing", "Contador", "Professora", "Cozinheiro"],
    "es": ["Ingeniero de Software", "Enfermera", "Auxiliar de Almacén", "Analista de Datos", "Conductor de Camión",
           "Gerente de Mercadotecnia", "Contador Público", "Profesora de Primaria", "Cocinero"],
    "fr": ["Ingénieur Logiciel", "Infirmière", "Préparateur de Commandes", "Analyste de Données", "Chauffeur Poids Lourd",
           "Responsable Marketing", "Comptable", "Professeur des Écoles", "Cuisinier"],
    "de": ["Softwareentwickler", "Krankenpfleger", "Lagerhelfer", "Datenanalyst", "Berufskraftfahrer",
           "Marketingleiter", "Buchhalter", "Grundschullehrerin", "Koch"],
}  # fmt: skip
DESCRIPTIONS = {
    "job-1": "pt", "job-3692916406": "en", "job-3731091890": "pt", "job-3740412685": "en", "job-3743825505": "en",
    "job-3748536265": "pt", "job-3758423407": "pt", "job-3760881639": "pt", "job-3762980543": "en",
    "job-3764636168": "en", "job-3765335571": "pt", "job-3768850903": "pt", "job-5": "pt",
}  # fmt: skip


def languages(board: Board) -> None:
    from lingua import LanguageDetectorBuilder

    from jobswap.resumes.parsing.language import detect_language

    pages = {
        p.stem: p.read_text(encoding="utf-8")
        for p in (Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "jobs" / "linkedin").glob(
            "*.html"
        )
    }
    texts: list[tuple[str, str, str]] = []
    for stem, lang in DESCRIPTIONS.items():
        posting = parse_job_page(pages[stem])
        assert posting is not None and posting.description_html
        texts.append(("description", html_to_text(posting.description_html), lang))
    texts += [("title", title, lang) for lang, titles in TITLES.items() for title in titles]
    started = time.perf_counter()
    lingua = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()
    lingua_load = time.perf_counter() - started

    def lingua_detect(text: str) -> str | None:
        found = lingua.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    def langdetect_any(text: str) -> str | None:
        # the product requires 20 characters before it answers; for titles, ask it anyway
        from langdetect import detector_factory, lang_detect_exception

        try:
            return str(detector_factory.detect(text))  # type: ignore[no-untyped-call]
        except lang_detect_exception.LangDetectException:
            return None

    print(
        f"\nlanguage detection ({len(DESCRIPTIONS)} LinkedIn descriptions, {sum(map(len, TITLES.values()))} job titles)"
    )
    print(f"{'detector':<34} {'descriptions':>13} {'titles':>8} {'ms/text':>8}")
    for name, fn in (
        ("langdetect (as JobSwap calls it)", detect_language),
        ("langdetect (no length floor)", langdetect_any),
        ("lingua (all languages)", lingua_detect),
    ):
        right = {"description": 0, "title": 0}
        started = time.perf_counter()
        for kind, text, lang in texts:
            right[kind] += int(fn(text) == lang)
        ms = (time.perf_counter() - started) * 1000 / len(texts)
        print(
            f"{name:<34} {right['description']:>6}/{len(DESCRIPTIONS):<6} {right['title']:>3}/{sum(map(len, TITLES.values())):<4} {ms:>8.1f}"
        )
    print(f"lingua model load: {lingua_load:.1f} s; peak memory now {peak_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", type=float, nargs="+", default=[2.0, 8.0], help="per-host requests/s")
    parser.add_argument("--postings", type=int, default=1500, help="synthetic postings on the board")
    parser.add_argument("--pages", type=int, default=15, help="listing pages per source")
    args = parser.parse_args()
    board = Board(catalogue(args.postings, seed=3))
    with serve(board, hosts=len(FIVE)) as urls:
        pages = asyncio.run(collect_pages(urls[0], board))
        parse_speed(pages)
        for per_second in args.rates:
            board.hits.clear()
            asyncio.run(end_to_end(board, urls, per_second, args.pages))
    languages(board)


if __name__ == "__main__":
    main()
