"""The staff console: server-rendered pages under /console over the staff desk.

Every page needs a session (else 303 to sign-in); every POST needs the session's CSRF token and,
when the browser names one, our own origin; after a POST the browser is sent back (303) with a
one-time message, so a reload never repeats an action. A desk refusal (403, 404, 409, 503)
becomes a problem page with its status and text. The desk audits every view and action.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import jinja2
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kindred.events.casework import (
    CaseKind,
    CaseStep,
    Moderation,
    ModerationAction,
    Outcome,
    StaffRole,
    SupporterPause,
)
from kindred.events.matching import SupporterRole
from kindred.gateway.console.desk import Desk
from kindred.gateway.console.session import (
    COOKIE,
    COOKIE_PATH,
    Session,
    SignInRefused,
    csrf_token,
    csrf_valid,
    open_session,
    read_session,
    staff_principal,
)
from kindred.gateway.routes import EpisodeClosure
from kindred.gateway.settings import GatewaySettings
from kindred.staff_views import Queue

CHANNEL: Literal["console"] = "console"
FLASH_COOKIE = "kindred_console_flash"
# Every answer: never cached, never framed, scripts and styles only from our own static files.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
}
# What a case, member or filter id may look like in a console URL (the events' own pattern).
ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
STATIC = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}
MAX_FORM_FIELDS = 20

SAFETY, MODERATOR = StaffRole.SAFETY_STAFF.value, StaffRole.MODERATOR.value
ADMIN, OPERATOR = StaffRole.SUPPORTER_ADMIN.value, StaffRole.OPERATOR.value


@dataclass(frozen=True)
class View:
    name: str
    path: str
    label: str
    roles: frozenset[str]


VIEWS = (
    View("queue", "/console", "Queue", frozenset({SAFETY, MODERATOR})),
    View("moderation", "/console/moderation", "Moderation", frozenset({MODERATOR})),
    View("supporters", "/console/supporters", "Supporters", frozenset({ADMIN})),
    View("audit", "/console/audit", "Audit trail", frozenset({OPERATOR})),
)

# The one-time messages after a POST, by key: the cookie carries a key, never text.
FLASH = {
    "signed-out": "Signed out.",
    "acknowledged": "Acknowledged — the chain stops paging.",
    "close-requested": "Close requested — the episode closes unless a newer alert arrived.",
    "claim": "Claimed — the case is yours.",
    "release": "Released — the case is back in the queue.",
    "note": "Note added.",
    "resolve": "Resolved.",
    "moderated": "Moderation recorded — the member is told where the action calls for it.",
    "role-set": "Supporter role updated.",
    "pause-set": "Supporter pause updated.",
}
HEADINGS = {
    401: "Sign in again",
    403: "Not allowed",
    404: "Not found",
    409: "Not possible now",
    415: "Send the form as a form",
    422: "Check the form",
    503: "Try again in a moment",
}
BAD_FORM = "This form has expired or did not come from the console. Reload the page and try again."


class Refusal(Exception):
    """Stop here with a problem page."""

    def __init__(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(text)
        self.status, self.text, self.headers = status, text, headers or {}


def _utc(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def countdown(deadline: datetime, now: datetime | None = None) -> str:
    """ "in 2m 13s" or "overdue by 40s": the same text console.js keeps up to date."""
    seconds = int((deadline - (now or datetime.now(UTC))).total_seconds())
    span = abs(seconds)
    hours, rest = divmod(span, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}h {minutes}m" if hours else f"{minutes}m {secs}s" if minutes else f"{secs}s"
    return f"in {text}" if seconds >= 0 else f"overdue by {text}"


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kindred.gateway.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["utc"] = _utc
    env.filters["iso"] = _iso
    env.filters["countdown"] = countdown
    return env


def _static(name: str) -> bytes:
    return resources.files("kindred.gateway.console").joinpath("static", name).read_bytes()


def same_origin(request: Request) -> bool:
    """A POST from another site is refused when the browser says where it came from (Origin,
    else Referer); the CSRF token covers browsers that say nothing."""
    host = request.headers.get("host")
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value is not None:
            return bool(host) and urlsplit(value).netloc == host
    return True


async def read_form(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (first value of each); the console sends nothing else."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise Refusal(415, "The console's forms are sent urlencoded.")
    try:
        pairs = parse_qsl(
            (await request.body()).decode(), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise Refusal(422, "The form could not be read.") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def _id(value: str | None, what: str) -> str:
    if value is None or not ID.match(value):
        raise Refusal(404, f"No such {what}.")
    return value


def _desk_refusal(exc: HTTPException) -> Refusal:
    detail = exc.detail.get("detail") if isinstance(exc.detail, dict) else exc.detail
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "retry-after"}
    return Refusal(exc.status_code, str(detail), headers)


def _invalid(exc: ValidationError) -> Refusal:
    # The models' own messages name the field and never quote the value.
    problems = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        field = ".".join(map(str, error["loc"]))
        problems.append(f"{field}: {message}" if field else message)
    return Refusal(422, "; ".join(problems))


Handler = Callable[[Session], Awaitable[Response]]
Action = Callable[[Session, dict[str, str]], Awaitable[tuple[str, str]]]


class Console:
    def __init__(self, desk: Desk, settings: GatewaySettings) -> None:
        self.desk = desk
        self.settings = settings

    # ------------------------------------------------------------------ rendering

    def render(
        self,
        template: str,
        request: Request,
        session: Session | None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        *,
        fragment: bool = False,
        **context: Any,
    ) -> HTMLResponse:
        # A fragment (the queue's refresh) leaves the one-time message to the page it was for.
        flash = None if fragment else FLASH.get(request.cookies.get(FLASH_COOKIE, ""))
        body = (
            _templates()
            .get_template(template)
            .render(
                session=session,
                nav=self.nav(session),
                csrf=csrf_token(session, self.settings) if session else "",
                flash=flash,
                path=request.url.path,
                **context,
            )
        )
        response = HTMLResponse(body, status_code=status, headers={**HEADERS, **(headers or {})})
        if flash is not None:
            response.delete_cookie(FLASH_COOKIE, path=COOKIE_PATH)
        return response

    def problem(self, request: Request, session: Session | None, refusal: Refusal) -> Response:
        return self.render(
            "problem.html.j2",
            request,
            session,
            refusal.status,
            refusal.headers,
            heading=HEADINGS.get(refusal.status, "Something went wrong"),
            text=refusal.text,
        )

    @staticmethod
    def nav(session: Session | None) -> list[View]:
        if session is None:
            return []
        return [view for view in VIEWS if view.roles & session.principal.roles]

    def landing(self, session: Session) -> str:
        views = self.nav(session)
        return views[0].path if views else "/console/sign-in"

    def session(self, request: Request) -> Session | None:
        return read_session(request.cookies.get(COOKIE), self.settings)

    def _cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=not self.settings.kindred_dev_mode,
        )

    def back(self, to: str, flash: str) -> Response:
        response = RedirectResponse(to, status_code=303, headers=HEADERS)
        self._cookie(response, FLASH_COOKIE, flash, 60)
        return response

    # ------------------------------------------------------------------ the two shapes of route

    async def page(self, request: Request, handler: Handler) -> Response:
        session = self.session(request)
        if session is None:
            return RedirectResponse("/console/sign-in", status_code=303, headers=HEADERS)
        try:
            return await handler(session)
        except HTTPException as exc:
            return self.problem(request, session, _desk_refusal(exc))
        except Refusal as refusal:
            return self.problem(request, session, refusal)

    async def act(self, request: Request, action: Action) -> Response:
        session = self.session(request)
        if session is None:
            return RedirectResponse("/console/sign-in", status_code=303, headers=HEADERS)
        try:
            if not same_origin(request):
                raise Refusal(403, BAD_FORM)
            form = await read_form(request)
            if not csrf_valid(session, self.settings, form.get("csrf")):
                raise Refusal(403, BAD_FORM)
            to, flash = await action(session, form)
        except HTTPException as exc:
            return self.problem(request, session, _desk_refusal(exc))
        except ValidationError as exc:
            return self.problem(request, session, _invalid(exc))
        except Refusal as refusal:
            return self.problem(request, session, refusal)
        return self.back(to, flash)

    # ------------------------------------------------------------------ sign-in, sign-out

    async def sign_in_form(self, request: Request) -> Response:
        session = self.session(request)
        if session is not None:
            return RedirectResponse(self.landing(session), status_code=303, headers=HEADERS)
        return self.render("sign_in.html.j2", request, None, error=None)

    async def sign_in(self, request: Request) -> Response:
        try:
            if not same_origin(request):
                raise Refusal(403, BAD_FORM)
            form = await read_form(request)
            principal, expires_at = staff_principal(form.get("token", ""), self.settings)
            await self.desk.sign_in(principal, CHANNEL)
        except SignInRefused as refused:
            return self.render("sign_in.html.j2", request, None, refused.status, error=refused.text)
        except HTTPException as exc:
            return self.problem(request, None, _desk_refusal(exc))
        except Refusal as refusal:
            return self.problem(request, None, refusal)
        value, session = open_session(principal, expires_at, self.settings)
        response = RedirectResponse(self.landing(session), status_code=303, headers=HEADERS)
        lifetime = int((session.expires_at - datetime.now(UTC)).total_seconds())
        self._cookie(response, COOKIE, value, max(lifetime, 0))
        return response

    async def sign_out(self, request: Request) -> Response:
        async def signed_out(session: Session, form: dict[str, str]) -> tuple[str, str]:
            return "/console/sign-in", "signed-out"

        response = await self.act(request, signed_out)
        if response.status_code == 303:
            response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    # ------------------------------------------------------------------ pages

    async def queue_page(self, request: Request) -> Response:
        async def show(session: Session) -> Response:
            if not session.principal.roles & {SAFETY, MODERATOR}:
                return RedirectResponse(self.landing(session), status_code=303, headers=HEADERS)
            view = await self.desk.queue(session.principal, CHANNEL)
            return self.render(
                "queue.html.j2", request, session, entries=view.entries, digest=view.digest()
            )

        return await self.page(request, show)

    async def queue_fragment(self, request: Request) -> Response:
        async def show(session: Session) -> Response:
            view = await self.desk.queue(session.principal, CHANNEL)
            return self.render(
                "_queue.html.j2", request, session, fragment=True, entries=view.entries
            )

        return await self.page(request, show)

    async def queue_digest(self, request: Request) -> Response:
        """What the queue's script polls: a digest, no data (so no audit record per poll)."""
        session = self.session(request)
        if session is None:
            return Response(status_code=401, headers=HEADERS)
        try:
            digest = await self.desk.queue_digest(session.principal)
        except HTTPException as exc:
            return Response(status_code=exc.status_code, headers=HEADERS)
        return Response(digest, media_type="text/plain", headers=HEADERS)

    async def alert_page(self, request: Request, alert_id: str) -> Response:
        async def show(session: Session) -> Response:
            detail = await self.desk.alert(session.principal, _id(alert_id, "alert"), CHANNEL)
            episode = detail.recent.episode
            last_alert_id = (
                episode.alert_ids[-1]
                if episode is not None
                and episode.episode_id == detail.alert.episode_id
                and episode.alert_ids
                else None
            )
            return self.render(
                "alert.html.j2",
                request,
                session,
                alert=detail.alert,
                checkin=detail.checkin,
                recent=detail.recent,
                last_alert_id=last_alert_id,
            )

        return await self.page(request, show)

    async def item_page(self, request: Request, item_id: str) -> Response:
        async def show(session: Session) -> Response:
            item = await self.desk.item(session.principal, _id(item_id, "item"), CHANNEL)
            return self.render("item.html.j2", request, session, item=item, outcomes=list(Outcome))

        return await self.page(request, show)

    async def moderation_page(self, request: Request) -> Response:
        async def show(session: Session) -> Response:
            listed = await self.desk.items(session.principal, Queue.MODERATION, "open", CHANNEL)
            return self.render(
                "moderation.html.j2",
                request,
                session,
                items=listed.items,
                actions=list(ModerationAction),
            )

        return await self.page(request, show)

    async def supporters_page(self, request: Request) -> Response:
        async def show(session: Session) -> Response:
            roster = await self.desk.roster(session.principal, CHANNEL)
            return self.render("supporters.html.j2", request, session, supporters=roster.supporters)

        return await self.page(request, show)

    async def audit_page(
        self, request: Request, member_id: str = "", staff_id: str = ""
    ) -> Response:
        async def show(session: Session) -> Response:
            member = _id(member_id, "member") if member_id else None
            staff = _id(staff_id, "staff member") if staff_id else None
            trail = await self.desk.audit(
                session.principal, CHANNEL, member_id=member, staff_id=staff
            )
            return self.render(
                "audit.html.j2",
                request,
                session,
                entries=trail.entries,
                member_id=member or "",
                staff_id=staff or "",
            )

        return await self.page(request, show)

    # ------------------------------------------------------------------ actions

    async def acknowledge(self, request: Request, alert_id: str) -> Response:
        async def act(session: Session, form: dict[str, str]) -> tuple[str, str]:
            alert = _id(alert_id, "alert")
            member = _id(form.get("member_id"), "member")
            await self.desk.acknowledge(session.principal, member, alert, CHANNEL)
            return f"/console/alerts/{alert}", "acknowledged"

        return await self.act(request, act)

    async def close_episode(self, request: Request, alert_id: str) -> Response:
        async def act(session: Session, form: dict[str, str]) -> tuple[str, str]:
            alert = _id(alert_id, "alert")
            member = _id(form.get("member_id"), "member")
            closure = EpisodeClosure(
                reason=form.get("reason", "").strip(),
                episode_id=form.get("episode_id", ""),
                last_alert_id=form.get("last_alert_id", ""),
            )
            await self.desk.close_episode(session.principal, member, closure, CHANNEL)
            return f"/console/alerts/{alert}", "close-requested"

        return await self.act(request, act)

    async def case_step(self, request: Request, case_kind: str, case_id: str) -> Response:
        async def act(session: Session, form: dict[str, str]) -> tuple[str, str]:
            try:
                kind = CaseKind(case_kind)
            except ValueError:
                raise Refusal(404, "No such kind of case.") from None
            case = _id(case_id, kind.value)
            step = CaseStep.model_validate(
                {
                    "action": form.get("action", ""),
                    "outcome": form.get("outcome") or None,
                    "note": form.get("note", "").strip(),
                }
            )
            await self.desk.case_step(session.principal, kind, case, step, CHANNEL)
            page = "alerts" if kind is CaseKind.ALERT else "items"
            return f"/console/{page}/{case}", step.action.value

        return await self.act(request, act)

    async def moderate(self, request: Request, member_id: str) -> Response:
        async def act(session: Session, form: dict[str, str]) -> tuple[str, str]:
            member = _id(member_id, "member")
            moderation = Moderation.model_validate(
                {
                    "action": form.get("action", ""),
                    "report_id": form.get("report_id") or None,
                    "note": form.get("note", "").strip(),
                }
            )
            await self.desk.moderate(session.principal, member, moderation, CHANNEL)
            return "/console/moderation", "moderated"

        return await self.act(request, act)

    async def grant_role(self, request: Request) -> Response:
        """The role for a member not on the roster yet: the member id comes in the form."""
        return await self.set_role(request, None)

    async def set_role(self, request: Request, member_id: str | None) -> Response:
        async def act(session: Session, form: dict[str, str]) -> tuple[str, str]:
            if member_id is None:
                typed = form.get("member_id", "").strip()
                if not ID.match(typed):
                    raise Refusal(422, "Member id: letters, digits, '.', '_' and '-' only.")
            member = _id(member_id, "member") if member_id is not None else typed
            role = SupporterRole(
                granted=_flag(form.get("granted")),
                minors_cleared=form.get("minors_cleared") == "true",
                note=form.get("note", "").strip(),
            )
            await self.desk.set_supporter_role(session.principal, member, role, CHANNEL)
            return "/console/supporters", "role-set"

        return await self.act(request, act)

    async def set_pause(self, request: Request, member_id: str) -> Response:
        async def act(session: Session, form: dict[str, str]) -> tuple[str, str]:
            member = _id(member_id, "member")
            pause = SupporterPause(
                paused=_flag(form.get("paused")), note=form.get("note", "").strip()
            )
            await self.desk.pause_supporter(session.principal, member, pause, CHANNEL)
            return "/console/supporters", "pause-set"

        return await self.act(request, act)

    async def static(self, name: str) -> Response:
        if name not in STATIC:
            return Response(status_code=404, headers=HEADERS)
        # Short-lived: a new release's script and styles reach open consoles within minutes.
        headers = {**HEADERS, "Cache-Control": "max-age=300"}
        return Response(_static(name), media_type=STATIC[name], headers=headers)


