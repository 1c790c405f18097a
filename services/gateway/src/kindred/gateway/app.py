"""Composition root: settings → broker, publisher, inbox client, routes."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from kindred.events.checkins import CheckinSubmitted
from kindred.events.matching import SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.gateway.errors import install_error_handlers
from kindred.gateway.routes import api_router
from kindred.gateway.settings import GatewaySettings
from kindred.messaging.broker import EventPublisher, create_broker
from kindred.service import Service, build_app


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings.load()
    settings.warn_if_dev_secret()
    broker = create_broker(settings)
    publisher = EventPublisher(broker, settings)
    notifications = httpx.AsyncClient(base_url=settings.notifications_url, timeout=5.0)
    service = Service(
        settings=settings,
        broker=broker,
        publishes=[ProfileSubmitted, SupportRequested, CheckinSubmitted],
        on_shutdown=[notifications.aclose],
    )
    app = build_app(
        service,
        title="Kindred gateway",
        routers=[api_router(publisher, notifications, settings.publish_timeout_seconds)],
    )
    app.state.settings = settings
    install_error_handlers(app)
    return app
