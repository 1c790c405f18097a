"""The members' HTTP API (v1). Each write is validated, published with acks=all, then answered 202.

Every member write route is one entry of `WRITES`: its path and body, the event it publishes, its
key and the id it answers with. `api_router` turns each entry into a route the same way; the
inbox read is its own. The staff's routes are in `staff_api.py` (through the desk, `staff.py`),
the page links' in `pages.py`.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from kindred.events.casework import Report, ReportFiled, ReportFiledData
from kindred.events.checkins import Checkin, CheckinSubmitted, CheckinSubmittedData
from kindred.events.envelope import Envelope, new_id
from kindred.events.matching import (
    Block,
    GroupActionRequested,
    GroupActionRequestedData,
    GroupJoin,
    MatchAction,
    MatchActionRequested,
    MatchActionRequestedData,
    MatchEnd,
    MemberBlocked,
    MemberBlockedData,
    SupportRequest,
    SupportRequested,
    SupportRequestedData,
)
from kindred.events.members import Profile, ProfileSubmitted, ProfileSubmittedData
from kindred.events.notifications import (
    InboxEntryRead,
    InboxEntryReadData,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationPreferences,
)
from kindred.events.schedules import CheckinSchedule, CheckinScheduleSet, CheckinScheduleSetData
from kindred.gateway.accepted import Accepted
from kindred.gateway.auth import (
    SAFETY_STAFF,
    CurrentPrincipal,
    Principal,
    require_self,
)
from kindred.gateway.errors import ErrorBody, error_body
from kindred.gateway.internal import Checkins, Notifications, Unreachable
from kindred.gateway.limits import JsonBodyRoute
from kindred.gateway.metrics import gateway_accepted, gateway_publish_seconds
from kindred.gateway.safety import CheckinAccepted, CheckinError, SafetyNotice, safety_notice
from kindred.internal_api import Inbox
from kindred.messaging.broker import EventPublisher
from kindred.observability.outages import outage
from kindred.safety.pagelinks import CODE_LENGTH
from kindred.safety.resources import ResourceTable

MemberPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
IdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9\-]{1,100}$")]  # an alert, match or group
EntryPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9:\-]{1,200}$")]
# The pattern each value in a route's path is checked against, by its name.
PATH_PARAMS = {
    "member_id": MemberPath,
    "match_id": IdPath,
    "group_id": IdPath,
    "alert_id": IdPath,
    "entry_id": EntryPath,
}
SOURCE = "kindred/gateway"


class EpisodeClosure(BaseModel):
    """The body of `POST /v1/safety/members/{id}/episode/close` (safety staff only)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    reason: str = Field(min_length=1, max_length=500, description="Why it can close (audit)")
    episode_id: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="The episode being closed: a close naming another episode is refused",
    )
    last_alert_id: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="The last of the episode's alerts the staff member reviewed: the close is "
        "refused when a newer alert exists",
    )


