"""Composition root: settings → broker, database, channels, paging, sender, processor, routes."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from kindred.events.notifications import (
    NotificationDeliveryAttempted,
    NotificationRequested,
    SafetyAlertAcknowledged,
    SafetyAlertEscalated,
)
from kindred.messaging.broker import EventPublisher, create_broker
from kindred.notifications import paging
from kindred.notifications.channels.registry import build_channels
from kindred.notifications.handlers import Notifications
from kindred.notifications.members import INDEXES as MEMBER_INDEXES
from kindred.notifications.members import MemberNotifications
from kindred.notifications.repository import INDEXES, NotificationsRepository
from kindred.notifications.routes import inbox_router
from kindred.notifications.sender import Sender
from kindred.notifications.settings import NotificationsSettings
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database

log = logging.getLogger(__name__)


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings.load()
    chain = settings.chain()
    mongo = create_client(settings)
    db = database(mongo, settings)
    repo = NotificationsRepository(db)
    broker = create_broker(settings)
    channels = build_channels(settings)
    source = f"kindred/{settings.service_name}"
    desk = paging.Paging(db, chain, source)
    members = MemberNotifications(db, source, settings.retry_policy())
    sender = Sender(
        desk,
        members,
        channels,
        EventPublisher(broker, settings),
        source,
        interval=settings.sender_interval_seconds,
        in_flight_seconds=settings.sender_in_flight_seconds,
    )
    used = {c.channel.value for person in (*chain.levels, chain.fallback) for c in person.contacts}
    if missing := sorted(used - {name.value for name in channels.names}):
        log.error(
            "ESCALATION_CHAIN pages on channels this service has no settings for: %s; those "
            "pages will be retried until the channel is configured",
            ", ".join(missing),
        )
    service = Service(
        settings=settings,
        broker=broker,
        mongo=mongo,
        indexes=INDEXES + paging.INDEXES + MEMBER_INDEXES,
        processor=Notifications(desk, members),
        tick_interval=settings.escalation_tick_seconds,
        publishes=[
            SafetyAlertEscalated,
            SafetyAlertAcknowledged,
            NotificationDeliveryAttempted,
            NotificationRequested,
        ],
        background=[sender.run],
        on_shutdown=[channels.aclose],
    )
    return build_app(
        service,
        title="Kindred notifications",
        routers=[inbox_router(repo, settings.internal_api_token)],
    )
