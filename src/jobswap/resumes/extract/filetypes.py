"""Deciding what a file is from its bytes, never from its name."""

from __future__ import annotations

import enum
import io
import zipfile


class FileKind(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    TEXT = "text"


MEDIA_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.TEXT: "text/plain; charset=utf-8",
}

_EXECUTABLE_MAGIC = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"#!")


class UnsupportedFile(Exception):
    pass


def sniff(head: bytes, whole: bytes | None = None) -> FileKind:
    """The kind of file from its first bytes (and, for ZIP containers, its member list)."""
    if not head:
        raise UnsupportedFile("The file is empty.")
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"PK\x03\x04"):
        if whole is not None and not _is_docx(whole):
            raise UnsupportedFile("The file is a ZIP archive but not a Word (.docx) document.")
        return FileKind.DOCX
    if head.startswith(_EXECUTABLE_MAGIC):
        raise UnsupportedFile("Executables and scripts are not accepted; upload a PDF, DOCX or text file.")
    if head.startswith((b"\xd0\xcf\x11\xe0", b"{\\rtf")):
        raise UnsupportedFile("Old Word (.doc) and RTF files are not supported; save it as PDF or DOCX.")
    if _looks_like_text(head):
        return FileKind.TEXT
    raise UnsupportedFile("Unsupported file type; upload a PDF, DOCX or plain-text (UTF-8) file.")


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsupportedFile("The file looks like a DOCX but its ZIP structure is damaged.") from None
    return "word/document.xml" in names and "[Content_Types].xml" in names


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control <= len(head) // 100
