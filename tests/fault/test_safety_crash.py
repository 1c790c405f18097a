"""A crash between storing a triggering check-in and emitting its alert loses nothing and
doubles nothing: the check-ins service, a real process, dies right after the partition-log entry
carrying the urgent alert is written (the `after-log-append-urgent` failpoint) or at a random
point of a stream (SIGKILL); the next start replays the entry, so every triggering check-in has
exactly one alert id on `safety.alert-raised`, one episode is opened per member, and every
check-in is stored once."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.devtools.processes import ServiceProcess, free_port
from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import deterministic_id
from kindred.failpoints import CRASH_STATUS
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event, produce_events
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

URGENT_PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 2]
FAILPOINT = "after-log-append-urgent"


def triggering(member_id: str) -> CheckinSubmitted:
    return checkin_submitted(member_id, mood=None, note="", phq9=URGENT_PHQ9)


def calm(member_id: str) -> CheckinSubmitted:
    return checkin_submitted(member_id, mood=6, note="a walk helped")


def alert_id(checkin: CheckinSubmitted) -> str:
    return deterministic_id("safety.alert", checkin.data.checkin_id)


@pytest.fixture
def checkins(infra: Infra, namespace: str, tmp_path: Path) -> Iterator[ServiceProcess]:
    """The check-ins service as a process (not started); killed however the test ends."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KAFKA_TOPIC_PARTITIONS": "4",
        "KAFKA_SESSION_TIMEOUT_SECONDS": "6",  # the broker's minimum: a quick rejoin
        "RETRY_BACKOFF_BASE_SECONDS": "0.05",
        "LOG_LEVEL": "WARNING",
    }
    service = ServiceProcess("checkins", free_port(), env, tmp_path / "checkins.log")
    try:
        yield service
    finally:
        service.kill()


