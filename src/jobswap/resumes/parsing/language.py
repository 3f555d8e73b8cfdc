"""The language a text is written in (ISO 639-1), with langdetect made deterministic."""

from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0  # langdetect is randomised; a fixed seed gives the same answer every time


def detect_language(text: str, *, min_probability: float = 0.6) -> str | None:
    sample = " ".join(text.split())[:5000]
    if len(sample) < 20:
        return None
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return None
    return str(best.lang) if best.prob >= min_probability else None
