"""The public HTTP API (v1). Each write is validated, published with acks=all, then answered 202."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    SupporterRole,
    SupporterRoleSet,
    SupporterRoleSetData,
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
    SafetyAlertAckRequested,
    SafetyAlertAckRequestedData,
)
from kindred.events.safety import SafetyEpisodeCloseRequested, SafetyEpisodeCloseRequestedData
from kindred.events.schedules import CheckinSchedule, CheckinScheduleSet, CheckinScheduleSetData
from kindred.gateway.auth import (
    SAFETY_STAFF,
    SUPPORTER_ADMIN,
    CurrentPrincipal,
    require_role,
    require_self,
)
from kindred.gateway.errors import ErrorBody, error_body
from kindred.gateway.limits import JsonBodyRoute
from kindred.gateway.metrics import gateway_accepted, gateway_publish_seconds
from kindred.instruments import NOTE_MAX_CHARS, CheckinAnswers
from kindred.internal_api import Inbox
from kindred.messaging.broker import EventPublisher
from kindred.observability.outages import outage
from kindred.safety.resources import CrisisResources, ResourceTable, resources_for
from kindred.safety.rules import Severity, Trigger, evaluate, max_severity

MemberPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
IdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9\-]{1,100}$")]  # an alert, match or group
EntryPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9:\-]{1,200}$")]
SOURCE = "kindred/gateway"
log = logging.getLogger(__name__)


class Accepted(BaseModel):
    event_id: str
    correlation_id: str
    resource_id: str | None = None


class SafetyNotice(BaseModel):
    """Shown to a member whose check-in fired a safety rule, at once, with this response."""

    severity: Severity
    message: str = Field(description="What to do now, for the member to read")
    resources: CrisisResources = Field(
        description="Crisis services for the member's country (`country` in the check-in), or "
        "international ones"
    )


class CheckinAccepted(Accepted):
    safety: SafetyNotice | None = Field(
        default=None,
        description="Present when the check-in fired a safety rule: show it to the member "
        "now. The on-call staff are alerted too.",
    )


class CheckinError(ErrorBody):
    """An error answering a check-in (422, 503): if the check-in fired a safety rule, the
    member still gets the crisis resources, in `safety`."""

    safety: SafetyNotice | None = None


class EpisodeClosure(BaseModel):
    """The body of `POST /v1/safety/members/{id}/episode/close` (safety staff only)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    reason: str = Field(min_length=1, max_length=500, description="Why it can close (audit)")


# Kafka did not acknowledge in time. The record may still be written later (it can be on its
# way to the broker already), so the answer cannot promise it was not recorded.
UNCONFIRMED = (
    "the request could not be confirmed: Kafka did not acknowledge it in time. It may not "
    "have been recorded, or may be recorded late; check before sending it again"
)
RETRY_AFTER_SECONDS = 5
INBOX_UNAVAILABLE = "the inbox cannot be read now; try again in a moment"


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description, **extra}


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error(
        "No bearer token, or one that is expired, forged or for another API",
        headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    403: _error("The token's member is not the member in the path"),
    422: _error("A path, query or body value is invalid; `fields` names each one"),
}
# The real answers of each route besides its success (the error body is always `ErrorBody`).
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_AUTH_ERRORS,
    400: _error("The body cannot be read as text (it is not UTF-8)"),
    413: _error("The body is larger than MAX_BODY_BYTES"),
    415: _error("The body is not sent as application/json"),
    503: _error("Kafka did not confirm the request in time", headers=_RETRY_AFTER),
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
        "headers": _RETRY_AFTER,
    },
}
STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    403: _error("The token does not carry the safety-staff role"),
}
BLOCK_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    409: _error("`blocked_id` is the member themselves"),
}
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    403: _error("The token does not carry the supporter-admin role"),
}
ACK_ERRORS: dict[int | str, dict[str, Any]] = {
    **_AUTH_ERRORS,
    403: _error("The token does not carry the safety-staff role"),
    503: _error("Kafka did not confirm the request in time", headers=_RETRY_AFTER),
}
# A write with no body: the errors of a write but those about reading a body.
ACK_ERRORS_MEMBER: dict[int | str, dict[str, Any]] = {
    **_AUTH_ERRORS,
    503: _error("Kafka did not confirm the request in time", headers=_RETRY_AFTER),
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **_AUTH_ERRORS,
    503: _error("The notifications service cannot be reached now"),
}


