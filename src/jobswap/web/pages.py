"""The web app's pages. Each calls the same services as the API (never HTTP), inside one
transaction as the signed-in person; forms post back with a CSRF token and redirect (303),
so every page works without JavaScript. htmx only spares a reload where it helps."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select

from jobswap.auth.dependencies import LinkToken
from jobswap.auth.schemas import LINK_TOKEN_MAX, ResetConfirm, SignUp
from jobswap.auth.service import AuthService
from jobswap.db import AccessRole, Identity
from jobswap.errors import AppError, BadRequest, NotFound
from jobswap.hr import employers
from jobswap.hr.schemas import EmployerCreate
from jobswap.hr.service import HrService
from jobswap.jobmatch import alerts
from jobswap.jobmatch import service as job_matches
from jobswap.jobmatch.schemas import AlertCreate, JobMatchFilters, JobMatchUpdate
from jobswap.jobs.models import SavedSearch, ScrapeRun
from jobswap.jobs.service import RunRequest, start_run
from jobswap.jobs.sources import SOURCES
from jobswap.matching import repository as match_repository
from jobswap.matching import service as matching
from jobswap.matching.schemas import summary
from jobswap.notifications import service as notifications
from jobswap.notifications.models import Notification
from jobswap.notifications.service import Notifier
from jobswap.resumes.models import Resume
from jobswap.resumes.schemas import ResumeCorrections, merged
from jobswap.resumes.service import ResumeService
from jobswap.swaps.router import resume_response
from jobswap.swaps.schemas import DeclineBody, Sharing, SwapRequestCreate
from jobswap.swaps.service import SwapService
from jobswap.users import repository as users_repository
from jobswap.users import service as users
from jobswap.users.models import User, UserRole
from jobswap.users.schemas import UserUpdate
from jobswap.web import charts
from jobswap.web.render import redirect, render
from jobswap.web.session import (
    AdminWebUser,
    CsrfChecked,
    HrUser,
    MaybeUser,
    WebDb,
    WebUser,
    client_of,
    forget_tokens,
    keep_tokens,
    new_csrf,
    safe_next,
)

router = APIRouter(include_in_schema=False)


async def _viewer(request: Request, session: WebDb, user: WebUser) -> User:
    """The signed-in person, with the header's unread count. Templates get a snapshot, so that
    an error page rendered after the transaction ended can still show the header."""
    request.state.web_user = SimpleNamespace(
        id=user.id, name=user.name, email=user.email, role=user.role, matchable=user.matchable
    )
    request.state.unread = int(
        await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )
    return user


Viewer = Annotated[User, Depends(_viewer)]


def _swaps(request: Request) -> SwapService:
    runtime = request.app.state.runtime
    return SwapService(request.app.state.settings, Notifier(request.app.state.settings, runtime.queue))


def _auth(request: Request) -> AuthService:
    service: AuthService = request.app.state.web_auth
    return service


def _problem(exc: Exception) -> str:
    if isinstance(exc, AppError):
        return exc.message
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return f"{where}: {first.get('msg', 'is not valid')}" if where else str(first.get("msg"))
    return "That did not work."


def _status(exc: Exception) -> int:
    return exc.status_code if isinstance(exc, AppError) else 422


def _refused(request: Request, heading: str, exc: Exception, status: int | None = None) -> Response:
    """The error page for an action the domain refused (its own status unless one is given)."""
    page = {"heading": heading, "detail": _problem(exc)}
    return render(request, "error.html", page, status or _status(exc))


def _again(request: Request, template: str, context: dict[str, Any], exc: Exception) -> Response:
    """The form's page once more, with what was refused and why, at the refusal's status."""
    return render(request, template, {**context, "error": _problem(exc)}, _status(exc))


# --- the public pages ------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return redirect("/home")
    return render(
        request, "landing.html", {"demo_accounts": getattr(request.app.state, "demo_accounts", None)}
    )


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(request: Request, next: str | None = None) -> Response:
    return render(request, "signin.html", {"next": safe_next(next)})


@router.post("/signin", response_class=HTMLResponse)
async def signin(
    request: Request,
    _: CsrfChecked,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/home",
) -> Response:
    try:
        tokens = await _auth(request).sign_in(email, password, client_of(request))
    except AppError as exc:
        return _again(request, "signin.html", {"email": email, "next": safe_next(next)}, exc)
    keep_tokens(request, tokens, request.app.state.settings)
    new_csrf(request)  # a token planted before sign-in is worthless after it
    return redirect(safe_next(next))


@router.get("/signup", response_class=HTMLResponse)
async def signup_page(request: Request) -> Response:
    return render(request, "signup.html")


@router.post("/signup", response_class=HTMLResponse)
async def signup(
    request: Request,
    _: CsrfChecked,
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        data = SignUp(name=name, email=email, password=password)
        tokens = await _auth(request).sign_up(data, client_of(request))
    except (AppError, ValidationError) as exc:
        return _again(request, "signup.html", {"name": name, "email": email}, exc)
    keep_tokens(request, tokens, request.app.state.settings)
    new_csrf(request)
    return redirect("/profile", "signed_up")


@router.post("/signout")
async def signout(request: Request, _: CsrfChecked, user: MaybeUser) -> Response:
    claims = getattr(request.state, "claims", None)
    if claims is not None:
        await _auth(request).sign_out(claims, request.cookies.get("jobswap_refresh"))
    forget_tokens(request)
    new_csrf(request)
    return redirect("/signin", "signed_out")


@router.get("/forgot", response_class=HTMLResponse)
async def forgot_page(request: Request) -> Response:
    return render(request, "forgot.html")


@router.post("/forgot")
async def forgot(request: Request, _: CsrfChecked, email: Annotated[str, Form(max_length=320)]) -> Response:
    try:
        await _auth(request).links.request_reset(email)
    except AppError as exc:
        return _again(request, "forgot.html", {}, exc)
    return redirect("/signin", "reset_sent")


FormToken = Annotated[str, Form(min_length=1, max_length=LINK_TOKEN_MAX)]


@router.get("/confirm", response_class=HTMLResponse)
async def confirm_page(request: Request, token: LinkToken) -> Response:
    """The e-mailed confirmation link. Opening it changes nothing (mail scanners open links);
    the button does."""
    return render(request, "confirm.html", {"token": token})


@router.post("/confirm")
async def confirm(request: Request, _: CsrfChecked, user: MaybeUser, token: FormToken) -> Response:
    try:
        await _auth(request).links.verify(token)
    except AppError as exc:
        return _again(request, "confirm.html", {"token": token}, exc)
    return redirect("/home" if user is not None else "/signin", "email_confirmed")


@router.get("/reset", response_class=HTMLResponse)
async def reset_page(request: Request, token: LinkToken) -> Response:
    return render(request, "reset.html", {"token": token})


@router.post("/reset")
async def reset(
    request: Request,
    _: CsrfChecked,
    token: FormToken,
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    """A new password from the e-mailed link; every session of the account ends, this one too."""
    try:
        data = ResetConfirm(token=token, password=password)
        await _auth(request).links.reset(data.token, data.password)
    except (AppError, ValidationError) as exc:
        return _again(request, "reset.html", {"token": token}, exc)
    forget_tokens(request)
    new_csrf(request)
    return redirect("/signin", "password_changed")


# --- home and profile ------------------------------------------------------------------


@router.get("/home", response_class=HTMLResponse)
async def home(request: Request, session: WebDb, user: Viewer) -> Response:
    rows, matches_total = await match_repository.list_own(session, user, 3, 0)
    swaps = _swaps(request)
    incoming, incoming_total = await swaps.page(session, user, None, "incoming", 5, 0)
    return render(
        request,
        "home.html",
        {
            "matches": [summary(r, None) for r in rows],
            "matches_total": matches_total,
            "incoming": incoming,
            "incoming_total": incoming_total,
        },
    )


@router.get("/profile", response_class=HTMLResponse)
async def profile_page(request: Request, user: Viewer) -> Response:
    return render(request, "profile.html", {"profile": user})


@router.post("/profile", response_class=HTMLResponse)
async def profile_save(
    request: Request,
    _: CsrfChecked,
    session: WebDb,
    user: Viewer,
    name: Annotated[str, Form(max_length=200)] = "",
    company: Annotated[str, Form(max_length=200)] = "",
    job_title: Annotated[str, Form(max_length=200)] = "",
    salary_band: Annotated[str, Form(max_length=64)] = "",
    home_address: Annotated[str, Form(max_length=500)] = "",
    work_address: Annotated[str, Form(max_length=500)] = "",
    commute_mode: Annotated[str, Form(max_length=16)] = "car",
    skills: Annotated[str, Form(max_length=5000)] = "",
    occupation_code: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    changes: dict[str, Any] = {
        "name": name.strip() or None,
        "company": company.strip() or None,
        "job_title": job_title.strip() or None,
        "salary_band": salary_band.strip() or None,
        "commute_mode": commute_mode,
        "skills": [s.strip() for s in skills.split(",") if s.strip()],
    }
    for field, address, current in (
        ("home_location", home_address.strip(), user.home_location),
        ("work_location", work_address.strip(), user.work_location),
    ):
        if not address:
            changes[field] = None
        elif not current or current.get("address") != address:
            changes[field] = {"address": address}  # geocoded by the service
    if occupation_code.strip():
        changes["occupation_code"] = occupation_code.strip()
    try:
        data = UserUpdate.model_validate(changes)
        async with session.begin_nested():  # a failure undoes this alone; the page goes on as the user
            await users.update_user(
                session, user, user.id, data, _swaps(request), request.app.state.web_locator
            )
    except (AppError, ValidationError) as exc:
        return _again(request, "profile.html", {"profile": user}, exc)
    return redirect("/profile", "profile_saved")


# --- resumes ----------------------------------------------------------------------------


def _resumes(request: Request) -> ResumeService:
    runtime = request.app.state.runtime
    return ResumeService(request.app.state.settings, request.app.state.storage, runtime.queue)


@router.get("/resume", response_class=HTMLResponse)
async def resume_list(request: Request, session: WebDb, user: Viewer) -> Response:
    rows, _ = await _resumes(request).list_own(session, user, 20, 0)
    return render(request, "resumes.html", {"resumes": rows})


@router.post("/resume")
async def resume_upload(
    request: Request,
    _: CsrfChecked,
    session: WebDb,
    user: Viewer,
    file: Annotated[UploadFile, File()],
) -> Response:
    service = _resumes(request)
    limit = service.settings.resume_max_bytes
    data = await file.read(limit + 1)
    try:
        if len(data) > limit:
            raise BadRequest(f"The file is larger than the limit of {limit} bytes.")
        resume = await service.upload(session, user, file.filename, data)
    except AppError as exc:
        rows, _total = await service.list_own(session, user, 20, 0)
        return _again(request, "resumes.html", {"resumes": rows}, exc)
    return redirect(f"/resume/{resume.id}", "uploaded")


async def _own_resume(request: Request, session: WebDb, user: User, resume_id: uuid.UUID) -> Resume:
    resume = await _resumes(request).get(session, user, resume_id)
    if resume.user_id != user.id:
        raise NotFound("No such resume.")
    return resume


@router.get("/resume/{resume_id}", response_class=HTMLResponse)
async def resume_detail(request: Request, resume_id: uuid.UUID, session: WebDb, user: Viewer) -> Response:
    resume = await _own_resume(request, session, user, resume_id)
    return render(
        request,
        "resume.html",
        {
            "resume": resume,
            "data": merged(resume.parsed_data, resume.corrections),
            "pending": resume.status.value == "pending",
        },
    )


@router.get("/resume/{resume_id}/status", response_class=HTMLResponse)
async def resume_status(request: Request, resume_id: uuid.UUID, session: WebDb, user: Viewer) -> Response:
    """The parse status fragment htmx polls while a resume is being read."""
    resume = await _own_resume(request, session, user, resume_id)
    response = render(request, "resume_status.html", {"resume": resume})
    if resume.status.value != "pending":
        response.headers["HX-Refresh"] = "true"  # show the parsed result
    return response


@router.post("/resume/{resume_id}")
async def resume_correct(
    request: Request,
    resume_id: uuid.UUID,
    _: CsrfChecked,
    session: WebDb,
    user: Viewer,
    headline: Annotated[str, Form(max_length=300)] = "",
    skills: Annotated[str, Form(max_length=20_000)] = "",
    summary_text: Annotated[str, Form(alias="summary", max_length=10_000)] = "",
    exp_title: Annotated[list[str] | None, Form(max_length=100)] = None,
    exp_company: Annotated[list[str] | None, Form(max_length=100)] = None,
    exp_start: Annotated[list[str] | None, Form(max_length=100)] = None,
    exp_end: Annotated[list[str] | None, Form(max_length=100)] = None,
    exp_keep: Annotated[list[str] | None, Form(max_length=100)] = None,
) -> Response:
    resume = await _own_resume(request, session, user, resume_id)
    try:
        values: dict[str, Any] = {
            "headline": headline.strip() or None,
            "summary": summary_text.strip() or None,
            "skills": [s.strip() for s in skills.split(",") if s.strip()],
        }
        if exp_title is not None:
            values["experience"] = _entries(resume, exp_title, exp_company, exp_start, exp_end, exp_keep)
        corrections = ResumeCorrections.model_validate(values)
        await _resumes(request).correct(session, user, resume_id, corrections)
    except (AppError, ValidationError) as exc:
        data = merged(resume.parsed_data, resume.corrections)
        return render(request, "resume.html", {"resume": resume, "data": data, "error": _problem(exc)}, 422)
    return redirect(f"/resume/{resume_id}", "corrected")


def _entries(
    resume: Resume,
    titles: list[str],
    companies: list[str] | None,
    starts: list[str] | None,
    ends: list[str] | None,
    keep: list[str] | None,
) -> list[dict[str, Any]]:
    """The work history as corrected in the form: each row's title, employer and dates, its
    other fields (description, location) kept from the parse; rows not ticked are removed."""
    current = merged(resume.parsed_data, resume.corrections)
    before = current.experience if current else []
    kept = set(keep or [])
    out = []
    for i, title in enumerate(titles):
        if str(i) not in kept:
            continue
        old = before[i].model_dump() if i < len(before) else {}

        def at(values: list[str] | None, index: int = i) -> str | None:
            return (values[index].strip() or None) if values and index < len(values) else None

        out.append(
            {
                **old,
                "title": title.strip() or None,
                "company": at(companies),
                "start": at(starts),
                "end": at(ends),
            }
        )
    return out


# --- swap matches and requests ------------------------------------------------------------------


@router.get("/matches", response_class=HTMLResponse)
async def matches_page(request: Request, session: WebDb, user: Viewer) -> Response:
    database = request.app.state.runtime.database
    rows, total = await match_repository.list_own(session, user, 20, 0)
    others = await matching.counterparts(database, list({m for r in rows for m in r.members}))
    details = [matching.detail_of(r, others, user.id) for r in rows]  # one read for every member
    return render(
        request,
        "matches.html",
        {
            "matches": [(d, charts.commute_chart(d.members), charts.area_map(d.members)) for d in details],
            "total": total,
        },
    )


@router.post("/matches/refresh")
async def matches_refresh(request: Request, _: CsrfChecked, user: Viewer) -> Response:
    await matching.generate_for(request.app.state.runtime.database, request.app.state.settings, user)
    return redirect("/matches", "refreshed")


@router.post("/matches/{match_id}/request")
async def matches_request(
    request: Request,
    match_id: uuid.UUID,
    _: CsrfChecked,
    session: WebDb,
    user: Viewer,
    message: Annotated[str, Form(max_length=10_000)] = "",
    share_contact: Annotated[bool, Form()] = False,
    share_resume: Annotated[bool, Form()] = False,
    share_resume_with_hr: Annotated[bool, Form()] = False,
    consent_hr_review: Annotated[bool, Form()] = False,
) -> Response:
    try:
        if not consent_hr_review:
            raise BadRequest("A swap needs your consent to HR review: tick the box to go on.")
        data = SwapRequestCreate(
            match_id=match_id,
            message=message.strip() or None,
            share_contact=share_contact,
            share_resume=share_resume,
            share_resume_with_hr=share_resume_with_hr,
            consent_hr_review=True,
        )
        async with session.begin_nested():
            created = await _swaps(request).propose(session, user, data)
    except (AppError, ValidationError) as exc:
        return _refused(request, "The request was not sent", exc, 400)
    return redirect(f"/requests/{created.id}", "requested")


@router.get("/requests", response_class=HTMLResponse)
async def requests_page(request: Request, session: WebDb, user: Viewer) -> Response:
    swaps = _swaps(request)
    incoming, _ = await swaps.page(session, user, None, "incoming", 50, 0)
    outgoing, _ = await swaps.page(session, user, None, "outgoing", 50, 0)
    return render(request, "requests.html", {"incoming": incoming, "outgoing": outgoing})


@router.get("/requests/{request_id}", response_class=HTMLResponse)
async def request_detail(request: Request, request_id: uuid.UUID, session: WebDb, user: Viewer) -> Response:
    swaps = _swaps(request)
    found = await swaps.visible(session, user, request_id)
    [view] = await swaps.views(session, user, [found])
    return render(request, "request.html", {"swap": view, "chart": charts.commute_chart(view.members)})


@router.post("/requests/{request_id}/{action}")
async def request_answer(
    request: Request,
    request_id: uuid.UUID,
    action: str,
    _: CsrfChecked,
    session: WebDb,
    user: Viewer,
    share_contact: Annotated[bool, Form()] = False,
    share_resume: Annotated[bool, Form()] = False,
    share_resume_with_hr: Annotated[bool, Form()] = False,
    consent_hr_review: Annotated[bool, Form()] = False,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    swaps = _swaps(request)
    try:
        if action == "accept":
            if not consent_hr_review:
                raise BadRequest("Accepting needs your consent to HR review: tick the box to go on.")
            choices = Sharing(
                share_contact=share_contact,
                share_resume=share_resume,
                share_resume_with_hr=share_resume_with_hr,
                consent_hr_review=True,
            )
            async with session.begin_nested():
                await swaps.accept(session, user, request_id, choices)
            done = "accepted"
        elif action == "decline":
            async with session.begin_nested():
                await swaps.decline(session, user, request_id, DeclineBody(reason=reason.strip() or None))
            done = "declined"
        elif action == "withdraw":
            async with session.begin_nested():
                await swaps.withdraw(session, user, request_id)
            done = "withdrawn"
        else:
            raise NotFound("No such action.")
    except (AppError, ValidationError) as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, "That did not work", exc, 409)
    return redirect(f"/requests/{request_id}", done)


@router.get("/requests/{request_id}/members/{position}/resume")
async def request_member_resume(
    request: Request, request_id: uuid.UUID, position: int, session: WebDb, user: Viewer
) -> Response:
    """Another member's resume, for the browser: the same rule as the API (after everyone
    accepted, and only if they shared it)."""
    if not 0 <= position <= 2:
        raise NotFound("No such member.")
    data, resume = await _swaps(request).member_resume(
        session, request.app.state.storage, user, request_id, position
    )
    return resume_response(data, resume.media_type, resume.filename)


# --- jobs ------------------------------------------------------------------------------


def _filters(params: dict[str, Any]) -> JobMatchFilters:
    values: dict[str, Any] = {}
    if params.get("max_commute_minutes"):
        values["max_commute_minutes"] = params["max_commute_minutes"]
    if params.get("workplace"):
        values["workplace"] = [params["workplace"]]
    if params.get("min_pay"):
        values["min_pay"] = params["min_pay"]
    if params.get("near_home"):
        values["occupation"] = "equivalent"
        values["shorter_commute"] = True
    return JobMatchFilters.model_validate(values)


@router.get("/jobs", response_class=HTMLResponse)
async def jobs_page(
    request: Request,
    session: WebDb,
    user: Viewer,
    max_commute_minutes: Annotated[str, Query(max_length=6)] = "",
    workplace: Annotated[str, Query(max_length=10)] = "",
    min_pay: Annotated[str, Query(max_length=10)] = "",
    near_home: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=50)] = 1,
) -> Response:
    params = {
        "max_commute_minutes": max_commute_minutes,
        "workplace": workplace,
        "min_pay": min_pay,
        "near_home": near_home,
    }
    error = None
    listing = None
    try:
        filters = _filters(params)
        async with session.begin_nested():
            listing = await job_matches.ranked_page(
                session,
                request.app.state.settings,
                user,
                resume_id=None,
                filters=filters,
                refresh=False,
                limit=20,
                offset=(page - 1) * 20,
            )
    except (AppError, ValidationError) as exc:
        error = _problem(exc)
    saved_alerts = await alerts.listed(session, user)
    return render(
        request,
        "jobs.html",
        {"listing": listing, "params": params, "error": error, "page": page, "alerts": saved_alerts},
    )


@router.post("/jobs/{job_match_id}/{action}")
async def jobs_mark(
    request: Request, job_match_id: uuid.UUID, action: str, _: CsrfChecked, session: WebDb, user: Viewer
) -> Response:
    if action not in ("save", "dismiss", "unsave"):
        raise NotFound("No such action.")
    change = {"save": {"saved": True}, "unsave": {"saved": False}, "dismiss": {"dismissed": True}}[action]
    await job_matches.mark(session, user, job_match_id, JobMatchUpdate.model_validate(change))
    if request.headers.get("hx-request"):
        return render(request, "job_marked.html", {"action": action})
    return redirect("/jobs", "saved" if action == "save" else "dismissed")


@router.post("/alerts")
async def alerts_create(
    request: Request,
    _: CsrfChecked,
    session: WebDb,
    user: Viewer,
    name: Annotated[str, Form(max_length=120)],
    query: Annotated[str, Form(max_length=300)] = "",
    frequency: Annotated[str, Form(max_length=10)] = "daily",
    min_score: Annotated[str, Form(max_length=5)] = "55",
) -> Response:
    try:
        body = AlertCreate.model_validate(
            {
                "name": name.strip(),
                "query": query.strip() or None,
                "frequency": frequency,
                "min_score": min_score,
            }
        )
        async with session.begin_nested():
            await alerts.create(session, request.app.state.settings, user, body)
    except (AppError, ValidationError) as exc:
        return _refused(request, "The alert was not saved", exc)
    return redirect("/jobs", "alert_saved")


# --- HR -----------------------------------------------------------------------------------


@router.get("/hr", response_class=HTMLResponse)
async def hr_queue(request: Request, session: WebDb, user: HrUser, viewer: Viewer) -> Response:
    items, total = await HrService(_swaps(request)).page(session, user, None, 50, 0)
    return render(request, "hr_queue.html", {"items": items, "total": total})


@router.get("/hr/{hr_request_id}", response_class=HTMLResponse)
async def hr_detail(
    request: Request, hr_request_id: uuid.UUID, session: WebDb, user: HrUser, viewer: Viewer
) -> Response:
    service = HrService(_swaps(request))
    view = await service.view(session, user, await service.visible(session, user, hr_request_id))
    return render(request, "hr_request.html", {"review": view, "chart": charts.commute_chart(view.members)})


@router.get("/hr/{hr_request_id}/members/{position}/resume")
async def hr_member_resume(
    request: Request, hr_request_id: uuid.UUID, position: int, session: WebDb, user: HrUser, viewer: Viewer
) -> Response:
    """A member's resume that they shared with HR."""
    if not 0 <= position <= 2:
        raise NotFound("No such member.")
    data, resume = await HrService(_swaps(request)).member_resume(
        session, request.app.state.storage, user, hr_request_id, position
    )
    return resume_response(data, resume.media_type, resume.filename)


