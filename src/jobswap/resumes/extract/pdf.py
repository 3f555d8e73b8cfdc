"""PDF text in reading order, from PDFium's character boxes.

PDFium (through pypdfium2, Apache-2.0/BSD) gives every character with its box,
about ten times faster than pure-Python parsers. Lines are rebuilt from the
boxes, then each page is checked for a column gutter: a vertical strip that
no text crosses, with independent lines on both sides. Where one exists, the
left column is read before the right one, band by band (a full-width heading
starts a new band), so that two-column resumes do not interleave.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as _pdfium
import pypdfium2.raw as _pdfium_c

from jobswap.resumes.extract import ExtractedText, ExtractionError


@dataclass
class Segment:
    """A run of text on one line, without a wide gap in it."""

    x0: float
    x1: float
    y: float  # baseline (PDF units, origin bottom-left)
    height: float
    text: str = ""


@dataclass
class _Char:
    c: str
    x0: float
    x1: float
    y0: float
    y1: float


@dataclass
class _Line:
    y: float
    chars: list[_Char] = field(default_factory=list)


# pypdfium2's helpers are only partly typed, and its raw ctypes layer not at all.
pdfium: Any = _pdfium
pdfium_c: Any = _pdfium_c

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")

# A gap wider than this share of the median character width is a word break
# (measured on real resumes: letters in a word touch or overlap by loose boxes).
SPACE_GAP = 0.2


def extract_pdf(data: bytes, *, max_pages: int) -> ExtractedText:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError("The PDF is password-protected; upload an unprotected copy.") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionError("The PDF uses an unsupported security handler.") from None
        raise ExtractionError("The PDF is damaged or truncated and cannot be read.") from None
    try:
        pages = len(doc)
        if pages == 0:
            raise ExtractionError("The PDF has no pages.")
        if pages > max_pages:
            raise ExtractionError(
                f"The PDF has {pages} pages; resumes of up to {max_pages} pages are accepted."
            )
        texts = []
        for index in range(pages):
            page = doc[index]
            try:
                texts.append(page_text(page))
            finally:
                page.close()
    finally:
        doc.close()
    text = "\n\n".join(t for t in texts if t)
    if not text.strip():
        raise ExtractionError(
            "The PDF has no text layer (it is a scanned image); upload a PDF with selectable text, or a DOCX."
        )
    return ExtractedText(text=text, pages=pages)


def page_text(page: Any) -> str:
    width = page.get_width()
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage)
    finally:
        textpage.close()
    segments = _segments(_lines(chars))
    return "\n".join(_render(order_segments(segments, width)))


def _chars(textpage: Any) -> list[_Char]:
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count)
    if len(text) != count:  # surrogate pairs or generated characters: fall back to one call per char
        text = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
    out = []
    ox, oy = ctypes.c_double(), ctypes.c_double()
    raw = textpage.raw
    for i, c in enumerate(text):
        if c in "\r\n\x00\ufffe\uffff":
            continue
        # The loose box spans the font's advance, so narrow glyphs ("1", "l") do not
        # open false gaps; the origin gives the baseline, so descenders stay on their line.
        x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)
        if not pdfium_c.FPDFText_GetCharOrigin(raw, i, ctypes.byref(ox), ctypes.byref(oy)):
            continue
        if not c.isspace() and x1 <= x0:
            continue
        out.append(_Char(" " if c.isspace() else c, x0, x1, oy.value, oy.value + (y1 - y0)))
    return out


def _lines(chars: list[_Char]) -> list[_Line]:
    """Group characters by baseline, keeping the content stream's order within a line."""
    glyph_heights = [c.y1 - c.y0 for c in chars if c.y1 > c.y0 and c.c != " "]
    if not glyph_heights:
        return []
    tolerance = 0.3 * statistics.median(glyph_heights)
    lines: list[_Line] = []
    recent: list[_Line] = []  # lines are mostly written in runs; look at the last few first
    for ch in chars:
        target = next((ln for ln in reversed(recent) if abs(ln.y - ch.y0) <= tolerance), None)
        if target is None:
            target = next((ln for ln in lines if abs(ln.y - ch.y0) <= tolerance), None)
        if target is None:
            target = _Line(y=ch.y0)
            lines.append(target)
        target.chars.append(ch)
        if not recent or recent[-1] is not target:
            recent = [*recent[-3:], target]
    return sorted(lines, key=lambda ln: -ln.y)


