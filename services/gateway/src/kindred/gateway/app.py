"""Composition root: settings → broker, publisher, internal API clients, routes."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

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
from kindred.events.notifications import (
    InboxEntryRead,
    MemberNotificationPreferencesSet,
    SafetyAlertAckRequested,
)
from kindred.events.safety import SafetyEpisodeCloseRequested
from kindred.events.schedules import CheckinScheduleSet
from kindred.gateway.console import console_router
from kindred.gateway.errors import install_error_handlers
from kindred.gateway.internal import Casework, Checkins, Notifications
from kindred.gateway.limits import BodySizeLimit
from kindred.gateway.openapi import describe_api
from kindred.gateway.pages import page_router
from kindred.gateway.routes import Publishing, api_router
from kindred.gateway.safety import rejected_checkin_safety
from kindred.gateway.settings import GatewaySettings
from kindred.gateway.staff import StaffDesk
from kindred.gateway.staff_api import staff_router
from kindred.internal_api import bearer
from kindred.messaging.broker import EventPublisher, create_broker
from kindred.service import Service, build_app


def create_app(
    settings: GatewaySettings | None = None,
    *,
    notifications_transport: httpx.AsyncBaseTransport | None = None,
    checkins_transport: httpx.AsyncBaseTransport | None = None,
    casework_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`notifications_transport`, `checkins_transport` and `casework_transport` replace the
    network under the internal API clients (tests)."""
    settings = settings or GatewaySettings.load()
    broker = create_broker(settings)
    publisher = EventPublisher(broker, settings)
    notifications = httpx.AsyncClient(
        base_url=settings.notifications_url,
        timeout=settings.internal_lookup_timeout_seconds,
        headers=bearer(settings.internal_api_token),
        transport=notifications_transport,
    )
    checkins = httpx.AsyncClient(
        base_url=settings.checkins_url,
        timeout=settings.member_country_timeout_seconds,
        headers=bearer(settings.internal_api_token),
        transport=checkins_transport,
    )
    casework = httpx.AsyncClient(
        base_url=settings.casework_url,
        timeout=settings.internal_lookup_timeout_seconds,
        headers=bearer(settings.internal_api_token),
        transport=casework_transport,
    )
    service = Service(
        settings=settings,
        broker=broker,
        publishes=[
            ProfileSubmitted,
            SupportRequested,
            CheckinSubmitted,
            SafetyEpisodeCloseRequested,
            CheckinScheduleSet,
            SafetyAlertAckRequested,
            MemberNotificationPreferencesSet,
            InboxEntryRead,
            SupporterRoleSet,
            MatchActionRequested,
            MemberBlocked,
            GroupActionRequested,
            ReportFiled,
            MemberModerated,
            SupporterPauseSet,
            CaseActionRequested,
            StaffAuditRecorded,
        ],
        on_shutdown=[notifications.aclose, checkins.aclose, casework.aclose],
    )
    resources = settings.crisis_resources()
    publishing = Publishing(
        publisher,
        settings.publish_timeout_seconds,
        resources,
        Notifications(notifications),
        Checkins(
            checkins,
            settings.member_country_timeout_seconds,
            settings.internal_lookup_timeout_seconds,
        ),
    )
    # The staff's views and actions, for the /v1/staff routes and the console alike.
    desk = StaffDesk(publishing, Casework(casework))
    app = build_app(
        service,
        title="Kindred gateway",
        routers=[
            api_router(publishing),
            staff_router(),
            page_router(publishing, settings.kindred_page_link_secret),
            console_router(desk, settings),
        ],
    )
    app.state.settings = settings
    app.state.desk = desk
    install_error_handlers(
        app, on_rejected=lambda request, raw: rejected_checkin_safety(request, raw, resources)
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    describe_api(app)
    return app