class AckCode(BaseModel):
    """The body of `POST /v1/safety/acks`: the short code of a page, as typed."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    code: str = Field(
        min_length=1,
        max_length=32,
        description="The page's 8-character code; case, dashes and spaces do not matter, and "
        "I, L, O, U are read as 1, 1, 0, V",
    )


# Kafka did not acknowledge in time. The record may still be written later (it can be on its
# way to the broker already), so the answer cannot promise it was not recorded.
UNCONFIRMED = (
    "the request could not be confirmed: Kafka did not acknowledge it in time. It may not "
    "have been recorded, or may be recorded late; check before sending it again"
)
RETRY_AFTER_SECONDS = 5
INBOX_UNAVAILABLE = "the inbox cannot be read now; try again in a moment"
LOOKUP_UNAVAILABLE = (
    "the alert cannot be looked up now (the notifications service does not answer); nothing "
    "was acknowledged: try again in a moment"
)
OWN_SAFETY_DATA = (
    "nobody acts on their own safety data: another member of the safety staff must do this"
)
ALERT_NOT_FOUND = "no alert {alert_id} for member {member_id}"
CODE_NOT_FOUND = "no page has this code: check it against the page"
CODE_PROBLEM = f"a page's code is {CODE_LENGTH} letters and digits"


def documented_error(description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description, **extra}


# The header a 503 carries, as documented.
RETRY_AFTER_HEADER = {
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: documented_error(
        "No bearer token, or one that is expired, forged or for another API",
        headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    403: documented_error("The token's member is not the member in the path"),
    422: documented_error("A path, query or body value is invalid; `fields` names each one"),
}
# The real answers of each route besides its success (the error body is always `ErrorBody`).
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **AUTH_ERRORS,
    400: documented_error("The body cannot be read as text (it is not UTF-8)"),
    413: documented_error("The body is larger than MAX_BODY_BYTES"),
    415: documented_error("The body is not sent as application/json"),
    503: documented_error("Kafka did not confirm the request in time", headers=RETRY_AFTER_HEADER),
}
CHECKIN_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    422: {
        "model": CheckinError,
        "description": "A value is invalid; `fields` names each one. Nothing is recorded; "
        "`safety` carries the crisis resources if what could be read fired a rule",
    },
    503: {
        "model": CheckinError,
        "description": "Kafka did not confirm the check-in in time; `safety` still carries "
        "the crisis resources if a rule fired",
        "headers": RETRY_AFTER_HEADER,
    },
}
BLOCK_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    409: documented_error("`blocked_id` is the member themselves"),
}
REPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    409: documented_error("`reported_id` is the member themselves"),
}
# A write with no body: the errors of a write but those about reading a body.
ACK_ERRORS_MEMBER: dict[int | str, dict[str, Any]] = {
    **AUTH_ERRORS,
    503: documented_error("Kafka did not confirm the request in time", headers=RETRY_AFTER_HEADER),
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **AUTH_ERRORS,
    503: documented_error("The notifications service cannot be reached now"),
}

B = TypeVar("B", bound=BaseModel | None)
D = TypeVar("D", bound=BaseModel)

# The body of a route that takes none.
NO_BODY = type(None)
SELF_BLOCK = "blocked_id: a member cannot block themselves"
SELF_REPORT = "reported_id: a member cannot report themselves"


@dataclass(frozen=True)
class Call(Generic[B]):
    """One authenticated request to a write route: its path values, body and caller."""

    path: dict[str, str]
    body: B
    principal: Principal

    @property
    def member_id(self) -> str:
        return self.path["member_id"]


@dataclass(frozen=True)
class Write(Generic[B, D]):
    """A member's write route: only the member in its path calls it; it publishes one event,
    keyed by that member unless `subject` says otherwise, and answers 202."""

    name: str  # the operation's name in the OpenAPI document (its id and summary)
    method: str
    path: str  # under /v1; each value in it is checked against PATH_PARAMS
    body: type[B]
    event: type[Envelope[D]]
    data: Callable[[Call[B]], D]
    resource_id: Callable[[D], str | None]  # answered as `resource_id`
    responses: dict[int | str, dict[str, Any]]
    tags: tuple[str, ...] = ()
    doc: str = ""
    # The text of a 409 for a request that contradicts itself, checked after who may call.
    conflict: Callable[[Call[B]], str | None] | None = None
    # The answer carries the check-in's safety notice (CheckinAccepted), and so does its 503.
    with_safety_notice: bool = False
    # The event's subject (its Kafka key) when it is not the member in the path.
    subject: Callable[[Call[B]], str] | None = None


async def alert_of_member(call: Call[Any], notifications: Notifications) -> None:
    """404 unless the alert in the path exists and is the member's; 503 when it cannot be
    looked up (never an unchecked 202)."""
    alert_id = call.path["alert_id"]
    try:
        alert = await notifications.alert(alert_id)
    except Unreachable:
        raise lookup_unavailable() from None
    if alert is None or alert.member_id != call.member_id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=error_body(
                404, ALERT_NOT_FOUND.format(alert_id=alert_id, member_id=call.member_id)
            ),
        )


def lookup_unavailable() -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail=error_body(503, LOOKUP_UNAVAILABLE),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def refuse_own_safety_data() -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=error_body(403, OWN_SAFETY_DATA))


WRITES = (
    Write(
        name="submit_profile",
        method="PUT",
        path="/members/{member_id}/profile",
        body=Profile,
        event=ProfileSubmitted,
        data=lambda c: ProfileSubmittedData(member_id=c.member_id, **c.body.model_dump()),
        resource_id=lambda d: d.member_id,
        responses=WRITE_ERRORS,
    ),
    Write(
        name="request_support",
        method="POST",
        path="/members/{member_id}/support-requests",
        body=SupportRequest,
        event=SupportRequested,
        data=lambda c: SupportRequestedData(
            request_id=new_id(), seeker_id=c.member_id, **c.body.model_dump()
        ),
        resource_id=lambda d: d.request_id,
        responses=WRITE_ERRORS,
    ),
    Write(
        name="accept_match",
        method="POST",
        path="/members/{member_id}/matches/{match_id}/accept",
        body=NO_BODY,
        event=MatchActionRequested,
        data=lambda c: MatchActionRequestedData(
            match_id=c.path["match_id"], member_id=c.member_id, action=MatchAction.ACCEPT
        ),
        resource_id=lambda d: d.match_id,
        responses=ACK_ERRORS_MEMBER,
        tags=("matches",),
        doc="""The supporter accepts a proposed match (its id is in the proposal, in their inbox):
        the match becomes active. A second accept changes nothing; an accept after the
        proposal expired or by anyone but its supporter is refused by matching (logged).""",
    ),
    Write(
        name="decline_match",
        method="POST",
        path="/members/{member_id}/matches/{match_id}/decline",
        body=NO_BODY,
        event=MatchActionRequested,
        data=lambda c: MatchActionRequestedData(
            match_id=c.path["match_id"], member_id=c.member_id, action=MatchAction.DECLINE
        ),
        resource_id=lambda d: d.match_id,
        responses=ACK_ERRORS_MEMBER,
        tags=("matches",),
        doc="""Decline a proposed match. By the supporter: the slot is freed and the request is
        proposed to the next best supporter. By the seeker: the request is closed.""",
    ),
    Write(
        name="end_match",
        method="POST",
        path="/members/{member_id}/matches/{match_id}/end",
        body=MatchEnd,
        event=MatchActionRequested,
        data=lambda c: MatchActionRequestedData(
            match_id=c.path["match_id"], member_id=c.member_id, action=MatchAction.END, end=c.body
        ),
        resource_id=lambda d: d.match_id,
        responses=WRITE_ERRORS,
        tags=("matches",),
        doc="""End an active match (either member), with a reason, an optional rating and
        feedback. `report: true` reports the other member: the pair is never matched again.""",
    ),
    Write(
        name="block_member",
        method="POST",
        path="/members/{member_id}/blocks",
        body=Block,
        event=MemberBlocked,
        data=lambda c: MemberBlockedData(member_id=c.member_id, **c.body.model_dump()),
        resource_id=lambda d: d.blocked_id,
        responses=BLOCK_ERRORS,
        tags=("matches",),
        doc="""Block another member, for good or `until` a time: the two are never matched or put
        in one peer group while it lasts; a live match between them ends.""",
        conflict=lambda c: SELF_BLOCK if c.body.blocked_id == c.member_id else None,
    ),
    Write(
        name="report_member",
        method="POST",
        path="/members/{member_id}/reports",
        body=Report,
        event=ReportFiled,
        data=lambda c: ReportFiledData(
            report_id=new_id(),
            reporter_id=c.member_id,
            filed_at=datetime.now(UTC),
            **c.body.model_dump(),
        ),
        resource_id=lambda d: d.report_id,
        responses=REPORT_ERRORS,
        tags=("reports",),
        doc="""Report another member (a match, a peer group's member or a message), with a
        reason from the list and, optionally, what happened: the report reaches the
        moderators' queue. `resource_id` is the report's id.""",
        conflict=lambda c: SELF_REPORT if c.body.reported_id == c.member_id else None,
        # Keyed by the reported member: their partition in casework holds the report.
        subject=lambda c: c.body.reported_id,
    ),
    Write(
        name="join_group",
        method="POST",
        path="/members/{member_id}/groups",
        body=GroupJoin,
        event=GroupActionRequested,
        data=lambda c: GroupActionRequestedData(
            member_id=c.member_id, action="join", **c.body.model_dump()
        ),
        resource_id=lambda d: None,
        responses=WRITE_ERRORS,
        tags=("groups",),
        doc="""Join a small peer group on a topic, in a language: matching places the member in
        the fullest group that fits (same rules as a match), or starts one.""",
    ),
    Write(
        name="leave_group",
        method="POST",
        path="/members/{member_id}/groups/{group_id}/leave",
        body=NO_BODY,
        event=GroupActionRequested,
        data=lambda c: GroupActionRequestedData(
            member_id=c.member_id, action="leave", group_id=c.path["group_id"]
        ),
        resource_id=lambda d: d.group_id,
        responses=ACK_ERRORS_MEMBER,
        tags=("groups",),
        doc="Leave a peer group.",
    ),
    Write(
        name="submit_checkin",
        method="POST",
        path="/members/{member_id}/checkins",
        body=Checkin,
        event=CheckinSubmitted,
        data=lambda c: CheckinSubmittedData(
            checkin_id=new_id(), member_id=c.member_id, **c.body.model_dump()
        ),
        resource_id=lambda d: d.checkin_id,
        responses=CHECKIN_ERRORS,
        with_safety_notice=True,
    ),
    Write(
        name="set_checkin_schedule",
        method="PUT",
        path="/members/{member_id}/checkin-schedule",
        body=CheckinSchedule,
        event=CheckinScheduleSet,
        data=lambda c: CheckinScheduleSetData(member_id=c.member_id, **c.body.model_dump()),
        resource_id=lambda d: d.member_id,
        responses=WRITE_ERRORS,
        doc="""Set, change or disable the member's check-in schedule: a local time of day in their
        time zone, on the days chosen (every day by default), at most once a day.""",
    ),
    Write(
        name="set_notification_preferences",
        method="PUT",
        path="/members/{member_id}/notification-preferences",
        body=NotificationPreferences,
        event=MemberNotificationPreferencesSet,
        data=lambda c: MemberNotificationPreferencesSetData(
            member_id=c.member_id, **c.body.model_dump()
        ),
        resource_id=lambda d: d.member_id,
        responses=WRITE_ERRORS,
        doc="""Replace the member's notification preferences: channels per category, consents,
        locale, time zone, quiet hours, pacing. Safety pages to staff ignore all of them.""",
    ),
    Write(
        name="mark_read",
        method="POST",
        path="/members/{member_id}/inbox/{entry_id}/read",
        body=NO_BODY,
        event=InboxEntryRead,
        data=lambda c: InboxEntryReadData(
            member_id=c.member_id, entry_id=c.path["entry_id"], read_at=datetime.now(UTC)
        ),
        resource_id=lambda d: d.entry_id,
        responses=ACK_ERRORS_MEMBER,
        doc="""Mark one of the member's inbox entries read (the inbox shows `read: true` once the
        notifications service has it).""",
    ),
)


def route_signature(write: Write[Any, Any]) -> inspect.Signature:
    """What FastAPI reads from a write's function: its path values, its body and the caller."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    names = re.findall(r"\{(\w+)\}", write.path)
    params = [inspect.Parameter(n, keyword, annotation=PATH_PARAMS[n]) for n in names]
    if write.body is not NO_BODY:
        params.append(inspect.Parameter("body", keyword, annotation=write.body))
    params.append(inspect.Parameter("principal", keyword, annotation=CurrentPrincipal))
    answer = CheckinAccepted if write.with_safety_notice else Accepted
    return inspect.Signature(params, return_annotation=answer)


