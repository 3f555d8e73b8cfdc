"""Swap workflow throughput on the embedded database: requests proposed, accepted and approved
per second, and outbox e-mails sent per second to a local SMTP server.

Each operation is one transaction through the real services (row locks, state machine,
audit rows, notifications and their outbox rows with queue jobs), as the API runs them,
with a bounded number in flight. Measured in the same run as baselines:
- one bare INSERT per request, in its own transaction, at the same concurrency;
- the same e-mails sent straight over SMTP, without the outbox.

    .venv/bin/python benchmarks/workflow_bench.py [--pairs 500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, pool, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jobswap.config import Settings  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jobswap.db import AccessRole, Identity, sqlalchemy_url  # noqa: E402
from jobswap.hr.models import Employer, HrRequest  # noqa: E402
from jobswap.hr.service import HrService  # noqa: E402
from jobswap.matching.models import Match  # noqa: E402
from jobswap.notifications.mailer import build_message  # noqa: E402
from jobswap.notifications.models import OutboxEmail  # noqa: E402
from jobswap.notifications.service import Notifier, send_one  # noqa: E402
from jobswap.occupations.titles import title_index  # noqa: E402
from jobswap.runtime import Runtime  # noqa: E402
from jobswap.swaps.schemas import Sharing, SwapRequestCreate  # noqa: E402
from jobswap.swaps.service import SwapService  # noqa: E402
from jobswap.users.models import User, UserRole  # noqa: E402
from serving import free_port  # noqa: E402

CONSENT = Sharing(share_contact=True, consent_hr_review=True)


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


async def _timed(items: Iterable[Any], work: Callable[[Any], Awaitable[Any]], concurrency: int) -> float:
    queue = list(items)
    gate = asyncio.Semaphore(concurrency)

    async def one(item: Any) -> None:
        async with gate:
            await work(item)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in queue))
    return time.perf_counter() - started


def _place(lat: float, lon: float) -> dict[str, Any]:
    return {"address": "bench", "latitude": lat, "longitude": lon, "precision": "pin"}


async def _population(runtime: Runtime, pairs: int) -> tuple[list[tuple[User, User, Match]], dict[str, User]]:
    """`pairs` nurses at North swapping with nurses at South, their matches, and each side's HR."""
    out: list[tuple[User, User, Match]] = []
    async with runtime.database.transaction(Identity.service()) as session:
        north = Employer(name="North Hospital", email_domains=["north.example"])
        south = Employer(name="South Hospital", email_domains=["south.example"])
        session.add_all([north, south])
        await session.flush()
        hr = {
            "north": User(email="hr@north.example", role=UserRole.HR, employer_id=north.id, name="HR North"),
            "south": User(email="hr@south.example", role=UserRole.HR, employer_id=south.id, name="HR South"),
        }
        session.add_all(hr.values())
        nurse = title_index().match("Registered Nurse")
        assert nurse is not None
        common = {
            "job_title": "Registered Nurse",
            "occupation_code": nurse.code,
            "occupation_title": nurse.title,
            "swap_family": title_index().family(nurse.code),
            "salary_band": "USD 70k-80k",
        }
        for i in range(pairs):
            # A lives in the south and works in the north; B the other way round.
            a, b = (
                User(
                    email=f"{side}{i}@example.com",
                    name=f"{side.upper()} {i}",
                    company=f"{company} Hospital",
                    home_location=_place(home, -87.65),
                    work_location=_place(work, -87.65),
                    **common,
                )
                for side, company, home, work in (("a", "North", 41.75, 41.95), ("b", "South", 41.95, 41.75))
            )
            session.add_all([a, b])
            await session.flush()
            cycle = uuid.uuid4()
            commutes = [
                {"before": 55.0, "after": 8.0, "source": "estimate"},
                {"before": 54.0, "after": 9.0, "source": "estimate"},
            ]
            parts = {
                "score": 90,
                "role": 1.0,
                "skills": None,
                "resume": None,
                "seniority": 1.0,
                "salary": 1.0,
            }
            match = Match(
                user_id=a.id,
                match_user_id=b.id,
                cycle_id=cycle,
                cycle_size=2,
                members=[a.id, b.id],
                compatibility_score=90,
                compatibility=parts,
                commute_before_minutes=55.0,
                commute_after_minutes=8.0,
                minutes_saved_total=92.0,
                commutes=commutes,
                salary_compatible=True,
            )
            session.add(match)
            out.append((a, b, match))
        await session.flush()
    return out, hr


async def _as(runtime: Runtime, user: User, work: Callable[[Any], Awaitable[Any]]) -> Any:
    async with runtime.database.transaction(Identity(user.id, AccessRole(user.role.value))) as session:
        return await work(session)


