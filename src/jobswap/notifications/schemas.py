"""Shapes for in-app notifications and e-mail preferences."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from jobswap.notifications.kinds import Kind
from jobswap.text_types import Strict


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str | None
    data: dict[str, Any]
    read_at: datetime | None
    created_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    unread: int
    limit: int
    offset: int


class Preferences(BaseModel):
    """E-mail on or off per kind. Account-security mail (verification, password reset) is
    always sent and is not listed."""

    email: dict[str, bool]


class PreferencesUpdate(Strict):
    email: dict[Kind, bool]


class MarkedRead(BaseModel):
    marked: int