def _segments(lines: list[_Line]) -> list[Segment]:
    """Split each line where the text jumps: a wide gap, or a step back to the left."""
    segments: list[Segment] = []
    for line in lines:
        glyphs = [c for c in line.chars if c.c != " "]
        if not glyphs:
            continue
        char_w = statistics.median([c.x1 - c.x0 for c in glyphs])
        height = max(c.y1 - c.y0 for c in glyphs)
        current: Segment | None = None
        prev: _Char | None = None
        pending_space = False
        for ch in line.chars:
            if ch.c == " ":
                pending_space = current is not None
                continue
            gap = ch.x0 - prev.x1 if prev is not None else 0.0
            if current is None or gap > max(3.0 * char_w, 12.0) or gap < -2.0 * char_w:
                if current is not None:
                    segments.append(current)
                current = Segment(ch.x0, ch.x1, line.y, height, ch.c)
            else:
                if pending_space or gap > SPACE_GAP * char_w:
                    current.text += " "
                current.text += ch.c
                current.x0 = min(current.x0, ch.x0)
                current.x1 = max(current.x1, ch.x1)
            pending_space = False
            prev = ch
        if current is not None:
            segments.append(current)
    return segments


def order_segments(segments: list[Segment], page_width: float) -> list[Segment]:
    """Top-to-bottom order, reading a detected left column before its right column."""
    by_top = sorted(segments, key=lambda s: (-s.y, s.x0))
    gutter = _find_gutter(by_top, page_width)
    if gutter is None:
        return by_top
    ordered: list[Segment] = []
    left: list[Segment] = []
    right: list[Segment] = []
    for seg in by_top:
        if seg.x0 < gutter < seg.x1:  # full width: closes the band above it
            ordered += left + right + [seg]
            left, right = [], []
        elif seg.x1 <= gutter:
            left.append(seg)
        else:
            right.append(seg)
    return ordered + left + right


def _find_gutter(segments: list[Segment], page_width: float) -> float | None:
    if len(segments) < 8 or page_width <= 0:
        return None
    best: tuple[int, float] | None = None
    step = page_width / 100
    x = page_width * 0.2
    while x <= page_width * 0.8:
        crossing = sum(1 for s in segments if s.x0 < x < s.x1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
        x += step
    if best is None or best[0] > max(1, len(segments) // 25):
        return None
    gutter = best[1]
    left = [s for s in segments if s.x1 <= gutter]
    right = [s for s in segments if s.x0 >= gutter]
    if len(left) < 4 or len(right) < 4:
        return None
    # A one-column page with right-aligned dates has a "gutter" too, but its right-hand
    # pieces sit on the same lines as left-hand text and share a right edge (a tab stop),
    # or are nearly all dates. A real column has lines of its own, or a common left edge.
    left_baselines = [s.y for s in left]
    shared = sum(1 for s in right if any(abs(s.y - y) < 0.5 * s.height for y in left_baselines))
    if shared > 0.5 * len(right):
        right_aligned = statistics.pstdev(s.x1 for s in right) < statistics.pstdev(s.x0 for s in right)
        dated = sum(1 for s in right if _YEAR.search(s.text)) >= 0.8 * len(right)
        if right_aligned or dated:
            return None
    return gutter


def _render(segments: list[Segment]) -> list[str]:
    """Join segments that share a baseline and follow each other; else one line each."""
    lines: list[str] = []
    last: Segment | None = None
    for seg in segments:
        text = " ".join(seg.text.split())
        if not text:
            continue
        if last is not None and abs(seg.y - last.y) < 0.5 * max(seg.height, 1.0) and seg.x0 >= last.x1:
            lines[-1] += "   " + text
        else:
            lines.append(text)
        last = seg
    return lines