async def main() -> None:  # noqa: PLR0915  (one run, measured step by step)
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    with tempfile.TemporaryDirectory(prefix="jobswap-workflow-bench-") as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            environment="test",
            data_dir=Path(tmp),
            secret_key=secrets.token_urlsafe(48),
            run_worker=False,
            log_json=True,
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            smtp_security="none",
            db_pool_size=args.concurrency,
        )
        async with Runtime.open(settings) as runtime:
            people, hr = await _population(runtime, args.pairs)
            swaps = SwapService(settings, Notifier(settings, runtime.queue))
            reviews = HrService(swaps)
            created: dict[uuid.UUID, uuid.UUID] = {}

            async def propose(item: tuple[User, User, Match]) -> None:
                a, _, match = item
                data = SwapRequestCreate(match_id=match.id, **CONSENT.model_dump())
                request = await _as(runtime, a, lambda s: swaps.propose(s, a, data))
                created[a.id] = request.id

            async def accept(item: tuple[User, User, Match]) -> None:
                a, b, _ = item
                await _as(runtime, b, lambda s: swaps.accept(s, b, created[a.id], CONSENT))

            propose_s = await _timed(people, propose, args.concurrency)
            accept_s = await _timed(people, accept, args.concurrency)
            async with runtime.database.transaction(Identity.service()) as session:
                rows = (await session.execute(select(HrRequest.id, HrRequest.employer_id))).all()
                by_employer = {e.id: e.name for e in (await session.execute(select(Employer))).scalars()}
            decisions = [
                (r.id, hr["north"] if by_employer[r.employer_id] == "North Hospital" else hr["south"])
                for r in rows
            ]

            async def approve(item: tuple[uuid.UUID, User]) -> None:
                review_id, who = item
                await _as(runtime, who, lambda s: reviews.decide(s, who, review_id, True, None))

            approve_s = await _timed(decisions, approve, args.concurrency)

            async with runtime.database.transaction(Identity.service()) as session:
                states = dict(
                    (
                        await session.execute(
                            text("SELECT status, count(*) FROM swap_requests GROUP BY status")
                        )
                    ).all()
                )
                emails = list((await session.execute(select(OutboxEmail))).scalars())
            assert states == {"approved": args.pairs}, states

            started = time.perf_counter()
            await _timed(
                [e.id for e in emails], lambda i: send_one(runtime.database, settings, i), args.concurrency
            )
            outbox_s = time.perf_counter() - started
            assert sink.count == len(emails), (sink.count, len(emails))

            messages = [build_message(settings, e) for e in emails]
            direct_s = await _timed(
                messages,
                lambda m: aiosmtplib.send(m, hostname="127.0.0.1", port=controller.port, start_tls=False),
                args.concurrency,
            )

            engine = create_engine(sqlalchemy_url(runtime.urls.admin), poolclass=pool.NullPool)
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE bench_insert (id uuid PRIMARY KEY, payload text)"))
                conn.execute(text(f"GRANT INSERT ON bench_insert TO {settings.database_app_role}"))
            engine.dispose()

            async def bare(_: int) -> None:
                async with runtime.database.transaction(Identity.service()) as session:
                    await session.execute(
                        text("INSERT INTO bench_insert VALUES (:i, 'x')"), {"i": uuid.uuid4()}
                    )

            bare_s = await _timed(range(args.pairs), bare, args.concurrency)
    controller.stop()
    n = args.pairs
    print(f"workflow_bench: {n} two-way swaps, {args.concurrency} in flight, embedded PostgreSQL 18")
    print(f"  {'operation':<46} {'per second':>11} {'total s':>9}")
    rows_out = [
        ("requests proposed (2 rows + audit + 1 mail)", n / propose_s, propose_s),
        ("requests accepted (-> hr_review, 2 HR reviews)", n / accept_s, accept_s),
        ("HR decisions (2 per swap -> approved)", len(decisions) / approve_s, approve_s),
        (
            "swaps approved end to end",
            n / (propose_s + accept_s + approve_s),
            propose_s + accept_s + approve_s,
        ),
        ("baseline: one bare INSERT per request", n / bare_s, bare_s),
        (f"outbox e-mails sent ({len(emails)})", len(emails) / outbox_s, outbox_s),
        ("baseline: the same e-mails straight over SMTP", len(emails) / direct_s, direct_s),
    ]
    for name, rate, total in rows_out:
        print(f"  {name:<46} {rate:>11.1f} {total:>9.2f}")


if __name__ == "__main__":
    asyncio.run(main())
