"""The staff's JSON routes: /v1/staff/... and the safety staff's /v1/safety/... writes.

Each route reads its path, query and body, then calls the desk (`staff.py`), which checks the
role, refuses one's own case, records the audit and reads or publishes.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from pydantic import ValidationError

from kindred.events.casework import CaseKind, CaseStep, Moderation, SupporterPause
from kindred.events.matching import SupporterRole
from kindred.events.notifications import SafetyAlertAckRequestedData
from kindred.gateway.accepted import Accepted
from kindred.gateway.auth import SAFETY_STAFF, CurrentPrincipal, require_role
from kindred.gateway.errors import FieldProblem, error_body
from kindred.gateway.internal import Unreachable
from kindred.gateway.limits import JsonBodyRoute
from kindred.gateway.routes import (
    AUTH_ERRORS,
    CODE_NOT_FOUND,
    CODE_PROBLEM,
    RETRY_AFTER_HEADER,
    WRITE_ERRORS,
    AckCode,
    EpisodeClosure,
    IdPath,
    MemberPath,
    documented_error,
    lookup_unavailable,
    refuse_own_safety_data,
)
from kindred.gateway.staff import AlertDetail, MemberSafetyView, StaffDesk
from kindred.safety.pagelinks import CODE_LENGTH, normalize_code
from kindred.staff_views import (
    AlertList,
    AuditTrail,
    ItemList,
    Queue,
    QueueView,
    ReviewItem,
    Roster,
)

CasePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")]
MemberQuery = Annotated[
    str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{1,64}$", description="Only this member's")
]
StaffQuery = Annotated[
    str | None, Query(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$", description="Only this staff member's")
]

_UNAVAILABLE = documented_error(
    "Kafka did not confirm the audit record in time (nothing is shown or done) or the action "
    "(it may be recorded late), or a service the request reads does not answer",
    headers=RETRY_AFTER_HEADER,
)


def _errors(
    role: str, *, body: bool = False, extra: dict[int | str, dict[str, Any]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """A staff route's documented errors: its role's 403, the audit's 503, and `extra`."""
    return {
        **(WRITE_ERRORS if body else AUTH_ERRORS),
        403: documented_error(role),
        503: _UNAVAILABLE,
        **(extra or {}),
    }


SAFETY_ONLY = "The token does not carry the safety-staff role"
SAFETY_OWN = (
    "The token does not carry the safety-staff role, or its holder is the member concerned "
    "(nobody acts on, or views, their own safety data)"
)
QUEUE_ROLE = "The token carries neither the safety-staff nor the moderator role"
ITEMS_ROLE = "The token does not carry the role of the queue: safety-staff, or moderator"
ITEM_ROLE = (
    "The token does not carry the role of the item's queue (safety-staff or moderator), or its "
    "holder is the item's member"
)
MODERATOR_OWN = "The token does not carry the moderator role, or its holder is the member"
ADMIN_ROLE = "The token does not carry the supporter-admin role"
ADMIN_OWN = "The token does not carry the supporter-admin role, or its holder is the member"
OPERATOR_ROLE = "The token does not carry the operator role"


def the_desk(request: Request) -> StaffDesk:
    desk: StaffDesk = request.app.state.desk
    return desk


Desk = Annotated[StaffDesk, Depends(the_desk)]
Endpoint = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class StaffRoute:
    """One staff route: the function's docstring is its description in the OpenAPI document."""

    path: str  # under /v1
    method: str
    responses: dict[int | str, dict[str, Any]]
    endpoint: Endpoint
    tags: tuple[str, ...]


ROUTES: list[StaffRoute] = []


def route(
    path: str,
    method: str,
    responses: dict[int | str, dict[str, Any]],
    tags: tuple[str, ...] = (),
) -> Callable[[Endpoint], Endpoint]:
    def register(endpoint: Endpoint) -> Endpoint:
        ROUTES.append(StaffRoute(path, method, responses, endpoint, tags))
        return endpoint

    return register


def staff_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["staff"], route_class=JsonBodyRoute)
    for r in ROUTES:
        router.add_api_route(
            r.path,
            r.endpoint,
            methods=[r.method],
            status_code=200 if r.method == "GET" else 202,
            responses=r.responses,
            tags=list(r.tags),
            name=r.endpoint.__name__,
            description=inspect.cleandoc(r.endpoint.__doc__ or ""),
        )
    return router


# ----------------------------------------------------------------------------- views


