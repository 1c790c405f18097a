"""The check-ins service on real Kafka and the MongoDB-protocol server."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from kindred.checkins.app import create_app
from kindred.checkins.settings import CheckinsSettings
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def test_a_checkin_is_stored_and_recorded_once_even_when_delivered_twice(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_for(CheckinsSettings, infra, namespace)
    topic = f"{namespace}.checkin.recorded"
    async with running(create_app(settings)), TopicReader(infra.kafka, topic) as reader:
        first = checkin_submitted("m1", mood=4, note="rough week")
        marker = checkin_submitted("m1", mood=7)
        for event in (first, first, marker):
            await produce_event(infra.kafka, namespace, event)
        await eventually(
            reader.poll,
            lambda r: any(
                v["data"]["checkin_id"] == marker.data.checkin_id for v in reader.values()
            ),
            what="the marker check-in recorded",
        )
        await reader.read_to_end()
        ids = [v["data"]["checkin_id"] for v in reader.values()]
        assert ids == [first.data.checkin_id, marker.data.checkin_id]
        assert "rough week" not in reader.records[0].value.decode()
        assert reader.values()[0]["data"]["scores"]["mood"] == 4

        stored = await mongo[settings.database_name]["checkins"].find_one(
            {"_id": first.data.checkin_id}
        )
        assert stored is not None
        assert (stored["answers"]["mood"], stored["answers"]["note"]) == (4, "rough week")
        assert stored["scores"]["mood"] == 4 and stored["safety_rules"] == []
