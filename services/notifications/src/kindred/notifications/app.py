"""Composition root: settings → broker, database, repository, processor, routes."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.messaging.broker import create_broker
from kindred.notifications.handlers import Notifications
from kindred.notifications.repository import INDEXES, NotificationsRepository
from kindred.notifications.routes import inbox_router
from kindred.notifications.settings import NotificationsSettings
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings.load()
    mongo = create_client(settings)
    repo = NotificationsRepository(database(mongo, settings))
    service = Service(
        settings=settings,
        broker=create_broker(settings),
        mongo=mongo,
        indexes=INDEXES,
        processor=Notifications(),
    )
    return build_app(
        service,
        title="Kindred notifications",
        routers=[inbox_router(repo, settings.internal_api_token)],
    )
