"""From resume text to a structured resume: pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from jobswap.resumes.parsed import Education, Experience, Link, ParsedResume
from jobswap.resumes.parsing import contact, entries
from jobswap.resumes.parsing.dates import DateRange, join_split_ranges
from jobswap.resumes.parsing.language import detect_language
from jobswap.resumes.parsing.sections import Section, SectionKind, of_kind, split_sections
from jobswap.skills.taxonomy import taxonomy

MAX_TEXT = 200_000  # characters; a resume is far shorter, and this bounds every regex below


def restore_lines(text: str) -> str:
    """Text whose line breaks were flattened into runs of spaces gets them back.

    Some converters (and copy-paste from PDF viewers) emit a whole resume as one
    line, with two or more spaces where lines ended; every line-based rule below
    needs the lines.
    """
    lines = []
    for line in text.split("\n"):
        if len(line) > 200 and len(_SPACE_RUN.findall(line)) >= 3:
            lines.extend(_SPACE_RUN.split(line))
        else:
            lines.append(line)
    return "\n".join(lines)


_SPACE_RUN = re.compile(r"[ \t]{2,}")


def parse_resume(text: str, *, phone_region: str = "US", today: datetime | None = None) -> ParsedResume:
    text = join_split_ranges(restore_lines(text[:MAX_TEXT]))
    now = today or datetime.now(UTC)
    sections = split_sections(text)
    header = [
        ln for s in sections if s.kind in (SectionKind.HEADER, SectionKind.CONTACT) for ln in s.lines if ln
    ]
    top = header or [ln for ln in text.splitlines() if ln.strip()][:10]

    read = {SectionKind.EXPERIENCE}
    if not of_kind(sections, SectionKind.EXPERIENCE):  # no heading said "Experience": read jobs
        read = {SectionKind.HEADER, SectionKind.SUMMARY, SectionKind.OTHER}  # from what is not elsewhere
    experience_lines = _lines_of(sections, read)
    education_lines = _lines_of(sections, {SectionKind.EDUCATION})
    jobs = [Experience(**e) for e in entries.experience(experience_lines)]
    jobs += _dated_jobs_elsewhere(
        sections, _MAY_HOLD_JOBS - read, {job.title for job in jobs}, sure=any(job.start for job in jobs)
    )
    schools = [Education(**e) for e in entries.education(education_lines)]

    tx = taxonomy()
    listed = "\n".join(s.text for s in of_kind(sections, SectionKind.SKILLS))
    skills = tx.find(listed, listed=True)
    skills += [s for s in tx.find(text) if s not in skills]

    summary_sections = of_kind(sections, SectionKind.SUMMARY)
    summary = (
        " ".join(" ".join(summary_sections[0].lines).split())[:2000] or None if summary_sections else None
    )

    person = contact.name(top)
    if person:  # a two-column layout can set the name beside a job's dates: it is no employer
        jobs = [j.model_copy(update={"company": None}) if _same(j.company, person) else j for j in jobs]
    return ParsedResume(
        name=person,
        headline=_headline(top, person),
        emails=contact.emails(text)[:20],
        phones=contact.phones(text, phone_region)[:20],
        links=[Link.model_validate(link) for link in contact.links(text)][:50],
        location=contact.location(top),
        summary=summary,
        experience=jobs[:100],
        education=schools[:50],
        skills=skills[:500],
        total_years_experience=years_of_experience(jobs, (now.year, now.month)),
        language=detect_language(text),
        sections=sorted({s.kind.value for s in sections if s.kind is not SectionKind.HEADER}),
    )


# Sections where a two-column layout or an odd heading ("ACCOMPLISHMENTS") can leave the jobs.
_MAY_HOLD_JOBS = {
    SectionKind.HEADER,
    SectionKind.SUMMARY,
    SectionKind.OTHER,
    SectionKind.SKILLS,
    SectionKind.AWARDS,
}


def _lines_of(sections: list[Section], kinds: set[SectionKind]) -> list[str]:
    """The lines of these sections in order, a blank line closing each."""
    return [ln for s in sections if s.kind in kinds for ln in [*s.lines, ""]]


def _dated_jobs_elsewhere(
    sections: list[Section], kinds: set[SectionKind], known: set[str | None], *, sure: bool
) -> list[Experience]:
    """Dated entries with a title from the other sections where a layout may have put them
    (never education, projects, contact or references). When the jobs read already have dates,
    only entries that leave no doubt: a title O*NET lists, an employer and a range of time."""
    if sure:
        kinds = kinds - {SectionKind.HEADER}  # the name and contact lines beside another's dates
    if not kinds:
        return []
    found = [
        e
        for e in entries.experience(_lines_of(sections, kinds))
        if e["start"] and e["title"] and e["title"] not in known
    ]
    if sure:
        found = [
            e
            for e in found
            if e["company"] and e["end"] != e["start"] and entries.title_score(e["title"] or "") >= 0.9
        ]
    return [Experience(**e) for e in found]


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.casefold() == b.casefold()


def _headline(top: list[str], person: str | None) -> str | None:
    """The job title a resume states under the name ("Associate Software Engineer")."""
    for line in top[:6]:
        for piece in entries.header_pieces(line):
            if person and piece.casefold() == person.casefold():
                continue
            if entries.title_score(piece) >= 0.6:
                return piece[:200]
    return None


def years_of_experience(jobs: list[Experience], today: tuple[int, int]) -> float | None:
    """Calendar time covered by the jobs, overlaps counted once."""
    spans = []
    for job in jobs:
        found = DateRange(job.start, job.end, (0, 0)).months(today)
        if found is not None:
            spans.append(found)
    if not spans:
        return None
    spans.sort()
    total = 0
    start, end = spans[0]
    for s, e in spans[1:]:
        if s > end + 1:
            total += end - start + 1
            start, end = s, e
        else:
            end = max(end, e)
    total += end - start + 1
    return round(min(total / 12, 80.0), 1)
