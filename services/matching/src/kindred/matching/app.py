"""Composition root: settings → broker, database, repository, outbox, handlers, loops."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.background import periodic
from kindred.events.matching import MatchProposed
from kindred.matching import handlers
from kindred.matching.repository import INDEXES, MatchingRepository
from kindred.matching.settings import MatchingSettings
from kindred.messaging.broker import EventPublisher, create_broker
from kindred.messaging.outbox import Outbox
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings.load()
    broker = create_broker(settings)
    mongo = create_client(settings)
    repo = MatchingRepository(database(mongo, settings))
    outbox = Outbox(
        EventPublisher(broker, settings, [MatchProposed]),
        [repo.requests],
        settings.outbox_relay_interval_seconds,
    )
    matcher = handlers.Matcher(settings, repo, outbox)
    handlers.register(broker, settings, repo, matcher)
    service = Service(
        settings=settings,
        broker=broker,
        mongo=mongo,
        indexes=INDEXES,
        background=[
            outbox.relay(),
            periodic("re-match", settings.rematch_interval_seconds, matcher.rematch_waiting),
        ],
    )
    return build_app(service, title="Kindred matching")