@router.post("/hr/{hr_request_id}/{action}")
async def hr_decide(
    request: Request,
    hr_request_id: uuid.UUID,
    action: str,
    _: CsrfChecked,
    session: WebDb,
    user: HrUser,
    viewer: Viewer,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if action not in ("approve", "reject"):
        raise NotFound("No such action.")
    service = HrService(_swaps(request))
    try:
        if action == "reject" and not reason.strip():
            raise BadRequest("A rejection needs a reason; the employees are told it.")
        async with session.begin_nested():
            await service.decide(session, user, hr_request_id, action == "approve", reason.strip() or None)
    except AppError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, "That did not work", exc)
    return redirect(f"/hr/{hr_request_id}", "approved" if action == "approve" else "rejected")


# --- admin and notifications ------------------------------------------------------------


async def _runs(session: WebDb) -> list[ScrapeRun]:
    return list(
        (await session.execute(select(ScrapeRun).order_by(ScrapeRun.created_at.desc()).limit(20))).scalars()
    )


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request, session: WebDb, user: AdminWebUser, viewer: Viewer) -> Response:
    found, _ = await employers.search(session, None, 100, 0)
    hr_users = list(
        (await session.execute(select(User).where(User.role == UserRole.HR).order_by(User.email))).scalars()
    )
    searches = list((await session.execute(select(SavedSearch).order_by(SavedSearch.name))).scalars())
    runs = await _runs(session)
    return render(
        request,
        "admin.html",
        {
            "employers": found,
            "hr_users": hr_users,
            "searches": searches,
            "runs": runs,
            "chart": charts.runs_chart(list(reversed(runs))),
            "sources": sorted(SOURCES),
        },
    )