@route("/staff/queue", "GET", _errors(QUEUE_ROLE))
async def read_queue(desk: Desk, principal: CurrentPrincipal) -> QueueView:
    """The live queue (roles `safety-staff`: the safety queue, `moderator`: the moderation
    queue): unacknowledged or open alerts and open or claimed review items, by urgency then
    age, with each alert's acknowledgement deadline. One's own cases are left out. Audited."""
    return await desk.queue(principal, "api")


@route("/staff/alerts", "GET", _errors(SAFETY_ONLY))
async def read_alerts(
    desk: Desk, principal: CurrentPrincipal, state: Literal["open", "recent"] = "open"
) -> AlertList:
    """Safety alerts (role `safety-staff`): `open` (not yet acknowledged, or the episode still
    open) or `recent`, with trigger, severity, pages, deadline and history. Audited."""
    return await desk.alerts(principal, state, "api")


@route(
    "/staff/alerts/{alert_id}",
    "GET",
    _errors(SAFETY_OWN, extra={404: documented_error("No such alert")}),
)
async def read_alert(desk: Desk, alert_id: IdPath, principal: CurrentPrincipal) -> AlertDetail:
    """One alert (role `safety-staff`, never one's own), with the check-in that fired it
    (answers and note) and the member's recent check-ins, trend and episode. Audited as a view
    of the member's safety data."""
    return await desk.alert(principal, alert_id, "api")


@route("/staff/members/{member_id}/safety", "GET", _errors(SAFETY_OWN))
async def read_member_safety(
    desk: Desk, member_id: MemberPath, principal: CurrentPrincipal
) -> MemberSafetyView:
    """A member's safety record (role `safety-staff`, never one's own): their alerts, the review
    items of the queues the caller's roles open, and their recent check-ins. Audited."""
    return await desk.member_safety(principal, member_id, "api")


@route("/staff/items", "GET", _errors(ITEMS_ROLE))
async def read_items(
    desk: Desk,
    principal: CurrentPrincipal,
    queue: Queue,
    status: Literal["open", "resolved"] = "open",
) -> ItemList:
    """Review items of one queue: `safety` (role `safety-staff`) or `moderation` (role
    `moderator`: reports, with the reporter's text). One's own items are left out. Audited."""
    return await desk.items(principal, queue, status, "api")


@route(
    "/staff/items/{item_id}",
    "GET",
    _errors(ITEM_ROLE, extra={404: documented_error("No such review item")}),
)
async def read_item(desk: Desk, item_id: CasePath, principal: CurrentPrincipal) -> ReviewItem:
    """One review item (the role of its queue, never one's own), with its notes, history and,
    for a report, the report. Audited."""
    return await desk.item(principal, item_id, "api")


@route("/staff/supporters", "GET", _errors(ADMIN_ROLE))
async def read_roster(desk: Desk, principal: CurrentPrincipal) -> Roster:
    """The supporter roster (role `supporter-admin`): each supporter's standing (who granted,
    withdrew, paused or suspended what, when and why), load and recent matches. Audited."""
    return await desk.roster(principal, "api")


