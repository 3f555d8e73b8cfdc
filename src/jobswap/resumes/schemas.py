"""Request and response shapes for resumes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jobswap.resumes.models import ResumeStatus
from jobswap.resumes.parsed import ParsedResume
from jobswap.text_types import Line, Strict, storable_tree


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
    field_sources: FieldSources
    has_embedding: bool
    created_at: datetime
    updated_at: datetime
    parsed_at: datetime | None


class ProfileSuggestions(BaseModel):
    """What the resume could add to its owner's profile; nothing changes until they confirm."""

    skills: list[str]  # parsed skills the profile does not list yet
    job_title: str | None  # the resume's headline or most recent title, when the profile has none


class ResumeDetail(ResumeRead):
    text: str | None  # what was read from the file, so its owner can see what parsing saw
    suggestions: ProfileSuggestions


class SkillsToAdd(Strict):
    skills: Annotated[
        list[Annotated[Line, Field(min_length=1, max_length=64)]] | None,
        Field(max_length=100, description="Which of the suggested skills to add; omit for all of them"),
    ] = None


class SkillsAdded(BaseModel):
    added: list[str]
    skills: list[str]  # the profile's skills now


class ResumeUploaded(BaseModel):
    id: uuid.UUID
    status: ResumeStatus


FieldSources = Annotated[
    dict[str, Literal["ai", "rules"]],
    Field(description="Which parser produced each field: the rule-based parser, or the AI parser"),
]


class ResumePreview(BaseModel):
    kind: str
    pages: int
    data: ParsedResume
    field_sources: FieldSources


class ResumePage(BaseModel):
    items: list[ResumeRead]
    total: int
    limit: int
    offset: int


def merged(parsed: dict[str, Any] | None, corrections: dict[str, Any]) -> ParsedResume | None:
    if parsed is None and not corrections:
        return None
    return ParsedResume.model_validate({**(parsed or {}), **corrections})
