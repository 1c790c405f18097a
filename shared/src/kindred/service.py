"""The runtime every service shares: start-up, readiness, graceful shutdown and serving.

Each service's composition root (`app.py`) builds a `Service` and hands it to `build_app`.
Start-up order: topics, indexes, broker (consumers start last, once everything they need is
there), then background loops (outbox relay, ...). Shutdown reverses it; `broker.stop()`
drains in-flight messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from kindred.background import BackgroundLoop
from kindred.messaging.broker import ensure_topics
from kindred.observability.health import ReadinessCheck, mount_health
from kindred.observability.logging import configure_logging
from kindred.settings import ServiceSettings
from kindred.storage.mongo import Document, Index, database, ensure_indexes, ping

log = logging.getLogger(__name__)


@dataclass
class Service:
    settings: ServiceSettings
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document] | None = None
    indexes: list[Index] = field(default_factory=list)
    # Loops that run while the service does; each returns once `stop` is set.
    background: list[BackgroundLoop] = field(default_factory=list)
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        async def kafka() -> bool:
            return await self.broker.ping(timeout=2.0)

        checks: dict[str, ReadinessCheck] = {"kafka": kafka}
        if self.mongo is not None:
            mongo = self.mongo

            async def mongodb() -> bool:
                return await ping(mongo)

            checks["mongodb"] = mongodb
        return checks

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await ensure_topics(self.settings)
        if self.mongo is not None:
            await ensure_indexes(database(self.mongo, self.settings), self.indexes)
        await self.broker.start()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(loop(stop)) for loop in self.background]
        log.info("service started", extra={"http_port": self.settings.http_port})
        try:
            yield
        finally:
            log.info("service stopping: draining in-flight messages")
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.broker.stop()
            for hook in self.on_shutdown:
                await hook()
            if self.mongo is not None:
                await self.mongo.close()
            log.info("service stopped")


def build_app(service: Service, *, title: str, routers: Sequence[APIRouter] = ()) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with service.running():
            yield

    app = FastAPI(title=title, lifespan=lifespan)
    mount_health(app, service.readiness_checks())
    for router in routers:
        app.include_router(router)
    app.state.service = service
    return app


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def serve(app_factory: Callable[[SettingsT], FastAPI], settings: SettingsT) -> None:
    """Run one service in this process until SIGTERM/SIGINT, then shut down gracefully."""
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        app_factory(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=int(settings.graceful_timeout_seconds),
    )
