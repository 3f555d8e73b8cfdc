"""The title normaliser as it was before issue 10, its matching kept unchanged as the benchmark's
baseline (what the benchmark does not call, equivalence and families, is left out).

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
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process

ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "mngr": "manager", "eng": "engineer",
    "engr": "engineer", "dev": "developer", "devs": "developers", "asst": "assistant", "assoc": "associate",
    "admin": "administrator", "adm": "administrator", "exec": "executive", "coord": "coordinator",
    "dir": "director", "rep": "representative", "spec": "specialist", "tech": "technician",
    "acct": "accountant", "hr": "human resources", "it": "information technology", "qa": "quality assurance",
    "rn": "registered nurse", "lpn": "licensed practical nurse", "cna": "certified nursing assistant",
    "swe": "software engineer", "sde": "software development engineer", "vp": "vice president",
    "svp": "senior vice president", "cfo": "chief financial officer", "cto": "chief technology officer",
    "ceo": "chief executive officer", "coo": "chief operating officer", "pm": "project manager",
    "ops": "operations", "mktg": "marketing", "ux": "user experience", "ui": "user interface",
}  # fmt: skip

SENIORITY = {
    "intern": "intern", "trainee": "intern", "apprentice": "intern", "junior": "entry", "entry": "entry",
    "graduate": "entry", "associate": "entry", "senior": "senior", "lead": "lead", "principal": "lead",
    "head": "lead", "chief": "executive", "vice": "executive", "director": "lead",
}  # fmt: skip
_STRIP = {
    "senior",
    "junior",
    "lead",
    "principal",
    "staff",
    "entry",
    "level",
    "i",
    "ii",
    "iii",
    "iv",
    "1",
    "2",
    "3",
}


@dataclass(frozen=True, slots=True)
class TitleMatch:
    code: str  # O*NET-SOC, e.g. "15-1252.00"
    title: str  # the occupation's O*NET title
    matched: str  # the O*NET title or alternate title that matched
    score: float  # 0-1: 1 exact, lower for fuzzy
    method: str  # exact | without_seniority | fuzzy
    seniority: str | None


def normalise(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\(.*?\)", " ", text)
    words = re.findall(r"[a-z0-9+#]+", text)
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


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
        for row in csv.DictReader((ln for ln in io.StringIO(raw) if not ln.startswith("#")), delimiter="\t"):
            self.by_title.setdefault(normalise(row["title"]), (row["code"], row["title"]))
        self.keys = list(self.by_title)
        self._vectors: tuple[list[str], Any] | None = None

    def match(self, title: str, *, min_score: float = 0.82) -> TitleMatch | None:
        key = normalise(title)
        if not key:
            return None
        words = key.split()
        seniority = next((SENIORITY[w] for w in words if w in SENIORITY), None)
        found = self.by_title.get(key)
        if found:
            return self._result(found, 1.0, "exact", seniority)
        plain = " ".join(w for w in words if w not in _STRIP)
        head_of = re.match(r"^(?:head|director|vp|vice president) of (.+)$", plain)
        if head_of:  # "Head of Marketing" is a marketing manager
            plain = f"{head_of.group(1)} manager"
        found = self.by_title.get(plain) if plain else None
        if found:
            return self._result(found, 0.95, "without_seniority", seniority)
        best = process.extractOne(
            plain or key, self.keys, scorer=fuzz.token_set_ratio, score_cutoff=min_score * 100
        )
        if best is None:
            return self._by_meaning(plain or key, seniority)
        choice, score, _ = best
        # token_set_ratio gives 100 to any subset ("engineer" in "software engineer"): damp
        # it by how much of the longer title was covered.
        coverage = min(len(choice), len(plain or key)) / max(len(choice), len(plain or key))
        final = (score / 100) * (0.7 + 0.3 * coverage)
        if final < min_score:
            return self._by_meaning(plain or key, seniority)
        return self._result(self.by_title[choice], round(final, 3), "fuzzy", seniority)

    def _by_meaning(
        self, title: str, seniority: str | None, min_similarity: float = 0.6
    ) -> TitleMatch | None:
        """Last resort: the occupation whose O*NET title is closest in meaning (sentence embeddings),
        for titles no list spells out ("Growth hacker", "People partner")."""
        import numpy as np

        from jobswap.embeddings.model import get_embedder

        codes, matrix = self._occupation_vectors()
        vector = get_embedder().embed_sync([title])[0]
        similarity = matrix @ vector
        best = int(np.argmax(similarity))
        if float(similarity[best]) < min_similarity:
            return None
        code = codes[best]
        title_found = self.occupations[code].title
        return TitleMatch(
            code, title_found, title_found, round(float(similarity[best]), 3), "embedding", seniority
        )

    def _occupation_vectors(self) -> tuple[list[str], Any]:
        if self._vectors is None:
            from jobswap.embeddings.model import get_embedder

            codes = list(self.occupations)
            self._vectors = (codes, get_embedder().embed_sync([self.occupations[c].title for c in codes]))
        return self._vectors

    def _result(self, found: tuple[str, str], score: float, method: str, seniority: str | None) -> TitleMatch:
        code, matched = found
        return TitleMatch(code, self.occupations[code].title, matched, score, method, seniority)
