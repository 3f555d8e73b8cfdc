"""DOCX text: body (tables and text boxes included), headers and footers.

The XML is read with defusedxml, which refuses DTDs and entities (no XXE, no
"billion laughs"); the ZIP is checked before anything is inflated, so that a
small file cannot expand into gigabytes (a zip bomb).
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from jobswap.resumes.extract import ExtractedText, ExtractionError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_PARTS = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 200


def extract_docx(data: bytes) -> ExtractedText:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExtractionError("The DOCX file is damaged (not a readable ZIP archive).") from None
    with archive:
        parts = _checked_parts(archive)
        if "word/document.xml" not in parts:
            raise ExtractionError("The DOCX file has no document body.")
        headers = [n for n in sorted(parts) if "/header" in n]
        footers = [n for n in sorted(parts) if "/footer" in n]
        blocks: list[str] = []
        for name in [*headers, "word/document.xml", *footers]:
            blocks.extend(_paragraphs(_read(archive, name)))
    text = "\n".join(blocks)
    return ExtractedText(text=text, pages=1)


def _checked_parts(archive: zipfile.ZipFile) -> set[str]:
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ExtractionError("The DOCX file expands to more than 50 MB; it is not a resume.")
    names = set()
    for info in infos:
        if not _PARTS.match(info.filename):
            continue
        if info.file_size > MAX_PART_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536:
            raise ExtractionError(f"The DOCX part {info.filename} is suspiciously large (a zip bomb?).")
        names.add(info.filename)
    return names


def _read(archive: zipfile.ZipFile, name: str) -> Element:
    try:
        with archive.open(name) as fh:
            raw = fh.read(MAX_PART_BYTES + 1)  # never trust the declared size alone
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ExtractionError("The DOCX file is damaged and cannot be read.") from None
    if len(raw) > MAX_PART_BYTES:
        raise ExtractionError(f"The DOCX part {name} is too large.")
    try:
        root: Element = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ExtractionError(
            "The DOCX file contains XML entity or DTD declarations, which are refused for safety."
        ) from None
    except Exception:
        raise ExtractionError("The DOCX file contains malformed XML.") from None
    return root


def _paragraphs(root: Element) -> list[str]:
    """Each w:p as one line, in document order, counting only its own runs.

    Text boxes are paragraphs nested inside a run of another paragraph; Word also
    stores a legacy copy of each one under mc:Fallback, which is skipped.
    """
    out: list[str] = []

    def walk(node: Element, skip: bool) -> None:
        for child in node:
            if child.tag == MC_FALLBACK:
                continue
            if child.tag == W + "p":
                text = _own_text(child).strip()
                if text:
                    out.append(text)
                walk(child, skip)  # nested text boxes
            elif child.tag == W + "tc":
                walk(child, skip)
            else:
                walk(child, skip)

    walk(root, False)
    return out


def _own_text(paragraph: Element) -> str:
    pieces: list[str] = []

    def collect(node: Element) -> None:
        for child in node:
            if child.tag in (W + "p", MC_FALLBACK):
                continue  # a nested paragraph (text box) is its own line
            if child.tag == W + "t":
                pieces.append(child.text or "")
            elif child.tag == W + "tab":
                pieces.append("\t")
            elif child.tag in (W + "br", W + "cr"):
                pieces.append("\n")
            else:
                collect(child)

    collect(paragraph)
    return "".join(pieces)
