"""Turning an uploaded file into text in reading order: pure functions, no I/O but bytes in."""

from __future__ import annotations

from dataclasses import dataclass


class ExtractionError(Exception):
    """The file cannot be read; the message is shown to the user as the reason."""


@dataclass(frozen=True, slots=True)
class ExtractedText:
    text: str
    pages: int
