"""Bulk import of postings a user already has (an ATS export, a data set), through the same
clean -> de-duplicate -> store pipeline as scraping, recorded as a run with its counters.

A file is JSON Lines or CSV. Rows are read one at a time, so a file of any length streams; a
bad row (not an object, a wrong type, a posting the pipeline rejects) is counted and reported
by its line number, and never stops the rest of the file.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import itertools
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jobswap.db import Database, Identity
from jobswap.errors import BadRequest
from jobswap.jobs.models import ScrapeRun
from jobswap.jobs.normalise import Salary
from jobswap.jobs.pipeline import Clean, Rejected, clean, store
from jobswap.jobs.sources.base import RawPosting

SOURCE = "import"
BATCH = 500
MAX_REPORTED = 200  # bad rows listed by line in the run; all are counted
MAX_FIELD = 200_000  # characters in one cell
COLUMNS = (
    "title", "company", "location", "description", "url", "job_id", "min_salary", "max_salary", "med_salary",
    "salary", "pay_period", "currency", "work_type", "experience_level", "remote_allowed", "posted",
    "skills_desc",
)  # fmt: skip
# Names data sets commonly use for our columns, checked when the column itself is absent.
SYNONYMS = {
    "description": ("job_description", "description_html", "body"),
    "url": ("job_posting_url", "application_url", "link"),
    "job_id": ("id", "posting_id", "requisition_id"),
    "company": ("company_name", "employer"),
    "title": ("job_title", "position"),
    "posted": ("listed_time", "posted_at", "date_posted", "original_listed_time"),
    "salary": ("salary_range", "salary_estimate", "pay"),
    "work_type": ("formatted_work_type", "employment_type"),
    "experience_level": ("formatted_experience_level", "seniority_level"),
}
_PERIODS = {
    "hourly": "hour", "hour": "hour", "daily": "day", "day": "day", "weekly": "week", "week": "week",
    "biweekly": "week", "monthly": "month", "month": "month", "yearly": "year", "annual": "year",
    "annually": "year", "year": "year",
}  # fmt: skip
Progress = Callable[[dict[str, Any]], None]


class BadRow(Exception):
    pass


@dataclass
class Report:
    rows: int = 0
    new: int = 0
    updated: int = 0
    merged: int = 0
    rejected: int = 0
    bad: int = 0
    bad_rows: list[dict[str, Any]] = field(default_factory=list)
    rejections: dict[str, int] = field(default_factory=dict)
    job_ids: list[Any] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        if len(self.bad_rows) < MAX_REPORTED:
            self.bad_rows.append({"line": line, "error": message[:300]})

    def stats(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "found": self.rows - self.bad, "new": self.new, "updated": self.updated,
            "merged": self.merged, "rejected": self.rejected, "bad": self.bad, "bad_rows": self.bad_rows,
        }  # fmt: skip


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """`--map ours=theirs` pairs: our column name read from the file's column `theirs`."""
    mapping: dict[str, str] = {}
    for item in items:
        ours, sep, theirs = item.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise BadRequest(f"a mapping is ours=theirs, e.g. title=job_title; got {item!r}")
        if ours not in COLUMNS:
            raise BadRequest(f"unknown column {ours!r} in a mapping; known: {', '.join(COLUMNS)}")
        mapping[ours] = theirs
    return mapping


def detect_format(name: str, head: bytes) -> str:
    lowered = name.casefold()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith((".csv", ".tsv")):
        return "csv"
    return "jsonl" if head.lstrip()[:1] == b"{" else "csv"


