"""A failure half-way through start-up closes what start-up had already opened: the broker's
connections, the database client, the consumer and its tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from pymongo.errors import InvalidOperation

from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import Envelope
from kindred.messaging.broker import create_broker
from kindred.partitions.processor import Changes, Stateless
from kindred.service import Service
from kindred.settings import ServiceSettings
from kindred.storage.mongo import create_client
from tests.support.infra import Infra
from tests.support.services import settings_for

pytestmark = pytest.mark.integration


class StartupBroke(Exception):
    pass


class BreaksAtStart(Stateless):
    """A processor whose event list cannot be read: the consumer fails as it is built, after
    the topics, the indexes and the broker are up."""

    @property
    def events(self) -> Sequence[type[Envelope[Any]]]:
        raise StartupBroke("the processor cannot say what it consumes")

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        pass


class Consumes(Stateless):
    events = (CheckinSubmitted,)

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        pass


async def test_a_failure_during_start_up_closes_what_was_opened(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(ServiceSettings, infra, namespace)
    mongo = create_client(settings)
    broker = create_broker(settings)
    closed_hooks: list[str] = []

    async def hook() -> None:
        closed_hooks.append("on_shutdown")

    service = Service(
        settings=settings,
        broker=broker,
        mongo=mongo,
        processor=BreaksAtStart(),
        on_shutdown=[hook],
    )
    tasks_before = asyncio.all_tasks()
    with pytest.raises(StartupBroke):
        async with service.running():
            pytest.fail("start-up should have failed")

    assert not broker.running
    assert broker._producer.closed, "the broker's producer was left connected"
    with pytest.raises(InvalidOperation):
        await mongo.admin.command("ping")  # closed: the client refuses work
    assert closed_hooks == ["on_shutdown"]
    await asyncio.sleep(0)  # let cancelled tasks finish
    leftover = [t for t in asyncio.all_tasks() - tasks_before if not t.done()]
    assert [t for t in leftover if t is not asyncio.current_task()] == []


async def test_a_failure_after_the_consumer_started_stops_the_consumer(
    infra: Infra, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(ServiceSettings, infra, namespace)
    mongo = create_client(settings)
    service = Service(
        settings=settings, broker=create_broker(settings), mongo=mongo, processor=Consumes()
    )

    def broken_loop(stop: asyncio.Event) -> Any:
        raise StartupBroke("a background loop cannot be created")

    service.background.append(broken_loop)
    tasks_before = asyncio.all_tasks()
    with pytest.raises(StartupBroke):
        async with service.running():
            pytest.fail("start-up should have failed")

    consumer = service.consumer
    assert consumer is not None
    assert consumer.consumer is not None
    assert consumer.consumer._closed, "the Kafka consumer was left in its group"
    assert all(task.done() for task in consumer._tasks)
    leftover = [t for t in asyncio.all_tasks() - tasks_before if not t.done()]
    assert [t for t in leftover if t is not asyncio.current_task()] == []
