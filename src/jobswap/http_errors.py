"""One JSON shape for every error: {"error": {"code", "message", "details"}}.

No stack trace, SQL or echo of the submitted values ever reaches a client
(a rejected password must not come back in a 422).
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobswap.errors import AppError

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}}, status_code=status, headers=headers
    )


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


_LENGTH_ERRORS = {
    "string_too_long": "at most",
    "too_long": "at most",
    "string_too_short": "at least",
    "too_short": "at least",
}


def _message(error: Any) -> str:
    """One wording for every length limit, with the field's own limit in it (and never the
    submitted value)."""
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    if kind in _LENGTH_ERRORS:
        limit = ctx.get("max_length") if "long" in kind else ctx.get("min_length")
        if limit is not None:
            unit = "characters" if isinstance(error.get("input"), str) else "items"
            return f"must be {_LENGTH_ERRORS[kind]} {limit} {unit}"
    return str(error.get("msg", "invalid"))


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    details = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
            "message": _message(e),
            "type": e.get("type"),
        }
        for e in errors
    ]
    return error_response(422, "validation_error", "The request is not valid.", details)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "The request failed."
    return error_response(exc.status_code, code, message, headers=dict(exc.headers or {}))


DATABASE_RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: BaseException) -> bool:
    """A lost or refused database connection (a restart, a failover), not a bug in a query."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError, ConnectionError))


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After while the database is away (the pool reconnects by itself)."""
    if not database_unavailable(exc):
        return await _unexpected(request, exc)
    log.warning("database unavailable", extra={"path": request.url.path, "error": type(exc).__name__})
    return error_response(
        503,
        "database_unavailable",
        "The database is not reachable right now; try again in a few seconds.",
        {"retry_after_seconds": DATABASE_RETRY_AFTER_SECONDS},
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for database_error in (DBAPIError, psycopg.Error, ConnectionError):
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(Exception, _unexpected)


class BodySizeLimitMiddleware:
    """Rejects bodies over the limit with 413, from Content-Length or while streaming,
    so an oversized body is never read whole into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.overrides.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        message = f"The request body is larger than the limit of {limit} bytes."
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0:
                await error_response(400, "bad_request", "Invalid Content-Length header.")(
                    scope, receive, send
                )
                return
            if declared > limit:
                await error_response(413, "payload_too_large", message)(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    # FastAPI passes HTTPExceptions raised while reading the body through
                    # to the handler above, which renders the usual error shape.
                    raise HTTPException(status_code=413, detail=message)
            return msg

        await self.app(scope, limited_receive, send)


# The JSON answers, for handlers that serve pages and the API side by side (web.app).
json_app_error = _app_error
json_validation_error = _validation_error
json_http_error = _http_error
