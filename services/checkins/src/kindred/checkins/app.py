"""Composition root: settings → broker, database, processor, routes."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.checkins.handlers import Checkins
from kindred.checkins.repository import CheckinQueries, SafetyQueries
from kindred.checkins.routes import checkins_router, safety_router
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinRecorded, CheckinTrendWorsened
from kindred.events.safety import (
    SafetyAlertRaised,
    SafetyEpisodeClosed,
    SafetyEpisodeCloseRefused,
    SafetyEpisodeOpened,
    SafetyReviewRequested,
)
from kindred.events.schedules import CheckinMissed, CheckinReminderDue
from kindred.messaging.broker import create_broker
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database


def create_app(settings: CheckinsSettings | None = None) -> FastAPI:
    settings = settings or CheckinsSettings.load()
    mongo = create_client(settings)
    db = database(mongo, settings)
    service = Service(
        settings=settings,
        broker=create_broker(settings),
        mongo=mongo,
        processor=Checkins(settings),
        tick_interval=settings.schedule_tick_seconds,
        publishes=[
            CheckinRecorded,
            CheckinTrendWorsened,
            SafetyAlertRaised,
            SafetyEpisodeOpened,
            SafetyEpisodeClosed,
            SafetyEpisodeCloseRefused,
            SafetyReviewRequested,
            CheckinReminderDue,
            CheckinMissed,
        ],
    )
    return build_app(
        service,
        title="Kindred check-ins",
        routers=[
            safety_router(SafetyQueries(db), settings.internal_api_token),
            checkins_router(CheckinQueries(db), settings.internal_api_token),
        ],
    )
