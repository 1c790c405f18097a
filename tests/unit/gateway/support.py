"""The gateway in process for its unit tests: FastStream's in-memory broker (what is published
is recorded) and fakes of the internal APIs it reads (notifications, check-ins, casework), which
a test sets and whose requests it reads."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from kindred.events.casework import (
    CaseActionRequested,
    MemberModerated,
    ReportFiled,
    StaffAuditRecorded,
    SupporterPauseSet,
)
from kindred.events.checkins import CheckinSubmitted
from kindred.events.matching import (
    GroupActionRequested,
    MatchActionRequested,
    MemberBlocked,
    SupporterRoleSet,
    SupportRequested,
)
from kindred.events.members import ProfileSubmitted
from kindred.events.notifications import InboxEntryRead, SafetyAlertAckRequested
from kindred.events.safety import SafetyEpisodeCloseRequested
from kindred.gateway.app import create_app
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings

SETTINGS = GatewaySettings(kindred_namespace="unit", kindred_dev_mode=True)
TOPICS = {
    ProfileSubmitted: "unit.member.profile-submitted",
    SupportRequested: "unit.support.requested",
    CheckinSubmitted: "unit.checkin.submitted",
    SafetyEpisodeCloseRequested: "unit.safety.episode-close-requested",
    SafetyAlertAckRequested: "unit.safety.alert-ack-requested",
    InboxEntryRead: "unit.notification.inbox-entry-read",
    SupporterRoleSet: "unit.supporter.role-set",
    MatchActionRequested: "unit.match.action-requested",
    MemberBlocked: "unit.member.blocked",
    GroupActionRequested: "unit.group.action-requested",
    ReportFiled: "unit.report.filed",
    MemberModerated: "unit.member.moderated",
    SupporterPauseSet: "unit.supporter.pause-set",
    CaseActionRequested: "unit.case.action-requested",
}
# Audit records are kept apart (`Gateway.audits`): most tests look at what a request did.
AUDIT_TOPIC = f"unit.{StaffAuditRecorded.TOPIC}"
Answer = Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class Published:
    topic: str
    key: bytes
    event: dict[str, Any]


def _found(documents: dict[str, dict[str, Any]], key: str) -> httpx.Response:
    if key in documents:
        return httpx.Response(200, json=documents[key])
    return httpx.Response(404, json={"detail": "not found"})


@dataclass
class Gateway:
    client: httpx.AsyncClient
    app: Any
    published: list[Published] = field(default_factory=list)
    audits: list[Published] = field(default_factory=list)
    # Every record published, audits included, in the order published.
    sequence: list[Published] = field(default_factory=list)
    # What the notifications service answers: an inbox read (a test sets it), its alerts by id
    # and its pages by code; `notifications` replaces every answer (an outage, say).
    inbox: Answer = field(
        default=lambda request: httpx.Response(200, json={"member_id": "m1", "items": []})
    )
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: Answer | None = None
    notifications_requests: list[httpx.Request] = field(default_factory=list)
    # What check-ins answers `GET /internal/members/{id}/safety` (404 unless set; a coroutine
    # function answers late, or never).
    checkins: Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]] = field(
        default=lambda request: httpx.Response(404, json={})
    )
    checkins_requests: list[httpx.Request] = field(default_factory=list)
    # What check-ins answers `GET /internal/members/{id}/checkins`, by member (404 unless set).
    member_checkins: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ... and `GET .../checkins/{checkin_id}`, by "member/checkin" (404 unless set).
    checkins_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Replaces every check-ins answer (an outage, say).
    checkins_down: Answer | None = None
    # What casework answers, by path (404 unless set); `casework` replaces every answer.
    casework_answers: dict[str, Any] = field(default_factory=dict)
    casework: Answer | None = None
    casework_requests: list[httpx.Request] = field(default_factory=list)

    def answer_notifications(self, request: httpx.Request) -> httpx.Response:
        self.notifications_requests.append(request)
        if self.notifications is not None:
            return self.notifications(request)
        path = request.url.path
        if match := re.fullmatch(r"/internal/alerts/([^/]+)", path):
            return _found(self.alerts, match.group(1))
        if match := re.fullmatch(r"/internal/pages/by-code/([^/]+)", path):
            return _found(self.pages, match.group(1))
        assert re.fullmatch(r"/internal/members/[^/]+/inbox", path), path
        return self.inbox(request)

    def answer_checkins(self, request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        self.checkins_requests.append(request)
        if self.checkins_down is not None:
            return self.checkins_down(request)
        if match := re.fullmatch(r"/internal/members/([^/]+)/checkins", request.url.path):
            return _found(self.member_checkins, match.group(1))
        if match := re.fullmatch(r"/internal/members/([^/]+)/checkins/([^/]+)", request.url.path):
            return _found(self.checkins_by_id, f"{match.group(1)}/{match.group(2)}")
        assert re.fullmatch(r"/internal/members/[^/]+/safety", request.url.path), request.url
        return self.checkins(request)

    def answer_casework(self, request: httpx.Request) -> httpx.Response:
        self.casework_requests.append(request)
        if self.casework is not None:
            return self.casework(request)
        return _found(self.casework_answers, request.url.path)

    def audit_data(self) -> list[dict[str, Any]]:
        return [a.event["data"] for a in self.audits]

    def requested(self, prefix: str) -> list[httpx.Request]:
        """The requests to notifications whose path starts with `prefix`."""
        return [r for r in self.notifications_requests if r.url.path.startswith(prefix)]


async def start(settings: GatewaySettings = SETTINGS) -> AsyncIterator[Gateway]:
    gateway: Gateway | None = None

    def notifications(request: httpx.Request) -> httpx.Response:
        assert gateway is not None
        return gateway.answer_notifications(request)

    def checkins(request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        assert gateway is not None
        return gateway.answer_checkins(request)

    def casework(request: httpx.Request) -> httpx.Response:
        assert gateway is not None
        return gateway.answer_casework(request)

    app = create_app(
        settings,
        notifications_transport=httpx.MockTransport(notifications),
        checkins_transport=httpx.MockTransport(checkins),
        casework_transport=httpx.MockTransport(casework),
    )
    broker = app.state.service.broker
    published: list[Published] = []
    audits: list[Published] = []
    sequence: list[Published] = []
    for topic in [*TOPICS.values(), AUDIT_TOPIC]:

        @broker.subscriber(topic)
        async def record(body: bytes, message: KafkaMessage) -> None:
            raw = message.raw_message
            record = Published(raw.topic, raw.key, json.loads(body))
            (audits if raw.topic == AUDIT_TOPIC else published).append(record)
            sequence.append(record)

    async with TestKafkaBroker(broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            gateway = Gateway(client, app, published, audits, sequence)
            yield gateway


def auth(member_id: str, **kw: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SETTINGS, member_id, **kw)}"}


def staff(member_id: str) -> dict[str, str]:
    return auth(member_id, roles=("safety-staff",))


def error(error: str, detail: str, fields: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"error": error, "detail": detail, "fields": fields or []}
