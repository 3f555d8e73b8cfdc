"""What the HTTP benchmarks share: a real `jobswap serve` on a free loopback port, and a
bounded load runner that reports throughput, p50/p99 latency and errors."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("server did not become ready")


@contextmanager
def serving(workers: int, pool_size: int) -> Iterator[str]:
    """`jobswap serve` with its own embedded PostgreSQL in a temporary directory; its base URL."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "JOBSWAP_DATA_DIR": data,
            "JOBSWAP_LOG_LEVEL": "WARNING",
            "JOBSWAP_DB_POOL_SIZE": str(pool_size),
        }
        env.pop("DATABASE_URL", None)
        jobswap = Path(sys.executable).with_name("jobswap")
        proc = subprocess.Popen(  # noqa: S603
            [str(jobswap), "serve", "--port", str(port), "--workers", str(workers), "--no-worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(wait_ready(base))
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=60)


async def load(
    make: Callable[[int], Awaitable[httpx.Response]], total: int, concurrency: int
) -> dict[str, float]:
    """`total` requests, `concurrency` in flight; a 4xx/5xx or a transport error is an error."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def runner() -> None:
        nonlocal errors
        for n in counter:
            started = time.perf_counter()
            try:
                failed = (await make(n)).status_code >= 400
            except httpx.HTTPError:
                failed = True
            latencies.append(time.perf_counter() - started)
            errors += failed

    began = time.perf_counter()
    await asyncio.gather(*(runner() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": total / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "errors": errors,
    }
