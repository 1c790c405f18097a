"""Composition root: settings → broker, database, processor, routes."""

from __future__ import annotations

from fastapi import FastAPI

from kindred.casework.handlers import Casework
from kindred.casework.repository import CaseQueries
from kindred.casework.routes import casework_router
from kindred.casework.settings import CaseworkSettings
from kindred.events.casework import CaseworkInput
from kindred.messaging.broker import create_broker
from kindred.service import Service, build_app
from kindred.storage.mongo import create_client, database


def create_app(settings: CaseworkSettings | None = None) -> FastAPI:
    settings = settings or CaseworkSettings.load()
    mongo = create_client(settings)
    service = Service(
        settings=settings,
        broker=create_broker(settings),
        mongo=mongo,
        processor=Casework(settings),
        publishes=[CaseworkInput],
    )
    return build_app(
        service,
        title="Kindred casework",
        routers=[casework_router(CaseQueries(database(mongo, settings)), settings)],
    )