def safety_notice(body: Checkin, resources: ResourceTable) -> SafetyNotice | None:
    """The same stateless rules the check-ins service applies, evaluated here so the member
    sees crisis resources in this very response; the check-ins service raises the alert."""
    severity = max_severity(evaluate(body))
    if severity is None:
        return None
    found = resources_for(body.country, resources)
    return SafetyNotice(severity=severity, message=found.message, resources=found)


# The parts of a check-in the safety rules read, each checked on its own when the whole is
# refused: one bad field must not hide a crisis note or an acute answer.
_SAFETY_PARTS = ("phq9", "asq", "note")


def rejected_checkin_safety(request: Request, raw: Any, resources: ResourceTable) -> dict[str, Any]:
    """The crisis resources for a check-in refused as invalid (422) that still fires a rule.

    Nothing of a refused check-in is recorded and no alert is raised (the member is told to
    correct and resend it), but the member sees the resources at once, as for a valid one."""
    if request.method != "POST" or not request.url.path.endswith("/checkins"):
        return {}
    if not isinstance(raw, dict):
        return {"safety": None}
    triggers: list[Trigger] = []
    for part in _SAFETY_PARTS:
        value = raw.get(part)
        if part == "note" and isinstance(value, str):
            value = value[:NOTE_MAX_CHARS]
        try:
            triggers += evaluate(CheckinAnswers.model_validate({part: value}))
        except ValidationError:
            continue
    severity = max_severity(triggers)
    if severity is None:
        return {"safety": None}
    country = raw.get("country")
    found = resources_for(country if isinstance(country, str) else None, resources)
    notice = SafetyNotice(severity=severity, message=found.message, resources=found)
    return {"safety": notice.model_dump(mode="json")}


