"""Composition root: settings → broker, database, processor."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.checkins.handlers import Checkins
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinRecorded, CheckinTrendWorsened
from kindred.events.safety import SafetyAlertRaised, SafetyEpisodeClosed, SafetyEpisodeOpened
from kindred.events.schedules import CheckinMissed, CheckinReminderDue
from kindred.messaging.broker import create_broker
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client


def create_app(settings: CheckinsSettings | None = None) -> FastAPI:
    settings = settings or CheckinsSettings.load()
    service = Service(
        settings=settings,
        broker=create_broker(settings),
        mongo=create_client(settings),
        processor=Checkins(settings),
        tick_interval=settings.schedule_tick_seconds,
        publishes=[
            CheckinRecorded,
            CheckinTrendWorsened,
            SafetyAlertRaised,
            SafetyEpisodeOpened,
            SafetyEpisodeClosed,
            CheckinReminderDue,
            CheckinMissed,
        ],
    )
    return build_app(service, title="Kindred check-ins")