@route("/staff/audit", "GET", _errors(OPERATOR_ROLE))
async def read_audit(
    desk: Desk,
    principal: CurrentPrincipal,
    member_id: MemberQuery = None,
    staff_id: StaffQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditTrail:
    """The audit trail (role `operator`), newest first: who saw or did what, when, why (the
    purpose), on which member and case; never answers or free text. This read is audited too."""
    return await desk.audit(principal, "api", member_id, staff_id, limit)


# ----------------------------------------------------------------------------- actions

CASE_ERRORS = _errors(
    "The token does not carry the role of the case (safety-staff for an alert or a safety "
    "item, moderator for a moderation item), or its holder is the case's member",
    body=True,
    extra={
        404: documented_error("No such alert or review item"),
        409: documented_error(
            "The item is resolved, or claimed by someone else; or `resolve` on an alert"
        ),
    },
)


@route("/staff/cases/{case_kind}/{case_id}/actions", "POST", CASE_ERRORS)
async def act_on_case(
    desk: Desk,
    case_kind: CaseKind,
    case_id: CasePath,
    body: CaseStep,
    principal: CurrentPrincipal,
) -> Accepted:
    """One step on a case: claim, release, note, or (a review item) resolve with an outcome.
    An alert is claimed and noted here; it is acknowledged and its episode closed by their own
    routes. Audited, then published for the casework service."""
    return await desk.case_step(principal, case_kind, case_id, body, "api")


@route("/staff/members/{member_id}/moderation", "POST", _errors(MODERATOR_OWN, body=True))
async def moderate_member(
    desk: Desk, member_id: MemberPath, body: Moderation, principal: CurrentPrincipal
) -> Accepted:
    """Act on a member (role `moderator`, never oneself): hide, warn, suspend from matching or
    supporting, restore, or dismiss a report (with a note). Matching honours suspensions; the
    member is told in their inbox. Audited."""
    return await desk.moderate(principal, member_id, body, "api")


@route(
    "/staff/supporters/{member_id}/pause",
    "PUT",
    _errors(ADMIN_OWN, body=True, extra={404: documented_error("The member is not in the roster")}),
)
async def pause_supporter(
    desk: Desk, member_id: MemberPath, body: SupporterPause, principal: CurrentPrincipal
) -> Accepted:
    """Pause (or resume) a supporter (role `supporter-admin`, never oneself): while paused,
    they are proposed no new matches. Audited."""
    return await desk.pause_supporter(principal, member_id, body, "api")


@route("/staff/supporters/{member_id}", "PUT", _errors(ADMIN_OWN, body=True))
async def set_supporter_role(
    desk: Desk, member_id: MemberPath, body: SupporterRole, principal: CurrentPrincipal
) -> Accepted:
    """Grant or withdraw a member's supporter role (role `supporter-admin`, never one's own):
    only members granted it, whose profile offers support, are ever proposed as supporters.
    Audited."""
    return await desk.set_supporter_role(principal, member_id, body, "api")


@route(
    "/safety/members/{member_id}/episode/close",
    "POST",
    _errors(SAFETY_OWN, body=True),
    tags=("safety staff",),
)
async def close_episode(
    desk: Desk, member_id: MemberPath, body: EpisodeClosure, principal: CurrentPrincipal
) -> Accepted:
    """Close a member's open safety episode (role `safety-staff`, never on one's own): the
    member can be matched with peers again. The body names the episode and the last of its
    alerts the staff member reviewed; the check-ins service refuses the close when the episode
    is another one or a newer alert exists. Audited, and recorded with who closed it and
    why."""
    return await desk.close_episode(principal, member_id, body, "api")


@route(
    "/safety/members/{member_id}/alerts/{alert_id}/ack",
    "POST",
    _errors(
        SAFETY_OWN,
        extra={404: documented_error("The alert is unknown, or is not an alert of the member")},
    ),
    tags=("safety staff",),
)
async def acknowledge_alert(
    desk: Desk, member_id: MemberPath, alert_id: IdPath, principal: CurrentPrincipal
) -> Accepted:
    """Acknowledge a safety alert (role `safety-staff`, never on one's own): its escalation
    stops paging the on-call chain. The alert must be the member's (404 otherwise); it is
    looked up in the notifications service first (503 when that cannot be done). Audited, and
    recorded with who and when; a second acknowledgement changes nothing."""
    return await desk.acknowledge(principal, member_id, alert_id, "api")


@route(
    "/safety/acks",
    "POST",
    _errors(
        "The token does not carry the safety-staff role, or its holder is the alert's member",
        body=True,
        extra={404: documented_error("No page has this code")},
    ),
    tags=("safety staff",),
)
async def acknowledge_by_code(desk: Desk, body: AckCode, principal: CurrentPrincipal) -> Accepted:
    """Acknowledge the alert of a page by the short code it carries (role `safety-staff`, never
    an alert of one's own): for channels where the page's link is awkward. The code is read as
    typed: case, dashes and spaces do not matter. Audited."""
    require_role(principal, SAFETY_STAFF)
    code = normalize_code(body.code)
    if len(code) != CODE_LENGTH or not code.isalnum() or not code.isascii():
        problem = FieldProblem(field="code", problem=CODE_PROBLEM)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=error_body(422, f"code: {CODE_PROBLEM}", [problem]),
        )
    try:
        page = await desk.publishing.notifications.page_by_code(code)
    except Unreachable:
        raise lookup_unavailable() from None
    if page is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=error_body(404, CODE_NOT_FOUND))
    if page.member_id == principal.member_id:
        raise refuse_own_safety_data()
    try:  # notifications answered ids no alert has
        SafetyAlertAckRequestedData(
            alert_id=page.alert_id, member_id=page.member_id, staff_id="-", via="code"
        )
    except ValidationError:
        raise lookup_unavailable() from None
    return await desk.acknowledge(principal, page.member_id, page.alert_id, "api", via="code")