@dataclass(frozen=True)
class Publishing:
    """How a write route answers: the event published (acks=all) within the timeout, then 202;
    else 503 with Retry-After."""

    publisher: EventPublisher
    timeout: float
    resources: ResourceTable
    notifications: Notifications
    checkins: Checkins

    async def accept(self, event: Envelope[Any], resource_id: str | None = None) -> Accepted:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(self.publisher.publish(event), self.timeout)
        except Exception as exc:
            outage("kafka").failed(exc, "publishing a request")
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=error_body(503, UNCONFIRMED),
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from exc
        outage("kafka").succeeded()
        gateway_publish_seconds.observe(time.perf_counter() - started)
        gateway_accepted.labels(type=event.type).inc()
        return Accepted(
            event_id=event.id, correlation_id=event.correlationid, resource_id=resource_id
        )

    async def accept_checkin(
        self, event: Envelope[Any], resource_id: str | None, notice: SafetyNotice | None
    ) -> CheckinAccepted:
        """As `accept`; the crisis resources go with the answer, the 503's included."""
        try:
            accepted = await self.accept(event, resource_id)
        except HTTPException as exc:
            if isinstance(exc.detail, dict):
                safety = None if notice is None else notice.model_dump(mode="json")
                exc.detail = {**exc.detail, "safety": safety}
            raise
        return CheckinAccepted(**accepted.model_dump(), safety=notice)

    def endpoint(self, write: Write[Any, Any]) -> Callable[..., Awaitable[Accepted]]:
        """A write's route function: who may call, a 409 for a request that contradicts
        itself, the event, the answer."""

        async def publish(principal: Principal, body: Any = None, **path: str) -> Accepted:
            call = Call(path, body, principal)
            require_self(call.member_id, principal)
            if write.conflict is not None and (conflict := write.conflict(call)) is not None:
                raise HTTPException(status.HTTP_409_CONFLICT, detail=error_body(409, conflict))
            data = write.data(call)
            subject = call.member_id if write.subject is None else write.subject(call)
            event = write.event.new(subject=subject, source=SOURCE, data=data)
            if write.with_safety_notice:
                notice = await safety_notice(
                    body, self.resources, lambda: self.checkins.member_country(call.member_id)
                )
                return await self.accept_checkin(event, write.resource_id(data), notice)
            return await self.accept(event, write.resource_id(data))

        # FastAPI declares a route's parameters from its function's signature.
        publish.__signature__ = route_signature(write)  # type: ignore[attr-defined]
        return publish


