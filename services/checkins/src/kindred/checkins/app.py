"""Composition root: settings → broker, database, processor."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.checkins import members, schedules
from kindred.checkins.handlers import Checkins
from kindred.checkins.repository import INDEXES
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinRecorded, CheckinTrendWorsened
from kindred.events.safety import SafetyAlertRaised, SafetyEpisodeClosed, SafetyEpisodeOpened
from kindred.events.schedules import CheckinMissed, CheckinReminderDue
from kindred.messaging.broker import create_broker
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database


def create_app(settings: CheckinsSettings | None = None) -> FastAPI:
    settings = settings or CheckinsSettings.load()
    mongo = create_client(settings)
    service = Service(
        settings=settings,
        broker=create_broker(settings),
        mongo=mongo,
        indexes=INDEXES + schedules.INDEXES + members.INDEXES,
        processor=Checkins(
            settings,
            schedules.Schedules(settings, database(mongo, settings)),
            members.Members(database(mongo, settings)),
        ),
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
