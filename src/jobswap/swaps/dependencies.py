"""The swap and HR services for a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from jobswap.auth.dependencies import NotifierDep
from jobswap.dependencies import SettingsDep
from jobswap.swaps.service import SwapService


def get_swap_service(settings: SettingsDep, notifier: NotifierDep) -> SwapService:
    return SwapService(settings, notifier)


SwapServiceDep = Annotated[SwapService, Depends(get_swap_service)]
