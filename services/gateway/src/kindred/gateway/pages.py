"""A page's signed link: `GET /v1/pages/{token}` shows a confirmation, `POST` acknowledges.

The token is the credential (no bearer token: the person paged opens it from an SMS, an email or
a push on any device). GET never acts, so a mail scanner or a link preview fetching it changes
nothing; only the confirmation form's POST publishes the acknowledgement. Both verify the token
(kindred.safety.pagelinks, KINDRED_PAGE_LINK_SECRET), refuse a page whose staff member is the
alert's member, and check with the notifications service that the alert exists and is the token's
member's. The pages show ids, severity and times, never what the member wrote, and are neither
cached nor referred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from kindred.events.notifications import SafetyAlertAckRequested, SafetyAlertAckRequestedData
from kindred.gateway.errors import ErrorBody, error_body
from kindred.gateway.internal import AlertView, Unreachable
from kindred.gateway.routes import SOURCE, Publishing
from kindred.safety.pagelinks import InvalidPageToken, PageClaim, verify

# Every answer of these routes, errors included.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
# A token is a short JWT; anything far longer is not one (422, not worth verifying).
MAX_TOKEN_CHARS = 2048
TokenPath = Annotated[str, Path(max_length=MAX_TOKEN_CHARS, description="The page's token")]
# Before any expiry a token can carry: verifying at this instant tells "expired" from "forged".
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class PageAcknowledged(BaseModel):
    """The JSON answer of `POST /v1/pages/{token}` (sent with `Accept: application/json`)."""

    alert_id: str
    already_acknowledged: bool = Field(
        description="True: the alert was acknowledged before (by `acknowledged_by`, at "
        "`acknowledged_at`) and nothing was published"
    )
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    event_id: str | None = Field(
        default=None, description="The acknowledgement published, when this request made one"
    )


@dataclass(frozen=True)
class Problem:
    """An answer other than the confirmation: its status, a heading and what to do."""

    status: int
    heading: str
    detail: str
    headers: dict[str, str] | None = None


class Refused(Exception):
    """The request stops with this problem's page."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.heading)
        self.problem = problem


INVALID = Problem(
    404,
    "This link is not valid",
    "It is not a link Kindred sent, or it was copied incompletely. Open the link from the page "
    "again, or acknowledge with the page's code in the staff console.",
)
EXPIRED = Problem(
    410,
    "This link has expired",
    "Links in pages work for a limited time. Acknowledge with the page's code in the staff "
    "console, or with a newer page's link.",
)
OWN = Problem(
    403,
    "You cannot acknowledge this alert",
    "Nobody acts on their own safety data: another member of the safety staff must.",
)
UNKNOWN = Problem(404, "No such alert", "The alert this link names is not known.")
UNAVAILABLE = Problem(
    503,
    "Try again in a moment",
    "The alert cannot be checked right now, so nothing was acknowledged. Try again in a "
    "moment; if it goes on, acknowledge with the page's code.",
    {"Retry-After": "5"},
)
UNCONFIRMED = Problem(
    503,
    "Not confirmed",
    "The acknowledgement could not be confirmed in time; it may not have been recorded. Open "
    "the link again: if the alert shows as acknowledged, nothing more is needed.",
    {"Retry-After": "5"},
)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kindred.gateway", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["utc"] = _utc
    return env


