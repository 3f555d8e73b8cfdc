"""Resume rules: upload and validation, corrections, re-parsing, deletion, processing."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.config import Settings
from jobswap.db import Database, Identity
from jobswap.embeddings.provider import embed_one
from jobswap.errors import AppError, BadRequest, Forbidden, NotFound, PayloadTooLarge
from jobswap.resumes import repository
from jobswap.resumes.embedding_text import embedding_text
from jobswap.resumes.extract.filetypes import MEDIA_TYPES, FileKind, UnsupportedFile, sniff
from jobswap.resumes.models import Resume, ResumeStatus
from jobswap.resumes.parsed import ParsedResume
from jobswap.resumes.parsing.ai import SCHEMA, Source, clean, merge, messages_for, rules_only
from jobswap.resumes.sandbox import Analysis, AnalysisFailed, Limits, analyse
from jobswap.resumes.schemas import ProfileSuggestions, ResumeCorrections, ResumePreview, merged
from jobswap.resumes.storage import Storage, StorageError
from jobswap.users import repository as users_repository
from jobswap.users.models import User
from jobswap.users.schemas import MAX_SKILLS


def _lower(values: list[str]) -> set[str]:
    return {v.casefold() for v in values}


log = logging.getLogger(__name__)
PROCESS_TASK = "resumes.process"
MAX_PARSE_ATTEMPTS = 3


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


class UnreadableFile(AppError):
    status_code = 422
    code = "unreadable_file"


async def read_parsed(settings: Settings, analysis: Analysis) -> tuple[ParsedResume, dict[str, Source]]:
    """The rule-based parse, improved field by field by the AI parser when the operator turned
    it on (JOBSWAP_RESUME_PARSER=ai); a provider that fails leaves the rule-based parse."""
    rules = ParsedResume.model_validate(analysis.parsed)
    if settings.resume_parser != "ai" or not analysis.text.strip():
        return rules, rules_only(rules)
    from jobswap.ai.client import ProviderError, client_for

    client = client_for(settings)
    try:
        answer = await client.chat_json(
            messages_for(analysis.text, settings.ai_resume_max_chars),
            SCHEMA,
            "parsed_resume",
            settings.ai_chat_model,
        )
    except ProviderError as exc:
        log.warning("AI resume parser failed; the rule-based parse stands", extra={"problem": str(exc)})
        return rules, rules_only(rules)
    cleaned, dropped = clean(answer, analysis.text)
    if dropped:
        log.info("AI resume answer cleaned", extra={"dropped": len(dropped)})
    return merge(cleaned, rules)


def limits_for(settings: Settings) -> Limits:
    return Limits(
        memory_mb=settings.parse_memory_mb,
        cpu_seconds=settings.parse_cpu_seconds,
        wall_seconds=settings.parse_wall_seconds,
        max_pages=settings.resume_max_pages,
        phone_region=settings.phone_region,
    )


def clean_filename(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip(" .")
    return base[:200] or "resume"


@dataclass
class ResumeService:
    settings: Settings
    storage: Storage
    queue: procrastinate.App

    def _check_size(self, data: bytes) -> None:
        if len(data) > self.settings.resume_max_bytes:
            raise PayloadTooLarge(
                f"The file is larger than the limit of {self.settings.resume_max_bytes} bytes."
            )

    async def _validated(self, data: bytes, *, structure: bool) -> tuple[FileKind, Any]:
        """Type from the bytes, then a bounded read of the file: bad files stop here with a 4xx."""
        self._check_size(data)
        try:
            kind = sniff(data[:4096], data)
        except UnsupportedFile as exc:
            raise UnsupportedMediaType(str(exc)) from None
        try:
            return kind, await analyse(data, kind, structure=structure, limits=limits_for(self.settings))
        except AnalysisFailed as exc:
            raise UnreadableFile(exc.reason) from None

    async def preview(self, data: bytes) -> ResumePreview:
        kind, analysis = await self._validated(data, structure=True)
        parsed, sources = await read_parsed(self.settings, analysis)
        return ResumePreview(kind=kind.value, pages=analysis.pages, data=parsed, field_sources=sources)

    async def upload(
        self, session: AsyncSession, owner: User, filename: str | None, data: bytes, *, enqueue: bool = True
    ) -> Resume:
        """Store the file and its row; queue its parsing unless the caller parses it itself."""
        kind, _ = await self._validated(data, structure=False)
        resume_id = uuid.uuid4()
        key = f"resumes/{owner.id}/{resume_id}.{kind.value if kind is not FileKind.TEXT else 'txt'}"
        await self.storage.put(key, data, MEDIA_TYPES[kind])
        try:
            resume = await repository.add(
                session,
                Resume(
                    id=resume_id,
                    user_id=owner.id,
                    filename=clean_filename(filename),
                    kind=kind.value,
                    media_type=MEDIA_TYPES[kind],
                    size_bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    storage_key=key,
                ),
            )
        except BaseException:
            await self.storage.delete(key)
            raise
        if enqueue:
            await self.enqueue(resume.id)
        return resume

    async def enqueue(self, resume_id: uuid.UUID) -> None:
        """Queue parsing. The task waits for (retries until) the row is committed."""
        with contextlib.suppress(AlreadyEnqueued):  # one queued parse per resume is enough
            await self.queue.configure_task(
                PROCESS_TASK, lock=f"resume:{resume_id}", queueing_lock=f"resume:{resume_id}"
            ).defer_async(resume_id=str(resume_id))

    async def list_own(
        self, session: AsyncSession, owner: User, limit: int, offset: int
    ) -> tuple[list[Resume], int]:
        return await repository.list_own(session, owner, limit, offset)

    async def get(self, session: AsyncSession, viewer: User, resume_id: uuid.UUID) -> Resume:
        resume = await repository.get_visible(session, viewer, resume_id)
        if resume is None:
            raise NotFound("No such resume.")
        return resume

    async def correct(
        self, session: AsyncSession, viewer: User, resume_id: uuid.UUID, corrections: ResumeCorrections
    ) -> Resume:
        resume = await self.get(session, viewer, resume_id)
        changes = corrections.model_dump(mode="json", exclude_unset=True)
        resume.corrections = {**resume.corrections, **changes}
        await session.flush()
        await session.refresh(resume)
        return resume

    async def suggestions(self, session: AsyncSession, resume: Resume) -> ProfileSuggestions:
        owner = await session.get(User, resume.user_id)
        data = merged(resume.parsed_data, resume.corrections)
        if owner is None or data is None:
            return ProfileSuggestions(skills=[], job_title=None)
        have = {s.casefold() for s in owner.skills}
        title = data.headline or next((e.title for e in data.experience if e.title), None)
        return ProfileSuggestions(
            skills=[s for s in data.skills if s.casefold() not in have][:MAX_SKILLS],
            job_title=title if not owner.job_title else None,
        )

    async def add_skills(
        self, session: AsyncSession, viewer: User, resume_id: uuid.UUID, wanted: list[str] | None
    ) -> tuple[list[str], list[str]]:
        """The owner confirms parsed skills into their profile (all suggested, or those named)."""
        resume = await self.get(session, viewer, resume_id)
        if resume.user_id != viewer.id:
            raise Forbidden("Only the resume's owner can add its skills to their profile.")
        offered = (await self.suggestions(session, resume)).skills
        by_key = {s.casefold(): s for s in offered}
        if wanted is None:
            chosen = offered
        else:
            unknown = [
                w for w in wanted if w.casefold() not in by_key and w.casefold() not in _lower(viewer.skills)
            ]
            if unknown:
                raise BadRequest(
                    "These are not skills found in this resume: " + ", ".join(unknown),
                    details={"field": "skills"},
                )
            chosen = [by_key[w.casefold()] for w in wanted if w.casefold() in by_key]
        room = MAX_SKILLS - len(viewer.skills)
        if len(chosen) > room:
            raise BadRequest(
                f"A profile holds at most {MAX_SKILLS} skills; {room} more fit.", details={"field": "skills"}
            )
        if chosen:
            await users_repository.update(session, viewer, {"skills": [*viewer.skills, *chosen]})
        return chosen, list(viewer.skills)

    async def reparse(
        self, session: AsyncSession, viewer: User, resume_id: uuid.UUID, *, keep_corrections: bool
    ) -> Resume:
        resume = await self.get(session, viewer, resume_id)
        resume.status = ResumeStatus.PENDING
        resume.failure_reason = None
        resume.parse_attempts = 0
        if not keep_corrections:
            resume.corrections = {}
        await session.flush()
        await session.refresh(resume)
        await self.enqueue(resume.id)
        return resume

    async def delete(self, session: AsyncSession, viewer: User, resume_id: uuid.UUID) -> None:
        resume = await self.get(session, viewer, resume_id)
        await repository.remove(session, resume)
        await self.storage.delete(resume.storage_key)

    async def file(self, session: AsyncSession, viewer: User, resume_id: uuid.UUID) -> tuple[bytes, Resume]:
        resume = await self.get(session, viewer, resume_id)
        if resume.user_id != viewer.id:
            raise NotFound("No such resume.")  # the file itself is for its owner only
        try:
            return await self.storage.get(resume.storage_key), resume
        except StorageError:
            raise NotFound("The stored file is missing.") from None


class RowNotVisibleYet(Exception):
    """The upload's transaction has not committed yet; procrastinate retries the job."""