def api_router(
    publisher: EventPublisher,
    http: httpx.AsyncClient,
    publish_timeout: float,
    resources: ResourceTable,
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["members"], route_class=JsonBodyRoute)

    async def accept(event: Envelope[Any], resource_id: str | None = None) -> Accepted:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(publisher.publish(event), publish_timeout)
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

    @router.put("/members/{member_id}/profile", status_code=202, responses=WRITE_ERRORS)
    async def submit_profile(
        member_id: MemberPath, body: Profile, principal: CurrentPrincipal
    ) -> Accepted:
        require_self(member_id, principal)
        event = ProfileSubmitted.new(
            subject=member_id,
            source=SOURCE,
            data=ProfileSubmittedData(member_id=member_id, **body.model_dump()),
        )
        return await accept(event, member_id)

    @router.post("/members/{member_id}/support-requests", status_code=202, responses=WRITE_ERRORS)
    async def request_support(
        member_id: MemberPath, body: SupportRequest, principal: CurrentPrincipal
    ) -> Accepted:
        require_self(member_id, principal)
        request_id = new_id()
        event = SupportRequested.new(
            subject=member_id,
            source=SOURCE,
            data=SupportRequestedData(
                request_id=request_id, seeker_id=member_id, **body.model_dump()
            ),
        )
        return await accept(event, request_id)

    async def match_action(
        member_id: str, match_id: str, action: MatchAction, end: MatchEnd | None = None
    ) -> Accepted:
        event = MatchActionRequested.new(
            subject=member_id,
            source=SOURCE,
            data=MatchActionRequestedData(
                match_id=match_id, member_id=member_id, action=action, end=end
            ),
        )
        return await accept(event, match_id)

    @router.post(
        "/members/{member_id}/matches/{match_id}/accept",
        status_code=202,
        responses=ACK_ERRORS_MEMBER,
        tags=["matches"],
    )
    async def accept_match(
        member_id: MemberPath, match_id: IdPath, principal: CurrentPrincipal
    ) -> Accepted:
        """The supporter accepts a proposed match (its id is in the proposal, in their inbox):
        the match becomes active. A second accept changes nothing; an accept after the
        proposal expired or by anyone but its supporter is refused by matching (logged)."""
        require_self(member_id, principal)
        return await match_action(member_id, match_id, MatchAction.ACCEPT)

    @router.post(
        "/members/{member_id}/matches/{match_id}/decline",
        status_code=202,
        responses=ACK_ERRORS_MEMBER,
        tags=["matches"],
    )
    async def decline_match(
        member_id: MemberPath, match_id: IdPath, principal: CurrentPrincipal
    ) -> Accepted:
        """Decline a proposed match. By the supporter: the slot is freed and the request is
        proposed to the next best supporter. By the seeker: the request is closed."""
        require_self(member_id, principal)
        return await match_action(member_id, match_id, MatchAction.DECLINE)

    @router.post(
        "/members/{member_id}/matches/{match_id}/end",
        status_code=202,
        responses=WRITE_ERRORS,
        tags=["matches"],
    )
    async def end_match(
        member_id: MemberPath, match_id: IdPath, body: MatchEnd, principal: CurrentPrincipal
    ) -> Accepted:
        """End an active match (either member), with a reason, an optional rating and
        feedback. `report: true` reports the other member: the pair is never matched again."""
        require_self(member_id, principal)
        return await match_action(member_id, match_id, MatchAction.END, body)

    @router.post(
        "/members/{member_id}/blocks", status_code=202, responses=BLOCK_ERRORS, tags=["matches"]
    )
    async def block_member(
        member_id: MemberPath, body: Block, principal: CurrentPrincipal
    ) -> Accepted:
        """Block another member, for good or `until` a time: the two are never matched or put
        in one peer group while it lasts; a live match between them ends."""
        require_self(member_id, principal)
        if body.blocked_id == member_id:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=error_body(409, "blocked_id: a member cannot block themselves"),
            )
        event = MemberBlocked.new(
            subject=member_id,
            source=SOURCE,
            data=MemberBlockedData(member_id=member_id, **body.model_dump()),
        )
        return await accept(event, body.blocked_id)

    @router.post(
        "/members/{member_id}/groups", status_code=202, responses=WRITE_ERRORS, tags=["groups"]
    )
    async def join_group(
        member_id: MemberPath, body: GroupJoin, principal: CurrentPrincipal
    ) -> Accepted:
        """Join a small peer group on a topic, in a language: matching places the member in
        the fullest group that fits (same rules as a match), or starts one."""
        require_self(member_id, principal)
        event = GroupActionRequested.new(
            subject=member_id,
            source=SOURCE,
            data=GroupActionRequestedData(member_id=member_id, action="join", **body.model_dump()),
        )
        return await accept(event, None)

    @router.post(
        "/members/{member_id}/groups/{group_id}/leave",
        status_code=202,
        responses=ACK_ERRORS_MEMBER,
        tags=["groups"],
    )
    async def leave_group(
        member_id: MemberPath, group_id: IdPath, principal: CurrentPrincipal
    ) -> Accepted:
        """Leave a peer group."""
        require_self(member_id, principal)
        event = GroupActionRequested.new(
            subject=member_id,
            source=SOURCE,
            data=GroupActionRequestedData(member_id=member_id, action="leave", group_id=group_id),
        )
        return await accept(event, group_id)

    @router.put(
        "/staff/supporters/{member_id}",
        status_code=202,
        responses=ADMIN_ERRORS,
        tags=["staff"],
    )
    async def set_supporter_role(
        member_id: MemberPath, body: SupporterRole, principal: CurrentPrincipal
    ) -> Accepted:
        """Grant or withdraw a member's supporter role (role `supporter-admin`): only members
        granted it, whose profile offers support, are ever proposed as supporters."""
        require_role(principal, SUPPORTER_ADMIN)
        event = SupporterRoleSet.new(
            subject=member_id,
            source=SOURCE,
            data=SupporterRoleSetData(
                member_id=member_id, staff_id=principal.member_id, **body.model_dump()
            ),
        )
        return await accept(event, member_id)

    @router.post("/members/{member_id}/checkins", status_code=202, responses=CHECKIN_ERRORS)
    async def submit_checkin(
        member_id: MemberPath, body: Checkin, principal: CurrentPrincipal
    ) -> CheckinAccepted:
        require_self(member_id, principal)
        notice = safety_notice(body, resources)
        checkin_id = new_id()
        event = CheckinSubmitted.new(
            subject=member_id,
            source=SOURCE,
            data=CheckinSubmittedData(
                checkin_id=checkin_id, member_id=member_id, **body.model_dump()
            ),
        )
        try:
            accepted = await accept(event, checkin_id)
        except HTTPException as exc:
            if isinstance(exc.detail, dict):
                safety = None if notice is None else notice.model_dump(mode="json")
                exc.detail = {**exc.detail, "safety": safety}
            raise
        return CheckinAccepted(**accepted.model_dump(), safety=notice)

    @router.post(
        "/safety/members/{member_id}/episode/close",
        status_code=202,
        responses=STAFF_ERRORS,
        tags=["safety staff"],
    )
    async def close_episode(
        member_id: MemberPath, body: EpisodeClosure, principal: CurrentPrincipal
    ) -> Accepted:
        """Close a member's open safety episode (role `safety-staff`): the member can be
        matched with peers again. Recorded with who closed it and why."""
        require_role(principal, SAFETY_STAFF)
        event = SafetyEpisodeCloseRequested.new(
            subject=member_id,
            source=SOURCE,
            data=SafetyEpisodeCloseRequestedData(
                member_id=member_id, staff_id=principal.member_id, reason=body.reason
            ),
        )
        return await accept(event, member_id)

    @router.put("/members/{member_id}/checkin-schedule", status_code=202, responses=WRITE_ERRORS)
    async def set_checkin_schedule(
        member_id: MemberPath, body: CheckinSchedule, principal: CurrentPrincipal
    ) -> Accepted:
        """Set, change or disable the member's check-in schedule: a local time of day in their
        time zone, on the days chosen (every day by default), at most once a day."""
        require_self(member_id, principal)
        event = CheckinScheduleSet.new(
            subject=member_id,
            source=SOURCE,
            data=CheckinScheduleSetData(member_id=member_id, **body.model_dump()),
        )
        return await accept(event, member_id)

    @router.put(
        "/members/{member_id}/notification-preferences", status_code=202, responses=WRITE_ERRORS
    )
    async def set_notification_preferences(
        member_id: MemberPath, body: NotificationPreferences, principal: CurrentPrincipal
    ) -> Accepted:
        """Replace the member's notification preferences: channels per category, consents,
        locale, time zone, quiet hours, pacing. Safety pages to staff ignore all of them."""
        require_self(member_id, principal)
        event = MemberNotificationPreferencesSet.new(
            subject=member_id,
            source=SOURCE,
            data=MemberNotificationPreferencesSetData(member_id=member_id, **body.model_dump()),
        )
        return await accept(event, member_id)

    @router.post(
        "/safety/members/{member_id}/alerts/{alert_id}/ack",
        status_code=202,
        responses=ACK_ERRORS,
        tags=["safety staff"],
    )
    async def acknowledge_alert(
        member_id: MemberPath, alert_id: IdPath, principal: CurrentPrincipal
    ) -> Accepted:
        """Acknowledge a safety alert (role `safety-staff`): its escalation stops paging the
        on-call chain. Recorded with who and when; a second acknowledgement changes nothing."""
        require_role(principal, SAFETY_STAFF)
        event = SafetyAlertAckRequested.new(
            subject=member_id,
            source=SOURCE,
            data=SafetyAlertAckRequestedData(
                alert_id=alert_id, member_id=member_id, staff_id=principal.member_id
            ),
        )
        return await accept(event, alert_id)

    @router.post(
        "/members/{member_id}/inbox/{entry_id}/read", status_code=202, responses=ACK_ERRORS_MEMBER
    )
    async def mark_read(
        member_id: MemberPath, entry_id: EntryPath, principal: CurrentPrincipal
    ) -> Accepted:
        """Mark one of the member's inbox entries read (the inbox shows `read: true` once the
        notifications service has it)."""
        require_self(member_id, principal)
        event = InboxEntryRead.new(
            subject=member_id,
            source=SOURCE,
            data=InboxEntryReadData(
                member_id=member_id, entry_id=entry_id, read_at=datetime.now(UTC)
            ),
        )
        return await accept(event, entry_id)

    @router.get("/members/{member_id}/inbox", responses=READ_ERRORS)
    async def read_inbox(
        member_id: MemberPath,
        principal: CurrentPrincipal,
        limit: int = Query(default=50, ge=1, le=500),
    ) -> Inbox:
        require_self(member_id, principal)
        try:
            response = await http.get(
                f"/internal/members/{member_id}/inbox", params={"limit": limit}
            )
            response.raise_for_status()
            return Inbox.model_validate_json(response.content)
        except (httpx.HTTPError, ValidationError) as exc:
            if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 401:
                log.error(
                    "the notifications service refused the internal API token: "
                    "INTERNAL_API_TOKEN must be the same in the gateway and notifications"
                )
            else:
                # The exception's type only: its text holds URLs and bodies.
                log.warning("inbox read failed: %s", type(exc).__name__)
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, detail=error_body(503, INBOX_UNAVAILABLE)
            ) from exc

    return router
