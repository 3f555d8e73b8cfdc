"""Files for resume tests, built in code: PDFs with chosen layouts, DOCX with chosen parts."""

from __future__ import annotations

import io
import zipfile

# ---------------------------------------------------------------- PDF

Placed = tuple[float, float, str]  # x, y (points from bottom-left), text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(
    pages: list[list[Placed]], *, font_size: float = 10, width: int = 612, height: int = 792
) -> bytes:
    """A valid PDF with Helvetica text at the given places, written in the given order."""
    objects: list[bytes] = []
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, items in enumerate(pages):
        stream = "".join(
            f"BT /F1 {font_size} Tf {x:.1f} {y:.1f} Td ({_escape(text)}) Tj ET\n" for x, y, text in items
        ).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


LEFT = [
    "CONTACT",
    "jane.doe@example.com",
    "+1 415 555 0132",
    "Oakland, CA",
    "SKILLS",
    "Python, SQL, Docker",
    "Kubernetes, Postgres",
    "LANGUAGES",
    "English, Spanish",
]
RIGHT = [
    "Jane Doe",
    "EXPERIENCE",
    "Senior Data Engineer",
    "Acme Analytics Inc - Jan 2019 - Present",
    "Built streaming pipelines in Python for billing data.",
    "Data Engineer",
    "Globex Corporation - Jun 2015 - Dec 2018",
    "Maintained the warehouse and its nightly loads.",
    "EDUCATION",
]


def two_column_pdf() -> bytes:
    """A sidebar and a main column whose lines share baselines, written row by row
    (the worst order for a reader that trusts the content stream)."""
    items: list[Placed] = []
    for row in range(max(len(LEFT), len(RIGHT))):
        y = 740 - row * 16
        if row < len(LEFT):
            items.append((40, y, LEFT[row]))
        if row < len(RIGHT):
            items.append((250, y, RIGHT[row]))
    return make_pdf([items])


def one_column_pdf(lines: list[str]) -> bytes:
    return make_pdf([[(50, 750 - 14 * i, line) for i, line in enumerate(lines)]])


def image_only_pdf() -> bytes:
    """A page with a drawing and no text, like a scan."""
    pdf = make_pdf([[]])
    return pdf.replace(
        b"<< /Length 0 >>\nstream\n", b"<< /Length 25 >>\nstream\n0 0 m 100 100 l S\n\n\n\n\n\n", 1
    )


def many_pages_pdf(count: int) -> bytes:
    return make_pdf([[(50, 700, f"Page {n}")] for n in range(count)])


def encrypted_pdf(password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(one_column_pdf(["Jane Doe", "jane@example.com"]))))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- DOCX

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NAMESPACES = (
    W_NS + ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
    ' xmlns:v="urn:schemas-microsoft-com:vml"'
)
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def table(rows: list[list[str]]) -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc>{p(c)}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f"<w:tbl>{cells}</w:tbl>"


def text_box(text: str) -> str:
    """A text box as Word writes it: the DrawingML copy, and a VML fallback copy."""
    return (
        "<w:p><w:r><mc:AlternateContent>"
        f'<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>{p(text)}</w:txbxContent>'
        "</wps:txbx></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:textbox><w:txbxContent>{p(text)}</w:txbxContent></v:textbox></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )


def make_docx(body: str, *, header: str | None = None, footer: str | None = None, prolog: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
            f"<w:document {NAMESPACES}><w:body>{body}</w:body></w:document>",
        )
        if header is not None:
            zf.writestr("word/header1.xml", f"<w:hdr {NAMESPACES}>{p(header)}</w:hdr>")
        if footer is not None:
            zf.writestr("word/footer1.xml", f"<w:ftr {NAMESPACES}>{p(footer)}</w:ftr>")
    return out.getvalue()


def xxe_docx() -> bytes:
    prolog = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return make_docx(p("&xxe;"), prolog=prolog)


def zip_bomb_docx(uncompressed_mb: int = 200) -> bytes:
    """A DOCX whose document.xml inflates to `uncompressed_mb` MB (it compresses ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f"<w:document {W_NS}><w:body>".encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(uncompressed_mb):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")
    return out.getvalue()
