"""A demo city: Chicago and its suburbs, seeded, loaded once into an empty database.

Four employers with several sites each, a few thousand employees whose homes spread over the
metro's municipalities (real names and coordinates from the shipped gazetteer) and whose jobs
span several occupations with salary bands; some with real resumes; 300 real postings through
the normal import pipeline; the nightly swap run and job matching computed; swap requests at
every stage; one HR user per employer and an admin. Everything goes through the services the
product uses, except that employees are inserted in bulk with one shared password hash (the
demo password), which keeps the first start well under a minute.

`load` is idempotent: a database that already has the demo keeps it and gets nothing twice;
one holding a half-finished load (a crash) has its demo rows removed and loaded again.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import numpy as np
from sqlalchemy import select, text

from jobswap.auth.security import Passwords
from jobswap.config import Settings
from jobswap.db import AccessRole, Database, Identity
from jobswap.embeddings.model import MODEL_ID
from jobswap.embeddings.provider import active_model
from jobswap.errors import AppError
from jobswap.hr import employers
from jobswap.hr.schemas import EmployerCreate
from jobswap.hr.service import HrService
from jobswap.jobmatch import service as job_matches
from jobswap.jobmatch.schemas import JobMatchFilters
from jobswap.jobs import importing
from jobswap.jobs import service as jobs_service
from jobswap.jobs.models import Job
from jobswap.jobs.pipeline import bump_corpus
from jobswap.matching import service as matching
from jobswap.matching.geocode import offline_geocoder
from jobswap.matching.models import Match
from jobswap.notifications.service import Notifier
from jobswap.occupations.titles import title_index
from jobswap.resumes.service import ResumeService, process
from jobswap.resumes.storage import build_storage
from jobswap.swaps.schemas import DeclineBody, Sharing, SwapRequestCreate
from jobswap.swaps.service import SwapService
from jobswap.users.models import User, UserRole

log = logging.getLogger(__name__)
DOMAIN = "example.com"
PASSWORD = "demo-password-2026"  # noqa: S105  (printed at start; demo accounts only)
ADMIN_EMAIL = f"admin@jobswap.{DOMAIN}"
FEATURED_EMAIL = f"alex.rivera@lakeshore-health.{DOMAIN}"
LOCK_KEY = 7_302_026


@dataclass(frozen=True)
class Site:
    name: str
    place: str  # a gazetteer name


@dataclass(frozen=True)
class Role:
    title: str
    band: tuple[int, int]
    weight: float


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    sites: tuple[Site, ...]
    roles: tuple[Role, ...]
    weight: float


COMPANIES = (
    Company(
        "Lakeshore Health",
        f"lakeshore-health.{DOMAIN}",
        (
            Site("Evanston hospital", "Evanston, IL"),
            Site("Naperville hospital", "Naperville, IL"),
            Site("Oak Lawn clinic", "Oak Lawn, IL"),
            Site("Loop clinic", "Chicago, IL"),
        ),
        (
            Role("Registered Nurse", (72_000, 88_000), 5),
            Role("Medical Assistant", (38_000, 45_000), 2),
            Role("Pharmacist", (120_000, 140_000), 1),
            Role("Medical Receptionist", (34_000, 40_000), 1),
            Role("Accountant", (60_000, 75_000), 1),
        ),
        3,
    ),
    Company(
        "Prairie Logistics",
        f"prairie-logistics.{DOMAIN}",
        (
            Site("Joliet distribution centre", "Joliet, IL"),
            Site("Elk Grove depot", "Des Plaines, IL"),
            Site("Bolingbrook warehouse", "Bolingbrook, IL"),
        ),
        (
            Role("Warehouse Associate", (32_000, 38_000), 4),
            Role("Forklift Operator", (36_000, 42_000), 2),
            Role("Logistics Coordinator", (48_000, 58_000), 2),
            Role("Customer Service Representative", (36_000, 44_000), 2),
            Role("Accountant", (60_000, 75_000), 1),
        ),
        2,
    ),
    Company(
        "Northbridge Software",
        f"northbridge-software.{DOMAIN}",
        (
            Site("River North office", "Chicago, IL"),
            Site("Schaumburg office", "Schaumburg, IL"),
            Site("Oak Brook office", "Oak Brook, IL"),
        ),
        (
            Role("Software Engineer", (110_000, 135_000), 4),
            Role("Data Analyst", (70_000, 85_000), 2),
            Role("Customer Service Representative", (38_000, 46_000), 1),
            Role("Project Manager", (95_000, 115_000), 1),
        ),
        2,
    ),
    Company(
        "Midway Community Bank",
        f"midway-bank.{DOMAIN}",
        (
            Site("Loop headquarters", "Chicago, IL"),
            Site("Skokie branch", "Skokie, IL"),
            Site("Wheaton branch", "Wheaton, IL"),
            Site("Orland Park branch", "Orland Park, IL"),
        ),
        (
            Role("Bank Teller", (34_000, 40_000), 3),
            Role("Accountant", (60_000, 75_000), 2),
            Role("Loan Officer", (65_000, 85_000), 2),
            Role("Customer Service Representative", (36_000, 44_000), 1),
        ),
        2,
    ),
)
# Where people live: the city most, then the suburbs (weights roughly by population).
HOMES: tuple[tuple[str, float, float], ...] = (  # name, weight, spread in km
    ("Chicago, IL", 40, 6.0),
    ("Evanston, IL", 4, 1.5),
    ("Skokie, IL", 3, 1.5),
    ("Oak Park, IL", 3, 1.2),
    ("Cicero, IL", 3, 1.2),
    ("Berwyn, IL", 2, 1.0),
    ("Oak Lawn, IL", 3, 1.5),
    ("Naperville, IL", 5, 2.5),
    ("Aurora, IL", 4, 2.5),
    ("Joliet, IL", 4, 2.5),
    ("Elgin, IL", 3, 2.0),
    ("Schaumburg, IL", 3, 2.0),
    ("Arlington Heights, IL", 3, 2.0),
    ("Des Plaines, IL", 2, 1.5),
    ("Palatine, IL", 2, 1.5),
    ("Wheaton, IL", 2, 1.5),
    ("Downers Grove, IL", 2, 1.5),
    ("Orland Park, IL", 2, 1.5),
    ("Bolingbrook, IL", 2, 1.5),
    ("Glenview, IL", 2, 1.5),
    ("Park Ridge, IL", 1, 1.0),
    ("Elmhurst, IL", 1, 1.2),
    ("Lombard, IL", 1, 1.2),
)
FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Luis",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "Maria",
    "Jose",
    "Wei",
    "Mei",
    "Aisha",
    "Omar",
    "Priya",
    "Raj",
    "Ana",
    "Diego",
    "Fatima",
    "Ahmed",
    "Grace",
    "Samuel",
    "Olivia",
    "Noah",
    "Emma",
    "Liam",
    "Sofia",
    "Mateo",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kowalski",
    "Novak",
    "Patel",
    "Shah",
    "Kim",
    "Chen",
    "Wang",
    "Ali",
]
RESUMES = {  # a real resume (tests' fixtures, anonymised by their publisher) for these roles
    "Accountant": "ACCOUNTANT_10554236.pdf",
    "Software Engineer": "INFORMATION-TECHNOLOGY_10089434.pdf",
    "Data Analyst": "ENGINEERING_10030015.pdf",
    "Project Manager": "TEACHER_10504237.pdf",
}


@dataclass
class Summary:
    loaded: bool
    seconds: float = 0.0
    people: int = 0
    jobs: int = 0
    matches: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def accounts() -> list[tuple[str, str, str]]:
    """The sign-ins the demo prints and the README lists."""
    return [
        ("An employee with good swap matches and a resume", FEATURED_EMAIL, PASSWORD),
        ("HR of Lakeshore Health, with requests to review", f"hr@lakeshore-health.{DOMAIN}", PASSWORD),
        ("An admin", ADMIN_EMAIL, PASSWORD),
    ]


def _place(name: str) -> tuple[float, float]:
    found = offline_geocoder().geocode(name)
    if found is None:  # the shipped gazetteer has every name above; a test checks it
        raise RuntimeError(f"the gazetteer does not know {name}")
    return found.latitude, found.longitude


def _jitter(rng: random.Random, point: tuple[float, float], km: float) -> tuple[float, float]:
    lat = point[0] + rng.gauss(0, km) / 111.0
    lon = point[1] + rng.gauss(0, km) / (111.0 * math.cos(math.radians(point[0])))
    return round(lat, 5), round(lon, 5)


def _location(label: str, point: tuple[float, float]) -> dict[str, Any]:
    return {"address": label, "latitude": point[0], "longitude": point[1], "precision": "street"}


def _band(role: Role, rng: random.Random) -> str:
    low = int(round(role.band[0] * rng.uniform(0.97, 1.03), -3))
    high = int(round(role.band[1] * rng.uniform(0.97, 1.03), -3))
    return f"{low}-{high} USD"


async def _state(database: Database) -> str:
    """'empty', 'loaded' or 'partial'."""
    async with database.transaction(Identity.service()) as session:
        admin = await session.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
        employer = await session.scalar(
            text("SELECT id FROM employers WHERE :d = ANY(email_domains)"), {"d": COMPANIES[0].domain}
        )
    if admin is not None:
        return "loaded"
    return "partial" if employer is not None else "empty"


async def _remove_partial(database: Database) -> None:
    async with database.transaction(Identity.service()) as session:
        await session.execute(
            text("DELETE FROM users WHERE email LIKE ANY(CAST(:d AS text[]))"),
            {"d": [f"%@{c.domain}" for c in COMPANIES]},
        )
        await session.execute(
            text("DELETE FROM employers WHERE email_domains && CAST(:d AS varchar[])"),
            {"d": [c.domain for c in COMPANIES]},
        )


async def load(
    settings: Settings, database: Database, queue: Any, *, seed: int = 2026, people: int = 2400
) -> Summary:
    """Load the demo city unless it is there already (one loader at a time)."""
    async with database.engine.connect() as lock:
        await lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        try:
            state = await _state(database)
            if state == "loaded":
                return Summary(loaded=False, accounts=accounts())
            if state == "partial":
                log.warning("a half-finished demo load was found; loading it again")
                await _remove_partial(database)
            return await _load(settings, database, queue, seed, people)
        finally:
            await lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})


async def _load(settings: Settings, database: Database, queue: Any, seed: int, people: int) -> Summary:
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311  (seeded, reproducible demo data; no secrets)
    summary = Summary(loaded=True, accounts=accounts())
    password_hash = await Passwords(settings).hash(PASSWORD)
    index = title_index()
    readings = {r.title: index.reading(r.title).columns() for c in COMPANIES for r in c.roles}
    sites = {s.place: _place(s.place) for c in COMPANIES for s in c.sites}
    homes = [(name, weight, km, _place(name)) for name, weight, km in HOMES]
    now = datetime.now(UTC)

    async with database.transaction(Identity.service()) as session:
        employer_ids = {}
        for company in COMPANIES:
            made = await employers.create(
                session, EmployerCreate(name=company.name, email_domains=[company.domain])
            )
            employer_ids[company.name] = made.id

    def person(
        company: Company, role: Role, site: Site, home: tuple[str, tuple[float, float]], email: str, name: str
    ) -> dict[str, Any]:
        work_point = _jitter(rng, sites[site.place], 0.3)
        return {
            "id": uuid.uuid4(),
            "email": email,
            "password_hash": password_hash,
            "role": UserRole.EMPLOYEE,
            "name": name,
            "company": company.name,
            "job_title": role.title,
            "salary_band": _band(role, rng),
            "home_location": _location(f"Home in {home[0]}", home[1]),
            "work_location": _location(f"{company.name}, {site.name}", work_point),
            "commute_mode": rng.choices(["car", "transit", "bicycle"], [6, 3, 1])[0],
            "skills": [],
            "employer_id": employer_ids[company.name],
            "email_verified_at": now,
            **{k: v for k, v in readings[role.title].items()},
            "occupation_chosen": False,
        }

    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    company_weights = [c.weight for c in COMPANIES]
    home_weights = [h[1] for h in homes]
    for number in range(people):
        company = rng.choices(COMPANIES, company_weights)[0]
        role = rng.choices(company.roles, [r.weight for r in company.roles])[0]
        site = rng.choice(company.sites)
        name_, _, km, point = rng.choices(homes, home_weights)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{number}@{company.domain}".lower()
        used.add(email)
        rows.append(person(company, role, site, (name_, _jitter(rng, point, km)), email, f"{first} {last}"))
    # The featured employee, an accountant, lives in Naperville and works in Evanston (an hour
    # by car); accountants who live near Evanston and work out west make good swaps for her.
    health, logistics, bank = COMPANIES[0], COMPANIES[1], COMPANIES[3]
    accountant = next(r for r in health.roles if r.title == "Accountant")
    featured = person(
        health,
        accountant,
        health.sites[0],
        ("Naperville, IL", _jitter(rng, sites["Naperville, IL"], 1.5)),
        FEATURED_EMAIL,
        "Alex Rivera",
    )
    rows.append(featured)
    counterparts = (
        (health, health.sites[1], "Evanston, IL"),  # Lakeshore's Naperville hospital
        (bank, bank.sites[2], "Skokie, IL"),  # Midway's Wheaton branch
        (logistics, logistics.sites[2], "Evanston, IL"),  # Prairie's Bolingbrook warehouse
    )
    for i, (company, site, home) in enumerate(counterparts):
        role = next(r for r in company.roles if r.title == "Accountant")
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(
            person(
                company,
                role,
                site,
                (home, _jitter(rng, _place(home), 1.0)),
                f"{first}.{last}.c{i}@{company.domain}".lower(),
                f"{first} {last}",
            )
        )
    async with database.transaction(Identity.service()) as session:
        session.add_all(User(**r) for r in rows)
        for company in COMPANIES:
            session.add(
                User(
                    email=f"hr@{company.domain}",
                    password_hash=password_hash,
                    role=UserRole.HR,
                    name=f"HR, {company.name}",
                    company=company.name,
                    employer_id=employer_ids[company.name],
                    email_verified_at=now,
                )
            )
        await session.flush()
    summary.people = len(rows)

    summary.jobs = await _postings(settings, database, rng)
    await _resumes(settings, database, queue, rows)
    result = await matching.run_everyone(database, settings)
    async with database.transaction(Identity.service()) as session:
        summary.matches = int(await session.scalar(text("SELECT count(*) FROM matches")) or 0)
    summary.requests = await _requests(settings, database, queue)
    await _job_matches(settings, database)
    await _finish(database, password_hash, now)
    summary.seconds = round(time.perf_counter() - started, 1)
    log.info("demo loaded", extra={"seconds": summary.seconds, "people": summary.people, "swap_run": result})
    return summary


async def _finish(database: Database, password_hash: str, now: datetime) -> None:
    """The admin is the marker of a finished load, so it comes last: a crash before it leaves a
    partial load, which the next start removes and loads again."""
    async with database.transaction(Identity.service()) as session:
        session.add(
            User(
                email=ADMIN_EMAIL,
                password_hash=password_hash,
                role=UserRole.ADMIN,
                name="Demo admin",
                email_verified_at=now,
            )
        )


def _relocate(row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Postings outside the metro that are not remote are placed in it (text unchanged), so the
    demo city has local vacancies; the NOTICE says so."""
    remote = str(row.get("remote_allowed")) in ("1", "1.0", "True", "true")
    local = ", IL" in row.get("location", "") or "Chicago" in row.get("location", "")
    if remote or local:
        return row
    place = rng.choice([name for name, _, _ in HOMES])
    return {**row, "location": place}


