"""Finding skills in text and naming them canonically ("JS" -> "JavaScript")."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MAX_WORDS = 6
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#.\-/]*|\.[A-Za-z]+[A-Za-z0-9+#]*")


def normalise(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split()).strip(" .,;:()[]")


@dataclass(frozen=True, slots=True)
class Entry:
    canonical: str
    ambiguous: bool  # a short or common name: counts in a skills list, or written distinctively
    ordinary: bool = False  # a plain English word ("Reports", "Forth"): only in a skills list, capitalised
    acronym: bool = False  # "SAN", "EDS": counts written in capitals (not "San Jose"), or in a skills list


class Taxonomy:
    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.lookup: dict[str, Entry] = {}
        self.names: set[str] = set()
        for row in rows:
            name = row["name"]
            self.names.add(name)
            ambiguous_aliases = set(filter(None, row["ambiguous_aliases"].split("|")))
            ordinary = set(filter(None, row.get("ordinary_aliases", "").split("|")))
            self._add(name, name, row["ambiguous"] == "Y", name in ordinary)
            for alias in filter(None, row["aliases"].split("|")):
                self._add(alias, name, alias in ambiguous_aliases, alias in ordinary)

    def _add(self, phrase: str, canonical: str, ambiguous: bool, ordinary: bool) -> None:
        key = normalise(phrase)
        acronym = phrase.isupper() and phrase.isalpha() and 2 <= len(phrase) <= 4
        known = self.lookup.get(key)
        if key and (known is None or (not (ambiguous or ordinary) and (known.acronym or not acronym))):
            self.lookup[key] = Entry(canonical, ambiguous or ordinary, ordinary, acronym)

    def canonical(self, phrase: str) -> str | None:
        """The canonical name for one skill phrase, if the taxonomy knows it."""
        entry = self.lookup.get(normalise(phrase))
        return entry.canonical if entry else None

    def find(self, text: str, *, listed: bool = False) -> list[str]:
        """Skills mentioned in `text`, longest phrase first, in order of appearance.

        `listed` says the text is a list of skills: common words ("Go", "Excel")
        count there, when written with a capital.
        """
        tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]
        found: list[str] = []
        seen: set[str] = set()
        i = 0
        while i < len(tokens):
            for n in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
                words = [t for t, _ in tokens[i : i + n]]
                phrase = " ".join(words)
                entry = self.lookup.get(normalise(phrase))
                if entry is None and phrase.endswith("."):
                    entry = self.lookup.get(normalise(phrase[:-1]))
                if entry is None:
                    continue
                # (a plain word is ambiguous too, and no way of writing it is distinctive)
                if entry.ambiguous and not (
                    (listed and phrase[:1].isupper()) or _distinctive(phrase, entry, text, tokens[i][1])
                ):
                    continue
                if _vetoed(entry.canonical, tokens, i + n):
                    continue
                # an acronym in lower case is a word, and in title case a name ("Bob"), even in a list
                if entry.acronym and not phrase.isupper() and (not listed or phrase.istitle()):
                    continue
                if len(phrase.rstrip(".")) == 1 and not _standalone(text, tokens[i][1], len(phrase)):
                    continue
                # a plain word opening a longer item ("Basic graphic design") is that item's word
                if entry.ordinary and _opens_phrase(text, tokens[i][1] + len(phrase)):
                    continue
                if entry.canonical not in seen:
                    seen.add(entry.canonical)
                    found.append(entry.canonical)
                i += n - 1
                break
            i += 1
        return found


def _standalone(text: str, start: int, length: int = 1) -> bool:
    """A one-letter skill ("R", "C") counts only as an item of a list: "Python, R, SQL"; never
    a middle initial ("Richard C. Peper")."""
    before = text[:start].rstrip(" \t")
    after = text[start + length :].lstrip(" \t")
    return (not before or before[-1] in ",;|/:(\n") and (not after or after[0] in ",;|/)\n")


def _opens_phrase(text: str, end: int) -> bool:
    """A lower-case word follows on the same item: "Basic graphic design", not "Go, Excel 2016"."""
    after = text[end : end + 40].lstrip(" \t")
    return bool(after) and after[0].islower()


def _distinctive(phrase: str, entry: Entry, text: str, at: int) -> bool:
    """Written so that it cannot be an ordinary word: "C#", "C++", ".NET", "JS". Capitals prove
    nothing of a plain word, nor in a line written all in capitals (a heading)."""
    if any(ch in phrase.rstrip(".") for ch in "+#."):
        return True
    if entry.ordinary or not phrase.isupper() or len(phrase) < 2 or phrase.casefold() in _UPPERCASE_WORDS:
        return False
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    letters = [c for c in text[start : end if end >= 0 else len(text)] if c.isalpha()]
    return not (len(letters) > 12 and all(c.isupper() for c in letters))


# Words after a skill's name that show another meaning: "ADA compliance", "Air Force".
_VETO_NEXT = {
    "Ada": {
        "compliance",
        "compliant",
        "act",
        "accessible",
        "accessibility",
        "standards",
        "guidelines",
        "requirements",
    },
    "Adobe AIR": {"force", "conditioning", "quality", "traffic", "cargo", "national"},
    "Forth": {"in", "the", "by"},
    "Oracle Java": {"island", "coffee"},
}


def _vetoed(canonical: str, tokens: list[tuple[str, int]], after: int) -> bool:
    veto = _VETO_NEXT.get(canonical)
    return veto is not None and after < len(tokens) and tokens[after][0].casefold() in veto


_UPPERCASE_WORDS = {"it", "go", "do", "access", "word", "project", "office", "excel", "teams", "us", "am"}


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    source = resources.files("jobswap.skills") / "data" / "skills.tsv"
    with source.open(encoding="utf-8") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        return Taxonomy(list(csv.DictReader(lines, delimiter="\t")))
