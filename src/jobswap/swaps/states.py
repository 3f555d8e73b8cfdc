"""The swap request's state machine: its states, the allowed moves, and the one function that
moves a request (nothing else writes `swap_requests.status`).

    pending -> accepted -> hr_review -> approved | rejected
    pending -> declined | withdrawn | expired
    pending | accepted | hr_review -> cancelled

A move is a conditional UPDATE ... WHERE status = :expected, with its audit row in the same
transaction: of two racing moves from one state, exactly one wins, and the loser learns the
state that won.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap.errors import Conflict


class SwapStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    HR_REVIEW = "hr_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


OPEN = frozenset({SwapStatus.PENDING, SwapStatus.ACCEPTED, SwapStatus.HR_REVIEW})
ALLOWED: dict[SwapStatus, frozenset[SwapStatus]] = {
    SwapStatus.PENDING: frozenset(
        {
            SwapStatus.ACCEPTED,
            SwapStatus.DECLINED,
            SwapStatus.WITHDRAWN,
            SwapStatus.EXPIRED,
            SwapStatus.CANCELLED,
        }
    ),
    SwapStatus.ACCEPTED: frozenset({SwapStatus.HR_REVIEW, SwapStatus.CANCELLED}),
    SwapStatus.HR_REVIEW: frozenset({SwapStatus.APPROVED, SwapStatus.REJECTED, SwapStatus.CANCELLED}),
}
# Moves that close a request record when it was decided.
FINAL = frozenset(SwapStatus) - OPEN


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, current: SwapStatus, wanted: SwapStatus, message: str | None = None) -> None:
        super().__init__(
            message or f"This swap request is {current.value}; it cannot become {wanted.value}.",
            details={"status": current.value, "wanted": wanted.value},
        )
        self.current = current


def can_move(current: SwapStatus, to: SwapStatus) -> bool:
    return to in ALLOWED.get(current, frozenset())


async def transition(
    session: AsyncSession,
    request_id: uuid.UUID,
    current: SwapStatus,
    to: SwapStatus,
    *,
    actor_id: uuid.UUID | None,
    reason: str | None = None,
) -> None:
    """Move the request from `current` to `to`, or raise InvalidTransition with the real state."""
    from jobswap.swaps.models import SwapEvent, SwapRequest

    if not can_move(current, to):
        raise InvalidTransition(current, to)
    values: dict[str, object] = {"status": to.value, "updated_at": func.now()}
    if to is SwapStatus.ACCEPTED:
        values["accepted_at"] = func.now()
    if to in FINAL:
        values["decided_at"] = func.now()
        values["closed_reason"] = reason
    moved = await session.execute(
        update(SwapRequest)
        .where(SwapRequest.id == request_id, SwapRequest.status == current.value)
        .values(**values)
        .returning(SwapRequest.id)
        .execution_options(synchronize_session="fetch")  # the session's copy follows the move
    )
    if moved.first() is None:
        now = await session.scalar(select(SwapRequest.status).where(SwapRequest.id == request_id))
        raise InvalidTransition(SwapStatus(now) if now else current, to)
    session.add(
        SwapEvent(
            request_id=request_id,
            actor_id=actor_id,
            from_status=current.value,
            to_status=to.value,
            reason=reason,
        )
    )
    await session.flush()
