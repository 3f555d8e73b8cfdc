"""Security headers on every response, and optional error reporting to Sentry."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobswap.config import Environment, Settings

# The API answers JSON; nothing of it may be framed, sniffed or leak its address onward.
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
_CSP = b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    """Adds the headers a response lacks. HSTS only outside development (where the service is
    reached over plain HTTP on loopback); API answers are never cached by shared caches."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.extra = [*_ALWAYS, (b"content-security-policy", _CSP)]
        if settings.environment is not Environment.DEVELOPMENT:
            self.extra.append(_HSTS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith("/api/")

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in present]
                if is_api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add)


_PERSONAL_KEYS = ("authorization", "cookie", "password", "token", "email", "name", "phone", "address")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "[scrubbed]" if any(p in str(k).lower() for p in _PERSONAL_KEYS) else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """No personal data leaves: request bodies, cookies, headers with credentials, user fields
    and local variables named like personal data are dropped or masked."""
    request = event.get("request") or {}
    request.pop("data", None)
    request.pop("cookies", None)
    if "headers" in request:
        request["headers"] = _scrub(request["headers"])
    if "query_string" in request:
        request["query_string"] = "[scrubbed]"
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            if "vars" in frame:
                frame["vars"] = _scrub(frame["vars"])
    return event


def init_sentry(settings: Settings) -> bool:
    """Turn on error reports when a DSN is set; True if it did."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.environment.value,
        send_default_pii=False,
        before_send=before_send,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
    )
    return True
