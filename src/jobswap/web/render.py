"""Rendering pages: Jinja2 with autoescaping, a strict Content-Security-Policy, the session's
cookies applied, and domain errors shown as pages with the API's own messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jobswap.config import Settings
from jobswap.web.session import csrf_token

HERE = Path(__file__).parent
# Everything the pages use comes from this origin; no inline script or style anywhere.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
MESSAGES = {  # what a redirect after a form may say (by code, so nothing is reflected)
    "signed_out": "You are signed out.",
    "signed_up": "Welcome! Check your e-mail for a link to confirm your address.",
    "profile_saved": "Your profile is saved.",
    "uploaded": "Your resume is uploaded; it is being read now.",
    "corrected": "Your corrections are saved.",
    "requested": "Your swap request is sent to the other members.",
    "accepted": "You accepted. When everyone has, HR reviews the swap.",
    "declined": "You declined this swap.",
    "withdrawn": "You withdrew this request.",
    "approved": "You approved this swap.",
    "rejected": "You rejected this swap.",
    "saved": "Job saved.",
    "dismissed": "Job dismissed.",
    "alert_saved": "Alert saved: you will hear of new jobs that fit it.",
    "reset_sent": "If an account uses this address, a link to reset its password is on its way.",
    "email_confirmed": "Thank you: your e-mail address is confirmed.",
    "password_changed": "Your password is changed; sign in with it.",
    "read": "Notifications marked read.",
    "scrape_started": "The scrape run is queued.",
    "employer_added": "The employer is added.",
    "hr_linked": "That account is now the employer's HR.",
    "refreshed": "Your matches are refreshed.",
}

environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html", "svg"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["minutes"] = lambda v: "-" if v is None else f"{float(v):.0f} min"
environment.filters["pct"] = lambda v: "-" if v is None else f"{100 * float(v):.0f}%"
environment.filters["urlq"] = lambda v: quote(str(v), safe="")


def page_link(link: str) -> str | None:
    """The page for a notification's API link (/api/swap-requests/ID -> /requests/ID)."""
    for api, page in (("/api/swap-requests/", "/requests/"), ("/api/hr/requests/", "/hr/")):
        if link.startswith(api):
            return page + link[len(api) :].split("/", maxsplit=1)[0]
    if link.startswith("/api/job-alerts"):
        return "/jobs"
    if link.startswith("/api/matches"):
        return "/matches"
    return None


environment.filters["page_link"] = page_link
STATUS_LABELS = {
    "pending": "waiting for the members' answers",
    "accepted": "accepted by every member",
    "hr_review": "with HR for approval",
    "approved": "approved",
    "rejected": "rejected by HR",
    "declined": "declined",
    "withdrawn": "withdrawn",
    "expired": "expired",
    "cancelled": "cancelled",
}
environment.filters["status_label"] = lambda v: STATUS_LABELS.get(str(getattr(v, "value", v)), str(v))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    values = {
        "request": request,
        "csrf": csrf_token(request),
        "user": getattr(request.state, "web_user", None),
        "unread": getattr(request.state, "unread", 0),
        "message": MESSAGES.get(request.query_params.get("msg", "")),
        "product": settings.product_name,
        **(context or {}),
    }
    body = environment.get_template(template).render(values)
    return _page_headers(HTMLResponse(body, status_code=status_code))


def redirect(path: str, msg: str | None = None) -> RedirectResponse:
    target = path + (("&" if "?" in path else "?") + f"msg={msg}" if msg else "")
    return _page_headers(RedirectResponse(target, status_code=303))


R = TypeVar("R", bound=Response)


def _page_headers(response: R) -> R:
    """A page's headers (the session's cookies are added to every answer by SessionCookies)."""
    response.headers["content-security-policy"] = PAGE_CSP
    response.headers["cache-control"] = "no-store"
    return response
