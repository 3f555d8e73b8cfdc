"""String types for request bodies that PostgreSQL can always store.

PostgreSQL text cannot hold NUL characters, and UTF-8 cannot encode lone
surrogates (which JSON's `\\ud800` escapes produce). Both would otherwise
reach the database and fail there; these types turn them into a 422 that
names the field.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return unicodedata.normalize("NFC", value)


def _one_line(value: str) -> str:
    if _CONTROL.search(value) or "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("must be a single line without control characters")
    return value


def _strict_str(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


Line = Annotated[
    str,
    BeforeValidator(_strict_str),
    AfterValidator(_one_line),
    AfterValidator(_storable),
    StringConstraints(strip_whitespace=True),
]
"""A single line of text: names, titles, companies."""

Text = Annotated[str, BeforeValidator(_strict_str), AfterValidator(_storable)]
"""Free text that may span lines."""
