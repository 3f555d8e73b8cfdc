"""/api/occupations: the occupations a job title may mean, for a person picking theirs."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query

from jobswap.auth.dependencies import CurrentUser
from jobswap.occupations.titles import option, title_index
from jobswap.users.schemas import OccupationOption

router = APIRouter(prefix="/api/occupations", tags=["occupations"])


@router.get("", response_model=list[OccupationOption])
async def search(
    user: CurrentUser,
    title: Annotated[
        str, Query(min_length=1, max_length=200, description="A job title, in any of en/pt/es/fr/de")
    ],
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
) -> list[OccupationOption]:
    """O*NET occupations the title may mean, likeliest first, each with its confidence
    (0.75 or more is taken without asking)."""
    found = await anyio.to_thread.run_sync(lambda: title_index().candidates(title, limit))
    return [OccupationOption(**option(m)) for m in found]