def rows(stream: Any, fmt: str) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    """(line number, row or the reason it is unreadable) for each record, streamed. Undecodable
    bytes are replaced rather than fatal: one bad character must not lose a posting."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    if fmt == "jsonl":
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                yield number, BadRow(f"not JSON: {exc}")
                continue
            yield number, value if isinstance(value, dict) else BadRow("a line must be a JSON object")
        return
    csv.field_size_limit(MAX_FIELD)
    first = text.readline()
    tabs = "\t" in first and "," not in first
    reader = csv.DictReader(itertools.chain([first], text), dialect=csv.excel_tab if tabs else csv.excel)
    if not reader.fieldnames:
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, BadRow(f"not CSV: {exc}")
            continue
        if None in row:
            yield reader.line_num, BadRow("more cells than columns")
            continue
        yield reader.line_num, dict(row)


def _get(row: dict[str, Any], mapping: dict[str, str], name: str) -> Any:
    if name in mapping:
        return row.get(mapping[name])
    if name in row:
        return row[name]
    return next((row[other] for other in SYNONYMS.get(name, ()) if other in row), None)


def _text(row: dict[str, Any], mapping: dict[str, str], name: str) -> str | None:
    value = _get(row, mapping, name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRow(f"{name} must be text, not {type(value).__name__}")
    value = str(value).strip()
    if len(value) > MAX_FIELD:
        raise BadRow(f"{name} is longer than {MAX_FIELD} characters")
    return value or None


def _number(row: dict[str, Any], mapping: dict[str, str], name: str) -> float | None:
    value = _get(row, mapping, name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadRow(f"{name} must be a number")
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        raise BadRow(f"{name} must be a number, not {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise BadRow(f"{name} must be a finite number")
    return number


def _flag(row: dict[str, Any], mapping: dict[str, str], name: str) -> bool | None:
    value = _get(row, mapping, name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().casefold()
    if lowered in {"1", "1.0", "true", "yes", "y", "t"}:
        return True
    if lowered in {"0", "0.0", "false", "no", "n", "f"}:
        return False
    raise BadRow(f"{name} must be true or false, not {str(value)[:40]!r}")


def raw_posting(row: dict[str, Any], mapping: dict[str, str]) -> RawPosting:
    """One row as a board would have shown it. Without a job id, the row's own content names
    it, so importing the same file twice updates rather than duplicates."""
    title = _text(row, mapping, "title")
    company = _text(row, mapping, "company")
    location = _text(row, mapping, "location")
    description = _text(row, mapping, "description") or ""
    extra = _text(row, mapping, "skills_desc")
    if extra and extra not in description:
        description = f"{description}\n\n{extra}".strip()
    job_id = _text(row, mapping, "job_id")
    if job_id is None:
        seed = "\x1f".join([title or "", company or "", location or "", description[:500]])
        job_id = "h" + hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()
    low, high = _number(row, mapping, "min_salary"), _number(row, mapping, "max_salary")
    middle = _number(row, mapping, "med_salary")
    if low is None and high is None and middle is not None:
        low = high = middle
    period_text = (_text(row, mapping, "pay_period") or "").casefold()
    period = _PERIODS.get(period_text) if period_text else None
    if period_text and period is None:
        raise BadRow(f"pay_period {period_text[:40]!r} is not hourly, daily, weekly, monthly or yearly")
    salary = None
    if low is not None or high is not None:
        currency = (_text(row, mapping, "currency") or "USD").upper()[:3]
        salary = Salary(low, high, currency, period or "year")
    posted_value: Any = _get(row, mapping, "posted")
    if isinstance(posted_value, str) and posted_value.replace(".", "", 1).isdigit():
        posted_value = float(posted_value)
    if isinstance(posted_value, bool) or not isinstance(posted_value, str | int | float | None):
        raise BadRow("posted must be a date or a timestamp")
    remote = _flag(row, mapping, "remote_allowed")
    is_html = "<" in description and ">" in description and bool(_looks_html(description))
    return RawPosting(
        source=SOURCE,
        source_id=job_id[:300],
        url=_text(row, mapping, "url"),
        title=title,
        company=company,
        location=location,
        description_html=description if is_html else None,
        description_text=None if is_html else description,
        posted=posted_value if posted_value != "" else None,
        employment_type=_text(row, mapping, "work_type"),
        salary_text=_text(row, mapping, "salary"),
        salary=salary,
        workplace="remote" if remote else None,
        level_hint=_text(row, mapping, "experience_level"),
    )


def _looks_html(text: str) -> bool:
    import re

    return bool(re.search(r"</?(p|br|ul|li|div|strong|b|h[1-6]|span)\b", text, re.I))


async def start(database: Database, identity: Identity, filename: str) -> ScrapeRun:
    async with database.transaction(identity) as session:
        run = ScrapeRun(
            sources=[SOURCE],
            query=filename[:300] or "upload",
            max_pages=0,
            options={"filename": filename[:300]},
            status="running",
            attempts=1,
            per_source={SOURCE: {"status": "running"}},
            errors={},
            rejections={},
            started_at=datetime.now(UTC),
            heartbeat_at=datetime.now(UTC),
        )
        session.add(run)
        await session.flush()
        return run


async def run_import(
    database: Database,
    identity: Identity,
    stream: Any,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    fmt: str | None = None,
    progress: Progress | None = None,
    on_stored: Callable[[list[Any]], Any] | None = None,
) -> ScrapeRun:
    """Import a whole file as one run and return the finished run. `on_stored` receives each
    batch's new or changed job ids (to embed them); `progress` each batch's running totals."""
    mapping = mapping or {}
    began = time.monotonic()
    run = await start(database, identity, filename)
    report = Report()
    head = stream.read(1) if fmt is None else b""
    fmt = fmt or detect_format(filename, head)
    source = io.BufferedReader(_Prefixed(head, stream))
    batch: list[tuple[int, RawPosting]] = []
    now = datetime.now(UTC)

    async def flush(rows_read: list[tuple[int, RawPosting]]) -> None:
        if rows_read:
            items = await asyncio.to_thread(_clean, rows_read, report, now)
            await _store(database, identity, run, items, report, now, on_stored)
        if progress is not None:
            progress(report.stats())

    for number, row in rows(source, fmt):
        report.rows += 1
        try:
            if isinstance(row, BadRow):
                raise row
            batch.append((number, raw_posting(row, mapping)))
        except BadRow as exc:
            report.bad += 1
            report.problem(number, str(exc))
        if len(batch) >= BATCH:
            await flush(batch)
            batch = []
    await flush(batch)
    return await _finish(database, identity, run, report, began)


def _clean(batch: list[tuple[int, RawPosting]], report: Report, now: datetime) -> list[Clean]:
    """The pipeline's normalisation, off the event loop; rejections reported by line."""
    items = []
    for number, raw in batch:
        try:
            items.append(clean(raw, now=now))
        except Rejected as exc:
            report.rejected += 1
            report.rejections[exc.reason] = report.rejections.get(exc.reason, 0) + 1
            report.problem(number, f"rejected: {exc.reason}")
    return items


