"""Work-experience and education entries, anchored on the dates that resumes give them."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from jobswap.resumes.parsing.dates import DateRange, find_ranges

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


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    source = resources.files("jobswap.skills") / "data" / "title_words.txt"
    words = source.read_text(encoding="utf-8").splitlines()
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
    }  # fmt: skip
    return frozenset(w for w in words if w and not w.startswith("#")) | extra


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


_LABELLED = re.compile(
    r"^(?P<label>designation|position|role|title|job title|organi[sz]ation|company|employer|client|cargo|empresa|puesto)"
    r"\s*[:\-]\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_TITLE_LABELS = {"designation", "position", "role", "title", "job title", "cargo", "puesto"}
_LONE_POINT = re.compile(r"^(?:[A-Za-zÀ-ÿ]{3,10}\.?,?\s+)?(?:19|20)\d{2}$")
_CONTINUES = re.compile(
    r"^(?:-|–|to|till|until)?\s*(?:present|current|now|today|till date|actualidad|atual|heute|"
    r"(?:[A-Za-zÀ-ÿ]{3,10}\.?,?\s+)?(?:19|20)\d{2})\b",
    re.IGNORECASE,
)


def _join_split_ranges(lines: list[str]) -> list[str]:
    """'Jun 2013' followed by 'Present: Manager' on the next line is one range: join them."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if _LONE_POINT.match(line.strip()) and _CONTINUES.match(nxt):
            out.append(f"{line.strip()} - {nxt.lstrip('-– ')}")
            out.append("")  # keep positions aligned for the caller's line arithmetic
            i += 2
            continue
        out.append(line)
        i += 1
    return out


_PLACEHOLDERS = {"company name", "company", "name", "location", "city, state", "city , state", "employer"}


def looks_like_organisation(text: str) -> bool:
    """A short, capitalised phrase, not a sentence from a job description."""
    words = text.split()
    if not words or len(text) > 70 or len(words) > 8 or text.lower() in _PLACEHOLDERS:
        return False
    if text.endswith(".") and not _COMPANY_HINT.search(text[-8:]):
        return False
    capitalised = sum(
        1 for w in words if w[:1].isupper() or w[:1].isdigit() or w.lower() in {"of", "and", "&", "de", "the"}
    )
    return capitalised >= 0.7 * len(words) or bool(_COMPANY_HINT.search(text))


def _labelled(lines: list[str]) -> tuple[str | None, str | None]:
    title = company = None
    for line in lines:
        match = _LABELLED.match(_BULLET.sub("", line.strip()))
        if match:
            value = match.group("value").strip(" .")
            if match.group("label").lower() in _TITLE_LABELS:
                title = title or value
            else:
                company = company or value
    return title, company


def experience(lines: list[str]) -> list[dict[str, str | None]]:
    """One entry per date range; title and company from the lines and pieces around it."""
    lines = _join_split_ranges(lines)
    anchors: list[tuple[int, DateRange]] = []
    for index, line in enumerate(lines):
        ranges = [r for r in find_ranges(line) if r.end is not None]
        if ranges:
            anchors.append((index, ranges[0]))
    entries: list[dict[str, str | None]] = []
    for n, (index, date) in enumerate(anchors):
        previous_end = anchors[n - 1][0] + 1 if n else 0
        next_start = anchors[n + 1][0] if n + 1 < len(anchors) else len(lines)
        candidates = _pieces(lines[index], date)
        # up to two non-empty lines above the date, not reaching into the previous entry
        above = [ln for ln in lines[max(previous_end, index - 6) : index] if ln.strip()][-2:]
        for line in reversed(above):
            if len(line) <= 100:
                candidates = _pieces(line, None) + candidates
        below = [ln for ln in lines[index + 1 : min(next_start, index + 4)] if ln.strip()][:2]
        for line in below:
            if len(line) <= 60:
                candidates = candidates + _pieces(line, None)
        window = [ln for ln in lines[max(previous_end, index - 6) : min(next_start, index + 6)] if ln.strip()]
        labelled_title, labelled_company = _labelled(window)
        candidates = [c for c in candidates if not _LABELLED.match(c)]
        title = labelled_title or next((c for c in candidates if looks_like_title(c)), None)
        organisations = [
            c for c in candidates if c != title and looks_like_organisation(c) and not _is_location(c)
        ]
        company = labelled_company or next((c for c in organisations if _COMPANY_HINT.search(c)), None)
        if company is None:
            company = next((c for c in organisations if not looks_like_title(c)), None)
        location = next((c for c in candidates + below[:1] if _is_location(c)), None)
        if title is None:
            # some layouts put the title under the dates, after a line about the company
            title = next(
                (
                    ln.strip()
                    for ln in lines[index + 1 : min(next_start, index + 4)]
                    if len(ln) <= 60 and looks_like_title(ln)
                ),
                None,
            )
        description_lines = [ln for ln in lines[index + 1 : next_start] if ln.strip()]
        description = "\n".join(description_lines)[:4000] or None
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
    return entries


def _is_location(text: str) -> bool:
    return bool(
        re.fullmatch(r"[A-Z][A-Za-zÀ-ÿ.' ]+,\s*[A-Z][A-Za-zÀ-ÿ.' ]+", text.strip())
    ) or text.strip() in {
        "City , State",
        "City, State",
        "Remote",
    }


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
