"""The resume service for a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jobswap.dependencies import QueueDep, SettingsDep
from jobswap.resumes.service import ResumeService
from jobswap.resumes.storage import Storage


def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]


def get_resume_service(settings: SettingsDep, queue: QueueDep, storage: StorageDep) -> ResumeService:
    return ResumeService(settings, storage, queue)


ResumeServiceDep = Annotated[ResumeService, Depends(get_resume_service)]
