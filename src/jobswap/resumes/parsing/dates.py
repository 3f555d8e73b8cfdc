"""Dates and date ranges as resumes write them, in several languages.

"Jan 2019 - Present", "03/2017 – 06/2019", "2015 to 2018", "September 2017 onwards",
"ene. 2020 - actualidad", "seit 2021". Months come out as "YYYY-MM"; a missing month
stays missing (the year alone is kept).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MONTHS = {
    # English
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
    # Spanish
    "ene": 1, "enero": 1, "febrero": 2, "marzo": 3, "abr": 4, "abril": 4, "mayo": 5, "junio": 6,
    "julio": 7, "ago": 8, "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10,
    "noviembre": 11, "dic": 12, "diciembre": 12,
    # Portuguese
    "fev": 2, "fevereiro": 2, "marco": 3, "mai": 5, "maio": 5, "junho": 6, "julho": 7, "set": 9,
    "setembro": 9, "out": 10, "outubro": 10, "novembro": 11, "dez": 12, "dezembro": 12, "janeiro": 1,
    # French
    "janv": 1, "janvier": 1, "fevr": 2, "fevrier": 2, "mars": 3, "avr": 4, "avril": 4, "juin": 6,
    "juil": 7, "juillet": 7, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    # German
    "januar": 1, "februar": 2, "marz": 3, "juni": 6, "juli": 7, "okt": 10, "oktober": 10,
    "dezember": 12,
}  # fmt: skip
# Terms, as interns and students date their work: "Summer 2009" is that summer's months.
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 12), "autumn": (9, 12), "winter": (1, 3)}
MONTHS |= {name: first for name, (first, _) in SEASONS.items()}

PRESENT = (
    "present|current|currently|now|today|till date|to date|date|ongoing|onwards|"
    "actualidad|actual|presente|hoy|atual|atualmente|momento|"
    "aujourd hui|present|en cours|heute|jetzt|aktuell|laufend"
)
_MONTH = r"(?P<{n}m>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<{n}y{k}>(?:19|20)\d{{2}})"
_POINT = (
    r"(?:"
    + _MONTH
    + r",?\s*(?:de\s+|del\s+)?'?"
    + _YEAR.replace("{k}", "1")
    + r"|(?P<{n}nm>0?[1-9]|1[0-2])\s*[/.\-]\s*"
    + _YEAR.replace("{k}", "2")
    + "|"
    + _YEAR.replace("{k}", "3")
    + r")"
)
_SEP = r"\s*(?:-|–|—|~|to|until|till|a|al|hasta|ate|até|au|à|bis|–|\|)\s*"
RANGE = re.compile(
    r"(?<![\w/])(?:since\s+|desde\s+|seit\s+|depuis\s+)?"
    + _POINT.format(n="a")
    + r"(?:"
    + _SEP
    + r"(?:"
    + _POINT.format(n="b")
    + r"|(?:the\s+|o\s+|el\s+|la\s+|a\s+|until\s+|till\s+)?(?P<present>"
    + PRESENT
    + r"))|\s+(?P<onwards>onwards|till date|to date|to present))?(?![\w/])",
    re.IGNORECASE,
)


# "January-June 2009", "Jan — Aug 2011": two months of one year, the year written once.
_MONTH_SPAN = re.compile(
    r"(?<![\w/])"
    + _MONTH.format(n="s")
    + r"\s*(?P<sep>-|–|—|to|until|till|a|al|au|bis)\s*"
    + _MONTH.format(n="e")
    + r",?\s*(?P<year>(?:19|20)\d{2})(?![\w/])",
    re.IGNORECASE,
)


# "8/98 - 1/99", "8/01 to Present": months and two-digit years, only as a range (alone, "1/99"
# could be a fraction or a day).
_SHORT_YEARS = re.compile(
    r"(?<![\w/.])(?P<am>0?[1-9]|1[0-2])/(?P<ay>\d{2})\s*(?:-|–|—|to|until|till)\s*"
    r"(?:(?P<bm>0?[1-9]|1[0-2])/(?P<by>\d{2})|(?P<present>" + PRESENT + r"))(?![\w/.])",
    re.IGNORECASE,
)
# "20132015", "2016present": a range whose dash a PDF dropped between the two years.
_GLUED = re.compile(r"(?<![\w/])(?P<a>(?:19|20)\d{2})(?P<b>(?:19|20)\d{2}|present|current)(?![\w/])", re.I)


@dataclass(frozen=True, slots=True)
class DateRange:
    start: str | None  # "YYYY-MM" or "YYYY"
    end: str | None  # "YYYY-MM", "YYYY" or "present"
    span: tuple[int, int]  # where it was found in the text

    def months(self, today: tuple[int, int]) -> tuple[int, int] | None:
        """(first month, last month) as month numbers since year 0, for summing experience."""
        if self.start is None:
            return None
        start = _as_month(self.start, first=True)
        end = (
            today[0] * 12 + today[1] - 1
            if self.end == "present"
            else _as_month(self.end or self.start, first=False)
        )
        if end < start:
            return None
        return start, end


def _as_month(value: str, *, first: bool) -> int:
    year, _, month = value.partition("-")
    m = int(month) if month else (1 if first else 12)
    return int(year) * 12 + m - 1


# Dashes that PDFs and word processors write between dates, one character each like "-".
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2212\u2015\ufe63\uff0d", "-"))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("'", " ").translate(_DASHES)


def _point(match: re.Match[str], n: str) -> str | None:
    year = match.group(f"{n}y1") or match.group(f"{n}y2") or match.group(f"{n}y3")
    if year is None:
        return None
    month_name = match.group(f"{n}m")
    numeric = match.group(f"{n}nm")
    if month_name:
        return f"{year}-{MONTHS[month_name.lower()]:02d}"
    if numeric:
        return f"{year}-{int(numeric):02d}"
    return year


def find_ranges(text: str) -> list[DateRange]:
    """Every date or date range in `text` (accents ignored; positions refer to `text`)."""
    folded = _fold(text)
    if len(folded) != len(text):  # a ligature changed the length: positions would drift
        folded = text
    out = _month_spans(folded) + _glued(folded) + _short_years(folded)
    taken = [r.span for r in out]
    for match in RANGE.finditer(folded):
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        start = _point(match, "a")
        end = _point(match, "b")
        if (
            match.group("present")
            or match.group("onwards")
            or match.group(0).lower().startswith(("since", "desde", "seit", "depuis"))
        ):
            end = "present"
        first, last = match.group("am") or "", match.group("bm") or ""
        if first.lower() in SEASONS and not first[0].isupper():  # "to fall 2010 short": no term
            start = start[:4] if start else None
        elif end is None and start is not None and first.lower() in SEASONS:
            end = f"{start[:4]}-{SEASONS[first.lower()][1]:02d}"
        if end and last.lower() in SEASONS:  # "Fall 2012 - Spring 2014" ends with spring's last month
            end = f"{end[:4]}-{SEASONS[last.lower()][1]:02d}"
        out.append(DateRange(start, end, match.span()))
    return sorted(out, key=lambda r: r.span)


def _short_years(folded: str) -> list[DateRange]:
    """Two-digit years are of this century below 50 ("8/01") and of the last from 50 ("1/99")."""
    out: list[DateRange] = []
    if "/" not in folded:
        return out
    for match in _SHORT_YEARS.finditer(folded):
        start = _century(match.group("ay"), match.group("am"))
        end = "present" if match.group("present") else _century(match.group("by"), match.group("bm"))
        if end == "present" or end >= start:
            out.append(DateRange(start, end, match.span()))
    return out


def _century(year: str, month: str) -> str:
    return f"{19 if int(year) >= 50 else 20}{year}-{int(month):02d}"


def _glued(folded: str) -> list[DateRange]:
    """Two years run together ("20072013") when the later is not before the earlier and within
    fifty years of it; eight digits that are not in order are left alone (a number, not dates)."""
    out: list[DateRange] = []
    if not any(c.isdigit() for c in folded):
        return out
    for match in _GLUED.finditer(folded):
        start, end = match.group("a"), match.group("b").lower()
        if end.isdigit() and not 0 <= int(end) - int(start) <= 50:
            continue
        out.append(DateRange(start, end if end.isdigit() else "present", match.span()))
    return out


def _month_spans(folded: str) -> list[DateRange]:
    """Ranges of two months and one year ("September-December 2007"); a start month later than
    the end's is of the year before ("Nov - Feb 2012"). A lower-case month before a word such as
    "to" is prose ("march to June 2009"), not a date."""
    out: list[DateRange] = []
    if not any(c.isdigit() for c in folded):
        return out
    for match in _MONTH_SPAN.finditer(folded):
        first, last = match.group("sm"), match.group("em")
        if first[0].islower() and match.group("sep").isalpha():
            continue
        year = int(match.group("year"))
        start_month = MONTHS[first.lower()]
        end_month = SEASONS[last.lower()][1] if last.lower() in SEASONS else MONTHS[last.lower()]
        start_year = year if start_month <= end_month else year - 1
        out.append(DateRange(f"{start_year}-{start_month:02d}", f"{year}-{end_month:02d}", match.span()))
    return out


def is_range(found: DateRange) -> bool:
    return found.end is not None


_WHOLE_POINT = re.compile(r"\s*" + _POINT.format(n="a") + r"\s*$", re.IGNORECASE)
_ENDS_WITH_POINT = re.compile(r"(?:^|[\s,(])" + _POINT.format(n="a") + r"\s*$", re.IGNORECASE)
# the next line's start: an end date or "present", perhaps after a dash, then whatever follows
_LEADS_WITH_END = re.compile(
    r"\s*(?:(?:-|–|—|to|till|until)\s*)?(?:"
    + _POINT.format(n="b")
    + r"|(?P<present>"
    + PRESENT
    + r"))(?![\w/])\)?(?P<rest>.*)$",
    re.IGNORECASE,
)


def join_split_ranges(text: str) -> str:
    """A range whose separator was lost where a PDF broke the line is put back on one line with
    a dash, so that the entry it dates is found: "06/2013" then "Present", "Drupal Developer,
    December 2013" then "February 2014", "Jun 2013" then "Present: Manager". A line that goes on
    after the end date is joined only to a line that is nothing but the start date. Two years
    are joined only in order (a list of years, "2014" then "2013", stays as it is)."""
    lines = text.split("\n")
    folded = _fold(text).split("\n")  # accents off once for the whole text (no line is added)
    if len(folded) != len(lines):
        folded = lines
    out: list[str] = []
    i = 0
    while i < len(lines):
        # "August 2002" / "to" / "June 2004": the separator on a line of its own
        if (
            i + 2 < len(lines)
            and _LONE_SEPARATOR.fullmatch(folded[i + 1])
            and _joins(lines[i], folded[i], folded[i + 2])
        ):
            out.append(f"{lines[i].rstrip()} - {lines[i + 2].strip().lstrip('-–— ')}")
            i += 3
            continue
        if i + 1 < len(lines) and _joins(lines[i], folded[i], folded[i + 1]):
            out.append(f"{lines[i].rstrip()} - {lines[i + 1].strip().lstrip('-–— ')}")
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


_LONE_SEPARATOR = re.compile(r"\s*(?:-|–|—|to|until|till|a|au|bis|hasta|ate)\s*", re.IGNORECASE)


def _joins(line: str, folded: str, following: str) -> bool:
    """`folded` is `line` without accents; `following` the next line, without accents."""
    if not folded.rstrip()[-1:].isdigit():  # a start date ends in its year: most lines stop here
        return False
    start = _ENDS_WITH_POINT.search(folded)
    end = _LEADS_WITH_END.match(following) if start is not None else None
    if start is None or end is None:
        return False
    if end.group("rest").strip() and not _WHOLE_POINT.match(folded):
        return False
    ordered = end.group("present") is not None or _year_of(end, "b") >= _year_of(start, "a")
    return ordered and not _inside_range(line)


def _year_of(match: re.Match[str], n: str) -> int:
    return int(next(match.group(f"{n}y{k}") for k in "123" if match.group(f"{n}y{k}")))


def _inside_range(line: str) -> bool:
    """The line's last date already ends a range ("2010 - 2012"): nothing to join."""
    found = find_ranges(line)
    return bool(found) and found[-1].end is not None
