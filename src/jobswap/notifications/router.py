"""/api/notifications: your notifications, unread count, mark read; e-mail preferences;
and the signed unsubscribe link, which works without signing in."""

from __future__ import annotations

import uuid
from html import escape
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse

from jobswap.auth.dependencies import CurrentUser, DbSession
from jobswap.dependencies import DatabaseDep, SettingsDep
from jobswap.errors import BadRequest
from jobswap.notifications import service
from jobswap.notifications.kinds import OPTIONAL, SUBJECTS, Kind
from jobswap.notifications.schemas import (
    MarkedRead,
    NotificationPage,
    NotificationRead,
    Preferences,
    PreferencesUpdate,
)
from jobswap.notifications.signing import BadToken, read_unsubscribe_token

router = APIRouter(tags=["notifications"])
Token = Annotated[str, Query(min_length=1, max_length=200)]


@router.get("/api/notifications", response_model=NotificationPage)
async def list_notifications(
    user: CurrentUser,
    session: DbSession,
    unread: Annotated[bool, Query(description="Only unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> NotificationPage:
    rows, total, unread_count = await service.list_own(session, user, unread, limit, offset)
    return NotificationPage(
        items=[NotificationRead.model_validate(r) for r in rows],
        total=total,
        unread=unread_count,
        limit=limit,
        offset=offset,
    )


@router.put("/api/notifications/{notification_id}/read", response_model=MarkedRead)
async def mark_read(notification_id: uuid.UUID, user: CurrentUser, session: DbSession) -> MarkedRead:
    return MarkedRead(marked=await service.mark_read(session, user, notification_id))


@router.put("/api/notifications/read", response_model=MarkedRead)
async def mark_all_read(user: CurrentUser, session: DbSession) -> MarkedRead:
    return MarkedRead(marked=await service.mark_read(session, user, None))


@router.get("/api/users/me/notifications", response_model=Preferences)
async def read_preferences(user: CurrentUser) -> Preferences:
    return Preferences(email=service.preferences(user))


@router.put("/api/users/me/notifications", response_model=Preferences)
async def update_preferences(data: PreferencesUpdate, user: CurrentUser, session: DbSession) -> Preferences:
    """Turn e-mail for some kinds on or off; kinds not named keep their setting."""
    if any(kind not in OPTIONAL for kind in data.email):
        raise BadRequest("Account-security e-mail (verification, password reset) cannot be turned off.")
    return Preferences(email=await service.set_preferences(session, user, data.email))


def _read(settings: SettingsDep, token: str) -> tuple[uuid.UUID, Kind]:
    try:
        return read_unsubscribe_token(settings, token)
    except BadToken as exc:
        raise BadRequest(str(exc)) from None


@router.get("/api/notifications/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe_page(token: Token, settings: SettingsDep) -> HTMLResponse:
    """The link in a mail: a page with one button, so that link scanners change nothing."""
    _, kind = _read(settings, token)
    product = escape(settings.product_name)
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{product}: unsubscribe</title>"
        f"</head><body><p>Stop e-mails of this kind: <strong>{escape(SUBJECTS[kind])}</strong>?</p>"
        f"<form method='post'><input type='hidden' name='token' value='{escape(token)}'>"
        f"<button type='submit'>Unsubscribe</button></form></body></html>"
    )
    return HTMLResponse(page)


@router.post("/api/notifications/unsubscribe", status_code=status.HTTP_200_OK, response_class=HTMLResponse)
async def unsubscribe(token: Token, settings: SettingsDep, database: DatabaseDep) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058): the token in the query, no sign-in needed."""
    user_id, kind = _read(settings, token)
    await service.unsubscribe(database, user_id, kind)
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Unsubscribed</title></head>"
        f"<body><p>Done: no more e-mails of this kind ({escape(SUBJECTS[kind])}). You can turn them on "
        f"again in your notification settings.</p></body></html>"
    )
