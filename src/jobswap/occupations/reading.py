"""Reading a real job title: noise out, levels noted, other languages put into O*NET's English.

Real postings wrap the occupation in brackets, company and place suffixes, gender markers
("(m/w/d)", "(H/F)", "Desenvolvedor(a)"), levels ("Sr.", "Pleno", "Júnior") and work modes
("Remoto", "Home Office"). Portuguese, Spanish and French titles also put the head noun
first ("Engenheiro de Dados" is a data engineer) and German glues words together
("Softwareentwickler"). These functions turn one title into a short list of English
readings, best first, for the index to look up. All pure: no I/O after the vocabulary loads.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

# Gender markers of French, Portuguese, Spanish and German postings, and pay-grade numbers.
_GENDER = re.compile(
    r"\(\s*[mwfhdxi]\s*(?:[/|,]\s*[mwfhdxi]\s*){1,3}\)"  # (m/w/d) (H/F) (f/m/x)
    r"|\b[mwfhd]\s*/\s*[mwfhd](?:\s*/\s*[mwfhdx])?\b"  # m/w/d without brackets
    r"|\(\s*(?:a|o|as|os|e|se|ne|euse|rice|in|innen)\s*\)"  # Desenvolvedor(a), Ingénieur(e)
    r"|(?<=[a-zà-ÿ])(?:[/*:](?:a|as|in|innen|e|se|ne)|\*)\b",  # Engenheiro/a, Entwickler*in
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"\[[^\]]*\]|\{[^}]*\}|\*\*[^*]*\*\*")
_PARENS = re.compile(r"\(([^()]*)\)")
_SEPARATORS = re.compile(r"\s+[-–—|/]\s+|\s*[|:;]\s*|,\s+|\s+[–—]\s*|\s*/\s*")
_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*|\.[a-z]+")
_ROMAN = {"i", "ii", "iii", "iv", "v", "1", "2", "3", "4", "5"}


def fold(text: str) -> str:
    """Lower case without accents: the form the vocabulary and the index keys use."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ß", "ss")


@dataclass(frozen=True, slots=True)
class Term:
    english: str
    kind: str  # head | mod | adj | conn | level | noise | title
    lang: str