async def exit_status(service: ServiceProcess, timeout: float = 60.0) -> int:  # noqa: ASYNC109
    assert service.process is not None
    process = service.process
    try:
        return await asyncio.to_thread(process.wait, timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{service.name} still running after {timeout}s") from None


async def recorded_ids(reader: TopicReader) -> set[str]:
    await reader.poll()
    return {v["data"]["checkin_id"] for v in reader.values()}


async def test_a_crash_after_the_log_append_emits_the_alert_once_on_restart(
    infra: Infra,
    namespace: str,
    checkins: ServiceProcess,
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    checkins.env["KINDRED_FAILPOINTS"] = FAILPOINT
    checkins.start()
    await asyncio.to_thread(checkins.wait_ready)
    crisis = triggering("m1")
    async with (
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
        TopicReader(infra.kafka, f"{namespace}.safety.episode-opened") as opened,
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as recorded,
    ):
        await produce_event(infra.kafka, namespace, crisis)
        # Dies right after the log entry with the alert is written: nothing published yet.
        assert await exit_status(checkins) == CRASH_STATUS, checkins.tail()
        assert f"failpoint {FAILPOINT}" in checkins.tail()
        assert await alerts.read_to_end() == []
        assert await opened.read_to_end() == []
        assert await recorded.read_to_end() == []

        del checkins.env["KINDRED_FAILPOINTS"]
        checkins.start()
        await asyncio.to_thread(checkins.wait_ready)
        marker = calm("m1")  # same member, same partition: handled after the replay
        await produce_event(infra.kafka, namespace, marker)
        await eventually(
            lambda: recorded_ids(recorded),
            lambda ids: marker.data.checkin_id in ids,
            timeout=60,
            what="the marker check-in recorded after the restart",
        )
        await alerts.read_to_end()
        await opened.read_to_end()
        await recorded.read_to_end()

    assert checkins.running, checkins.tail()
    raised = alerts.values()
    assert [a["id"] for a in raised] == [alert_id(crisis)]
    assert raised[0]["data"]["checkin_id"] == crisis.data.checkin_id
    assert raised[0]["data"]["severity"] == "urgent"
    [episode] = opened.values()
    assert episode["data"]["alert_id"] == alert_id(crisis)
    assert raised[0]["data"]["episode_id"] == episode["data"]["episode_id"]
    assert sorted(v["data"]["checkin_id"] for v in recorded.values()) == sorted(
        [crisis.data.checkin_id, marker.data.checkin_id]
    )
    stored = mongo[f"{namespace}_checkins"]["checkins"]
    assert await stored.count_documents({"_id": crisis.data.checkin_id}) == 1
    assert await stored.count_documents({}) == 2
    member = await mongo[f"{namespace}_checkins"]["members"].find_one({"_id": "m1"})
    assert member is not None and member["episode"]["alerts"] == 1


MEMBERS = 24
CHECKINS_PER_MEMBER = 10  # 240 in all, about a third of them triggering
STREAM_RATE = 40.0  # check-ins a second


async def test_a_sigkill_mid_stream_leaves_one_alert_per_triggering_checkin(
    infra: Infra,
    namespace: str,
    checkins: ServiceProcess,
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    stream = [
        (triggering if rng.random() < 1 / 3 else calm)(f"member-{m:02d}")
        for _ in range(CHECKINS_PER_MEMBER)
        for m in range(MEMBERS)
    ]
    expected = {e.data.checkin_id: e for e in stream}
    crises = {e.data.checkin_id: e for e in stream if e.data.phq9 is not None}
    checkins.start()
    await asyncio.to_thread(checkins.wait_ready)

    async with (
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
        TopicReader(infra.kafka, f"{namespace}.safety.episode-opened") as opened,
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as recorded,
    ):

        async def produce_stream() -> None:
            batch = 8
            started = asyncio.get_running_loop().time()
            for i in range(0, len(stream), batch):
                due = started + i / STREAM_RATE
                await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))
                await produce_events(infra.kafka, namespace, stream[i : i + batch])

        producing = asyncio.create_task(produce_stream())
        try:
            # A random point of the stream: once a random share of it has been recorded.
            threshold = rng.randint(len(stream) // 8, len(stream) // 2)
            await eventually(
                lambda: recorded_ids(recorded),
                lambda ids: len(ids) >= threshold,
                timeout=60,
                what=f"{threshold} check-ins recorded (seed {seed})",
            )
            assert not producing.done(), f"the stream ended before the kill (seed {seed})"
            before = len(await recorded_ids(recorded))
            checkins.kill()
            checkins.start()
            await asyncio.to_thread(checkins.wait_ready)
        finally:
            await producing
        assert 0 < before < len(expected), f"killed mid-stream: {before} recorded (seed {seed})"

        await eventually(
            lambda: recorded_ids(recorded),
            lambda ids: ids >= set(expected),
            timeout=120,
            what=f"every check-in recorded after the restart (seed {seed})",
        )
        await alerts.read_to_end()
        await opened.read_to_end()
        await recorded.read_to_end()

    assert checkins.running, checkins.tail()
    context = f"seed {seed}: killed with {before} of {len(expected)} recorded"
    alert_ids: dict[str, set[str]] = defaultdict(set)
    for value in alerts.values():
        alert_ids[value["data"]["checkin_id"]].add(value["id"])
    # Every triggering check-in has its alert, exactly one id (a replay may publish a copy of
    # the latest entry's alert with the same id, which consumers skip); no calm one has any.
    assert set(alert_ids) == set(crises), context
    assert {c: ids for c, ids in alert_ids.items() if ids != {alert_id(crises[c])}} == {}, context
    # One episode per member with a triggering check-in (nobody closes it), whatever the copies.
    episodes: dict[str, set[str]] = defaultdict(set)
    for value in opened.values():
        episodes[value["data"]["member_id"]].add(value["data"]["episode_id"])
    assert set(episodes) == {e.data.member_id for e in crises.values()}, context
    assert all(len(ids) == 1 for ids in episodes.values()), context
    # Nothing lost, nothing stored twice.
    assert {v["data"]["checkin_id"] for v in recorded.values()} == set(expected), context
    stored = mongo[f"{namespace}_checkins"]["checkins"]
    ids = [d["_id"] async for d in stored.find({}, projection={"_id": 1})]
    assert sorted(ids) == sorted(expected), context
