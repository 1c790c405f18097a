"""Composition root: settings → broker, database, repository, outbox, handlers, routes."""

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


def build_service(settings: CheckinsSettings) -> Service:
    broker = create_broker(settings)
    mongo = create_client(settings)
    repo = CheckinsRepository(database(mongo, settings))
    publisher = EventPublisher(broker, settings, [CheckinRecorded])
    outbox = Outbox(publisher, [repo.checkins], settings.outbox_relay_interval_seconds)
    handlers.register(broker, settings, repo, outbox)
    return Service(settings=settings, broker=broker, mongo=mongo, indexes=INDEXES, outbox=outbox)


def create_app(settings: CheckinsSettings | None = None) -> FastAPI:
    return build_app(build_service(settings or CheckinsSettings.load()), title="Kindred check-ins")
