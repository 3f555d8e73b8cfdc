"""/api/resumes: upload, parse, read, correct, re-parse, download, delete."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, File, Query, UploadFile, status
from fastapi.responses import Response

from jobswap.auth.dependencies import CurrentUser, DbSession
from jobswap.errors import PayloadTooLarge
from jobswap.resumes.dependencies import ResumeServiceDep
from jobswap.resumes.models import Resume
from jobswap.resumes.schemas import (
    ResumeCorrections,
    ResumeDetail,
    ResumePage,
    ResumePreview,
    ResumeRead,
    ResumeUploaded,
    SkillsAdded,
    SkillsToAdd,
    merged,
)

router = APIRouter(prefix="/api/resumes", tags=["resumes"])
Upload = Annotated[UploadFile, File(description="A PDF, DOCX or plain-text (UTF-8) resume")]


def read_model(resume: Resume) -> ResumeRead:
    return ResumeRead(
        id=resume.id,
        user_id=resume.user_id,
        filename=resume.filename,
        kind=resume.kind,
        media_type=resume.media_type,
        size_bytes=resume.size_bytes,
        status=resume.status,
        failure_reason=resume.failure_reason,
        pages=resume.pages,
        language=resume.language,
        data=merged(resume.parsed_data, resume.corrections),
        corrected_fields=sorted(resume.corrections),
        field_sources=dict(resume.parse_sources or {}),
        has_embedding=resume.embedding is not None,
        created_at=resume.created_at,
        updated_at=resume.updated_at,
        parsed_at=resume.parsed_at,
    )


async def _read(upload: UploadFile, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is larger than the limit of {limit} bytes.")
    return data


@router.post("/upload", response_model=ResumeUploaded, status_code=status.HTTP_202_ACCEPTED)
async def upload(
    file: Upload, user: CurrentUser, session: DbSession, service: ResumeServiceDep
) -> ResumeUploaded:
    """Store a resume and queue it for parsing; poll GET /api/resumes/{id} for the result."""
    data = await _read(file, service.settings.resume_max_bytes)
    resume = await service.upload(session, user, file.filename, data)
    return ResumeUploaded(id=resume.id, status=resume.status)


@router.post("/parse", response_model=ResumePreview)
async def parse(file: Upload, user: CurrentUser, service: ResumeServiceDep) -> ResumePreview:
    """Parse a file now and return the result, storing nothing (for previews)."""
    return await service.preview(await _read(file, service.settings.resume_max_bytes))


@router.get("", response_model=ResumePage)
async def list_resumes(
    user: CurrentUser,
    session: DbSession,
    service: ResumeServiceDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ResumePage:
    """Your own resumes, newest first."""
    rows, total = await service.list_own(session, user, limit, offset)
    return ResumePage(items=[read_model(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{resume_id}", response_model=ResumeDetail)
async def read_resume(
    resume_id: uuid.UUID, user: CurrentUser, session: DbSession, service: ResumeServiceDep
) -> ResumeDetail:
    """The resume with the text read from it and what it could add to your profile."""
    resume = await service.get(session, user, resume_id)
    return ResumeDetail(
        **read_model(resume).model_dump(),
        text=resume.text,
        suggestions=await service.suggestions(session, resume),
    )


@router.post("/{resume_id}/skills", response_model=SkillsAdded)
async def add_skills(
    resume_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    service: ResumeServiceDep,
    body: Annotated[SkillsToAdd | None, Body()] = None,
) -> SkillsAdded:
    """Add the skills parsed from your resume to your profile (all suggested ones, or those you
    name); matching compares profile skills."""
    added, skills = await service.add_skills(session, user, resume_id, body.skills if body else None)
    return SkillsAdded(added=added, skills=skills)


@router.put("/{resume_id}", response_model=ResumeRead)
async def correct_resume(
    resume_id: uuid.UUID,
    corrections: ResumeCorrections,
    user: CurrentUser,
    session: DbSession,
    service: ResumeServiceDep,
) -> ResumeRead:
    """Correct parsed fields. Corrections are kept apart and survive re-parsing."""
    return read_model(await service.correct(session, user, resume_id, corrections))


@router.post("/{resume_id}/reparse", response_model=ResumeRead, status_code=status.HTTP_202_ACCEPTED)
async def reparse_resume(
    resume_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    service: ResumeServiceDep,
    keep_corrections: Annotated[bool, Query(description="Keep your corrections over the new parse")] = True,
) -> ResumeRead:
    return read_model(await service.reparse(session, user, resume_id, keep_corrections=keep_corrections))


@router.get("/{resume_id}/file", response_class=Response)
async def download_resume(
    resume_id: uuid.UUID, user: CurrentUser, session: DbSession, service: ResumeServiceDep
) -> Response:
    """The file as uploaded (its owner only)."""
    data, resume = await service.file(session, user, resume_id)
    return Response(
        data,
        media_type=resume.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(resume.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete("/{resume_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_resume(
    resume_id: uuid.UUID, user: CurrentUser, session: DbSession, service: ResumeServiceDep
) -> None:
    """Delete the resume: its row and its stored file."""
    await service.delete(session, user, resume_id)
