"""The structured resume: what parsing produces and what a user may correct."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

YearMonth = Annotated[str, Field(pattern=r"^(?:19|20)\d{2}(?:-(?:0[1-9]|1[0-2]))?$")]


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["linkedin", "github", "portfolio", "other"]
    url: Annotated[str, Field(max_length=2048)]


class Experience(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str | None, Field(max_length=300)] = None
    company: Annotated[str | None, Field(max_length=300)] = None
    location: Annotated[str | None, Field(max_length=300)] = None
    start: YearMonth | None = None
    end: YearMonth | Literal["present"] | None = None
    description: Annotated[str | None, Field(max_length=10_000)] = None


class Education(BaseModel):
    model_config = ConfigDict(extra="forbid")
    degree: Annotated[str | None, Field(max_length=300)] = None
    field: Annotated[str | None, Field(max_length=300)] = None
    institution: Annotated[str | None, Field(max_length=300)] = None
    graduation_year: Annotated[int | None, Field(ge=1900, le=2100)] = None


class ParsedResume(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str | None, Field(max_length=300)] = None
    headline: Annotated[
        str | None, Field(max_length=300, description="The job title stated under the name, if any")
    ] = None
    emails: Annotated[list[Annotated[str, Field(max_length=320)]], Field(max_length=20)] = []
    phones: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=20)] = []
    links: Annotated[list[Link], Field(max_length=50)] = []
    location: Annotated[str | None, Field(max_length=300)] = None
    summary: Annotated[str | None, Field(max_length=10_000)] = None
    experience: Annotated[list[Experience], Field(max_length=100)] = []
    education: Annotated[list[Education], Field(max_length=50)] = []
    skills: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=500)] = []
    total_years_experience: Annotated[float | None, Field(ge=0, le=80)] = None
    language: Annotated[str | None, Field(max_length=16)] = None
    sections: list[str] = []
