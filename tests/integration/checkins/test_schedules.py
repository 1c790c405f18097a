"""Check-in schedules on real Kafka and the MongoDB-protocol server: a reminder when due, once;
a missed check-in; two replicas sharing the partitions emit each reminder once; a replica
SIGKILLed while reminders are due leaves the rest to the survivor, none emitted twice."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo import AsyncMongoClient

from kindred.checkins.app import create_app
from kindred.checkins.settings import CheckinsSettings
from kindred.devtools.processes import ServiceProcess, free_port, metric_total
from kindred.events.schedules import CheckinScheduleSet, CheckinScheduleSetData
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event, produce_events
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

ZONES = ("Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe", "Europe/Paris")


def schedule_set(member_id: str, zone: str, local_time: str, at: datetime) -> CheckinScheduleSet:
    event = CheckinScheduleSet.new(
        subject=member_id,
        source="tests",
        data=CheckinScheduleSetData(member_id=member_id, time_zone=zone, local_time=local_time),
    )
    return event.model_copy(update={"time": at})


def next_minute(ahead: float) -> datetime:
    """The first whole minute at least `ahead` seconds from now (whole minutes are whole
    minutes in every zone in use today)."""
    soon = datetime.now(UTC) + timedelta(seconds=ahead)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def hhmm(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def occurrences(reader: TopicReader) -> Counter[str]:
    return Counter(v["data"]["occurrence_id"] for v in reader.values())


async def test_a_reminder_comes_once_when_due_and_silence_is_reported_missed(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_for(
        CheckinsSettings,
        infra,
        namespace,
        schedule_tick_seconds=0.2,
        schedule_missed_window_seconds=6,
        schedule_missed_grace_seconds=1,
    )
    due = next_minute(ahead=3)
    schedules = mongo[settings.database_name]["schedules"]
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.checkin.reminder-due") as reminders,
        TopicReader(infra.kafka, f"{namespace}.checkin.missed") as missed,
    ):
        now = datetime.now(UTC)
        for member_id, zone in (("quiet", "Asia/Kathmandu"), ("answers", "America/St_Johns")):
            event = schedule_set(member_id, zone, hhmm(due, zone), now)
            await produce_event(infra.kafka, namespace, event)
        await eventually(
            lambda: schedules.count_documents({"next_due": due}),
            lambda n: n == 2,
            what="both schedules stored, due at the next minute",
        )
        await eventually(
            reminders.poll,
            lambda _: {v["subject"] for v in reminders.values()} == {"quiet", "answers"},
            timeout=90,
            what="both reminders",
        )
        # The member who answers checks in inside the window; the other stays silent.
        await produce_event(infra.kafka, namespace, checkin_submitted("answers"))
        await eventually(
            lambda: schedules.find_one({"_id": "answers"}),
            lambda doc: doc is not None and doc["open"] == [],
            what="the check-in recorded against the occurrence",
        )
        await eventually(
            missed.poll, lambda r: len(r) >= 1, timeout=30, what="the silent member's miss"
        )
        # Both windows ended together: a miss of the member who answered would be there too.
        await missed.read_to_end()
        await reminders.read_to_end()

    emitted = reminders.values()
    assert sorted(v["subject"] for v in emitted) == ["answers", "quiet"]
    for value in emitted:
        assert value["type"] == "kindred.checkin.reminder-due.v1"
        assert datetime.fromisoformat(value["data"]["due_at"]) == due
        assert datetime.fromisoformat(value["time"]) >= due  # not before its time
    [miss] = missed.values()
    assert miss["type"] == "kindred.checkin.missed.v1"
    assert miss["subject"] == "quiet"
    assert miss["data"]["occurrence_id"] == f"quiet:{hhmm_date(due, 'Asia/Kathmandu')}"
    assert miss["data"]["reminded"] is True
    assert miss["data"]["window_seconds"] == 6
    stored = await schedules.find_one({"_id": "quiet"})
    assert stored is not None
    assert stored["open"] == []
    assert stored["last_date"] == hhmm_date(due, "Asia/Kathmandu")


def hhmm_date(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).date().isoformat()


# ---------------------------------------------------------------- replicas as processes


@pytest.fixture
def replicas(infra: Infra, namespace: str, tmp_path: Path) -> Iterator[list[ServiceProcess]]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KAFKA_TOPIC_PARTITIONS": "4",
        "KAFKA_SESSION_TIMEOUT_SECONDS": "6",  # the broker's minimum: a quick takeover
        "SCHEDULE_TICK_SECONDS": "0.3",
        "SCHEDULE_TICK_BATCH_MAX": "2",  # a few reminders a tick: emitting takes a while
        "RETRY_BACKOFF_BASE_SECONDS": "0.05",
        "LOG_LEVEL": "WARNING",
    }
    started = [
        ServiceProcess("checkins", free_port(), dict(env), tmp_path / f"checkins-{name}.log")
        for name in ("a", "b")
    ]
    try:
        for replica in started:
            replica.start()
        for replica in started:
            replica.wait_ready()
        yield started
    finally:
        for replica in started:
            replica.kill()


def owned(replica: ServiceProcess) -> float:
    return metric_total(replica.url, "kindred_partitions_owned") or 0.0


def reminders_sent(replica: ServiceProcess) -> float:
    return metric_total(replica.url, "kindred_checkin_reminders_total") or 0.0


async def both_own_partitions(replicas: list[ServiceProcess]) -> None:
    await eventually(
        lambda: asyncio.to_thread(lambda: [owned(r) for r in replicas]),
        lambda counts: sum(counts) == 4 and all(c >= 1 for c in counts),
        timeout=60,
        what="the four partitions shared by the two replicas",
    )


async def schedules_due_now(infra: Infra, namespace: str, members: int) -> set[str]:
    """Schedules set two minutes ago for the minute that just began: due at once."""
    now = datetime.now(UTC)
    this_minute = now.replace(second=0, microsecond=0)
    events = [
        schedule_set(
            f"member-{i}",
            ZONES[i % len(ZONES)],
            hhmm(this_minute, ZONES[i % len(ZONES)]),
            now - timedelta(minutes=2),
        )
        for i in range(members)
    ]
    await produce_events(infra.kafka, namespace, events)
    return {f"member-{i}:{hhmm_date(this_minute, ZONES[i % len(ZONES)])}" for i in range(members)}


@pytest.mark.slow
async def test_two_replicas_emit_each_reminder_exactly_once(
    infra: Infra, namespace: str, replicas: list[ServiceProcess]
) -> None:
    await both_own_partitions(replicas)
    async with TopicReader(infra.kafka, f"{namespace}.checkin.reminder-due") as reader:
        expected = await schedules_due_now(infra, namespace, members=60)
        await eventually(
            reader.poll,
            lambda _: set(occurrences(reader)) >= expected,
            timeout=90,
            what="a reminder for every schedule",
        )
        await reader.read_to_end()
        counts = occurrences(reader)
        assert set(counts) == expected
        assert [o for o, n in counts.items() if n != 1] == []
        sent = await asyncio.to_thread(lambda: [reminders_sent(r) for r in replicas])
        assert sum(sent) == len(expected)
        assert all(n > 0 for n in sent), sent  # both replicas took part


@pytest.mark.slow
async def test_a_replica_killed_while_reminders_are_due_leaves_each_to_the_survivor_once(
    infra: Infra, namespace: str, replicas: list[ServiceProcess]
) -> None:
    victim, survivor = replicas
    await both_own_partitions(replicas)
    async with TopicReader(infra.kafka, f"{namespace}.checkin.reminder-due") as reader:
        expected = await schedules_due_now(infra, namespace, members=80)
        sent_by_victim = await eventually(
            lambda: asyncio.to_thread(reminders_sent, victim),
            lambda n: n > 0,
            what="the victim emitting its first reminders",
        )
        victim.kill()  # SIGKILL: mid-way through its partitions' reminders
        await eventually(
            lambda: asyncio.to_thread(owned, survivor),
            lambda n: n == 4,
            timeout=60,
            what="the survivor owning every partition",
        )
        await eventually(
            reader.poll,
            lambda _: set(occurrences(reader)) >= expected,
            timeout=90,
            what="a reminder for every schedule",
        )
        await reader.read_to_end()

    assert set(occurrences(reader)) == expected
    ids: dict[str, set[str]] = defaultdict(set)
    for value in reader.values():
        ids[value["data"]["occurrence_id"]].add(value["id"])
    # One event per occurrence: a copy on the topic is the same event (same id), which
    # consumers skip. Copies come only from the takeover replaying each partition's latest log
    # entry (the rebalance moves every partition), at most a tick's worth (2) each.
    assert all(len(event_ids) == 1 for event_ids in ids.values())
    assert len(reader.records) - len(expected) <= 4 * 2
    # The survivor committed only what the victim had not: nothing the victim emitted twice.
    assert await asyncio.to_thread(reminders_sent, survivor) <= len(expected) - sent_by_victim
