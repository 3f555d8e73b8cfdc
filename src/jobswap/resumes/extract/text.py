"""Plain-text resumes: UTF-8 (with or without BOM) or UTF-16 with a BOM."""

from __future__ import annotations

from jobswap.resumes.extract import ExtractedText, ExtractionError


def extract_text_file(data: bytes) -> ExtractedText:
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"The text file is not valid UTF-8 (bad byte at position {exc.start}); save it as UTF-8."
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return ExtractedText(text=text, pages=1)
