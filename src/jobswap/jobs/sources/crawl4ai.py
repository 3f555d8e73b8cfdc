"""Crawl4AI `JsonCssExtractionStrategy` schemas, read as JobSwap's career-page rules.

The seed planned per-board Crawl4AI schemas; a team that wrote them can hand one over as a
career page's `rules` unchanged. The schema's `baseSelector` becomes the item selector; each
field is mapped to a JobSwap field by its name (job_title, company_name, job_url, ...), with
`nested` and list fields flattened into descendant selectors (a list gives its first match).
Field types `text`, `attribute`, `html` and `regex` carry over; `computed` ones cannot (they
run Python) and are refused, and fields whose names mean nothing to a job posting are skipped.
"""

from __future__ import annotations

import re
from typing import Any

# A Crawl4AI field name (lower-cased, non-letters as "_") -> the JobSwap field it fills.
SYNONYMS: dict[str, str] = {}
for _target, _names in {
    "title": "title job_title position role job_name job position_title",
    "company": "company company_name employer organization org hiring_organization brand",
    "location": "location job_location city place address where locality",
    "url": "url link href job_url job_link apply_url apply_link detail_url details_url details_link",
    "salary": "salary pay compensation wage salary_range pay_range",
    "posted": "posted date date_posted posted_at posted_date published published_at",
    "description": "description summary snippet job_description desc details_text",
    "employment_type": "employment_type job_type contract contract_type schedule",
    "id": "id job_id posting_id reference ref req_id requisition_id",
}.items():
    for _name in _names.split():
        SYNONYMS[_name] = _target

TYPES = {"text", "attribute", "html", "regex", "nested", "list", "nested_list"}


def is_schema(rules: Any) -> bool:
    return isinstance(rules, dict) and "baseSelector" in rules


def _key(name: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).casefold()).strip("_")


def _join(outer: str, inner: str) -> str:
    if not outer:
        return inner
    return f"{outer} {inner}" if inner else outer


def _spec(field: dict[str, Any], selector: str) -> dict[str, Any]:
    kind = field.get("type", "text")
    spec: dict[str, Any] = {"css": selector}
    if kind == "attribute":
        if not isinstance(field.get("attribute"), str):
            raise ValueError(f"field {field.get('name')!r} of type attribute needs 'attribute'")
        spec["attr"] = field["attribute"]
    elif kind == "html":
        spec["html"] = True
    elif kind == "regex":
        if not isinstance(field.get("pattern"), str):
            raise ValueError(f"field {field.get('name')!r} of type regex needs 'pattern'")
        try:
            re.compile(field["pattern"])
        except re.error as exc:
            raise ValueError(f"field {field.get('name')!r}: bad pattern ({exc})") from None
        spec["pattern"] = field["pattern"]
    if isinstance(field.get("default"), str):
        spec["default"] = field["default"]
    return spec


def _walk(fields: Any, outer: str, out: dict[str, dict[str, Any]], depth: int = 0) -> None:
    if not isinstance(fields, list):
        raise ValueError("'fields' must be a list")
    if depth > 5:
        raise ValueError("fields nest more than five levels deep")
    for field in fields:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            raise ValueError("each field needs a 'name'")
        kind = field.get("type", "text")
        if kind == "computed" or "expression" in field:
            raise ValueError(f"field {field['name']!r}: computed fields run code and cannot be used")
        if kind not in TYPES:
            raise ValueError(f"field {field['name']!r}: unknown type {kind!r}")
        selector = field.get("selector", "")
        if not isinstance(selector, str):
            raise ValueError(f"field {field['name']!r}: 'selector' must be a string")
        here = _join(outer, selector.strip())
        if kind in ("nested", "list", "nested_list") and "fields" in field:
            _walk(field["fields"], here, out, depth + 1)
            continue
        target = SYNONYMS.get(_key(field["name"]))
        if target is not None and target not in out:
            out[target] = _spec(field, here)


def translate(schema: dict[str, Any]) -> dict[str, Any]:
    """JobSwap rules doing what the Crawl4AI schema does; ValueError names what cannot carry over."""
    base = schema.get("baseSelector")
    if not isinstance(base, str) or not base.strip():
        raise ValueError("a Crawl4AI schema needs a 'baseSelector'")
    fields: dict[str, dict[str, Any]] = {}
    _walk(schema.get("baseFields", []), "", fields)  # read from the base element itself
    _walk(schema.get("fields", []), "", fields)
    if not fields:
        raise ValueError(
            "none of the schema's field names means a posting field "
            f"(use names such as {', '.join(sorted({'title', 'company', 'location', 'url'}))})"
        )
    rules: dict[str, Any] = {"item": base.strip(), "fields": fields}
    for key in ("next", "link"):  # JobSwap extensions a schema may carry beside Crawl4AI's keys
        if isinstance(schema.get(key), str):
            rules[key] = schema[key]
    return rules
