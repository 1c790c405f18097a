"""Composition root: settings → broker, database, processor."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.events.matching import (
    GroupMembershipChanged,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchProposed,
    PoolInput,
    SupportRequestRefused,
    SupportRequestWaiting,
)
from kindred.matching.handlers import Matching
from kindred.matching.settings import MatchingSettings
from kindred.messaging.broker import create_broker
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings.load()
    service = Service(
        settings=settings,
        broker=create_broker(settings),
        mongo=create_client(settings),
        processor=Matching(settings),
        # Timers, and the batch of a window that passed with no input after it.
        tick_interval=min(0.1, settings.match_batch_seconds),
        publishes=[
            PoolInput,
            MatchProposed,
            MatchAccepted,
            MatchDeclined,
            MatchExpired,
            MatchEnded,
            SupportRequestRefused,
            SupportRequestWaiting,
            GroupMembershipChanged,
        ],
    )
    return build_app(service, title="Kindred matching")
