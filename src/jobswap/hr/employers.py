"""Employers: admins manage them; everyone else is linked to one by e-mail domain or name.

An HR user's employer is set by an admin. An employee belongs to the employer whose domain
matches their *verified* e-mail address (sub-domains included); failing that, to the one whose
name matches their free-text company, case-insensitively, and that link is marked unverified
wherever HR sees it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.db import contains, paged
from jobswap.errors import Conflict, NotFound
from jobswap.hr.models import Employer
from jobswap.hr.schemas import EmployerCreate, EmployerUpdate
from jobswap.users.models import User, UserRole


@dataclass(frozen=True, slots=True)
class EmployerLink:
    employer_id: uuid.UUID
    name: str
    verified: bool
    via: str  # "assigned" (by an admin), "email_domain" or "company_name"


def _parent_domains(email: str) -> list[str]:
    host = email.rpartition("@")[2].lower()
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


async def link_for(session: AsyncSession, user: Any) -> EmployerLink | None:
    """The employer a person works for, and how sure JobSwap is of it."""
    if user.employer_id is not None:
        employer = await session.get(Employer, user.employer_id)
        if employer is not None:
            return EmployerLink(employer.id, employer.name, True, "assigned")
    if user.email_verified_at is not None:
        candidates = _parent_domains(user.email)
        rows = (
            await session.execute(select(Employer).where(Employer.email_domains.overlap(candidates)))
        ).scalars()
        by_domain = {d: e for e in rows for d in e.email_domains}
        for domain in candidates:  # the most specific domain wins
            if domain in by_domain:
                found = by_domain[domain]
                return EmployerLink(found.id, found.name, True, "email_domain")
    if user.company:
        named = await session.scalar(
            select(Employer).where(func.lower(Employer.name) == user.company.strip().lower())
        )
        if named is not None:
            return EmployerLink(named.id, named.name, False, "company_name")
    return None


async def _check_domains(session: AsyncSession, domains: list[str], except_id: uuid.UUID | None) -> None:
    if not domains:
        return
    query = select(Employer).where(Employer.email_domains.overlap(domains))
    if except_id is not None:
        query = query.where(Employer.id != except_id)
    clash = await session.scalar(query)
    if clash is not None:
        taken = sorted(set(clash.email_domains) & set(domains))
        raise Conflict(
            f"The domain {', '.join(taken)} already belongs to {clash.name}.",
            details={"employer_id": str(clash.id), "domains": taken},
        )


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        if "uq_employers_name_lower" in str(exc.orig):
            raise Conflict("An employer with this name already exists.") from None
        raise


async def create(session: AsyncSession, data: EmployerCreate) -> Employer:
    await _check_domains(session, data.email_domains, None)
    employer = Employer(name=data.name, email_domains=data.email_domains)
    session.add(employer)
    await _flush(session)
    await session.refresh(employer)
    return employer


async def get(session: AsyncSession, employer_id: uuid.UUID) -> Employer:
    employer = await session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("No such employer.")
    return employer


async def update(session: AsyncSession, employer_id: uuid.UUID, data: EmployerUpdate) -> Employer:
    employer = await get(session, employer_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name") is None:
        changes.pop("name", None)
    if "email_domains" in changes:
        changes["email_domains"] = changes["email_domains"] or []
        await _check_domains(session, changes["email_domains"], employer.id)
    for key, value in changes.items():
        setattr(employer, key, value)
    await _flush(session)
    await session.refresh(employer)
    return employer


async def delete(session: AsyncSession, employer_id: uuid.UUID) -> None:
    employer = await get(session, employer_id)
    await session.delete(employer)
    await session.flush()


async def search(session: AsyncSession, q: str | None, limit: int, offset: int) -> tuple[list[Employer], int]:
    query = select(Employer).order_by(func.lower(Employer.name))
    if q:
        query = query.where(contains(q, Employer.name, func.array_to_string(Employer.email_domains, " ")))
    return await paged(session, query, limit, offset)


async def hr_users(session: AsyncSession, employer_id: uuid.UUID) -> list[uuid.UUID]:
    """The HR users of an employer (a service-identity read: they are other people)."""
    rows = await session.execute(
        select(User.id)
        .where(User.employer_id == employer_id, User.role == UserRole.HR)
        .order_by(User.created_at)
    )
    return list(rows.scalars())