def html(
    template: str, status_code: int, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    body = _templates().get_template(template).render(**context)
    return HTMLResponse(body, status_code=status_code, headers={**HEADERS, **(headers or {})})


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def claim_of(token: str, secret: str) -> PageClaim:
    try:
        return verify(token, secret)
    except InvalidPageToken:
        pass
    try:
        verify(token, secret, now=_EPOCH)
    except InvalidPageToken:
        raise Refused(INVALID) from None
    raise Refused(EXPIRED)  # signed by Kindred, but past its expiry


@dataclass(frozen=True)
class PageLinks:
    publishing: Publishing
    secret: str

    async def checked(self, token: str) -> tuple[PageClaim, AlertView]:
        """The token's claim and its alert (Refused: the problem that stops here)."""
        claim = claim_of(token, self.secret)
        if claim.staff_id == claim.member_id:
            raise Refused(OWN)
        try:
            alert = await self.publishing.notifications.alert(claim.alert_id)
        except Unreachable:
            raise Refused(UNAVAILABLE) from None
        if alert is None or alert.member_id != claim.member_id:
            raise Refused(UNKNOWN)
        return claim, alert

    async def show(self, token: str) -> Response:
        try:
            claim, alert = await self.checked(token)
        except Refused as refused:
            return self.problem(refused.problem, as_json=False)
        return html("confirm.html.j2", 200, alert=alert, staff_id=claim.staff_id)

    async def acknowledge(self, token: str, request: Request) -> Response:
        as_json = wants_json(request)
        try:
            claim, alert = await self.checked(token)
            if alert.acknowledged_at is not None:
                return self.done(claim, alert, as_json, event_id=None)
            try:
                data = SafetyAlertAckRequestedData(
                    alert_id=claim.alert_id,
                    member_id=claim.member_id,
                    staff_id=claim.staff_id,
                    via="link",
                    token_id=claim.page_id,
                )
            except ValidationError:  # ids no page of Kindred's carries
                raise Refused(INVALID) from None
            event = SafetyAlertAckRequested.new(subject=claim.member_id, source=SOURCE, data=data)
            try:
                accepted = await self.publishing.accept(event, claim.alert_id)
            except HTTPException:
                raise Refused(UNCONFIRMED) from None
        except Refused as refused:
            return self.problem(refused.problem, as_json)
        return self.done(claim, alert, as_json, event_id=accepted.event_id)

    def done(
        self, claim: PageClaim, alert: AlertView, as_json: bool, event_id: str | None
    ) -> Response:
        already = event_id is None
        if as_json:
            answer = PageAcknowledged(
                alert_id=alert.alert_id,
                already_acknowledged=already,
                acknowledged_by=alert.acknowledged_by if already else claim.staff_id,
                acknowledged_at=alert.acknowledged_at if already else None,
                event_id=event_id,
            )
            return JSONResponse(
                answer.model_dump(mode="json"),
                status_code=200 if already else 202,
                headers=HEADERS,
            )
        return html(
            "acknowledged.html.j2",
            200 if already else 202,
            alert=alert,
            staff_id=claim.staff_id,
            already=already,
        )

    def problem(self, problem: Problem, as_json: bool) -> Response:
        headers = {**HEADERS, **(problem.headers or {})}
        if as_json:
            body = error_body(problem.status, f"{problem.heading}. {problem.detail}")
            return JSONResponse(body, status_code=problem.status, headers=headers)
        return html(
            "problem.html.j2",
            problem.status,
            problem.headers,
            heading=problem.heading,
            detail=problem.detail,
        )


_HTML = {"text/html": {"schema": {"type": "string"}}}
_ERROR_REF = f"#/components/schemas/{ErrorBody.__name__}"


def _answers(
    description: str, *, html_only: bool = False, model: type[BaseModel] = ErrorBody
) -> dict[str, Any]:
    """A response that is an HTML page, or (unless `html_only`) JSON for a client asking
    for it."""
    if html_only:
        return {"description": description, "content": _HTML}
    return {"description": description, "model": model, "content": _HTML}


def _problems(html_only: bool) -> dict[int | str, dict[str, Any]]:
    return {
        # JSON whatever the route's class (the body every other route's 422 has too).
        422: {
            "description": "The token is far longer than a page's",
            "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
        },
        403: _answers("The person paged is the alert's member", html_only=html_only),
        404: _answers("The link is not valid, or its alert is not known", html_only=html_only),
        410: _answers("The link has expired", html_only=html_only),
        503: _answers(
            "The alert cannot be checked now, or Kafka did not confirm the acknowledgement",
            html_only=html_only,
        ),
    }


def page_router(publishing: Publishing, secret: str) -> APIRouter:
    links = PageLinks(publishing, secret)
    router = APIRouter(prefix="/v1", tags=["safety staff"])

    async def show_page(token: TokenPath) -> Response:
        return await links.show(token)

    async def acknowledge_page(token: TokenPath, request: Request) -> Response:
        return await links.acknowledge(token, request)

    router.add_api_route(
        "/pages/{token}",
        show_page,
        methods=["GET"],
        response_class=HTMLResponse,
        name="show_page",
        summary="Show a page's confirmation",
        description="The page link's confirmation (HTML): which alert, its severity and when it "
        "was raised, who is acknowledging, and a button that POSTs the acknowledgement. It "
        "never acknowledges by itself. The token in the path is the credential.",
        responses={200: _answers("The confirmation", html_only=True), **_problems(True)},
    )
    router.add_api_route(
        "/pages/{token}",
        acknowledge_page,
        methods=["POST"],
        status_code=202,
        name="acknowledge_page",
        summary="Acknowledge a page's alert",
        description="The confirmation form's POST (any body, form-encoded or none): acknowledges "
        "the alert for the person paged (202), or says it was already acknowledged (200, "
        "nothing published). HTML, or JSON with `Accept: application/json`.",
        responses={
            202: _answers("Acknowledged", model=PageAcknowledged),
            200: _answers("Already acknowledged: nothing changed", model=PageAcknowledged),
            **_problems(False),
        },
    )
    return router
