"""Composition root: settings → broker, database, channels, sender, processor, routes."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import FastAPI

from kindred.events.notifications import (
    NotificationDeliveryAttempted,
    NotificationRequested,
    SafetyAlertAcknowledged,
    SafetyAlertEscalated,
)
from kindred.messaging.broker import EventPublisher, create_broker
from kindred.notifications.channels.registry import build_channels
from kindred.notifications.handlers import Notifications
from kindred.notifications.repository import AlertQueries, InboxQueries
from kindred.notifications.routes import inbox_router
from kindred.notifications.sender import Sender
from kindred.notifications.settings import NotificationsSettings
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database

log = logging.getLogger(__name__)


def partition_count(service: Service) -> int:
    """How many partitions the service's topics have, as its consumer knows (0 before)."""
    runtime = service.consumer
    if runtime is None or runtime.consumer is None:
        return 0
    return len(runtime.consumer.partitions_for_topic(runtime.topics[0]) or ())


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings.load()
    chain = settings.chain()  # refuses a chain that would page into the void (dev mode: warns)
    mongo = create_client(settings)
    broker = create_broker(settings)
    channels = build_channels(settings)
    source = f"kindred/{settings.service_name}"
    # Fenced: a send is made only while this replica holds the delivery's partition.
    sender = Sender(
        channels,
        EventPublisher(broker, settings),
        source,
        in_flight_seconds=settings.sender_in_flight_seconds,
        concurrency=settings.sender_concurrency,
        page_concurrency=settings.sender_page_concurrency,
        holds=lambda number: service.consumer is not None and service.consumer.holds(number),
        partitions=lambda: partition_count(service),
    )
    service = Service(
        settings=settings,
        broker=broker,
        mongo=mongo,
        processor=Notifications(
            chain,
            sender.send,
            source,
            retries=settings.retry_policy(),
            in_flight_seconds=settings.sender_in_flight_seconds,
            links=settings.page_links(),
            keep_done=timedelta(seconds=settings.escalation_keep_done_seconds),
            reviewers=settings.reviewers(),
        ),
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
        routers=[
            inbox_router(
                InboxQueries(database(mongo, settings)),
                settings.internal_api_token,
                AlertQueries(database(mongo, settings)),
            )
        ],
    )
