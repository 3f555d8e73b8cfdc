"""Load test: a realistic mix at rising concurrency until p99 crosses 500 ms, on 1 and 2 workers.

Starts `jobswap serve` for real (embedded PostgreSQL in a temporary directory) and drives it
over loopback with a bounded asyncio client: a fixed number of requests per step, each step
at twice the concurrency of the last, stopping at the first step whose p99 is over the target
(or at the last step). The mix per 100 requests: 5 sign-ins, 35 profile reads, 10 profile
writes, 25 match reads, 5 resume uploads (small text files), 20 job searches. Afterwards every
acknowledged write is looked for in the database: each profile's last acknowledged name, and
every acknowledged upload. GET /healthz at the highest concurrency is the baseline.

    .venv/bin/python benchmarks/load_bench.py [--workers 1 2] [--requests 1500] [--start 4] [--max 128]

Loopback only, bounded in count and time; the client shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import load, serving

PASSWORD = "load bench password 1"
USERS = 40
TARGET_P99_MS = 500.0
MIX = [("signin", 5), ("me", 35), ("write", 10), ("matches", 25), ("upload", 5), ("jobs", 20)]


class World:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.tokens: list[str] = []
        self.ids: list[str] = []
        self.names: dict[int, set[str]] = {}  # user -> every name a 200 acknowledged
        self.sequence = 0
        self.uploads: dict[int, set[str]] = {}

    def headers(self, i: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[i]}"}

    async def setup(self) -> None:
        for i in range(USERS):
            answer = await self.client.post(
                "/api/auth/signup", json={"email": f"load{i}@example.com", "password": PASSWORD}
            )
            answer.raise_for_status()
            self.tokens.append(answer.json()["access_token"])
            self.ids.append(answer.json()["user"]["id"])

    async def call(self, kind: str, i: int) -> httpx.Response:
        c = self.client
        if kind == "signin":
            return await c.post(
                "/api/auth/signin", data={"username": f"load{i}@example.com", "password": PASSWORD}
            )
        if kind == "me":
            return await c.get("/api/users/me", headers=self.headers(i))
        if kind == "write":
            self.sequence += 1
            name = f"Load User {i} v{self.sequence}"
            answer = await c.put(f"/api/users/{self.ids[i]}", json={"name": name}, headers=self.headers(i))
            if answer.status_code == 200:
                self.names.setdefault(i, set()).add(name)
            return answer
        if kind == "matches":
            return await c.get("/api/matches", headers=self.headers(i))
        if kind == "upload":
            body = f"Load User {i}\nNurse, {random.randint(1, 30)} years\n".encode()
            answer = await c.post(
                "/api/resumes/upload", files={"file": ("cv.txt", body, "text/plain")}, headers=self.headers(i)
            )
            if answer.status_code == 202:
                self.uploads.setdefault(i, set()).add(answer.json()["id"])
            return answer
        return await c.get("/api/jobs", params={"q": "nurse"}, headers=self.headers(i))


async def _verify(world: World) -> tuple[int, int]:
    """Acknowledged writes found, out of those made: each profile holds one of the names a 200
    acknowledged for it (concurrent writes to one profile commit in any order), and every
    acknowledged upload is stored."""
    found = made = 0
    for i, names in world.names.items():
        made += 1
        me = await world.client.get("/api/users/me", headers=world.headers(i))
        found += me.json()["name"] in names
    for i, ids in world.uploads.items():
        listing = await world.client.get("/api/resumes", params={"limit": 100}, headers=world.headers(i))
        stored = {r["id"] for r in listing.json()["items"]}
        made += len(ids)
        found += len(ids & stored)
    return found, made


async def _bench(base: str, requests: int, start: int, ceiling: int) -> list[dict[str, Any]]:
    limits = httpx.Limits(max_connections=ceiling, max_keepalive_connections=ceiling)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        world = World(client)
        await world.setup()
        plan = [kind for kind, weight in MIX for _ in range(weight)]
        rows: list[dict[str, Any]] = []
        # Warm-up, not measured: the service loads its gazetteer and models in the background
        # after it reports ready, and the first requests of each kind fill caches.
        await load(lambda n: world.call(plan[n % len(plan)], n % USERS), 300, start)
        await asyncio.sleep(3)
        concurrency = start
        while concurrency <= ceiling:
            pick = random.Random(concurrency)

            async def mixed(n: int, pick: random.Random = pick) -> httpx.Response:
                return await world.call(plan[n % len(plan)], pick.randrange(USERS))

            result = await load(mixed, requests, concurrency)
            rows.append({"name": "mix", "concurrency": concurrency, **result})
            if result["p99_ms"] > TARGET_P99_MS:
                break
            concurrency *= 2
        top = rows[-1]["concurrency"]
        baseline = await load(lambda n: client.get("/healthz"), requests, top)
        rows.append({"name": "GET /healthz (baseline)", "concurrency": top, **baseline})
        found, made = await _verify(world)
        rows.append({"name": "acknowledged writes found", "found": found, "made": made})
        return rows


def run(workers: int, requests: int, start: int, ceiling: int) -> list[dict[str, Any]]:
    with serving(workers, pool_size=10) as base:
        return asyncio.run(_bench(base, requests, start, ceiling))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--start", type=int, default=4)
    parser.add_argument("--max", type=int, default=128)
    args = parser.parse_args()
    print(f"cpus={os.cpu_count()} requests per step={args.requests} target p99={TARGET_P99_MS:.0f} ms")
    columns = "".join(f" {c:>9}" for c in ("in flight", "req/s", "p50 ms", "p99 ms"))
    print(f"{'workers':>7}  {'load':<26}{columns} {'errors':>6}")
    for workers in args.workers:
        for row in run(workers, args.requests, args.start, args.max):
            if "found" in row:
                print(f"{workers:>7}  {row['name']}: {row['found']} of {row['made']}")
                continue
            print(
                f"{workers:>7}  {row['name']:<26} {row['concurrency']:>9} {row['rps']:>9.1f} "
                f"{row['p50_ms']:>9.2f} {row['p99_ms']:>9.2f} {int(row['errors']):>6}"
            )


if __name__ == "__main__":
    main()
