"""The first start with the demo: a fresh data directory, embedded PostgreSQL, migrations, the
demo city loaded, the app ready; beside the same first start without the demo (the baseline
measured in the same run), and a second start with the demo (which loads nothing).

    .venv/bin/python -u benchmarks/demo_bench.py [--people 2400]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from asgi_lifespan import LifespanManager

from jobswap.config import Settings
from jobswap.main import create_app


async def start(data_dir: Path, demo: bool, people: int) -> float:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=data_dir, run_worker=False, demo=demo, demo_people=people, log_json=True
    )
    began = time.perf_counter()
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=600, shutdown_timeout=60):
        ready = time.perf_counter() - began
    return ready


async def main(people: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="jobswap-demo-bench-"))
    try:
        plain = await start(root / "plain", False, people)
        first = await start(root / "demo", True, people)
        second = await start(root / "demo", True, people)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"first start, empty database, no demo (baseline): {plain:6.1f} s")
    print(f"first start with the demo city ({people} people):  {first:6.1f} s")
    print(f"second start with the demo (nothing loaded):     {second:6.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2400)
    asyncio.run(main(parser.parse_args().people))
