"""Composition root: settings → broker, database, processor."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.checkins.handlers import Checkins
from kindred.checkins.repository import INDEXES
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinRecorded
from kindred.messaging.broker import create_broker
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client


def create_app(settings: CheckinsSettings | None = None) -> FastAPI:
    settings = settings or CheckinsSettings.load()
    service = Service(
        settings=settings,
        broker=create_broker(settings),
        mongo=create_client(settings),
        indexes=INDEXES,
        processor=Checkins(settings),
        publishes=[CheckinRecorded],
    )
    return build_app(service, title="Kindred check-ins")
