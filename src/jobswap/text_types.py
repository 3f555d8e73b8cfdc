"""String types for request bodies that PostgreSQL can always store and people can trust.

PostgreSQL text cannot hold NUL characters, and UTF-8 cannot encode lone
surrogates (which JSON's `\\ud800` escapes produce). Both would otherwise
reach the database and fail there; these types turn them into a 422 that
names the field. Invisible control and format characters are refused too:
bidirectional overrides and the like can make a name on an HR screen read as
something else. Only the joiners that some scripts need (ZWNJ, ZWJ) are kept.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

# Zero-width non-joiner and joiner: needed to write Persian, Hindi and emoji sequences right.
_KEPT_FORMAT = frozenset({"\u200c", "\u200d"})
_LINE_BREAKS = frozenset({"\n", "\r", "\t", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"})


class Strict(BaseModel):
    """A request body: unknown fields are an error, not silently dropped.

    No model-wide string limit: each field states its own, so that an error names the real
    one (the request body limit bounds everything else)."""

    model_config = ConfigDict(extra="forbid")


def _hidden(value: str, allowed: frozenset[str]) -> str | None:
    """The first invisible control or format character that is not allowed, if any."""
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cf") or char in _LINE_BREAKS:
            return char
    return None


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return unicodedata.normalize("NFC", value)


def _one_line(value: str) -> str:
    char = _hidden(value, _KEPT_FORMAT)
    if char is not None:
        if char in _LINE_BREAKS:
            raise ValueError("must be a single line (no line breaks or tabs)")
        raise ValueError(f"must not contain invisible control or formatting characters (U+{ord(char):04X})")
    return value


def _clean_text(value: str) -> str:
    char = _hidden(value, _KEPT_FORMAT | {"\n", "\r", "\t"})
    if char is not None:
        raise ValueError(f"must not contain invisible control or formatting characters (U+{ord(char):04X})")
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

Text = Annotated[str, BeforeValidator(_strict_str), AfterValidator(_storable), AfterValidator(_clean_text)]
"""Free text that may span lines."""


def storable_tree(value: object, where: str = "") -> None:
    """Every string in a nested JSON value is storable (no NUL, no lone surrogate), for bodies
    such as resume corrections that are kept as JSON; the error names the first bad place."""
    if isinstance(value, str):
        try:
            _storable(value)
        except ValueError as exc:
            raise ValueError(f"{where or 'value'} {exc}") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            storable_tree(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            storable_tree(item, f"{where}.{index}" if where else str(index))


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


Secret = Annotated[str, BeforeValidator(_strict_str), AfterValidator(_encodable)]
"""A password: any character at all, as long as it can be encoded (and so hashed)."""
