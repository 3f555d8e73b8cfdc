"""Swap requests: propose from a match, accept with consent, decline, withdraw, expire, cancel.

Every change to one request first takes that request's row lock and then moves its state
through `states.transition`, so concurrent accepts, withdrawals and expiry serialise into one
outcome. Notifications (and their e-mails) are written in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.config import Settings
from jobswap.db import Database, Identity, as_service
from jobswap.errors import BadRequest, Conflict, Forbidden, NotFound
from jobswap.hr import costs, employers
from jobswap.hr.models import HrRequest, HrStatus
from jobswap.matching import repository as matching_repository
from jobswap.matching.commute import CommuteMode
from jobswap.matching.compat import SalaryBandError, parse_band
from jobswap.matching.service import area
from jobswap.notifications.kinds import Kind
from jobswap.notifications.service import Notifier, as_of
from jobswap.occupations.titles import title_index
from jobswap.resumes.models import Resume
from jobswap.resumes.storage import Storage, StorageError
from jobswap.swaps import qualify, repository
from jobswap.swaps.models import SwapEvent, SwapMember, SwapRequest
from jobswap.swaps.schemas import (
    Contact,
    DeclineBody,
    EventRead,
    HrStatusRead,
    MemberRead,
    Sharing,
    SwapRequestCreate,
    SwapRequestRead,
    YourChoices,
)
from jobswap.swaps.states import InvalidTransition, SwapStatus, transition
from jobswap.users.models import User

# Profile fields whose change can stop a swap from qualifying.
MATCH_FIELDS = frozenset({"home_location", "work_location", "job_title", "commute_mode"})


def swap_key(ring: list[uuid.UUID]) -> str:
    """The same swap whoever proposes it: the ring rotated to start at its smallest id."""
    start = ring.index(min(ring))
    return ",".join(str(m) for m in ring[start:] + ring[:start])


def annual_salary(band: str | None, currency: str) -> float | None:
    """The middle of a salary band, if it is a range in the model's currency."""
    if not band:
        return None
    try:
        parsed = parse_band(band)
    except SalaryBandError:
        return None
    if parsed.minimum is None or parsed.maximum is None or parsed.currency not in (None, currency):
        return None
    return (parsed.minimum + parsed.maximum) / 2


def _point(location: dict[str, Any] | None) -> tuple[float, float] | None:
    if not location or location.get("latitude") is None or location.get("longitude") is None:
        return None
    return float(location["latitude"]), float(location["longitude"])


