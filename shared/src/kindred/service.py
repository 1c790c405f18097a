"""The runtime every service shares: start-up, readiness, graceful shutdown and serving.

Each service's composition root (`app.py`) builds a `Service` and hands it to `build_app`.
Start-up order: topics, indexes, broker, the partitioned consumer (last, once everything it
needs is there), then background loops. Shutdown reverses it: the consumer finishes the
batches it fetched before the broker and the database close. A failure half-way through
start-up closes what was already opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from kindred.apidocs import serve_docs
from kindred.background import BackgroundLoop, loops
from kindred.events.envelope import Envelope
from kindred.messaging.broker import describe, ensure_topics
from kindred.observability.health import ReadinessCheck, mount_health
from kindred.observability.logging import configure_logging
from kindred.partitions import log as partition_log
from kindred.partitions.consumer import PartitionedConsumer
from kindred.partitions.processor import Processor
from kindred.partitions.store import indexes as store_indexes
from kindred.settings import ServiceSettings
from kindred.storage.mongo import Document, database, ensure_indexes, ping

log = logging.getLogger(__name__)


@dataclass
class Service:
    settings: ServiceSettings
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document] | None = None
    # What the service does with the partitions it owns; the consumer runtime drives it, and
    # its stores say which collections and indexes the service has.
    processor: Processor | None = None
    # How often `processor.tick` runs per owned partition (None: the service has no timers).
    tick_interval: float | None = None
    # Event types it publishes (for its AsyncAPI document).
    publishes: Sequence[type[Envelope[Any]]] = ()
    # Replica-wide loops that run while the service does; each returns once `stop` is set.
    background: list[BackgroundLoop] = field(default_factory=list)
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    consumer: PartitionedConsumer | None = None

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

    def problems(self) -> list[str]:
        return loops.problems(self.settings.background_failures_unready)

    def specification_broker(self) -> KafkaBroker:
        consumes = self.processor.events if self.processor is not None else ()
        return describe(self.settings, consumes, self.publishes)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        # Settings built without `load` (an embedding app) are held to the same rule.
        self.settings.refuse_dev_secrets()
        if dev_secrets := self.settings.dev_secrets_in_use():
            log.warning(
                "dev mode: %s hold dev-only defaults; never expose this service beyond a laptop",
                ", ".join(dev_secrets),
            )
        async with contextlib.AsyncExitStack() as stack:
            if self.mongo is not None:
                stack.push_async_callback(self.mongo.close)
            for hook in reversed(self.on_shutdown):
                stack.push_async_callback(hook)
            await ensure_topics(self.settings)
            if self.mongo is not None and self.processor is not None:
                indexes = partition_log.INDEXES + store_indexes(self.processor.stores)
                await ensure_indexes(database(self.mongo, self.settings), indexes)
            await self.broker.start()
            stack.push_async_callback(self.broker.stop)
            if self.processor is not None:
                assert self.mongo is not None, "a service with a processor needs MongoDB"
                self.consumer = PartitionedConsumer(
                    self.settings,
                    self.broker,
                    database(self.mongo, self.settings),
                    self.processor,
                    tick_interval=self.tick_interval,
                )
                await self.consumer.start()
                stack.push_async_callback(self.consumer.stop)
            stop = asyncio.Event()
            tasks = [asyncio.create_task(loop(stop)) for loop in self.background]

            async def stop_background() -> None:
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)

            stack.push_async_callback(stop_background)
            log.info("service started", extra={"http_port": self.settings.http_port})
            try:
                yield
            finally:
                log.info("service stopping: finishing the batches in hand")
        log.info("service stopped")


def build_app(service: Service, *, title: str, routers: Sequence[APIRouter] = ()) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with service.running():
            yield

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    serve_docs(app)  # /docs and /redoc, with their assets served here (no CDN)
    mount_health(app, service.readiness_checks(), service.problems, lambda: sorted(loops.stopped))
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
