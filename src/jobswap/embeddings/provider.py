"""Which model embeds text: the local MiniLM (default) or an OpenAI-compatible provider.

Every stored vector records the model that made it (`embedding_model`), and matching compares
a vector only with vectors of the same model. When the provider is down (its breaker open),
texts are embedded locally and stored as the local model's; the re-embedding task replaces
them once the provider answers again, so nothing is ever compared across models.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass

from jobswap.config import Settings
from jobswap.embeddings.model import DIMENSIONS, MODEL_ID, get_embedder

log = logging.getLogger(__name__)
REQUEST_TEXTS = 256  # texts per embeddings request
MAX_CHARS = 24_000  # about 6,000 tokens: under every hosted model's 8,191-token input limit


@dataclass(frozen=True)
class Embedded:
    model: str
    vectors: list[list[float]]


def openai_model_id(settings: Settings) -> str:
    """The id stored with a provider's vectors (at most 64 characters, like the column)."""
    ident = f"openai:{settings.ai_embedding_model}:{DIMENSIONS}"
    if len(ident) <= 64:
        return ident
    digest = hashlib.sha256(ident.encode()).hexdigest()[:12]
    return f"{ident[:51]}~{digest}"


def active_model(settings: Settings) -> str:
    """The model whose vectors matching uses now; vectors of any other are re-embedded."""
    return openai_model_id(settings) if settings.embedding_provider == "openai" else MODEL_ID


def _clip(texts: list[str]) -> list[str]:
    return [(t if t.strip() else " ")[:MAX_CHARS] for t in texts]


async def embed_local(texts: list[str]) -> Embedded:
    vectors = await asyncio.to_thread(get_embedder().embed_sync, texts)
    return Embedded(MODEL_ID, [[float(x) for x in row] for row in vectors])


async def embed_remote(settings: Settings, texts: list[str]) -> Embedded:
    """The provider's vectors; raises ProviderUnavailable / ProviderError."""
    from jobswap.ai.client import ProviderUnavailable, client_for

    client = client_for(settings)
    dimensions = DIMENSIONS if settings.ai_send_dimensions else None
    out: list[list[float]] = []
    clipped = _clip(texts)
    for start in range(0, len(clipped), REQUEST_TEXTS):
        vectors, _ = await client.embeddings(
            clipped[start : start + REQUEST_TEXTS], settings.ai_embedding_model, dimensions
        )
        for vector in vectors:
            if len(vector) != DIMENSIONS:
                raise ProviderUnavailable(
                    f"The provider's vectors have {len(vector)} dimensions; JobSwap stores {DIMENSIONS} "
                    "(use a model that accepts dimensions=384, e.g. text-embedding-3-small)."
                )
        out.extend(vectors)
    return Embedded(openai_model_id(settings), out)


async def embed_texts(settings: Settings, texts: list[str]) -> Embedded:
    """Vectors for `texts` from the configured provider, or the local model when it is down."""
    if not texts:
        return Embedded(active_model(settings), [])
    if settings.embedding_provider == "openai":
        from jobswap.ai.client import ProviderError

        try:
            return await embed_remote(settings, texts)
        except ProviderError as exc:
            log.warning("embedding provider failed; using the local model", extra={"problem": str(exc)})
    return await embed_local(texts)


async def embed_one(settings: Settings, text: str) -> tuple[list[float], str]:
    """One text's vector and the model that made it."""
    embedded = await embed_texts(settings, [text])
    return embedded.vectors[0], embedded.model
