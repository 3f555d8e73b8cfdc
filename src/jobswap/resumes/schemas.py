"""Request and response shapes for resumes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from jobswap.resumes.models import ResumeStatus
from jobswap.resumes.parsed import ParsedResume
from jobswap.text_types import storable_tree


class ResumeCorrections(ParsedResume):
    """Fields the user corrects; only those sent are stored, and they win over parsing."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        storable_tree(data)  # kept as JSON: no NUL or lone surrogate may reach the database
        return data


class ResumeRead(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    filename: str
    kind: str
    media_type: str
    size_bytes: int
    status: ResumeStatus
    failure_reason: str | None
    pages: int | None
    language: str | None
    data: ParsedResume | None
    corrected_fields: list[str]
    has_embedding: bool
    created_at: datetime
    updated_at: datetime
    parsed_at: datetime | None


class ResumeUploaded(BaseModel):
    id: uuid.UUID
    status: ResumeStatus


class ResumePreview(BaseModel):
    kind: str
    pages: int
    data: ParsedResume


class ResumePage(BaseModel):
    items: list[ResumeRead]
    total: int
    limit: int
    offset: int


def merged(parsed: dict[str, Any] | None, corrections: dict[str, Any]) -> ParsedResume | None:
    if parsed is None and not corrections:
        return None
    return ParsedResume.model_validate({**(parsed or {}), **corrections})
