"""Regenerate the demo postings' shipped vectors: load the demo into a scratch data directory
with the local model, then write their vectors (`python -m jobswap.demo.vectors`)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from jobswap.config import Settings
from jobswap.demo import loader
from jobswap.runtime import Runtime


async def main(target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="jobswap-demo-vectors-") as scratch:
        settings = Settings(_env_file=None, data_dir=Path(scratch), run_worker=False)
        async with Runtime.open(settings) as runtime:
            original = loader.VECTORS
            loader.VECTORS = "none"  # embed everything afresh
            try:
                await loader.load(settings, runtime.database, runtime.queue)
            finally:
                loader.VECTORS = original
            count = await loader.export_vectors(runtime.database, target)
    print(f"{count} vectors written to {target}")


if __name__ == "__main__":
    default = Path(__file__).parent / "data" / loader.VECTORS
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