def _flag(value: str | None) -> bool:
    if value not in {"true", "false"}:
        raise Refusal(422, "The form's button did not say which way to set it.")
    return value == "true"


def console_router(desk: Desk, settings: GatewaySettings) -> APIRouter:
    """The console's routes (HTML, not part of the JSON API's OpenAPI)."""
    console = Console(desk, settings)
    router = APIRouter(prefix="/console", include_in_schema=False)
    get, post = ["GET"], ["POST"]
    routes: list[tuple[str, Callable[..., Awaitable[Response]], list[str]]] = [
        ("", console.queue_page, get),
        ("/queue.html", console.queue_fragment, get),
        ("/queue.digest", console.queue_digest, get),
        ("/sign-in", console.sign_in_form, get),
        ("/sign-in", console.sign_in, post),
        ("/sign-out", console.sign_out, post),
        ("/alerts/{alert_id}", console.alert_page, get),
        ("/alerts/{alert_id}/acknowledge", console.acknowledge, post),
        ("/alerts/{alert_id}/close", console.close_episode, post),
        ("/cases/{case_kind}/{case_id}/steps", console.case_step, post),
        ("/items/{item_id}", console.item_page, get),
        ("/moderation", console.moderation_page, get),
        ("/moderation/{member_id}", console.moderate, post),
        ("/supporters", console.supporters_page, get),
        ("/supporters/role", console.grant_role, post),
        ("/supporters/{member_id}/role", console.set_role, post),
        ("/supporters/{member_id}/pause", console.set_pause, post),
        ("/audit", console.audit_page, get),
        ("/static/{name}", console.static, get),
    ]
    for path, endpoint, methods in routes:
        router.add_api_route(path, endpoint, methods=methods, response_class=HTMLResponse)
    return router
