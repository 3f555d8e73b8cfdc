"""Typed domain errors. Services raise these; one handler renders them.

Domain code never raises HTTP exceptions: a status code travels with the error
class so that routers stay thin and services stay free of HTTP.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    default_message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"
    default_message = "Authentication is required."

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        super().__init__(message, details=details, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message = "This conflicts with existing data."


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    default_message = "Too many requests; try again later."

    def __init__(self, message: str | None = None, *, retry_after_seconds: int) -> None:
        self.retry_after_seconds = max(1, retry_after_seconds)
        super().__init__(
            message,
            details={"retry_after_seconds": self.retry_after_seconds},
            headers={"Retry-After": str(self.retry_after_seconds)},
        )


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    default_message = "The service is not ready."


class StartupError(RuntimeError):
    """The service cannot start; the message tells the operator what to fix."""
