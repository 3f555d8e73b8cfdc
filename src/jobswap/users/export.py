"""A person's own data, whole, as JSON (the right of access; delete is the right to erasure).

Everything is read in the person's own transaction, so row-level security guarantees that
nobody else's rows come with it; other people in a swap appear as the person may see them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobswap import __version__
from jobswap.auth.models import AuthSession
from jobswap.matching.models import Match
from jobswap.notifications.models import Notification
from jobswap.notifications.service import preferences
from jobswap.resumes.models import Resume
from jobswap.swaps.service import SwapService
from jobswap.users.models import User
from jobswap.users.schemas import UserRead

EXPORT_FORMAT = 1


def _row(obj: Any, columns: list[str]) -> dict[str, Any]:
    return {c: getattr(obj, c) for c in columns}


async def export(session: AsyncSession, user: User, swaps: SwapService) -> dict[str, Any]:
    async def own(model: Any) -> list[Any]:
        rows = await session.execute(select(model).where(model.user_id == user.id).order_by(model.created_at))
        return list(rows.scalars())

    resumes, matches = await own(Resume), await own(Match)
    notes, sessions = await own(Notification), await own(AuthSession)
    requests, _ = await swaps.page(session, user, None, None, 10_000, 0)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": datetime.now(UTC),
        "service": f"JobSwap {__version__}",
        "profile": UserRead.model_validate(user).model_dump(),
        "email_preferences": preferences(user),
        "resumes": [
            _row(
                r,
                [
                    "id",
                    "filename",
                    "kind",
                    "media_type",
                    "size_bytes",
                    "status",
                    "pages",
                    "language",
                    "text",
                    "parsed_data",
                    "corrections",
                    "created_at",
                    "updated_at",
                    "parsed_at",
                ],
            )
            for r in resumes
        ],
        "matches": [
            _row(
                m,
                [
                    "id",
                    "cycle_size",
                    "selected",
                    "compatibility_score",
                    "compatibility",
                    "commute_before_minutes",
                    "commute_after_minutes",
                    "minutes_saved_total",
                    "created_at",
                ],
            )
            for m in matches
        ],
        "swap_requests": [r.model_dump() for r in requests],
        "notifications": [
            _row(n, ["id", "kind", "title", "body", "link", "data", "read_at", "created_at"]) for n in notes
        ],
        "sign_in_sessions": [
            _row(
                s,
                [
                    "id",
                    "created_at",
                    "refreshed_at",
                    "expires_at",
                    "revoked_at",
                    "revoked_reason",
                    "user_agent",
                    "ip",
                ],
            )
            for s in sessions
        ],
    }
