"""Finding skills in text and naming them canonically ("JS" -> "JavaScript")."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

MAX_WORDS = 6
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#.\-/]*|\.[A-Za-z]+[A-Za-z0-9+#]*")


def normalise(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split()).strip(" .,;:()[]")


@dataclass(frozen=True, slots=True)
class Entry:
    canonical: str
    ambiguous: bool  # a common word: counts only where the resume lists skills, as written


class Taxonomy:
    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.lookup: dict[str, Entry] = {}
        self.names: set[str] = set()
        for row in rows:
            name = row["name"]
            self.names.add(name)
            ambiguous_aliases = set(filter(None, row["ambiguous_aliases"].split("|")))
            self._add(name, name, row["ambiguous"] == "Y")
            for alias in filter(None, row["aliases"].split("|")):
                self._add(alias, name, alias in ambiguous_aliases)

    def _add(self, phrase: str, canonical: str, ambiguous: bool) -> None:
        key = normalise(phrase)
        if key and (key not in self.lookup or not ambiguous):
            self.lookup[key] = Entry(canonical, ambiguous)

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
                if entry.ambiguous and not ((listed and phrase[:1].isupper()) or _distinctive(phrase)):
                    continue
                if len(phrase) == 1 and not _standalone(text, tokens[i][1]):
                    continue
                if entry.canonical not in seen:
                    seen.add(entry.canonical)
                    found.append(entry.canonical)
                i += n - 1
                break
            i += 1
        return found


def _standalone(text: str, start: int) -> bool:
    """A one-letter skill ("R", "C") counts only as an item of a list: "Python, R, SQL"."""
    before = text[:start].rstrip(" \t")
    after = text[start + 1 :].lstrip(" \t")
    return (not before or before[-1] in ",;|/:(\n") and (not after or after[0] in ",;|/)\n")


def _distinctive(phrase: str) -> bool:
    """Written so that it cannot be an ordinary word: "C#", "C++", ".NET", "JS"."""
    if any(ch in phrase for ch in "+#."):
        return True
    return phrase.isupper() and len(phrase) >= 2 and phrase.casefold() not in _UPPERCASE_WORDS


_UPPERCASE_WORDS = {"it", "go", "do", "access", "word", "project", "office", "excel", "teams", "us", "am"}


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    import gzip
    import io
    from pathlib import Path

    raw = gzip.decompress((Path(__file__).parent / "skills.tsv.gz").read_bytes()).decode("utf-8")
    lines = (line for line in io.StringIO(raw) if not line.startswith("#"))
    return Taxonomy(list(csv.DictReader(lines, delimiter="\t")))
