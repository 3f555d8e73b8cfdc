"""HR review of swaps: an HR user sees the requests that involve their employer, and
approves or rejects them. Every involved employer must approve; one rejection rejects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.db import as_service, paged
from jobswap.errors import Conflict, Forbidden, NotFound
from jobswap.hr import employers
from jobswap.hr.models import Employer, HrRequest, HrStatus
from jobswap.hr.schemas import HrDecision, HrMember, HrRequestRead
from jobswap.notifications.kinds import Kind
from jobswap.resumes.models import Resume
from jobswap.resumes.storage import Storage
from jobswap.swaps import repository as swap_repository
from jobswap.swaps.models import SwapEvent, SwapMember, SwapRequest
from jobswap.swaps.service import SwapService
from jobswap.swaps.states import SwapStatus, transition
from jobswap.users.models import User, UserRole


@dataclass(frozen=True, slots=True)
class HrService:
    swaps: SwapService

    @staticmethod
    def employer_of(user: User) -> uuid.UUID:
        if user.role is not UserRole.HR or user.employer_id is None:
            raise Forbidden("This needs an HR account linked to an employer (an admin sets it).")
        return user.employer_id

    async def page(
        self, session: AsyncSession, user: User, status: HrStatus | None, limit: int, offset: int
    ) -> tuple[list[HrRequestRead], int]:
        employer_id = None if user.role is UserRole.ADMIN else self.employer_of(user)
        where = []
        if employer_id is not None:
            where.append(HrRequest.employer_id == employer_id)
        if status is not None:
            where.append(HrRequest.status == status.value)
        query = select(HrRequest).where(*where).order_by(HrRequest.created_at.desc(), HrRequest.id)
        reviews, total = await paged(session, query, limit, offset)
        # One query each for the page's swaps and employers; view() then finds them in the
        # session's identity map instead of asking again per row.
        await session.execute(select(SwapRequest).where(SwapRequest.id.in_({r.request_id for r in reviews})))
        await session.execute(select(Employer).where(Employer.id.in_({r.employer_id for r in reviews})))
        return [await self.view(session, user, r, detail=False) for r in reviews], total

    async def visible(self, session: AsyncSession, user: User, hr_request_id: uuid.UUID) -> HrRequest:
        """RLS shows an HR user their employer's reviews only (and admins all); 404 otherwise."""
        if user.role not in (UserRole.HR, UserRole.ADMIN):
            raise NotFound("No such HR request.")
        review = await session.scalar(select(HrRequest).where(HrRequest.id == hr_request_id))
        if review is None or (user.role is UserRole.HR and review.employer_id != user.employer_id):
            raise NotFound("No such HR request.")
        return review

    async def view(
        self, session: AsyncSession, user: User, review: HrRequest, *, detail: bool = True
    ) -> HrRequestRead:
        request = await session.get(SwapRequest, review.request_id)
        assert request is not None
        employer = await session.get(Employer, review.employer_id)
        assert employer is not None
        members: list[HrMember] = []
        decisions: list[HrDecision] = []
        if detail:
            rows = (await swap_repository.members(session, [request.id]))[request.id]
            wanted = {m.employer_id for m in rows if m.employer_id}
            found = await session.execute(select(Employer).where(Employer.id.in_(wanted)))
            names = {e.id: e.name for e in found.scalars()}
            async with as_service(session):
                people = await swap_repository.people(session, (m.user_id for m in rows))
            size = len(rows)
            for m in rows:
                own = m.employer_id == review.employer_id
                joins = rows[(m.position + 1) % size].employer_id == review.employer_id and not own
                person = people.get(m.user_id) if m.user_id else None
                members.append(
                    HrMember(
                        position=m.position,
                        takes_job_of_position=(m.position + 1) % size,
                        your_employee=own,
                        joins_your_employer=joins,
                        employer=names.get(m.employer_id) if m.employer_id else None,
                        employer_verified=m.employer_verified,
                        company=m.company,
                        job_title=m.job_title,
                        occupation=m.occupation_title,
                        seniority=m.seniority,
                        salary_band=m.salary_band if own else None,
                        commute_mode=m.commute_mode,
                        commute_before_minutes=m.commute_before_minutes,
                        commute_after_minutes=m.commute_after_minutes,
                        accepted_at=m.accepted_at,
                        name=person.name if person and (own or m.share_contact) else None,
                        email=person.email if person and (own or m.share_contact) else None,
                        member_since=person.created_at if person and own else None,
                        resume_url=(
                            f"/api/hr/requests/{review.id}/members/{m.position}/resume"
                            if m.share_resume_with_hr and m.user_id
                            else None
                        ),
                    )
                )
            for other, name in (await swap_repository.hr_reviews(session, [request.id]))[request.id]:
                decisions.append(
                    HrDecision(
                        employer=name, status=other.status, reason=other.reason, decided_at=other.decided_at
                    )
                )
        return HrRequestRead(
            id=review.id,
            swap_request_id=request.id,
            employer_id=employer.id,
            employer=employer.name,
            status=review.status,
            reason=review.reason,
            decided_at=review.decided_at,
            swap_status=request.status,
            cycle_size=request.cycle_size,
            commute_savings_minutes=request.commute_savings_minutes,
            created_at=review.created_at,
            estimated_cost_savings=review.estimated_cost_savings,
            members=members,
            decisions=decisions,
        )

    async def member_resume(
        self, session: AsyncSession, storage: Storage, user: User, hr_request_id: uuid.UUID, position: int
    ) -> tuple[bytes, Resume]:
        review = await self.visible(session, user, hr_request_id)
        rows = (await swap_repository.members(session, [review.request_id]))[review.request_id]
        target = next((m for m in rows if m.position == position), None)
        if target is None or target.user_id is None or not target.share_resume_with_hr:
            raise NotFound("This member has not shared a resume with HR.")
        return await self.swaps.read_resume(session, storage, target.user_id)

    async def decide(
        self, session: AsyncSession, user: User, hr_request_id: uuid.UUID, approve: bool, reason: str | None
    ) -> HrRequest:
        await self.visible(session, user, hr_request_id)
        employer_id = self.employer_of(user)  # admins look on; an employer's HR decides
        async with as_service(session):
            review = await session.scalar(
                select(HrRequest)
                .where(HrRequest.id == hr_request_id)
                .execution_options(populate_existing=True)
            )
            assert review is not None and review.employer_id == employer_id
            request = await swap_repository.lock(
                session, review.request_id
            )  # the swap's lock orders HR decisions
            await session.refresh(review)
            if review.status != HrStatus.PENDING.value:
                raise Conflict(
                    f"This HR request is already {review.status}.",
                    details={"status": review.status, "swap_status": request.status},
                )
            if request.state is not SwapStatus.HR_REVIEW:
                raise Conflict(
                    f"The swap is {request.status}; it is not under review.",
                    details={"status": review.status, "swap_status": request.status},
                )
            to = HrStatus.APPROVED if approve else HrStatus.REJECTED
            review.status = to.value
            review.reason = reason
            review.decided_by = user.id
            review.decided_at = func.now()
            session.add(
                SwapEvent(
                    request_id=request.id,
                    hr_request_id=review.id,
                    actor_id=user.id,
                    from_status=HrStatus.PENDING.value,
                    to_status=to.value,
                    reason=reason,
                )
            )
            await session.flush()
            members = (await swap_repository.members(session, [request.id]))[request.id]
            reviews = (await swap_repository.hr_reviews(session, [request.id]))[request.id]
            employer_name = next(name for r, name in reviews if r.id == review.id)
            if not approve:
                await transition(
                    session,
                    request.id,
                    SwapStatus.HR_REVIEW,
                    SwapStatus.REJECTED,
                    actor_id=user.id,
                    reason=f"rejected by {employer_name}: {reason}",
                )
                for other, _ in reviews:
                    if other.status == HrStatus.PENDING.value:
                        other.status = HrStatus.CANCELLED.value
                        other.reason = f"rejected by {employer_name}"
                await self._tell(
                    session,
                    request,
                    members,
                    reviews,
                    approved=False,
                    employer=employer_name,
                    reason=reason,
                    skip_hr=user.id,
                )
            elif all(r.status == HrStatus.APPROVED.value for r, _ in reviews):
                await transition(
                    session,
                    request.id,
                    SwapStatus.HR_REVIEW,
                    SwapStatus.APPROVED,
                    actor_id=user.id,
                    reason="approved by every employer",
                )
                await self._tell(
                    session,
                    request,
                    members,
                    reviews,
                    approved=True,
                    employer=employer_name,
                    reason=None,
                    skip_hr=user.id,
                )
                await self.swaps.close_others(session, request, members)
            await session.flush()
        await session.refresh(review)
        return review

    async def _tell(
        self,
        session: AsyncSession,
        request: SwapRequest,
        members: list[SwapMember],
        reviews: list[tuple[HrRequest, str]],
        *,
        approved: bool,
        employer: str,
        reason: str | None,
        skip_hr: uuid.UUID,
    ) -> None:
        notifier = self.swaps.notifier
        body = "Every employer approved the swap." if approved else f"{employer} did not approve the swap."
        facts = {
            "swap_request_id": str(request.id),
            "cycle_size": request.cycle_size,
            "approved": approved,
            "employer": employer,
            "reason": reason,
        }
        for m in members:
            if m.user_id:
                await notifier.notify(
                    session,
                    m.user_id,
                    Kind.HR_DECISION,
                    body,
                    link=f"/api/swap-requests/{request.id}",
                    facts=facts,
                )
        for review, _ in reviews:
            for hr_user in await employers.hr_users(session, review.employer_id):
                if hr_user != skip_hr:
                    await notifier.notify(
                        session,
                        hr_user,
                        Kind.HR_DECISION,
                        body,
                        link=f"/api/hr/requests/{review.id}",
                        facts=facts,
                    )