async def _postings(settings: Settings, database: Database, rng: random.Random) -> int:
    lines = (
        (resources.files("jobswap.demo") / "data" / "postings.jsonl").read_text(encoding="utf-8").splitlines()
    )
    body = "".join(json.dumps(_relocate(json.loads(line), rng)) + "\n" for line in lines if line.strip())
    stored: list[Any] = []

    async def keep(ids: list[Any]) -> None:
        stored.extend(ids)

    run = await importing.run_import(
        database, Identity.service(), io.BytesIO(body.encode()), "demo-postings.jsonl", on_stored=keep
    )
    ids = [uuid.UUID(str(i)) for i in stored]
    missing = await _shipped_vectors(settings, database, ids)
    for start in range(0, len(missing), 128):
        await jobs_service.embed_jobs(database, settings, missing[start : start + 128])
    return int(run.postings_new or len(stored))


VECTORS = "postings.vectors.npz"


def _digest(text_: str) -> str:
    return hashlib.sha256(text_.encode()).hexdigest()


async def _shipped_vectors(settings: Settings, database: Database, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """The local model's vectors for the demo postings ship with the package (embedding 300
    postings takes half a minute on two cores); each is used only when the job's embedding
    text is the one it was made from. Returns the jobs still to embed."""
    shipped = resources.files("jobswap.demo") / "data" / VECTORS
    if active_model(settings) != MODEL_ID or not shipped.is_file():
        return ids
    with shipped.open("rb") as handle:
        found = np.load(handle)
        vectors = dict(zip((str(h) for h in found["digests"]), found["vectors"], strict=True))
    missing: list[uuid.UUID] = []
    async with database.transaction(Identity.service()) as session:
        jobs = (await session.execute(select(Job).where(Job.id.in_(ids)))).scalars().all()
        for job in jobs:
            vector = vectors.get(_digest(jobs_service.embedding_text(job)))
            if vector is None:
                missing.append(job.id)
            else:
                job.embedding, job.embedding_model = [float(x) for x in vector], MODEL_ID
        await bump_corpus(session)
    return missing


async def export_vectors(database: Database, path: Any) -> int:
    """Write the stored demo postings' local vectors, keyed by their embedding text (run by
    `python -m jobswap.demo.vectors` after a load without them)."""
    async with database.transaction(Identity.service()) as session:
        jobs = (
            (
                await session.execute(
                    select(Job).where(Job.embedding.is_not(None), Job.embedding_model == MODEL_ID)
                )
            )
            .scalars()
            .all()
        )
        digests = np.array([_digest(jobs_service.embedding_text(j)) for j in jobs])
        vectors = np.array([np.asarray(j.embedding, dtype=np.float32) for j in jobs], dtype=np.float32)
    np.savez_compressed(path, digests=digests, vectors=vectors)
    return len(jobs)


async def _resumes(settings: Settings, database: Database, queue: Any, rows: list[dict[str, Any]]) -> None:
    """A real resume for the featured employee and for a few people in the roles it fits."""
    storage = build_storage(settings)
    service = ResumeService(settings, storage, queue)
    chosen: list[tuple[dict[str, Any], str]] = [
        (r, RESUMES["Accountant"]) for r in rows if r["email"] == FEATURED_EMAIL
    ]
    for title, filename in RESUMES.items():
        fits = [r for r in rows if r["job_title"] == title and r["email"] != FEATURED_EMAIL]
        chosen += [(r, filename) for r in fits[:1]]
    gate = asyncio.Semaphore(2)  # each parse is a sandboxed child process

    async def one(row: dict[str, Any], filename: str) -> None:
        data = (resources.files("jobswap.demo") / "data" / "resumes" / filename).read_bytes()
        async with database.transaction(Identity(row["id"], AccessRole.EMPLOYEE)) as session:
            owner = await session.get(User, row["id"])
            assert owner is not None
            resume = await service.upload(session, owner, filename, data, enqueue=False)
        async with gate:
            await process(resume.id, settings=settings, database=database, storage=storage)

    await asyncio.gather(*(one(row, filename) for row, filename in chosen))


async def _open_matches(database: Database) -> list[Match]:
    async with database.transaction(Identity.service()) as session:
        found = await session.execute(
            select(Match).where(Match.selected.is_(True)).order_by(Match.minutes_saved_total.desc(), Match.id)
        )
        return list(found.scalars())


async def _requests(settings: Settings, database: Database, queue: Any) -> dict[str, int]:
    """Swap requests at every stage, among the best disjoint swaps of the run."""
    swaps = SwapService(settings, Notifier(settings, queue))
    # Lakeshore's swaps first, so that its HR (a printed sign-in) has requests to review.
    stages = ["awaiting_hr"] * 3 + ["pending"] * 3 + ["approved", "rejected", "declined", "withdrawn"] * 2
    done: dict[str, int] = {}
    busy: set[uuid.UUID] = set()
    async with database.transaction(Identity.service()) as session:
        featured = await session.scalar(select(User.id).where(User.email == FEATURED_EMAIL))
        hr_users = {
            r.employer_id: r.id
            for r in (await session.execute(select(User).where(User.role == UserRole.HR))).scalars()
        }
        lakeshore = set(
            (
                await session.execute(
                    select(User.id).where(
                        User.email.like(f"%@{COMPANIES[0].domain}"), User.role == UserRole.EMPLOYEE
                    )
                )
            ).scalars()
        )
    found = await _open_matches(database)
    found.sort(key=lambda m: (not (set(m.members) & lakeshore), -m.minutes_saved_total, str(m.id)))
    for match in found:
        if not stages:
            break
        members = list(match.members)
        if busy & set(members) or featured in members or len(members) != 2:
            continue
        stage = stages[0]
        share = Sharing(
            share_contact=True, share_resume=True, share_resume_with_hr=True, consent_hr_review=True
        )
        try:
            async with database.transaction(Identity(match.user_id, AccessRole.EMPLOYEE)) as session:
                proposer = await session.get(User, match.user_id)
                assert proposer is not None
                request = await swaps.propose(
                    session,
                    proposer,
                    SwapRequestCreate(
                        match_id=match.id,
                        message="Shall we swap? It would save us both a lot of driving.",
                        **share.model_dump(),
                    ),
                )
        except AppError as exc:  # the workflow refuses a swap the engine chose: skip it, say so
            log.warning("demo: a selected swap could not be proposed", extra={"problem": exc.message})
            continue
        stages.pop(0)
        busy |= set(members)
        other_id = members[1]
        if stage == "withdrawn":
            async with database.transaction(Identity(match.user_id, AccessRole.EMPLOYEE)) as session:
                proposer = await session.get(User, match.user_id)
                assert proposer is not None
                await swaps.withdraw(session, proposer, request.id)
        elif stage == "declined":
            async with database.transaction(Identity(other_id, AccessRole.EMPLOYEE)) as session:
                other = await session.get(User, other_id)
                assert other is not None
                await swaps.decline(
                    session, other, request.id, DeclineBody(reason="I would rather stay on my team.")
                )
        elif stage in ("awaiting_hr", "approved", "rejected"):
            async with database.transaction(Identity(other_id, AccessRole.EMPLOYEE)) as session:
                other = await session.get(User, other_id)
                assert other is not None
                await swaps.accept(session, other, request.id, share)
            if stage in ("approved", "rejected"):
                await _decide_all(database, swaps, request.id, hr_users, approve=stage == "approved")
        done[stage] = done.get(stage, 0) + 1
    return done


async def _decide_all(
    database: Database,
    swaps: SwapService,
    request_id: uuid.UUID,
    hr_users: dict[Any, uuid.UUID],
    *,
    approve: bool,
) -> None:
    hr = HrService(swaps)
    async with database.transaction(Identity.service()) as session:
        reviews = (
            await session.execute(
                text("SELECT id, employer_id FROM hr_requests WHERE request_id = :r"), {"r": request_id}
            )
        ).all()
    for review in reviews:
        reviewer = hr_users.get(review.employer_id)
        if reviewer is None:
            continue
        async with database.transaction(Identity(reviewer, AccessRole.HR)) as session:
            user = await session.get(User, reviewer)
            assert user is not None
            note = "Approved for the demo." if approve else "We cannot release this role this quarter."
            await hr.decide(session, user, review.id, approve, note)
            if not approve:
                break  # one rejection rejects the swap


async def _job_matches(settings: Settings, database: Database) -> None:
    """The featured employee's ranked jobs, computed now (as a first visit would)."""
    async with database.transaction(Identity.service()) as session:
        featured = await session.scalar(select(User.id).where(User.email == FEATURED_EMAIL))
    if featured is None:
        return
    async with database.transaction(Identity(featured, AccessRole.EMPLOYEE)) as session:
        user = await session.get(User, featured)
        assert user is not None
        await job_matches.ranked_page(
            session,
            settings,
            user,
            resume_id=None,
            filters=JobMatchFilters(),
            refresh=True,
            limit=20,
            offset=0,
        )