class _Prefixed(io.RawIOBase):
    """A stream with the byte already read to sniff its format put back in front."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size], self._head = self._head[:size], self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


async def _store(
    database: Database,
    identity: Identity,
    run: ScrapeRun,
    items: list[Clean],
    report: Report,
    now: datetime,
    on_stored: Callable[[list[Any]], Any] | None,
) -> None:
    async with database.transaction(identity) as session:
        outcome = await store(session, [], now=now, prepared=(items, {}))
        report.new += outcome.new
        report.updated += outcome.updated
        report.merged += outcome.merged
        fresh = await session.get(ScrapeRun, run.id, with_for_update=True)
        assert fresh is not None
        fresh.heartbeat_at = datetime.now(UTC)
        fresh.postings_found, fresh.postings_new = report.rows - report.bad, report.new
        fresh.postings_updated, fresh.postings_merged = report.updated, report.merged
        fresh.postings_rejected = report.rejected
    if outcome.job_ids:
        report.job_ids.extend(outcome.job_ids)
        if on_stored is not None:
            result = on_stored(list(outcome.job_ids))
            if hasattr(result, "__await__"):
                await result


async def _finish(
    database: Database, identity: Identity, run: ScrapeRun, report: Report, began: float
) -> ScrapeRun:
    readable = report.rows - report.bad
    stored = readable - report.rejected
    status = "failed" if not stored else "partial" if report.bad or report.rejected else "succeeded"
    async with database.transaction(identity) as session:
        fresh = await session.get(ScrapeRun, run.id, with_for_update=True)
        assert fresh is not None
        fresh.status = status
        fresh.finished_at = datetime.now(UTC)
        fresh.duration_seconds = round(time.monotonic() - began, 3)
        fresh.postings_found, fresh.postings_new = readable, report.new
        fresh.postings_updated, fresh.postings_merged = report.updated, report.merged
        fresh.postings_rejected = report.rejected
        fresh.errors = {"bad_row": report.bad} if report.bad else {}
        fresh.rejections = dict(report.rejections)
        fresh.per_source = {SOURCE: {"status": status, **report.stats()}}
        fresh.message = (
            "the file holds no rows" if not report.rows
            else f"{report.bad + report.rejected} of {report.rows} rows were not imported"
            if report.bad or report.rejected else None
        )  # fmt: skip
        await session.flush()
        await session.refresh(fresh)
        return fresh
