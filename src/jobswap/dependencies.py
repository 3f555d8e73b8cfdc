"""Dependencies every domain shares: settings, the runtime's database and queue."""

from __future__ import annotations

from typing import Annotated

import procrastinate
from fastapi import Depends, Request

from jobswap.auth.security import Passwords
from jobswap.config import Settings
from jobswap.db import Database
from jobswap.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Database:
    return runtime.database


def get_queue(runtime: Annotated[Runtime, Depends(get_runtime)]) -> procrastinate.App:
    return runtime.queue


def get_passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
QueueDep = Annotated[procrastinate.App, Depends(get_queue)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
