"""/api/jobs (signed-in users search; admins correct), /api/scrape-runs, /api/scrape-metrics and
/api/saved-searches (admins)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from sqlalchemy import func, select

from jobswap.auth.dependencies import AdminUser, CurrentUser, DbSession
from jobswap.db import AccessRole, Identity
from jobswap.dependencies import DatabaseDep, QueueDep, SettingsDep
from jobswap.errors import NotFound, PayloadTooLarge
from jobswap.jobs import importing, service
from jobswap.jobs.models import SavedSearch, ScrapeRun
from jobswap.jobs.schemas import (
    JobCorrection,
    JobDetail,
    JobPage,
    JobRead,
    Level,
    SavedSearchCreate,
    SavedSearchRead,
    ScrapeRunCreate,
    ScrapeRunPage,
    ScrapeRunRead,
    SourceName,
    Workplace,
)

router = APIRouter(tags=["jobs"])
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


def _request(body: ScrapeRunCreate | SavedSearchCreate) -> service.RunRequest:
    options = body.options.model_dump(mode="json", exclude_none=True)
    return service.RunRequest(list(body.sources), body.query, body.location, body.max_pages, options)


@router.post("/api/scrape-runs", response_model=ScrapeRunRead, status_code=status.HTTP_202_ACCEPTED)
async def create_scrape_run(
    body: ScrapeRunCreate, admin: AdminUser, database: DatabaseDep, queue: QueueDep
) -> ScrapeRun:
    """Queue a scrape of one or more sources for a query; the run's row tracks it."""
    request = _request(body)
    return await service.start_run(database, queue, request, Identity(admin.id, AccessRole.ADMIN))


@router.get("/api/scrape-runs", response_model=ScrapeRunPage)
async def list_scrape_runs(
    admin: AdminUser, session: DbSession, limit: Limit = 20, offset: Offset = 0
) -> ScrapeRunPage:
    total = (await session.execute(select(func.count()).select_from(ScrapeRun))).scalar_one()
    rows = (
        await session.execute(
            select(ScrapeRun).order_by(ScrapeRun.created_at.desc(), ScrapeRun.id).limit(limit).offset(offset)
        )
    ).scalars()
    items = [ScrapeRunRead.model_validate(r) for r in rows]
    return ScrapeRunPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/api/scrape-runs/{run_id}", response_model=ScrapeRunRead)
async def read_scrape_run(run_id: uuid.UUID, admin: AdminUser, session: DbSession) -> ScrapeRun:
    return await service.get_run(session, run_id)


@router.get("/api/scrape-metrics")
async def scrape_metrics(
    admin: AdminUser, session: DbSession, hours: Annotated[int, Query(ge=1, le=24 * 90)] = 24
) -> dict[str, Any]:
    """Per source, over runs finished in the last `hours`: runs, success rate, postings per minute."""
    since = datetime.now(UTC) - timedelta(hours=hours)
    return {"since": since.isoformat(), "sources": await service.metrics(session, since)}


@router.get("/api/jobs", response_model=JobPage)
async def list_jobs(
    user: CurrentUser,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=200, description="words to find (web-search syntax)")] = None,
    location: Annotated[str | None, Query(max_length=100)] = None,
    workplace: Workplace | None = None,
    posted_since: datetime | None = None,
    salary_min: Annotated[float | None, Query(ge=0, description="annual, in the posting's currency")] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
    source: SourceName | None = None,
    level: Level | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> JobPage:
    where = service.JobFilter(
        _clean(q), _clean(location), workplace, posted_since, salary_min, currency, language, source, level
    )
    rows, total = await service.search(session, where, limit, offset)
    return JobPage(items=[JobRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = "".join(ch for ch in value if ch.isprintable()).strip()
    return value or None


@router.get("/api/jobs/{job_id}", response_model=JobDetail)
async def read_job(job_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Any:
    return await service.get_job(session, job_id)


@router.put("/api/jobs/{job_id}", response_model=JobDetail)
async def correct_job(job_id: uuid.UUID, body: JobCorrection, admin: AdminUser, session: DbSession) -> Any:
    """An admin's correction; the fields given stay as corrected when the job is scraped again."""
    return await service.correct_job(session, job_id, body.model_dump(exclude_unset=True))


@router.post("/api/saved-searches", response_model=SavedSearchRead, status_code=status.HTTP_201_CREATED)
async def create_saved_search(body: SavedSearchCreate, admin: AdminUser, session: DbSession) -> SavedSearch:
    """A search that runs by itself on its cron schedule (UTC)."""
    request = _request(body)
    request.check()
    search = SavedSearch(
        name=body.name,
        sources=list(body.sources),
        query=body.query,
        location=body.location,
        max_pages=body.max_pages,
        options=request.options or {},
        cron=body.cron,
        enabled=body.enabled,
        next_run_at=service.next_time(body.cron, datetime.now(UTC)),
    )
    session.add(search)
    await session.flush()
    return search


@router.get("/api/saved-searches", response_model=list[SavedSearchRead])
async def list_saved_searches(admin: AdminUser, session: DbSession) -> list[SavedSearch]:
    return list((await session.execute(select(SavedSearch).order_by(SavedSearch.created_at))).scalars())


@router.delete("/api/saved-searches/{search_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_saved_search(search_id: uuid.UUID, admin: AdminUser, session: DbSession) -> None:
    search = await session.get(SavedSearch, search_id)
    if search is None:
        raise NotFound("No such saved search.")
    await session.delete(search)


@router.post("/api/jobs/import", response_model=ScrapeRunRead, status_code=status.HTTP_201_CREATED)
async def import_jobs(
    admin: AdminUser,
    database: DatabaseDep,
    queue: QueueDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="JSON Lines (.jsonl) or CSV postings")],
    column_map: Annotated[
        list[str] | None,
        Form(
            alias="map", description="ours=theirs pairs: our column OURS read from the file's column THEIRS"
        ),
    ] = None,
    file_format: Annotated[str | None, Form(alias="format", pattern="^(jsonl|csv)$")] = None,
) -> ScrapeRun:
    """Import postings through the scraping pipeline as one run; the answer is the finished run,
    with bad rows counted and listed by line (`per_source.import.bad_rows`). Embedding is queued."""
    mapping = importing.parse_mapping(column_map or [])
    if file.size is not None and file.size > settings.job_import_max_bytes:
        raise PayloadTooLarge(f"The file is larger than the limit of {settings.job_import_max_bytes} bytes.")
    name = (file.filename or "upload").rsplit("/", 1)[-1][:200]

    async def embed_later(ids: list[Any]) -> None:
        await queue.configure_task(service.EMBED_TASK).defer_async(job_ids=[str(i) for i in ids])

    return await importing.run_import(
        database, Identity(admin.id, AccessRole.ADMIN), file.file, name, mapping=mapping, fmt=file_format,
        on_stored=embed_later,
    )  # fmt: skip
