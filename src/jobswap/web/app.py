"""Mounting the web app on the API's FastAPI app: pages, vendored assets, offline /docs and
/redoc, and errors shown as pages (the API's paths keep their JSON errors)."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from jobswap import http_errors
from jobswap.auth.service import AuthService
from jobswap.errors import AppError
from jobswap.matching.locate import locate
from jobswap.notifications.service import Notifier
from jobswap.web import pages
from jobswap.web.render import HERE, redirect, render
from jobswap.web.session import SessionCookies, SignInRequired

NOT_PAGES = ("/api/", "/static/", "/docs", "/redoc", "/openapi.json", "/metrics", "/healthz", "/readyz")
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>{head}</head>
<body>{body}</body></html>"""


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def started(app: FastAPI, runtime: Any) -> None:
    """What pages need from the running service (called once the runtime is open)."""
    settings = app.state.settings
    app.state.web_auth = AuthService(
        settings, runtime.database, app.state.passwords, Notifier(settings, runtime.queue)
    )
    app.state.web_locator = functools.partial(locate, settings, runtime.database)


def _docs_page(title: str, head: str, body: str) -> HTMLResponse:
    response = HTMLResponse(_DOCS.format(title=title, head=head, body=body))
    response.headers["content-security-policy"] = DOCS_CSP
    return response


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SessionCookies, settings=app.state.settings)
    app.include_router(pages.router)

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return _docs_page(
            f"{app.title} API",
            '<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">',
            '<div id="swagger-ui"></div>'
            '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>'
            '<script src="/static/docs-init.js"></script>',
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        """Pages name the SVG icon; plain pages (an e-mail link's answer) get it here."""
        return Response((HERE / "static" / "favicon.svg").read_bytes(), media_type="image/svg+xml")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _docs_page(
            f"{app.title} API",
            "",
            '<div id="redoc" data-spec-url="/openapi.json"></div>'
            '<script src="/static/vendor/redoc/redoc.standalone.js"></script>'
            '<script src="/static/redoc-init.js"></script>',
        )

    async def app_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, SignInRequired):
            return redirect(f"/signin?next={exc.next_path}")
        if not is_page(request):
            if isinstance(exc, AppError):
                return await http_errors.json_app_error(request, exc)
            if isinstance(exc, RequestValidationError):
                return await http_errors.json_validation_error(request, exc)
            return await http_errors.json_http_error(request, exc)
        if isinstance(exc, AppError):
            status, detail = exc.status_code, exc.message
        elif isinstance(exc, RequestValidationError):
            status, detail = 422, "Something in that form is not valid; check it and try again."
        else:
            assert isinstance(exc, HTTPException)
            status = exc.status_code
            detail = "There is no such page." if status == 404 else str(exc.detail)
        heading = {403: "Not allowed", 404: "Not found"}.get(status, "That did not work")
        return render(request, "error.html", {"heading": heading, "detail": detail}, status)

    app.add_exception_handler(SignInRequired, app_error)
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, app_error)
    app.add_exception_handler(HTTPException, app_error)