@dataclass
class Vocabulary:
    terms: dict[str, Term] = field(default_factory=dict)
    longest: int = 1  # the most words in one term

    def add(self, term: str, english: str, kind: str, lang: str) -> None:
        key = " ".join(_WORD.findall(fold(term)))
        if key and key not in self.terms:
            self.terms[key] = Term(english.strip(), kind, lang)
            self.longest = max(self.longest, len(key.split()))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    vocab = Vocabulary()
    source = resources.files("jobswap.occupations") / "data" / "title_terms.tsv"
    with source.open(encoding="utf-8") as fh:
        for row in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"):
            vocab.add(row["term"], row["english"] or "", row["kind"], row["lang"])
    return vocab


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a title: English words for the index, and how far it is from the text."""

    text: str
    penalty: float  # taken off the match's confidence: 0 for the plain segment
    translated: bool


@dataclass
class TitleParts:
    readings: list[Reading]
    seniority: str | None
    language: str  # en, or the language whose words were translated


def _segments(title: str) -> list[str]:
    """The parts of a title between separators, in order, with bracketed notes removed.

    "CAS - Engenheiro de Dados - Foco em Crédito" -> ["CAS", "Engenheiro de Dados", "Foco em Crédito"]
    """
    text = _GENDER.sub("", title)
    text = _BRACKETS.sub(" ", text)
    notes: list[str] = []

    def aside(match: re.Match[str]) -> str:
        notes.append(match.group(1))
        return " "

    text = _PARENS.sub(aside, text)
    text = text.replace("(", " ").replace(")", " ")
    parts = [p.strip(" .,-–—") for p in _SEPARATORS.split(text)]
    # A bracketed note may name the occupation when the rest does not
    # ("Especialista de Dados (Engenheiro de Dados)").
    parts += [n.strip() for n in notes if len(n.split()) >= 2]
    return [p for p in parts if p and _WORD.search(fold(p))]


def _tokens(segment: str) -> list[str]:
    text = fold(segment)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # Back-End, Full-Stack, Front-end
    text = re.sub(r"\bfront ?end\b", "front end", text)
    text = re.sub(r"\bback ?end\b", "back end", text)
    text = re.sub(r"\bfull ?stack\b", "full stack", text)
    text = re.sub(r"\b\d+\s*%", " ", text)
    return _WORD.findall(text)


MAX_COMPOUND = 40  # letters: longer "words" are not German job titles, and must cost nothing


def _split_compound(
    word: str, vocab: Vocabulary, seen: dict[str, list[Term] | None] | None = None
) -> list[Term] | None:
    """German compounds: "softwareentwickler" -> software + entwickler, with linking s allowed.
    Each stem is tried once (`seen`), so a hostile word cannot make the search exponential."""
    if len(word) > MAX_COMPOUND:
        return None
    memo: dict[str, list[Term] | None] = {} if seen is None else seen
    if word in memo:
        return memo[word]
    memo[word] = None
    for cut in range(len(word) - 3, 2, -1):
        head = word[cut:]
        rest = word[:cut]
        term = vocab.terms.get(head) or (vocab.terms.get(head[:-2]) if head.endswith("in") else None)
        if term is None or term.kind not in ("head", "title"):
            continue
        for stem in (rest, rest[:-1] if rest.endswith("s") else None):
            if not stem:
                continue
            first = vocab.terms.get(stem)
            if first is not None and first.kind in ("mod", "adj", "head", "title"):
                memo[word] = [first, term]
                return memo[word]
            inner = _split_compound(stem, vocab, memo)
            if inner is not None:
                memo[word] = [*inner, term]
                return memo[word]
            if stem in _ENGLISH_STEMS:
                memo[word] = [Term(stem, "mod", "de"), term]
                return memo[word]
    return None


# English words German compounds borrow ("Softwareentwickler", "Marketingleiter").
_ENGLISH_STEMS = {
    "software",
    "web",
    "marketing",
    "frontend",
    "backend",
    "java",
    "python",
    "php",
    "data",
    "it",
}


@dataclass
class _Word:
    english: str
    kind: str
    foreign: bool  # came from another language's word


@lru_cache(maxsize=1)
def onet_title_words() -> frozenset[str]:
    """The last words of O*NET titles ("engineer", "attorney"), as the reference data lists them."""
    source = resources.files("jobswap.skills") / "data" / "title_words.txt"
    lines = (ln.strip() for ln in source.read_text(encoding="utf-8").splitlines())
    return frozenset(ln for ln in lines if ln and not ln.startswith("#"))


@lru_cache(maxsize=1)
def english_heads() -> frozenset[str]:
    """O*NET's title words that are not another language's title word: a segment with one is English."""
    vocab = vocabulary()
    return frozenset(
        w
        for w in onet_title_words()
        if w
        and (w not in vocab.terms or vocab.terms[w].lang in ("en", "*") or vocab.terms[w].kind == "level")
    )


def _is_english(tokens: list[str]) -> bool:
    """English when an English head noun is there and no other language's head is."""
    vocab = vocabulary()
    heads = english_heads()
    phrases = (
        " ".join(tokens[i : i + n]) for n in range(1, vocab.longest + 1) for i in range(len(tokens) - n + 1)
    )
    foreign = any(
        (term := vocab.terms.get(p)) is not None
        and term.lang not in ("en", "*")
        and term.kind in ("head", "title")
        for p in phrases
    )
    return not foreign and any(t in heads or t.rstrip("s") in heads for t in tokens)


def _translate(tokens: list[str], vocab: Vocabulary) -> tuple[list[_Word], str | None, str]:  # noqa: PLR0912
    """Words looked up longest phrase first; levels and noise taken out. An English segment
    takes only the level and noise words, so "Personal Injury Attorney" stays as it is."""
    english = _is_english(tokens)
    out: list[_Word] = []
    level: str | None = None
    language = "en"
    i = 0
    while i < len(tokens):
        for n in range(min(vocab.longest, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + n])
            term = vocab.terms.get(phrase)
            if term is None and n == 1 and phrase.endswith("in") and len(phrase) > 6:
                term = vocab.terms.get(phrase[:-2])  # German feminine: Entwicklerin
                if term is not None and term.lang != "de":
                    term = None
            if term is not None and english and term.kind not in ("level", "noise"):
                term = None
            if term is None and n == 1 and len(phrase) > 8 and not english:
                parts = _split_compound(phrase, vocab)
                if parts is not None:
                    for part in parts:
                        out.append(_Word(part.english, part.kind, True))
                    language = "de"
                    i += 1
                    break
            if term is None:
                continue
            if term.kind == "level":
                level = level or term.english
            elif term.kind != "noise":
                out.append(_Word(term.english, term.kind, term.lang != "en" and term.english != phrase))
            if term.lang not in ("en", "*") and term.english != phrase:
                language = term.lang
            i += n
            break
        else:
            out.append(_Word(tokens[i], "word", False))
            i += 1
    return out, level, language