def inbox_reader(notifications: Notifications) -> Callable[..., Awaitable[Inbox]]:
    """The member's inbox, read from the notifications service's internal API. Staff pages in
    it are shown only to a caller with the safety-staff role."""

    async def read_inbox(
        member_id: MemberPath,
        principal: CurrentPrincipal,
        limit: int = Query(default=50, ge=1, le=500),
    ) -> Inbox:
        require_self(member_id, principal)
        try:
            return await notifications.inbox(
                member_id, limit, include_pages=SAFETY_STAFF in principal.roles
            )
        except Unreachable as exc:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, detail=error_body(503, INBOX_UNAVAILABLE)
            ) from exc

    return read_inbox


def api_router(publishing: Publishing) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["members"], route_class=JsonBodyRoute)
    for write in WRITES:
        router.add_api_route(
            write.path,
            publishing.endpoint(write),
            methods=[write.method],
            status_code=202,
            responses=write.responses,
            tags=list(write.tags),
            name=write.name,
            description=inspect.cleandoc(write.doc),
        )
    router.add_api_route(
        "/members/{member_id}/inbox",
        inbox_reader(publishing.notifications),
        methods=["GET"],
        responses=READ_ERRORS,
        description="The member's inbox, newest first. Staff pages (the alerts a safety-staff "
        "member was paged for) are in it only for a token with the `safety-staff` role.",
    )
    return router
