"""The language a text is written in (ISO 639-1), with langdetect made deterministic."""

from __future__ import annotations

import threading

from langdetect import detector_factory, lang_detect_exception

detector_factory.DetectorFactory.seed = (
    0  # langdetect is randomised; a fixed seed gives the same answer every time
)
_lock = threading.Lock()  # its shared factory loads lazily and is not safe across threads


def detect_language(text: str, *, min_probability: float = 0.6) -> str | None:
    sample = " ".join(text.split())[:5000]
    if len(sample) < 20:
        return None
    try:
        with _lock:
            best = detector_factory.detect_langs(sample)[0]  # type: ignore[no-untyped-call]
    except lang_detect_exception.LangDetectException:
        return None
    return str(best.lang) if best.prob >= min_probability else None