@router.post("/admin/employers")
async def admin_employer(
    request: Request,
    _: CsrfChecked,
    session: WebDb,
    user: AdminWebUser,
    viewer: Viewer,
    name: Annotated[str, Form(max_length=200)],
    domains: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        data = EmployerCreate.model_validate(
            {"name": name.strip(), "email_domains": [d.strip() for d in domains.split(",") if d.strip()]}
        )
        async with session.begin_nested():
            await employers.create(session, data)
    except (AppError, ValidationError) as exc:
        return _refused(request, "The employer was not added", exc)
    return redirect("/admin", "employer_added")


@router.post("/admin/hr")
async def admin_hr(
    request: Request,
    _: CsrfChecked,
    session: WebDb,
    user: AdminWebUser,
    viewer: Viewer,
    email: Annotated[str, Form(max_length=320)],
    employer_id: Annotated[uuid.UUID, Form()],
) -> Response:
    """Make an existing account the HR user of an employer."""
    try:
        person = await users_repository.get_by_email(session, email.strip())
        if person is None:
            raise NotFound("No account uses that e-mail address; ask them to sign up first.")
        change = UserUpdate.model_validate({"role": "hr", "employer_id": str(employer_id)})
        async with session.begin_nested():
            await users.update_user(
                session, user, person.id, change, _swaps(request), request.app.state.web_locator
            )
    except (AppError, ValidationError) as exc:
        return _refused(request, "Not changed", exc)
    return redirect("/admin", "hr_linked")


@router.get("/admin/runs", response_class=HTMLResponse)
async def admin_runs(request: Request, session: WebDb, user: AdminWebUser) -> Response:
    """The runs table, which the admin page polls while a run is going."""
    runs = await _runs(session)
    return render(
        request, "admin_runs.html", {"runs": runs, "chart": charts.runs_chart(list(reversed(runs)))}
    )


@router.post("/admin/scrape")
async def admin_scrape(
    request: Request,
    _: CsrfChecked,
    user: AdminWebUser,
    viewer: Viewer,
    source: Annotated[list[str], Form(max_length=10)],
    query: Annotated[str, Form(max_length=300)] = "",
    location: Annotated[str, Form(max_length=200)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    max_pages: Annotated[int, Form(ge=1, le=50)] = 3,
    rules: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    runtime = request.app.state.runtime
    options: dict[str, Any] = {"url": url.strip()} if url.strip() else {}
    try:
        if rules.strip():
            try:
                options["rules"] = json.loads(rules)
            except ValueError as exc:
                raise BadRequest(f"The extraction rules are not JSON: {exc}") from None
        run_request = RunRequest(source, query.strip(), location.strip() or None, max_pages, options)
        run_request.check()
        await start_run(runtime.database, runtime.queue, run_request, Identity(user.id, AccessRole.ADMIN))
    except AppError as exc:
        return _refused(request, "The run was not started", exc)
    return redirect("/admin", "scrape_started")


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(request: Request, session: WebDb, user: Viewer) -> Response:
    rows, _, _ = await notifications.list_own(session, user, False, 50, 0)
    return render(request, "notifications.html", {"items": rows})


@router.post("/notifications/read")
async def notifications_read(request: Request, _: CsrfChecked, session: WebDb, user: Viewer) -> Response:
    await notifications.mark_read(session, user, None)
    return redirect("/notifications", "read")
