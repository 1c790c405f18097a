"""The matching service on real Kafka and the MongoDB-protocol server."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from kindred.events.members import ProfileSubmitted
from kindred.matching.app import create_app
from kindred.matching.settings import MatchingSettings
from kindred.observability.metrics import events_handled
from tests.support.factories import profile_submitted, support_requested
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def test_a_request_is_proposed_to_a_fitting_supporter_once(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace)
    proposed_topic = f"{namespace}.match.proposed"
    async with running(create_app(settings)), TopicReader(infra.kafka, proposed_topic) as reader:
        await produce_event(
            infra.kafka, namespace, profile_submitted("french-griever", languages=["fr"])
        )
        await produce_event(
            infra.kafka, namespace, profile_submitted("anxious", topics=["anxiety"])
        )
        await produce_event(infra.kafka, namespace, profile_submitted("fits", capacity=1))

        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
        profiles = mongo[settings.database_name]["profiles"]
        await eventually(
            lambda: profiles.count_documents({}), lambda n: n == 3, what="three profiles stored"
        )

        request = support_requested("seeker-1")
        await produce_event(infra.kafka, namespace, request)
        await produce_event(infra.kafka, namespace, request)  # delivered twice
        # Same key, so processed after both copies: when its outcome shows, they are done.
        later = support_requested("seeker-1")
        await produce_event(infra.kafka, namespace, later)

        requests = mongo[settings.database_name]["requests"]
        await eventually(
            lambda: requests.find_one({"_id": later.data.request_id}),
            lambda d: d is not None and d["status"] == "waiting",
            what="second request left waiting (the only supporter is full)",
        )
        values = (await eventually(reader.poll, lambda r: len(r) >= 1)) and reader.values()
        assert len(values) == 1
        match = values[0]
        assert match["type"] == "kindred.match.proposed.v1"
        assert match["data"]["seeker_id"] == "seeker-1"
        assert match["data"]["supporter_id"] == "fits"
        assert match["data"]["request_id"] == request.data.request_id
        assert match["correlationid"] == request.correlationid
        assert match["causationid"] == request.id

        supporter = await profiles.find_one({"_id": "fits"})
        assert supporter is not None
        assert supporter["load"] == [request.data.request_id]
        assert supporter["load_count"] == 1
        await mongo.close()


async def test_an_older_profile_never_overwrites_a_newer_one(infra: Infra, namespace: str) -> None:
    settings = settings_for(MatchingSettings, infra, namespace)
    skipped = events_handled.labels(
        topic=f"{namespace}.{ProfileSubmitted.TOPIC}", outcome="skipped"
    )
    async with running(create_app(settings)):
        newer = profile_submitted("m1", capacity=5)
        older = profile_submitted("m1", capacity=2).model_copy(
            update={"time": newer.time.replace(year=newer.time.year - 1)}
        )
        before = skipped._value.get()
        await produce_event(infra.kafka, namespace, newer)
        await produce_event(infra.kafka, namespace, older)
        await eventually(
            lambda: _value(skipped),
            lambda v: v == before + 1,
            what="the older profile handled and skipped",
        )
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
        stored = await mongo[settings.database_name]["profiles"].find_one({"_id": "m1"})
        assert stored is not None
        assert stored["capacity"] == 5
        assert stored["profile_event_id"] == newer.id
        await mongo.close()


async def _value(counter: Any) -> float:
    return float(counter._value.get())


async def test_a_waiting_request_is_proposed_once_a_supporter_with_room_appears(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace, rematch_interval_seconds=0.2)
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as reader,
    ):
        request = support_requested("seeker-1")
        await produce_event(infra.kafka, namespace, request)
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
        requests = mongo[settings.database_name]["requests"]
        await eventually(
            lambda: requests.find_one({"_id": request.data.request_id}),
            lambda d: d is not None and d["status"] == "waiting",
            what="the request waiting: nobody can support it yet",
        )
        assert await reader.poll() == []

        await produce_event(infra.kafka, namespace, profile_submitted("late-supporter"))
        records = await eventually(
            reader.poll, lambda r: len(r) >= 1, what="the re-match loop's proposal"
        )
        assert len(records) == 1
        proposal = reader.values()[0]
        assert proposal["data"]["supporter_id"] == "late-supporter"
        assert proposal["correlationid"] == request.correlationid
        assert proposal["causationid"] == request.id
        stored = await requests.find_one({"_id": request.data.request_id})
        assert stored is not None and stored["status"] == "proposed"
        await mongo.close()
