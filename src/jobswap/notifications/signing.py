"""Signed unsubscribe links: they work without signing in, and only for the person and kind
they were made for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from jobswap.config import Settings
from jobswap.notifications.kinds import OPTIONAL, Kind


class BadToken(ValueError):
    pass


def _signature(settings: Settings, user_id: uuid.UUID, kind: Kind) -> str:
    key = settings.derived_secret("unsubscribe").encode()
    digest = hmac.new(key, f"{user_id}:{kind.value}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(settings: Settings, user_id: uuid.UUID, kind: Kind) -> str:
    return f"{user_id}.{kind.value}.{_signature(settings, user_id, kind)}"


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[uuid.UUID, Kind]:
    try:
        raw_user, raw_kind, signature = token.split(".")
        user_id, kind = uuid.UUID(raw_user), Kind(raw_kind)
    except ValueError:
        raise BadToken("This unsubscribe link is not valid.") from None
    if kind not in OPTIONAL or not hmac.compare_digest(signature, _signature(settings, user_id, kind)):
        raise BadToken("This unsubscribe link is not valid.")
    return user_id, kind