async def process(
    resume_id: uuid.UUID, *, settings: Settings, database: Database, storage: Storage
) -> ResumeStatus | None:
    """Parse and embed one resume. Safe to run twice; the stored file is never touched."""
    async with database.transaction(Identity.service()) as session:
        resume = await repository.get_for_processing(session, resume_id)
        if resume is None:
            raise RowNotVisibleYet(str(resume_id))
        resume.parse_attempts += 1
        key, kind, attempts = resume.storage_key, FileKind(resume.kind), resume.parse_attempts

    status, fields = await _analyse_stored(key, kind, settings, database, storage, attempts)
    async with database.transaction(Identity.service()) as session:
        resume = await repository.get_for_processing(session, resume_id)
        if resume is None:  # deleted meanwhile
            return None
        for name, value in fields.items():
            setattr(resume, name, value)
        resume.status = status
    log.info("resume processed", extra={"resume_id": str(resume_id), "status": status.value})
    return status


async def _analyse_stored(
    key: str, kind: FileKind, settings: Settings, database: Database, storage: Storage, attempts: int
) -> tuple[ResumeStatus, dict[str, Any]]:
    try:
        data = await storage.get(key)
        analysis = await analyse(data, kind, structure=True, limits=limits_for(settings))
        parsed, sources = await read_parsed(settings, analysis)
        vector, vector_model = await embed_one(settings, embedding_text(parsed, analysis.text))
    except AnalysisFailed as exc:
        return ResumeStatus.FAILED, {"failure_reason": exc.reason}
    except StorageError:
        return ResumeStatus.FAILED, {"failure_reason": "The stored file is missing; upload it again."}
    except Exception:
        log.exception("resume processing error", extra={"storage_key": key})
        if attempts < MAX_PARSE_ATTEMPTS:
            raise
        return ResumeStatus.FAILED, {
            "failure_reason": "The resume could not be processed; try re-parsing it later."
        }
    return ResumeStatus.PARSED, {
        "failure_reason": None,
        "text": analysis.text,
        "pages": analysis.pages,
        "language": parsed.language,
        "parsed_data": parsed.model_dump(mode="json"),
        "parse_sources": sources,
        "embedding": vector,
        "embedding_model": vector_model,
        "parsed_at": datetime.now(UTC),
    }
