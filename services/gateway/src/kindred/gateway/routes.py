"""The public HTTP API (v1). Each write is validated, published with acks=all, then answered 202."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ValidationError

from kindred.events.checkins import Checkin, CheckinSubmitted, CheckinSubmittedData
from kindred.events.envelope import Envelope, new_id
from kindred.events.matching import SupportRequest, SupportRequested, SupportRequestedData
from kindred.events.members import Profile, ProfileSubmitted, ProfileSubmittedData
from kindred.events.schedules import CheckinSchedule, CheckinScheduleSet, CheckinScheduleSetData
from kindred.gateway.auth import CurrentPrincipal, require_self
from kindred.gateway.errors import ErrorBody, error_body
from kindred.gateway.limits import JsonBodyRoute
from kindred.internal_api import Inbox
from kindred.messaging.broker import EventPublisher
from kindred.observability.metrics import gateway_accepted, gateway_publish_seconds
from kindred.observability.outages import outage

MemberPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
SOURCE = "kindred/gateway"
log = logging.getLogger(__name__)


class Accepted(BaseModel):
    event_id: str
    correlation_id: str
    resource_id: str | None = None


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
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **_AUTH_ERRORS,
    503: _error("The notifications service cannot be reached now"),
}


def api_router(
    publisher: EventPublisher, http: httpx.AsyncClient, publish_timeout: float
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

    @router.post("/members/{member_id}/checkins", status_code=202, responses=WRITE_ERRORS)
    async def submit_checkin(
        member_id: MemberPath, body: Checkin, principal: CurrentPrincipal
    ) -> Accepted:
        require_self(member_id, principal)
        checkin_id = new_id()
        event = CheckinSubmitted.new(
            subject=member_id,
            source=SOURCE,
            data=CheckinSubmittedData(
                checkin_id=checkin_id, member_id=member_id, **body.model_dump()
            ),
        )
        return await accept(event, checkin_id)

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