def _english_order(words: list[_Word]) -> list[str]:
    """Romance order ("engenheiro de software", "ingeniero civil") put into English order.

    Each stretch between linking words keeps its modifiers before its head noun, and
    stretches read right to left: "engineer | development | systems" -> "systems development engineer".
    """
    groups: list[list[_Word]] = [[]]
    for word in words:
        if word.kind == "conn":
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(word)
    ordered: list[str] = []
    for group in reversed([g for g in groups if g]):
        heads = [w for w in group if w.foreign and w.kind in ("head", "title")]
        in_order = [*group[1:], group[0]] if heads and group[0] is heads[0] else group
        ordered += [w.english for w in in_order if w.english]
    return ordered


def read(title: str) -> TitleParts:
    """The readings of a title, best first, with the seniority it states."""
    vocab = vocabulary()
    readings: list[Reading] = []
    seniority: str | None = None
    language = "en"
    seen: set[str] = set()

    def offer(text: str, penalty: float, translated: bool) -> None:
        text = " ".join(text.split())
        if text and text not in seen:
            seen.add(text)
            readings.append(Reading(text, round(penalty, 3), translated))

    for position, segment in enumerate(_segments(title)):
        tokens = [t for t in _tokens(segment) if t not in _ROMAN]
        words, level, lang = _translate(tokens, vocab)
        seniority = seniority or level
        if lang != "en":
            language = lang
        if not words:
            continue
        foreign = any(w.foreign for w in words)
        base = 0.04 * position
        if foreign:
            english = _english_order(words)
            offer(" ".join(english), base + 0.03, True)
        else:
            english = [w.english for w in words if w.kind != "conn" or w.english]
            offer(" ".join(english), base, False)
        for text, extra in _simpler(english):
            offer(text, base + (0.03 if foreign else 0) + extra, foreign)
    return TitleParts(readings, seniority, language)


def _simpler(words: list[str]) -> list[tuple[str, float]]:
    """Shorter readings, each with its penalty: without one technology ("PHP Symfony Developer"
    -> "PHP Developer"), without all of them, and with leading qualifiers dropped down to the
    head noun ("Application Security Engineer" -> "Security Engineer"), never down to a bare
    "Engineer" or "Analyst", which name no occupation."""
    out: list[tuple[str, float]] = []
    tech = [i for i, w in enumerate(words) if w in _TECH]
    if len(tech) > 1:
        out += [(" ".join(w for j, w in enumerate(words) if j != i), 0.05) for i in tech]
    plain = [w for w in words if w not in _TECH]
    if tech and plain:
        out.append((" ".join(plain), 0.08))
    if plain and plain[-1] == "development":  # "Desenvolvimento Backend" is a developer's job
        plain = [*plain[:-1], "developer"]
        out.append((" ".join(plain), 0.06))
    for drop in range(1, len(plain)):
        rest = plain[drop:]
        if len(rest) == 1 and rest[0] in GENERIC_HEADS:
            break
        out.append((" ".join(rest), 0.08 + 0.04 * drop))
    return out


# Head nouns that name no occupation on their own.
GENERIC_HEADS = {
    "engineer", "analyst", "manager", "specialist", "consultant", "technician", "assistant", "coordinator",
    "director", "officer", "associate", "representative", "administrator", "supervisor", "lead", "worker",
    "agent", "clerk", "operator", "designer", "architect", "scientist", "advisor", "executive",
    "professional", "partner", "member", "staff", "generalist", "expert", "head", "president", "planner",
    "writer",
}  # fmt: skip


# Technologies that postings put in the title ("Desenvolvedor Python", "Golang Developer"):
# a reading without them finds the occupation when no O*NET title names the technology.
_TECH = {
    "python", "java", "javascript", "typescript", "golang", "go", "node", "nodejs", "react", "angular", "vue",
    "php", ".net", "net", "c#", "c++", "ruby", "rails", "scala", "kotlin", "swift", "rust", "sql", "aws",
    "gcp", "azure", "sas", "ssis", "sqlserver", "power", "bi", "magento", "mulesoft", "jitterbit", "digibee",
    "delphi", "salesforce", "sap", "oracle", "spark", "databricks", "snowflake", "kafka", "django", "flask",
    "spring", "laravel", "symfony", "wordpress", "shopify", "js", "html", "css", "vlocity", "microsoft",
    "lims", "labware", "informatica", "mdm",
}  # fmt: skip