def _road_km(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float:
    pa, pb = _point(a), _point(b)
    return round(qualify.km(pa, pb) * qualify.CIRCUITY, 2) if pa and pb else 0.0


@dataclass(frozen=True, slots=True)
class SwapService:
    settings: Settings
    notifier: Notifier

    # --- reading ------------------------------------------------------------------------------

    async def visible(self, session: AsyncSession, user: User, request_id: uuid.UUID) -> SwapRequest:
        """The request if the caller may see it (RLS decides); 404 otherwise, whether or not it exists."""
        request = await repository.get_visible(session, request_id)
        if request is None:
            raise NotFound("No such swap request.")
        return request

    async def page(
        self,
        session: AsyncSession,
        user: User,
        statuses: list[SwapStatus] | None,
        direction: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[SwapRequestRead], int]:
        """The requests the caller is a member of, newest first, as they may see them."""
        rows, total = await repository.list_for(session, user.id, statuses, direction, limit, offset)
        return await self.views(session, user, rows), total

    async def views(
        self, session: AsyncSession, user: User, requests: list[SwapRequest]
    ) -> list[SwapRequestRead]:
        ids = [r.id for r in requests]
        members = await repository.members(session, ids)
        events = await repository.events(session, ids)
        reviews = await repository.hr_reviews(session, ids)
        disclosed = await self._disclosed(
            session, [m for r in requests if r.accepted_at for m in members[r.id]]
        )
        return [self._view(user, r, members[r.id], events[r.id], reviews[r.id], disclosed) for r in requests]

    async def _disclosed(self, session: AsyncSession, members: list[SwapMember]) -> dict[uuid.UUID, Contact]:
        """Names and e-mails of the members who chose to share them (read as the service:
        RLS on users shows nobody else's row)."""
        wanted = {m.user_id for m in members if m.share_contact and m.user_id}
        if not wanted:
            return {}
        async with as_service(session):
            rows = await session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
            return {r.id: Contact(name=r.name, email=r.email) for r in rows}

    def _view(
        self,
        user: User,
        request: SwapRequest,
        members: list[SwapMember],
        events: list[SwapEvent],
        reviews: list[tuple[HrRequest, str]],
        disclosed: dict[uuid.UUID, Contact],
    ) -> SwapRequestRead:
        mine = next((m for m in members if m.user_id == user.id), None)
        everyone_agreed = request.accepted_at is not None
        size = len(members)
        positions = {m.user_id: m.position for m in members if m.user_id}
        hr_names = {review.id: name for review, name in reviews}
        out_members = []
        for m in members:
            other = mine is not None and m.user_id != user.id
            show = everyone_agreed and other
            out_members.append(
                MemberRead(
                    position=m.position,
                    takes_job_of_position=(m.position + 1) % size,
                    you=m.user_id == user.id,
                    proposer=m.user_id is not None and m.user_id == request.proposer_id,
                    accepted=m.accepted_at is not None,
                    occupation=m.occupation_title,
                    company=m.company,
                    seniority=m.seniority,
                    home_area=m.home_area,
                    work_area=m.work_area,
                    commute_before_minutes=m.commute_before_minutes,
                    commute_after_minutes=m.commute_after_minutes,
                    contact=disclosed.get(m.user_id) if show and m.share_contact and m.user_id else None,
                    resume_url=(
                        f"/api/swap-requests/{request.id}/members/{m.position}/resume"
                        if show and m.share_resume
                        else None
                    ),
                )
            )

        def by(event: SwapEvent) -> str:
            if event.hr_request_id is not None:
                return f"HR of {hr_names.get(event.hr_request_id, 'an employer')}"
            if event.actor_id is None:
                return "JobSwap"
            if event.actor_id == user.id:
                return "you"
            if event.actor_id in positions:
                return f"member {positions[event.actor_id] + 1}"
            return "an administrator"

        return SwapRequestRead(
            id=request.id,
            status=request.state,
            direction=None
            if mine is None
            else ("outgoing" if request.proposer_id == user.id else "incoming"),
            cycle_size=request.cycle_size,
            message=request.message,
            commute_savings_minutes=request.commute_savings_minutes,
            created_at=request.created_at,
            updated_at=request.updated_at,
            expires_at=request.expires_at,
            accepted_at=request.accepted_at,
            decided_at=request.decided_at,
            closed_reason=request.closed_reason,
            members=out_members,
            your_choices=(
                YourChoices(
                    share_contact=mine.share_contact,
                    share_resume=mine.share_resume,
                    share_resume_with_hr=mine.share_resume_with_hr,
                )
                if mine
                else None
            ),
            hr=[
                HrStatusRead(
                    employer=name, status=review.status, reason=review.reason, decided_at=review.decided_at
                )
                for review, name in reviews
            ],
            events=[
                EventRead(
                    from_status=e.from_status,
                    to_status=e.to_status,
                    by=by(e),
                    reason=e.reason,
                    at=e.created_at,
                )
                for e in events
            ],
        )

    async def member_resume(
        self, session: AsyncSession, storage: Storage, user: User, request_id: uuid.UUID, position: int
    ) -> tuple[bytes, Resume]:
        """Another member's resume, once everyone accepted and only if they chose to share it."""
        request = await self.visible(session, user, request_id)
        members = (await repository.members(session, [request.id]))[request.id]
        me = next((m for m in members if m.user_id == user.id), None)
        target = next((m for m in members if m.position == position), None)
        if (
            me is None
            or target is None
            or target.user_id is None
            or target is me
            or request.accepted_at is None
            or not target.share_resume
        ):
            raise NotFound("No resume is shared with you here.")
        return await self.read_resume(session, storage, target.user_id)

    async def read_resume(
        self, session: AsyncSession, storage: Storage, user_id: uuid.UUID
    ) -> tuple[bytes, Resume]:
        async with as_service(session):
            resume = await repository.latest_resume(session, user_id)
        if resume is None:
            raise NotFound("This member has no resume on file.")
        try:
            return await storage.get(resume.storage_key), resume
        except StorageError:
            raise NotFound("The stored file is missing.") from None

    # --- proposing ------------------------------------------------------------------------------

    async def propose(self, session: AsyncSession, user: User, data: SwapRequestCreate) -> SwapRequest:
        match = await matching_repository.get_own(session, user, data.match_id)
        if match is None:
            raise NotFound("No such match.")
        message = (data.message or "").strip() or None
        if message and len(message) > self.settings.swap_message_max_chars:
            raise BadRequest(
                f"The message is {len(message)} characters long; at most "
                f"{self.settings.swap_message_max_chars} are allowed.",
                details={"field": "message", "max_length": self.settings.swap_message_max_chars},
            )
        ring = list(match.members)
        key = swap_key(ring)
        now = datetime.now(UTC)
        async with as_service(session):
            # One proposer's requests are created one at a time, so the open-request limit holds
            # (NO KEY UPDATE: other members' rows point at this one through foreign keys).
            await session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
            limit = self.settings.swap_max_open_outgoing
            if await repository.open_outgoing(session, user.id) >= limit:
                raise Conflict(
                    f"You already have {limit} open swap requests, the most allowed; "
                    f"withdraw one or wait for answers.",
                    details={"limit": limit},
                )
            existing = await repository.open_with_key(session, key)
            if existing is not None:
                raise Conflict(
                    "An open request for this swap already exists.",
                    details={"swap_request_id": str(existing)},
                )
            people = await repository.people(session, ring)
            if len(people) != len(ring):
                raise Conflict("A member of this match has left; refresh your matches.")
            stale = self.why_not([people[m] for m in ring])
            if stale is not None:
                raise Conflict(f"This match is out of date ({stale}); refresh your matches.")
            request = SwapRequest(
                id=uuid.uuid4(),
                status=SwapStatus.PENDING.value,
                proposer_id=user.id,
                cycle_size=len(ring),
                swap_key=key,
                message=message,
                commute_savings_minutes=match.minutes_saved_total,
                expires_at=now + timedelta(days=self.settings.swap_request_ttl_days),
            )
            session.add(request)
            try:
                await session.flush()  # the open-swap unique index decides a race between members
            except IntegrityError as exc:
                if "uq_swap_requests_open_swap_key" in str(exc.orig):
                    raise Conflict("An open request for this swap already exists.") from None
                raise
            for position, (member_id, commute) in enumerate(zip(ring, match.commutes, strict=True)):
                person = people[member_id]
                taken = people[ring[(position + 1) % len(ring)]]
                link = await employers.link_for(session, person)
                member = SwapMember(
                    request_id=request.id,
                    position=position,
                    user_id=person.id,
                    employer_id=link.employer_id if link else None,
                    employer_verified=bool(link and link.verified),
                    company=person.company,
                    job_title=person.job_title,
                    occupation_code=person.occupation_code,
                    occupation_title=person.occupation_title,
                    seniority=person.seniority,
                    salary_band=person.salary_band,
                    commute_mode=person.commute_mode,
                    commute_before_minutes=float(commute["before"]),
                    commute_after_minutes=float(commute["after"]),
                    distance_before_km=_road_km(person.home_location, person.work_location),
                    distance_after_km=_road_km(person.home_location, taken.work_location),
                    home_area=area(person.home_location),
                    work_area=area(person.work_location),
                )
                if person.id == user.id:
                    self._choose(member, data, now)
                session.add(member)
            session.add(
                SwapEvent(
                    request_id=request.id,
                    actor_id=user.id,
                    from_status=None,
                    to_status="pending",
                    reason="proposed",
                )
            )
            await session.flush()
            for position, member_id in enumerate(ring):
                if member_id == user.id:
                    continue
                taken = people[ring[(position + 1) % len(ring)]]
                commute = match.commutes[position]
                await self.notifier.notify(
                    session,
                    member_id,
                    Kind.SWAP_REQUEST_RECEIVED,
                    f"A {len(ring)}-way swap would take your commute from {commute['before']:.0f} to "
                    f"{commute['after']:.0f} minutes.",
                    link=f"/api/swap-requests/{request.id}",
                    facts={
                        "swap_request_id": str(request.id),
                        "cycle_size": len(ring),
                        "next_occupation": taken.occupation_title,
                        "next_company": taken.company,
                        "before": round(float(commute["before"])),
                        "after": round(float(commute["after"])),
                        "message": message,
                        "expires_on": as_of(request.expires_at),
                    },
                )
        await session.refresh(request)
        return request

    @staticmethod
    def _choose(member: SwapMember, choices: Sharing, now: datetime) -> None:
        member.accepted_at = now
        member.share_contact = choices.share_contact
        member.share_resume = choices.share_resume
        member.share_resume_with_hr = choices.share_resume_with_hr

    # --- answering ------------------------------------------------------------------------------

    async def _locked_as_member(
        self, session: AsyncSession, user: User, request_id: uuid.UUID
    ) -> tuple[SwapRequest, list[SwapMember], SwapMember]:
        """Inside as_service: the request locked, its members, and the caller's own member row."""
        request = await repository.lock(session, request_id)
        members = (await repository.members(session, [request_id]))[request_id]
        me = next((m for m in members if m.user_id == user.id), None)
        if me is None:
            raise Forbidden("Only a member of this swap can answer it.")
        return request, members, me

    async def accept(
        self, session: AsyncSession, user: User, request_id: uuid.UUID, choices: Sharing
    ) -> SwapRequest:
        await self.visible(session, user, request_id)
        now = datetime.now(UTC)
        async with as_service(session):
            request, members, me = await self._locked_as_member(session, user, request_id)
            if request.state is not SwapStatus.PENDING:
                raise InvalidTransition(request.state, SwapStatus.ACCEPTED)
            if request.expires_at <= now:
                raise Conflict(
                    f"This request expired on {as_of(request.expires_at)}.",
                    details={"status": request.status},
                )
            if me.accepted_at is not None:
                raise Conflict(
                    "You have already accepted this swap request.", details={"status": request.status}
                )
            self._choose(me, choices, now)
            session.add(
                SwapEvent(
                    request_id=request.id,
                    actor_id=user.id,
                    from_status="pending",
                    to_status="pending",
                    reason="a member accepted and consented to HR review",
                )
            )
            await session.flush()
            waiting = [m for m in members if m.accepted_at is None]
            if waiting:
                await self._tell(
                    session,
                    request,
                    members,
                    Kind.SWAP_REQUEST_ACCEPTED,
                    f"A member accepted; {len(waiting)} still to answer.",
                    {"waiting": len(waiting)},
                    skip=user.id,
                )
            else:
                await self._everyone_accepted(session, request, members, user.id)
        await session.refresh(request)
        return request

    async def _everyone_accepted(
        self, session: AsyncSession, request: SwapRequest, members: list[SwapMember], actor: uuid.UUID
    ) -> None:
        await transition(
            session,
            request.id,
            SwapStatus.PENDING,
            SwapStatus.ACCEPTED,
            actor_id=actor,
            reason="every member accepted",
        )
        people = await repository.people(session, (m.user_id for m in members))
        for m in members:  # the employer link as it is now (an address may have been verified since)
            person = people.get(m.user_id) if m.user_id else None
            if person is not None:
                link = await employers.link_for(session, person)
                m.employer_id = link.employer_id if link else None
                m.employer_verified = bool(link and link.verified)
        await session.flush()
        await self._tell(
            session,
            request,
            members,
            Kind.SWAP_ALL_ACCEPTED,
            "Every member accepted: what each chose to share is visible, and HR reviews the swap.",
            {},
        )
        involved = sorted({m.employer_id for m in members if m.employer_id}, key=str)
        if not involved:
            return  # stays accepted until an admin links an employer (see docs/workflow.md)
        await transition(
            session,
            request.id,
            SwapStatus.ACCEPTED,
            SwapStatus.HR_REVIEW,
            actor_id=None,
            reason=f"sent to HR of {len(involved)} employer(s)",
        )
        for employer_id in involved:
            estimate = self.cost_estimate(members, employer_id)
            review = HrRequest(
                id=uuid.uuid4(),
                request_id=request.id,
                employer_id=employer_id,
                status=HrStatus.PENDING.value,
                estimated_cost_savings=estimate,
            )
            session.add(review)
            await session.flush()
            session.add(
                SwapEvent(
                    request_id=request.id,
                    hr_request_id=review.id,
                    actor_id=None,
                    from_status=None,
                    to_status=HrStatus.PENDING.value,
                    reason="HR review requested",
                )
            )
            employer = await employers.get(session, employer_id)
            money = estimate["employer"]
            for hr_user in await employers.hr_users(session, employer_id):
                await self.notifier.notify(
                    session,
                    hr_user,
                    Kind.HR_REVIEW_REQUESTED,
                    f"A {request.cycle_size}-way swap involving {employer.name} awaits your review.",
                    link=f"/api/hr/requests/{review.id}",
                    facts={
                        "hr_request_id": str(review.id),
                        "cycle_size": request.cycle_size,
                        "employer": employer.name,
                        "saving": _money(money["annual_saving"], estimate["currency"]),
                        "saving_low": _money(money["annual_saving_low"], estimate["currency"]),
                        "saving_high": _money(money["annual_saving_high"], estimate["currency"]),
                    },
                )
        await session.flush()

    def cost_estimate(self, members: list[SwapMember], employer_id: uuid.UUID) -> dict[str, Any]:
        """The cost model's inputs for one employer: its jobs that change hands, and its own people."""
        size = len(members)
        currency = self.settings.hr_currency
        positions = [
            costs.Position(
                before_minutes=m.commute_before_minutes,
                after_minutes=members[(m.position - 1) % size].commute_after_minutes,
                salary=annual_salary(m.salary_band, currency),
            )
            for m in members
            if m.employer_id == employer_id
        ]
        travellers = [
            costs.Traveller(
                before_minutes=m.commute_before_minutes,
                after_minutes=m.commute_after_minutes,
                before_km=m.distance_before_km,
                after_km=m.distance_after_km,
                by_car=m.commute_mode == CommuteMode.CAR.value,
                salary=annual_salary(m.salary_band, currency),
            )
            for m in members
            if m.employer_id == employer_id
        ]
        return costs.estimate(self.settings, positions, len(positions), travellers)

    async def decline(
        self, session: AsyncSession, user: User, request_id: uuid.UUID, body: DeclineBody
    ) -> SwapRequest:
        await self.visible(session, user, request_id)
        reason = (body.reason or "").strip() or None
        async with as_service(session):
            request, members, _me = await self._locked_as_member(session, user, request_id)
            if request.proposer_id == user.id:
                raise Conflict(
                    "You proposed this swap: withdraw it instead.", details={"status": request.status}
                )
            await transition(
                session, request.id, request.state, SwapStatus.DECLINED, actor_id=user.id, reason=reason
            )
            await self._tell(
                session,
                request,
                members,
                Kind.SWAP_REQUEST_DECLINED,
                "A member declined the swap.",
                {"reason": reason},
                skip=user.id,
            )
        await session.refresh(request)
        return request

    async def withdraw(self, session: AsyncSession, user: User, request_id: uuid.UUID) -> SwapRequest:
        await self.visible(session, user, request_id)
        async with as_service(session):
            request, members, _ = await self._locked_as_member(session, user, request_id)
            if request.proposer_id != user.id:
                raise Forbidden("Only the member who proposed this swap can withdraw it; decline it instead.")
            await transition(
                session,
                request.id,
                request.state,
                SwapStatus.WITHDRAWN,
                actor_id=user.id,
                reason="withdrawn by the proposer",
            )
            await self._tell(
                session,
                request,
                members,
                Kind.SWAP_REQUEST_WITHDRAWN,
                "The proposer withdrew the swap request.",
                {},
                skip=user.id,
            )
        await session.refresh(request)
        return request

    async def _tell(
        self,
        session: AsyncSession,
        request: SwapRequest,
        members: list[SwapMember],
        kind: Kind,
        body: str,
        facts: dict[str, Any],
        skip: uuid.UUID | None = None,
    ) -> None:
        for m in members:
            if m.user_id and m.user_id != skip:
                await self.notifier.notify(
                    session,
                    m.user_id,
                    kind,
                    body,
                    link=f"/api/swap-requests/{request.id}",
                    facts={"swap_request_id": str(request.id), "cycle_size": request.cycle_size, **facts},
                )

    # --- ending a request without its members' say ----------------------------------------------

    async def cancel(
        self,
        session: AsyncSession,
        request_id: uuid.UUID,
        reason: str,
        *,
        actor_id: uuid.UUID | None = None,
        skip: uuid.UUID | None = None,
    ) -> bool:
        """Cancel an open request (inside as_service): its pending HR reviews too; everyone told."""
        request = await repository.lock(session, request_id)
        if request.state not in (SwapStatus.PENDING, SwapStatus.ACCEPTED, SwapStatus.HR_REVIEW):
            return False
        members = (await repository.members(session, [request_id]))[request_id]
        await transition(
            session, request.id, request.state, SwapStatus.CANCELLED, actor_id=actor_id, reason=reason
        )
        await self._tell(
            session,
            request,
            members,
            Kind.SWAP_CANCELLED,
            f"The swap was cancelled: {reason}.",
            {"reason": reason},
            skip=skip,
        )
        reviews = (await repository.hr_reviews(session, [request_id]))[request_id]
        for review, _ in reviews:
            if review.status == HrStatus.PENDING.value:
                review.status = HrStatus.CANCELLED.value
                review.reason = reason
                session.add(
                    SwapEvent(
                        request_id=request.id,
                        hr_request_id=review.id,
                        actor_id=actor_id,
                        from_status=HrStatus.PENDING.value,
                        to_status=HrStatus.CANCELLED.value,
                        reason=reason,
                    )
                )
                for hr_user in await employers.hr_users(session, review.employer_id):
                    await self.notifier.notify(
                        session,
                        hr_user,
                        Kind.SWAP_CANCELLED,
                        f"A swap under your review was cancelled: {reason}.",
                        link=f"/api/hr/requests/{review.id}",
                        facts={
                            "hr_request_id": str(review.id),
                            "cycle_size": request.cycle_size,
                            "reason": reason,
                        },
                    )
        await session.flush()
        return True

    async def member_left(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        """Before an account is deleted: its open requests are cancelled and everyone else told."""
        async with as_service(session):
            ids = await repository.open_involving(session, [user_id])
            done = [await self.cancel(session, i, "a member left JobSwap", skip=user_id) for i in ids]
        return sum(done)

    async def profile_changed(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        """After a change to addresses, job title or commute mode: open requests in which the
        swap no longer qualifies are cancelled."""
        cancelled = 0
        async with as_service(session):
            for request_id in await repository.open_involving(session, [user_id]):
                members = (await repository.members(session, [request_id]))[request_id]
                people = await repository.people(session, (m.user_id for m in members))
                if len(people) != len(members):
                    reason: str | None = "a member left JobSwap"
                else:
                    reason = self.why_not([people[m.user_id] for m in members if m.user_id])
                if reason is not None and await self.cancel(session, request_id, reason, actor_id=user_id):
                    cancelled += 1
        return cancelled

    def why_not(self, ring: list[User]) -> str | None:
        """Why these people, in ring order, no longer make a swap by the engine's rules (or None)."""
        return qualify.why_not(
            [
                qualify.Person(
                    home=_point(person.home_location),
                    work=_point(person.work_location),
                    mode=CommuteMode(person.commute_mode),
                    occupation_code=person.occupation_code,
                    swap_family=person.swap_family,
                )
                for person in ring
            ],
            min_minutes=self.settings.swap_min_minutes,
            min_fraction=self.settings.swap_min_fraction,
            min_equivalence=self.settings.swap_min_related_equivalence,
            equivalence=title_index().equivalence,
        )

    async def close_others(
        self, session: AsyncSession, approved: SwapRequest, members: list[SwapMember]
    ) -> int:
        """Once a swap is approved, its members' other open requests are cancelled (inside as_service)."""
        people = [m.user_id for m in members if m.user_id]
        closed = 0
        for request_id in await repository.open_involving(session, people):
            if request_id != approved.id and await self.cancel(
                session, request_id, "a member's other job swap was approved"
            ):
                closed += 1
        return closed

    # --- the clock ------------------------------------------------------------------------------

    async def expire_and_remind(self, database: Database, now: datetime) -> dict[str, int]:
        """Remind members who have not answered before a request expires; expire the overdue."""
        async with database.transaction(Identity.service()) as session:
            remind, overdue = await repository.due(session, now, self.settings.swap_reminder_days)
            for request_id in remind:
                request = await repository.lock(session, request_id)
                request.reminded_at = now
                members = (await repository.members(session, [request_id]))[request_id]
                await self._tell(
                    session,
                    request,
                    [m for m in members if m.accepted_at is None],
                    Kind.SWAP_EXPIRING_SOON,
                    f"A swap request waits for your answer until {as_of(request.expires_at)}.",
                    {"expires_on": as_of(request.expires_at)},
                )
            for request_id in overdue:
                request = await repository.lock(session, request_id)
                members = (await repository.members(session, [request_id]))[request_id]
                await transition(
                    session,
                    request_id,
                    SwapStatus.PENDING,
                    SwapStatus.EXPIRED,
                    actor_id=None,
                    reason=f"no answer from every member within {self.settings.swap_request_ttl_days} days",
                )
                await self._tell(session, request, members, Kind.SWAP_EXPIRED, "A swap request expired.", {})
            await session.flush()
        return {"reminded": len(remind), "expired": len(overdue)}


def _money(value: float, currency: str) -> str:
    return f"{currency} {value:,.0f}"
