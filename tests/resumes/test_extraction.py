"""Text extraction: reading order, parts of DOCX, and every kind of hostile file."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobswap.resumes.extract import ExtractionError
from jobswap.resumes.extract.docx import extract_docx
from jobswap.resumes.extract.filetypes import FileKind, UnsupportedFile, sniff
from jobswap.resumes.extract.pdf import extract_pdf
from jobswap.resumes.extract.text import extract_text_file
from tests.resumes import builders

FIXTURES = Path(__file__).parent.parent / "fixtures" / "resumes"


def test_two_column_pdf_reads_each_column_whole() -> None:
    text = extract_pdf(builders.two_column_pdf(), max_pages=30).text
    lines = text.splitlines()
    # The sidebar is read top to bottom, then the main column: no line mixes the two.
    assert lines.index("SKILLS") < lines.index("Python, SQL, Docker") < lines.index("LANGUAGES")
    assert lines.index("EXPERIENCE") < lines.index("Senior Data Engineer") < lines.index("Data Engineer")
    sidebar_end = lines.index("English, Spanish")
    assert all(lines.index(item) > sidebar_end for item in ("Jane Doe", "EXPERIENCE", "EDUCATION"))
    assert not any("jane.doe@example.com" in ln and "EXPERIENCE" in ln for ln in lines)


def test_one_column_with_right_aligned_dates_is_not_split() -> None:
    rows: list[builders.Placed] = []
    for i, (title, date) in enumerate(
        [
            ("Senior Engineer, Acme", "2019 - Present"),
            ("Engineer, Globex", "2015 - 2018"),
            ("Intern, Initech", "2014"),
        ]
        * 3
    ):
        rows += [(50, 700 - 30 * i, title), (560 - 5.2 * len(date), 700 - 30 * i, date)]  # right-aligned
    text = extract_pdf(builders.make_pdf([rows]), max_pages=30).text
    assert "Senior Engineer, Acme   2019 - Present" in text.splitlines()


def test_real_resume_pdfs() -> None:
    for pdf in sorted(FIXTURES.glob("*.pdf")):
        result = extract_pdf(pdf.read_bytes(), max_pages=30)
        assert result.pages >= 1
        words = result.text.split()
        assert len(words) > 150, pdf.name
        # words are separated: few absurdly long tokens
        assert sum(1 for w in words if len(w) > 25) < len(words) * 0.02, pdf.name
    accountant = extract_pdf((FIXTURES / "ACCOUNTANT_10554236.pdf").read_bytes(), max_pages=30).text
    assert "Summary" in accountant.splitlines()
    assert "July 2011 to November 2012" in accountant


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (builders.one_column_pdf(["x"])[:300], "damaged or truncated"),
        (b"%PDF-1.7\n this is not a PDF at all", "damaged or truncated"),
        (builders.encrypted_pdf(), "password-protected"),
        (builders.many_pages_pdf(2000), "2000 pages"),
        (builders.image_only_pdf(), "no text layer"),
    ],
    ids=["truncated", "fake", "encrypted", "2000-pages", "image-only"],
)
def test_bad_pdfs_fail_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason):
        extract_pdf(data, max_pages=30)


def test_docx_reads_headers_tables_text_boxes_and_footers() -> None:
    body = (
        builders.p("Jane Doe")
        + builders.table([["Python", "SQL"], ["Acme Inc", "2019 - Present"]])
        + builders.text_box("Certified Kubernetes Administrator")
        + builders.p("Last paragraph")
    )
    data = builders.make_docx(body, header="jane@example.com | +1 415 555 0132", footer="Page footer text")
    lines = extract_docx(data).text.splitlines()
    assert lines[0] == "jane@example.com | +1 415 555 0132"
    assert lines[-1] == "Page footer text"
    for expected in ("Python", "SQL", "Acme Inc", "2019 - Present", "Last paragraph"):
        assert expected in lines
    # The text box appears once, although Word stores it twice (choice and fallback).
    assert lines.count("Certified Kubernetes Administrator") == 1


def test_docx_with_external_entities_is_refused() -> None:
    with pytest.raises(ExtractionError, match="entity or DTD"):
        extract_docx(builders.xxe_docx())


def test_docx_zip_bomb_is_refused_before_inflating() -> None:
    bomb = builders.zip_bomb_docx(200)
    assert len(bomb) < 1_000_000  # a small file...
    with pytest.raises(ExtractionError, match="50 MB|zip bomb|too large"):
        extract_docx(bomb)  # ...refused from its directory, without inflating 200 MB


def test_damaged_docx() -> None:
    with pytest.raises(ExtractionError):
        extract_docx(builders.make_docx(builders.p("x"))[:200])


def test_sniffing_uses_content_not_names() -> None:
    assert sniff(b"%PDF-1.7 ...") is FileKind.PDF
    docx = builders.make_docx(builders.p("x"))
    assert sniff(docx[:4096], docx) is FileKind.DOCX
    assert sniff("Jane Doe\nEngineer — Zürich\n".encode()) is FileKind.TEXT
    for bad, reason in [
        (b"", "empty"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "Executables"),
        (b"MZ\x90\x00\x03" + b"\x00" * 100, "Executables"),
        (b"#!/bin/sh\nrm -rf /\n", "Executables"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "Unsupported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "Old Word"),
    ]:
        with pytest.raises(UnsupportedFile, match=reason):
            sniff(bad, bad)
    import io
    import zipfile

    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("a.txt", "x")
    with pytest.raises(UnsupportedFile, match="not a Word"):
        sniff(other_zip.getvalue()[:4096], other_zip.getvalue())


def test_text_files() -> None:
    assert extract_text_file("Olá, mundo\r\n".encode()).text == "Olá, mundo\n"
    assert extract_text_file("\ufeffBOM".encode()).text == "BOM"
    assert extract_text_file("UTF-16 text".encode("utf-16")).text == "UTF-16 text"
    with pytest.raises(ExtractionError, match="not valid UTF-8"):
        extract_text_file(b"caf\xe9 latin-1 bytes")
