"""A crash between storing a state change and publishing its events loses no event.

The crash is simulated by writing exactly what a handler writes (state plus outbox, flag set)
without publishing, as a process killed at that point would leave it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.checkins.app import create_app
from kindred.checkins.domain import recorded_event
from kindred.checkins.repository import CheckinsRepository
from kindred.checkins.settings import CheckinsSettings
from kindred.events.envelope import utcnow
from kindred.messaging.outbox import outbox_fields
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _crash_after_write(settings: CheckinsSettings, infra: Infra, age: timedelta) -> Any:
    """Store a check-in and its pending outbox as a handler does, then 'crash'."""
    submitted = checkin_submitted("m1", mood=2)
    written_at = utcnow() - age
    outbox = outbox_fields(recorded_event(submitted, written_at, "kindred/checkins"))
    outbox["outbox_at"] = written_at
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
    repo = CheckinsRepository(client[settings.database_name])
    await repo.record(submitted, written_at, outbox)
    return client, repo, submitted


async def test_the_relay_sweep_publishes_what_a_crash_left_behind(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(CheckinsSettings, infra, namespace, outbox_relay_interval_seconds=0.5)
    client, repo, submitted = await _crash_after_write(settings, infra, timedelta(minutes=1))
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as reader,
    ):
        await eventually(reader.poll, lambda r: len(r) == 1, what="the relayed event")
        assert reader.values()[0]["data"]["checkin_id"] == submitted.data.checkin_id
        stored = await eventually(
            lambda: repo.checkins.find_one({"_id": submitted.data.checkin_id}),
            lambda d: d is not None and not d["outbox_pending"],
        )
        assert stored["outbox"] == []
    await client.close()


async def test_the_redelivered_message_publishes_what_a_crash_left_behind(
    infra: Infra, namespace: str
) -> None:
    # A relay interval far longer than the test: only the redelivery can publish the event.
    settings = settings_for(CheckinsSettings, infra, namespace, outbox_relay_interval_seconds=3600)
    client, repo, submitted = await _crash_after_write(settings, infra, timedelta(0))
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as reader,
    ):
        await produce_event(infra.kafka, namespace, submitted)  # the uncommitted message again
        await eventually(reader.poll, lambda r: len(r) == 1, what="the re-sent event")
        event = reader.values()[0]
        assert event["data"]["checkin_id"] == submitted.data.checkin_id
        assert event["causationid"] == submitted.id
        assert await repo.checkins.count_documents({"member_id": "m1"}) == 1
    await client.close()
