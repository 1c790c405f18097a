"""Composition root: settings → broker, database, repository, outbox, handlers, loops."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.checkins import handlers
from kindred.checkins.repository import INDEXES, CheckinsRepository
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinRecorded
from kindred.messaging.broker import EventPublisher, create_broker
from kindred.messaging.outbox import Outbox
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database


def create_app(settings: CheckinsSettings | None = None) -> FastAPI:
    settings = settings or CheckinsSettings.load()
    broker = create_broker(settings)
    mongo = create_client(settings)
    repo = CheckinsRepository(database(mongo, settings))
    outbox = Outbox(
        EventPublisher(broker, settings, [CheckinRecorded]),
        [repo.checkins],
        settings.outbox_relay_interval_seconds,
    )
    handlers.register(broker, settings, repo, outbox)
    service = Service(
        settings=settings,
        broker=broker,
        mongo=mongo,
        indexes=INDEXES,
        background=[outbox.relay()],
    )
    return build_app(service, title="Kindred check-ins")
