"""HTTP throughput and latency of sign-in and GET /api/users/me on the embedded database.

Starts `jobswap serve` for real (uvicorn, embedded PostgreSQL in a temporary
directory) once per worker count, then drives it over loopback with a bounded
number of concurrent requests. GET /healthz, which touches no database, is
measured in the same run as the baseline: the ceiling the HTTP stack allows.

    .venv/bin/python benchmarks/api_bench.py [--workers 1 2] [--requests 2000] [--concurrency 32]

The load generator runs on the same machine and takes CPU from the server:
the figures are a lower bound for a server with its cores to itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import httpx
from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import load, serving

PASSWORD = "benchmark password 1"
USERS = 50


async def _bench(base: str, requests: int, concurrency: int) -> dict[str, dict[str, float]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        tokens = []
        for i in range(USERS):
            r = await client.post(
                "/api/auth/signup", json={"email": f"bench{i}@example.com", "password": PASSWORD}
            )
            if r.status_code == 409:
                r = await client.post(
                    "/api/auth/signin", data={"username": f"bench{i}@example.com", "password": PASSWORD}
                )
            r.raise_for_status()
            tokens.append(r.json()["access_token"])

        async def healthz(i: int) -> httpx.Response:
            return await client.get("/healthz")

        async def me(i: int) -> httpx.Response:
            return await client.get("/api/users/me", headers={"Authorization": f"Bearer {tokens[i % USERS]}"})

        async def signin(i: int) -> httpx.Response:
            # Spread over accounts; each succeeds, so no throttle applies.
            return await client.post(
                "/api/auth/signin", data={"username": f"bench{i % USERS}@example.com", "password": PASSWORD}
            )

        results = {"GET /healthz (baseline)": await load(healthz, requests, concurrency)}
        results["GET /api/users/me"] = await load(me, requests, concurrency)
        results["POST /api/auth/signin"] = await load(signin, max(requests // 10, 50), concurrency)
        return results


def run(workers: int, requests: int, concurrency: int) -> dict[str, dict[str, float]]:
    with serving(workers, pool_size=max(4, concurrency // workers)) as base:
        return asyncio.run(_bench(base, requests, concurrency))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    print(f"cpus={os.cpu_count()} requests={args.requests} concurrency={args.concurrency}")
    from jobswap.config import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost_kib,
        parallelism=settings.argon2_parallelism,
    )
    start = time.perf_counter()
    for _ in range(10):
        hasher.hash(PASSWORD)
    per_hash = (time.perf_counter() - start) / 10
    print(
        f"argon2id t={settings.argon2_time_cost} m={settings.argon2_memory_cost_kib}KiB: "
        f"{per_hash * 1000:.1f} ms per hash on one core -> sign-in ceiling ~{os.cpu_count() / per_hash:.0f}/s"
    )
    print(f"{'workers':>7}  {'endpoint':<26} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>6}")
    for workers in args.workers:
        for name, r in run(workers, args.requests, args.concurrency).items():
            print(
                f"{workers:>7}  {name:<26} {r['rps']:>9.1f} {r['p50_ms']:>9.2f} {r['p99_ms']:>9.2f} "
                f"{int(r['errors']):>6}"
            )


if __name__ == "__main__":
    main()
