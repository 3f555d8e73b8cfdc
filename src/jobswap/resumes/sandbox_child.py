"""The child side of the parsing sandbox: file bytes on stdin, JSON on stdout."""

from __future__ import annotations

import json
import sys

from jobswap.resumes.extract import ExtractedText, ExtractionError
from jobswap.resumes.extract.filetypes import FileKind


def extract(data: bytes, kind: FileKind, max_pages: int) -> ExtractedText:
    if kind is FileKind.PDF:
        from jobswap.resumes.extract.pdf import extract_pdf

        return extract_pdf(data, max_pages=max_pages)
    if kind is FileKind.DOCX:
        from jobswap.resumes.extract.docx import extract_docx

        return extract_docx(data)
    from jobswap.resumes.extract.text import extract_text_file

    return extract_text_file(data)


def main() -> None:
    kind, structure, max_pages, region = (
        FileKind(sys.argv[1]),
        sys.argv[2] == "1",
        int(sys.argv[3]),
        sys.argv[4],
    )
    data = sys.stdin.buffer.read()
    try:
        extracted = extract(data, kind, max_pages)
    except ExtractionError as exc:
        json.dump({"ok": False, "reason": str(exc)}, sys.stdout)
        return
    text = extracted.text.replace("\x00", "")
    if not text.strip():
        json.dump({"ok": False, "reason": "The file contains no text."}, sys.stdout)
        return
    out: dict[str, object] = {"ok": True, "text": text, "pages": extracted.pages}
    if structure:
        from jobswap.resumes.parsing import parse_resume

        out["parsed"] = parse_resume(text, phone_region=region).model_dump(mode="json")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
