"""From a free-text job title to an O*NET-SOC occupation, with how sure the match is.

Order of attempts: the exact title (after expanding common abbreviations), the
title without seniority words ("Senior", "Lead", ...), then fuzzy matching
(rapidfuzz token-set similarity) over 47,000 titles O*NET lists, and last the
occupation whose title is closest in meaning (MiniLM sentence embeddings). The seniority
found on the way is returned too, since the swap engine compares it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process

from jobswap.occupations.reading import TitleParts, fold, read

ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "mngr": "manager",
    "engr": "engineer", "devs": "developers", "asst": "assistant", "assoc": "associate",
    "admin": "administrator", "adm": "administrator", "exec": "executive", "coord": "coordinator",
    "dir": "director", "rep": "representative", "spec": "specialist",
    "acct": "accountant", "hr": "human resources", "it": "information technology", "qa": "quality assurance",
    "rn": "registered nurse", "lpn": "licensed practical nurse", "cna": "certified nursing assistant",
    "swe": "software engineer", "sde": "software development engineer", "vp": "vice president",
    "svp": "senior vice president", "cfo": "chief financial officer", "cto": "chief technology officer",
    "ceo": "chief executive officer", "coo": "chief operating officer", "pm": "project manager",
    "ops": "operations", "mktg": "marketing", "ux": "user experience", "ui": "user interface",
    "bi": "business intelligence", "ml": "machine learning", "ai": "artificial intelligence",
    "sre": "site reliability engineer", "ti": "information technology",
}  # fmt: skip
# Short forms that mean the person at the end of a title and the field before a noun:
# "Pharmacy Tech" is a technician, "Tech Lead" and "Global Tech" are not.
IN_CONTEXT = {
    "tech": ("technician", "technical"),
    "eng": ("engineer", "engineering"),
    "dev": ("developer", "development"),
}

# Titles of today's postings that O*NET 29.2 does not list (or files oddly: "Full Stack Engineer"
# is under "Engineers, All Other"), in the O*NET wording that means the same. Checked first.
ALIASES = {
    "back end developer": "software developer", "back end engineer": "software engineer",
    "back end software engineer": "software engineer", "front end engineer": "front end developer",
    "full stack engineer": "full stack developer", "full stack software engineer": "full stack developer",
    "analytics engineer": "data engineer", "data integration engineer": "data engineer",
    "data integrations engineer": "data engineer", "data platform engineer": "data engineer",
    "big data engineer": "data engineer", "data science analyst": "data scientist",
    "business analytics": "business intelligence analyst", "data engineering specialist": "data engineer",
    "data engineering": "data engineer", "full stack": "full stack developer",
    "full stack programmer": "full stack developer", "back end development": "software developer",
    "front end development": "front end developer", "back end programmer": "software developer",
    "technical lead": "software developer", "technical leader": "software developer",
    "machine learning scientist": "machine learning engineer", "mobile developer": "mobile application developer",
    "application developer": "applications developer", "software development": "software developer",
    "developer": "software developer", "programmer": "computer programmer",
}  # fmt: skip

SENIORITY = {
    "intern": "intern", "trainee": "intern", "apprentice": "intern", "junior": "entry", "entry": "entry",
    "graduate": "entry", "associate": "entry", "senior": "senior", "lead": "lead", "principal": "lead",
    "head": "lead", "chief": "executive", "vice": "executive", "director": "lead", "mid": "mid",
}  # fmt: skip
_STRIP = {
    "senior", "junior", "lead", "principal", "staff", "entry", "level", "mid", "associate", "i", "ii", "iii",
    "iv", "1", "2", "3", "4", "bilingual", "experienced", "licensed", "certified",
}  # fmt: skip

# Below this, a title's occupation is a guess: the API says so and offers the candidates.
CONFIDENT = 0.75
MEANINGFUL = 0.3  # below this not even a candidate


_TIER_WEIGHT = {"Primary-Short": 0.8, "Primary-Long": 0.6, "Supplemental": 0.4}  # O*NET relation tiers


@dataclass(frozen=True, slots=True)
class TitleMatch:
    code: str  # O*NET-SOC, e.g. "15-1252.00"
    title: str  # the occupation's O*NET title
    matched: str  # the O*NET title or alternate title that matched
    score: float  # 0-1 confidence: 1 an exact title, lower for translated, reduced or fuzzy readings
    method: str  # exact | alias | without_seniority | fuzzy | embedding
    seniority: str | None
    language: str = "en"

    @property
    def confident(self) -> bool:
        return self.score >= CONFIDENT


@dataclass(frozen=True, slots=True)
class OccupationReading:
    best: TitleMatch | None
    candidates: list[TitleMatch]
    family: str | None  # set only when the best match is confident

    def columns(self, *, json_text: bool = False) -> dict[str, Any]:
        """The users columns this reading sets (candidates as JSON text for raw SQL)."""
        confident = self.best is not None and self.best.confident
        options = None if confident or not self.candidates else [option(m) for m in self.candidates]
        return {
            "occupation_code": self.best.code if self.best and confident else None,
            "occupation_title": self.best.title if self.best and confident else None,
            "seniority": self.best.seniority if self.best else None,
            "swap_family": self.family,
            "occupation_confidence": self.best.score if self.best else None,
            "occupation_candidates": json.dumps(options) if json_text and options is not None else options,
        }


def option(match: TitleMatch) -> dict[str, Any]:
    return {"code": match.code, "title": match.title, "confidence": match.score}


def normalise(title: str) -> str:
    text = fold(title)
    text = re.sub(r"\(.*?\)", " ", text)
    words = re.findall(r"[a-z0-9+#]+", text)
    out: list[str] = []
    for i, word in enumerate(words):
        if word in IN_CONTEXT:
            person, field = IN_CONTEXT[word]
            out.append(person if i == len(words) - 1 else field)
        else:
            out.append(ABBREVIATIONS.get(word, word))
    return " ".join(out)


@dataclass
class Occupation:
    code: str
    title: str
    job_zone: int | None


class TitleIndex:
    def __init__(self) -> None:
        base = resources.files("jobswap.occupations") / "data"
        self.occupations: dict[str, Occupation] = {}
        with (base / "occupations.tsv").open(encoding="utf-8") as fh:
            for row in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"):
                zone = int(row["job_zone"]) if row["job_zone"] else None
                self.occupations[row["code"]] = Occupation(row["code"], row["title"], zone)
        raw = gzip.decompress((base / "titles.tsv.gz").read_bytes()).decode("utf-8")
        self.by_title: dict[str, tuple[str, str]] = {}
        inner: list[tuple[str, tuple[str, str]]] = []
        for row in csv.DictReader((ln for ln in io.StringIO(raw) if not ln.startswith("#")), delimiter="\t"):
            self.by_title.setdefault(normalise(row["title"]), (row["code"], row["title"]))
            # "GIS Specialist (Geographic Information Systems Specialist)": the note is a title too.
            inner += [
                (normalise(n), (row["code"], row["title"])) for n in re.findall(r"\(([^)]*)\)", row["title"])
            ]
        for key, found in inner:
            if len(key.split()) >= 2:
                self.by_title.setdefault(key, found)
        for occupation in self.occupations.values():
            self.by_title.setdefault(normalise(occupation.title), (occupation.code, occupation.title))
        self.keys = list(self.by_title)
        self._holding_index: dict[str, list[int]] | None = None
        self._vectors: tuple[list[str], Any] | None = None
        self._equivalents: dict[tuple[str, float], frozenset[str]] = {}
        self._related: dict[str, dict[str, str]] | None = None

    def _lookup(self, text: str) -> tuple[tuple[str, str], float, str] | None:  # noqa: PLR0911
        """An exact reading of one English title: as written, by alias, or without level words."""
        key = normalise(text)
        if not key:
            return None
        if key in ALIASES and ALIASES[key] in self.by_title:
            return self.by_title[ALIASES[key]], 0.97, "alias"
        if key in self.by_title:
            return self.by_title[key], 1.0, "exact"
        words = key.split()
        if len(words) > 2 and words[0] == "chief" and words[-1] == "officer":  # "Chief Revenue Officer"
            return self.by_title["chief executive officer"], 0.9, "alias"
        if len(words) > 1 and words[0] in ("assistant", "deputy", "associate", "interim"):
            words = words[1:]  # "Assistant Controller" is in the controllers' occupation
        plain = " ".join(w for w in words if w not in _STRIP)
        head_of = re.match(r"^(?:head|director|vice president|manager) of (.+)$", plain)
        if head_of:  # "Head of Marketing" is a marketing manager
            plain = f"{head_of.group(1)} manager"
        if plain and plain != key:
            if plain in self.by_title:
                return self.by_title[plain], 0.95, "without_seniority"
            if plain in ALIASES and ALIASES[plain] in self.by_title:
                return self.by_title[ALIASES[plain]], 0.92, "alias"
        return None

    def candidates(self, title: str, limit: int = 3) -> list[TitleMatch]:
        """The likeliest occupations for a title, best first, one per occupation: the best match
        and the others a person may choose from when it is not confident."""
        parts = read(title)
        found: dict[str, TitleMatch] = {}

        def keep(match: TitleMatch) -> None:
            if match.code not in found or found[match.code].score < match.score:
                found[match.code] = match

        for reading in parts.readings:
            hit = self._lookup(reading.text)
            if hit is not None:
                (code, matched), score, method = hit
                keep(self._result(code, matched, score - reading.penalty, method, parts))
        if len(found) < limit or max(m.score for m in found.values()) < CONFIDENT:
            for reading in parts.readings[:3]:
                for match in self._fuzzy(reading.text, parts, reading.penalty, limit):
                    keep(match)
            if parts.readings and max((m.score for m in found.values()), default=0.0) < CONFIDENT:
                for match in self._by_meaning(parts.readings[0].text, parts, limit):
                    keep(match)
        return sorted(found.values(), key=lambda m: (-m.score, m.code))[:limit]

    def reading(self, title: str) -> OccupationReading:
        """What a profile stores for a job title: the occupation when the match is confident,
        else none and the candidates to choose from."""
        found = self.candidates(title, limit=3)
        best = found[0] if found else None
        return OccupationReading(best, found, self.family(best.code) if best and best.confident else None)

    def exact(self, title: str) -> TitleMatch | None:
        """The occupation when some reading of the title is a listed title (no fuzzy or meaning
        search): cheap enough to ask of every short line of a resume."""
        parts = read(title)
        best: TitleMatch | None = None
        for reading in parts.readings:
            hit = self._lookup(reading.text)
            if hit is not None:
                (code, matched), score, method = hit
                found = self._result(code, matched, score - reading.penalty, method, parts)
                if best is None or found.score > best.score:
                    best = found
        return best

    def match(self, title: str) -> TitleMatch | None:
        """The likeliest occupation, confident or not (see `TitleMatch.confident`)."""
        best = self.candidates(title, limit=1)
        return best[0] if best else None

    def _fuzzy(self, text: str, parts: TitleParts, penalty: float, limit: int) -> list[TitleMatch]:
        key = normalise(text)
        plain = " ".join(w for w in key.split() if w not in _STRIP) or key
        if not plain:
            return []
        index = self._holding
        words = sorted(set(plain.split()[:10]), key=lambda w: len(index.get(w, ())))
        pool: set[int] = set()
        for word in words:
            holding = index.get(word, [])
            if pool and len(pool) + len(holding) > 3000:
                break  # "manager", "assistant": too common to narrow anything
            pool.update(holding[:3000])
        if not pool:
            return []
        choices = {i: self.keys[i] for i in pool}
        out = []
        for choice, score, _ in process.extract(
            plain, choices, scorer=fuzz.token_set_ratio, score_cutoff=70, limit=limit * 3
        ):
            # token_set_ratio gives 100 to any subset ("engineer" in "software engineer"): damp
            # it by how much of the longer title was covered.
            coverage = min(len(choice), len(plain)) / max(len(choice), len(plain))
            final = (score / 100) * (0.55 + 0.35 * coverage) - penalty
            code, matched = self.by_title[choice]
            out.append(self._result(code, matched, final, "fuzzy", parts))
        return out

    def _by_meaning(self, title: str, parts: TitleParts, limit: int) -> list[TitleMatch]:
        """Last resort: the occupations whose O*NET titles are closest in meaning (sentence
        embeddings), for titles no list spells out ("Growth hacker", "People partner")."""
        import numpy as np

        from jobswap.embeddings.model import get_embedder

        codes, matrix = self._occupation_vectors()
        vector = get_embedder().embed_sync([title])[0]
        similarity = matrix @ vector
        out = []
        for best in np.argsort(-similarity)[:limit]:
            code = codes[int(best)]
            # MiniLM similarities of short titles sit between 0.4 and 0.8: mapped so that
            # even a close one stays below the confidence threshold.
            score = min(0.74, float(similarity[best]) - 0.05)
            if score < MEANINGFUL:
                break  # nothing close: "asdf qwerty" means no occupation at all
            out.append(self._result(code, self.occupations[code].title, score, "embedding", parts))
        return out

    @property
    def _holding(self) -> dict[str, list[int]]:
        """Which titles hold each word: fuzzy matching compares a title with those that share one
        of its rarer words, not with all 50,000. Built on first use (exact lookups never need it)."""
        if self._holding_index is None:
            holding: dict[str, list[int]] = {}
            for i, key in enumerate(self.keys):
                for word in set(key.split()):
                    holding.setdefault(word, []).append(i)
            self._holding_index = holding
        return self._holding_index

    @property
    def related(self) -> dict[str, dict[str, str]]:
        """O*NET's related occupations (loaded on first use: resume parsing never needs them)."""
        if self._related is None:
            related: dict[str, dict[str, str]] = {}
            source = resources.files("jobswap.occupations") / "data" / "related.tsv"
            with source.open(encoding="utf-8") as fh:
                for row in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"):
                    related.setdefault(row["code"], {})[row["related_code"]] = row["tier"]
            self._related = related
        return self._related

    def warm(self) -> None:
        """Loads the embedding model and the occupations' vectors (a few seconds, once)."""
        self._occupation_vectors()

    def _occupation_vectors(self) -> tuple[list[str], Any]:
        if self._vectors is None:
            from jobswap.embeddings.model import get_embedder

            codes = list(self.occupations)
            self._vectors = (codes, get_embedder().embed_sync([self.occupations[c].title for c in codes]))
        return self._vectors

    def _result(self, code: str, matched: str, score: float, method: str, parts: TitleParts) -> TitleMatch:
        return TitleMatch(
            code,
            self.occupations[code].title,
            matched,
            round(max(0.0, min(1.0, score)), 3),
            method,
            parts.seniority or _seniority_of(parts),
            parts.language,
        )

    def equivalence(self, a: str, b: str) -> float:
        """How interchangeable two occupations are: 1 the same, 0.8/0.6/0.4 by O*NET's
        relatedness tier at the same job zone, 0 otherwise. Symmetric: O*NET lists relations one
        way at a time (a teller's list may rank customer service Primary-Short while customer
        service's ranks tellers Supplemental), and a swap needs one answer for both directions,
        the stronger, as the engine's `equivalents` uses."""
        if a == b:
            return 1.0
        zone_a = self.occupations[a].job_zone if a in self.occupations else None
        zone_b = self.occupations[b].job_zone if b in self.occupations else None
        if zone_a is None or zone_a != zone_b:
            return 0.0
        tiers = (self.related.get(a, {}).get(b), self.related.get(b, {}).get(a))
        return max(_TIER_WEIGHT.get(t or "", 0.0) for t in tiers)

    def equivalents(self, code: str, minimum: float = 0.4) -> frozenset[str]:
        """Other occupations at least `minimum` equivalent to `code` (related either way,
        at its job zone)."""
        key = (code, minimum)
        if key not in self._equivalents:
            found = {b for b in self.related.get(code, {}) if self.equivalence(code, b) >= minimum}
            found |= {
                a for a, rel in self.related.items() if code in rel and self.equivalence(a, code) >= minimum
            }
            found.discard(code)
            self._equivalents[key] = frozenset(found)
        return self._equivalents[key]

    def family(self, code: str) -> str:
        """The engine's swap family: the SOC broad occupation (e.g. 15-1250) at one job zone."""
        zone = self.occupations[code].job_zone if code in self.occupations else None
        return f"{code[:6]}0/{zone or 0}"


def _seniority_of(parts: TitleParts) -> str | None:
    words = " ".join(r.text for r in parts.readings[:1]).split()
    return next((SENIORITY[w] for w in map(normalise, words) if w in SENIORITY), None)


@lru_cache(maxsize=1)
def title_index() -> TitleIndex:
    return TitleIndex()
