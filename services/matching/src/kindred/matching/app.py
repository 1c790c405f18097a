"""Composition root: settings → broker, database, repository, outbox, handlers, routes."""

from __future__ import annotations

from fastapi import FastAPI
from kindred.events.matching import MatchProposed
from kindred.matching import handlers
from kindred.matching.repository import INDEXES, MatchingRepository
from kindred.matching.settings import MatchingSettings
from kindred.messaging.broker import EventPublisher, create_broker
from kindred.messaging.outbox import Outbox
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database


def build_service(settings: MatchingSettings) -> Service:
    broker = create_broker(settings)
    mongo = create_client(settings)
    repo = MatchingRepository(database(mongo, settings))
    publisher = EventPublisher(broker, settings, [MatchProposed])
    outbox = Outbox(publisher, [repo.requests], settings.outbox_relay_interval_seconds)
    handlers.register(broker, settings, repo, outbox)
    return Service(settings=settings, broker=broker, mongo=mongo, indexes=INDEXES, outbox=outbox)


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    return build_app(build_service(settings or MatchingSettings.load()), title="Kindred matching")
