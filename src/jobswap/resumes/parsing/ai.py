"""AI-assisted resume parsing, the pure half: the JSON schema the model must answer in, the
prompt, and the checks that keep a model's inventions out of a person's resume.

A model's answer is never trusted: an e-mail, phone, link, date, employer, school, name or
skill that the resume's own text does not contain is dropped, and whatever the model left
empty is taken from the rule-based parse. `merge` says which parser produced each field.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import ValidationError

from jobswap.resumes.parsed import Education, Experience, Link, ParsedResume

Source = Literal["ai", "rules"]
FIELDS = tuple(ParsedResume.model_fields)

_NULLABLE_STRING = {"type": ["string", "null"]}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "name",
        "headline",
        "emails",
        "phones",
        "links",
        "location",
        "summary",
        "experience",
        "education",
        "skills",
        "total_years_experience",
    ],
    "properties": {
        "name": _NULLABLE_STRING,
        "headline": _NULLABLE_STRING,
        "emails": {"type": "array", "items": {"type": "string"}},
        "phones": {"type": "array", "items": {"type": "string"}},
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "url"],
                "properties": {
                    "kind": {"type": "string", "enum": ["linkedin", "github", "portfolio", "other"]},
                    "url": {"type": "string"},
                },
            },
        },
        "location": _NULLABLE_STRING,
        "summary": _NULLABLE_STRING,
        "experience": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "company", "location", "start", "end", "description"],
                "properties": {
                    "title": _NULLABLE_STRING,
                    "company": _NULLABLE_STRING,
                    "location": _NULLABLE_STRING,
                    "start": {**_NULLABLE_STRING, "description": "YYYY or YYYY-MM"},
                    "end": {**_NULLABLE_STRING, "description": "YYYY, YYYY-MM or present"},
                    "description": _NULLABLE_STRING,
                },
            },
        },
        "education": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["degree", "field", "institution", "graduation_year"],
                "properties": {
                    "degree": _NULLABLE_STRING,
                    "field": _NULLABLE_STRING,
                    "institution": _NULLABLE_STRING,
                    "graduation_year": {"type": ["integer", "null"]},
                },
            },
        },
        "skills": {"type": "array", "items": {"type": "string"}},
        "total_years_experience": {"type": ["number", "null"]},
    },
}

INSTRUCTIONS = (
    "You read resumes into structured data. Use only what the resume says: copy names, employers, "
    "schools, e-mails, phone numbers and links exactly as written; never guess or complete them. "
    "Each job in the work history is one experience entry with its job title and employer apart. "
    "Dates as YYYY-MM (or YYYY when no month is given), 'present' for a current job. Skills are "
    "tools, technologies, methods and professional abilities named in the text. Use null or an "
    "empty list for anything the resume does not state."
)


def messages_for(text: str, max_chars: int) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": INSTRUCTIONS},
        {"role": "user", "content": "Resume text:\n\n" + text[:max_chars]},
    ]


def _fold(value: str) -> str:
    """Case, accents, punctuation and spacing folded away, for "does the text say this"."""
    value = unicodedata.normalize("NFKD", value.casefold())
    value = "".join(c for c in value if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w@.+#/]+", " ", value).split())


class Evidence:
    """The resume text, prepared for the checks."""

    def __init__(self, text: str) -> None:
        self.folded = f" {_fold(text)} "
        self.digits = re.sub(r"\D", "", text)
        self.years = set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text))
        self.lower = text.casefold()

    def says(self, value: Any) -> bool:
        if not isinstance(value, str) or not value.strip():
            return False
        folded = _fold(value)
        return bool(folded) and f" {folded} " in self.folded

    def has_phone(self, phone: str) -> bool:
        digits = re.sub(r"\D", "", phone)
        if len(digits) < 7:
            return False
        return digits in self.digits or digits[-10:] in self.digits

    def has_link(self, url: str) -> bool:
        bare = re.sub(r"^https?://(www\.)?", "", url.strip().casefold()).rstrip("/")
        return bool(bare) and bare in self.lower

    def has_date(self, value: Any) -> bool:
        return value is None or value == "present" or (isinstance(value, str) and value[:4] in self.years)


def _text(value: Any, limit: int = 10_000) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def _clean_experience(raw: Any, seen: Evidence) -> Experience | None:
    if not isinstance(raw, dict):
        return None
    company = raw.get("company") if seen.says(raw.get("company")) else None
    title = raw.get("title") if seen.says(raw.get("title")) else None
    start = raw.get("start") if seen.has_date(raw.get("start")) else None
    end = raw.get("end") if seen.has_date(raw.get("end")) else None
    if title is None and company is None:
        return None
    values = {
        "title": title,
        "company": company,
        "location": raw.get("location") if seen.says(raw.get("location")) else None,
        "start": start,
        "end": end,
        "description": _text(raw.get("description")),
    }
    try:
        return Experience.model_validate(values)
    except ValidationError:
        try:  # a malformed date: keep the entry without its dates
            return Experience.model_validate({**values, "start": None, "end": None})
        except ValidationError:
            return None


def _clean_education(raw: Any, seen: Evidence) -> Education | None:
    if not isinstance(raw, dict):
        return None
    year = raw.get("graduation_year")
    values = {
        "degree": _text(raw.get("degree"), 300),
        "field": _text(raw.get("field"), 300),
        "institution": raw.get("institution") if seen.says(raw.get("institution")) else None,
        "graduation_year": year if isinstance(year, int) and str(year) in seen.years else None,
    }
    if not any(values.values()):
        return None
    try:
        return Education.model_validate(values)
    except ValidationError:
        return None


def clean(answer: dict[str, Any], text: str) -> tuple[ParsedResume, list[str]]:
    """The model's answer as a ParsedResume with everything the text does not support removed,
    and a note of each removal (for logs and the preview)."""
    seen = Evidence(text)
    dropped: list[str] = []

    def keep(kind: str, value: Any, ok: bool) -> bool:
        if not ok:
            dropped.append(f"{kind}: {str(value)[:80]}")
        return ok

    def strings(key: str) -> list[str]:
        values = answer.get(key)
        return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []

    emails = [e for e in strings("emails") if keep("email", e, e.casefold() in seen.lower)]
    phones = [p for p in strings("phones") if keep("phone", p, seen.has_phone(p))]
    links: list[Link] = []
    for raw in answer.get("links") or []:
        if (
            isinstance(raw, dict)
            and isinstance(raw.get("url"), str)
            and keep("link", raw["url"], seen.has_link(raw["url"]))
        ):
            try:
                links.append(Link.model_validate({"kind": raw.get("kind", "other"), "url": raw["url"]}))
            except ValidationError:
                dropped.append(f"link: {raw['url'][:80]}")
    experience: list[Experience] = []
    for raw in answer.get("experience") or []:
        entry = _clean_experience(raw, seen)
        if isinstance(raw, dict) and raw.get("company") and (entry is None or entry.company is None):
            dropped.append(f"employer: {str(raw['company'])[:80]}")
        if isinstance(raw, dict) and any(
            raw.get(k) and not seen.has_date(raw.get(k)) for k in ("start", "end")
        ):
            dropped.append(f"dates: {raw.get('start')} - {raw.get('end')}")
        if entry is not None:
            experience.append(entry)
    education = [e for e in (_clean_education(raw, seen) for raw in answer.get("education") or []) if e]
    skills = [s for s in strings("skills") if keep("skill", s, seen.says(s))]
    name = answer.get("name") if isinstance(answer.get("name"), str) else None
    if name and not keep("name", name, seen.says(name)):
        name = None
    years = answer.get("total_years_experience")
    values: dict[str, Any] = {
        "name": name,
        "headline": answer.get("headline") if seen.says(answer.get("headline")) else None,
        "emails": list(dict.fromkeys(emails))[:20],
        "phones": list(dict.fromkeys(phones))[:20],
        "links": links[:50],
        "location": answer.get("location") if seen.says(answer.get("location")) else None,
        "summary": answer.get("summary") if isinstance(answer.get("summary"), str) else None,
        "experience": experience[:100],
        "education": education[:50],
        "skills": list(dict.fromkeys(s.strip() for s in skills if len(s.strip()) <= 100))[:500],
        "total_years_experience": years if isinstance(years, int | float) and 0 <= years <= 80 else None,
    }
    for key in ("name", "headline", "location", "summary"):
        limit = 10_000 if key == "summary" else 300
        if isinstance(values[key], str):
            values[key] = values[key].strip()[:limit] or None
    return ParsedResume.model_validate(values), dropped


def _empty(value: Any) -> bool:
    return value is None or value in ([], "")


def merge(ai: ParsedResume, rules: ParsedResume) -> tuple[ParsedResume, dict[str, Source]]:
    """Field by field: the model's value where it gave one, else the rule-based parse's.
    Language and sections always come from the rules (the model is not asked for them)."""
    out: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for name in FIELDS:
        mine, theirs = getattr(ai, name), getattr(rules, name)
        if name not in ("language", "sections") and not _empty(mine):
            out[name], sources[name] = mine, "ai"
        elif not _empty(theirs):
            out[name], sources[name] = theirs, "rules"
    return ParsedResume.model_validate(out), sources


def rules_only(parsed: ParsedResume) -> dict[str, Source]:
    return {name: "rules" for name in FIELDS if not _empty(getattr(parsed, name))}
