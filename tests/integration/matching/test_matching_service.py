"""The matching service on real Kafka and the MongoDB-protocol server."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from kindred.events.matching import SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.matching.app import create_app
from kindred.matching.settings import MatchingSettings
from kindred.observability.metrics import (
    directory_supporters,
    events_handled,
    requests_waiting,
)
from tests.support.factories import profile_submitted, support_requested
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def _value(metric: Any) -> float:
    return float(metric._value.get())


def _handled(namespace: str, event_type: type[Any], outcome: str = "applied") -> Any:
    return events_handled.labels(topic=f"{namespace}.{event_type.TOPIC}", outcome=outcome)


async def test_a_request_is_proposed_to_a_fitting_supporter_once(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_for(MatchingSettings, infra, namespace, directory_refresh_seconds=0.2)
    db = mongo[settings.database_name]
    duplicates = _handled(namespace, SupportRequested, "duplicate")
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as reader,
        TopicReader(infra.kafka, f"{namespace}.match.slot-requested") as asks,
    ):
        await produce_event(
            infra.kafka, namespace, profile_submitted("french-griever", languages=["fr"])
        )
        await produce_event(
            infra.kafka, namespace, profile_submitted("anxious", topics=["anxiety"])
        )
        await produce_event(infra.kafka, namespace, profile_submitted("fits", capacity=1))
        await eventually(
            lambda: _value(directory_supporters), lambda n: n == 3, what="three supporters known"
        )

        waiting_before = await _value(requests_waiting)
        request = support_requested("seeker-1")
        await produce_event(infra.kafka, namespace, request)
        await produce_event(infra.kafka, namespace, request)  # a copy of the same event
        await eventually(reader.poll, lambda r: len(r) >= 1, what="a proposal")
        # A late copy, after the proposal: it must be recognised, not matched again.
        copies_before = await _value(duplicates)
        await produce_event(infra.kafka, namespace, request)
        await eventually(
            lambda: _value(duplicates),
            lambda n: n == copies_before + 1,
            what="the late copy dropped as a duplicate",
        )
        later = support_requested("seeker-2")
        await produce_event(infra.kafka, namespace, later)
        await eventually(
            lambda: _value(requests_waiting),
            lambda n: n == waiting_before + 1,
            what="the second request left waiting (the only fitting supporter is full)",
        )

        # Everything above is settled (the second request's chain ended at the full
        # supporter): the topic, read to its end, holds one proposal.
        await reader.read_to_end()
        assert [v["data"]["request_id"] for v in reader.values()] == [request.data.request_id]
        match = reader.values()[0]
        assert match["type"] == "kindred.match.proposed.v1"
        assert match["data"]["seeker_id"] == "seeker-1"
        assert match["data"]["supporter_id"] == "fits"
        assert match["data"]["request_id"] == request.data.request_id
        assert match["correlationid"] == request.correlationid
        # The chain: the request caused one ask, the ask caused the proposal.
        await asks.poll()
        [ask] = asks.values()
        assert ask["causationid"] == request.id
        assert match["causationid"] == ask["id"]

        # Matching's writes follow their batches within WRITE_BEHIND_SECONDS.
        async def stored() -> tuple[list[Any], int, list[Any]]:
            holds = [(h["_id"], h["supporter_id"]) async for h in db["holds"].find({})]
            requests = await db["requests"].count_documents({})
            open_ids = [d["_id"] async for d in db["open_requests"].find({"kind": "open"})]
            return holds, requests, open_ids

        # One hold; both requests recorded; the matched one left the working set.
        await eventually(
            stored,
            lambda s: s == ([(request.data.request_id, "fits")], 2, [later.data.request_id]),
            what="the hold, the requests and the working set stored",
        )


async def test_an_older_profile_never_overwrites_a_newer_one(infra: Infra, namespace: str) -> None:
    # Writes applied with their batch: once both events count as handled, both are stored.
    settings = settings_for(MatchingSettings, infra, namespace, write_behind_seconds=0)
    handled = _handled(namespace, ProfileSubmitted)
    async with running(create_app(settings)):
        newer = profile_submitted("m1", capacity=5)
        older = profile_submitted("m1", capacity=2).model_copy(
            update={"time": newer.time.replace(year=newer.time.year - 1)}
        )
        before = await _value(handled)
        await produce_event(infra.kafka, namespace, newer)
        await produce_event(infra.kafka, namespace, older)
        await eventually(
            lambda: _value(handled), lambda v: v == before + 2, what="both profiles handled"
        )
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
        stored = await mongo[settings.database_name]["profiles"].find_one({"_id": "m1"})
        assert stored is not None
        assert stored["capacity"] == 5
        assert stored["profile_event_id"] == newer.id
        await mongo.close()


async def test_a_waiting_request_is_proposed_once_a_supporter_with_room_appears(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(
        MatchingSettings,
        infra,
        namespace,
        rematch_interval_seconds=0.2,
        directory_refresh_seconds=0.2,
    )
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as reader,
    ):
        handled = _handled(namespace, SupportRequested)
        request = support_requested("seeker-1")
        await produce_event(infra.kafka, namespace, request)
        await eventually(
            lambda: _value(handled), lambda n: n == 1, what="the request handled: it waits"
        )
        assert await reader.poll() == []

        await produce_event(infra.kafka, namespace, profile_submitted("late-supporter"))
        records = await eventually(
            reader.poll, lambda r: len(r) >= 1, what="the re-match tick's proposal"
        )
        assert len(records) == 1
        proposal = reader.values()[0]
        assert proposal["data"]["supporter_id"] == "late-supporter"
        assert proposal["data"]["request_id"] == request.data.request_id
        assert proposal["correlationid"] == request.correlationid
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
        db = mongo[settings.database_name]
        await eventually(
            lambda: db["open_requests"].count_documents({}),
            lambda n: n == 0,
            what="the matched request leaving the working set",
        )
        await mongo.close()
