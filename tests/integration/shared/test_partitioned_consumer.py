"""The partitioned consumer runtime on real Kafka and the MongoDB-protocol server.

Each replica runs in a thread of its own with its own event loop, as a process would: blocking
that thread stops everything the replica does, its heartbeats included, like a paused process.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient

from kindred.events.checkins import CheckinRecorded, CheckinRecordedData, CheckinSubmitted
from kindred.events.envelope import Envelope
from kindred.messaging.broker import create_broker, ensure_topics
from kindred.observability.metrics import events_handled, partitions_fenced, records_refused
from kindred.partitions.consumer import UNPUBLISHABLE, PartitionedConsumer
from kindred.partitions.log import COLLECTION, Entry, PartitionLog, Record, new_owner
from kindred.partitions.processor import Changes, Processor, event_record
from kindred.partitions.store import Kind, Store, Tables
from kindred.settings import ServiceSettings
from kindred.storage.mongo import create_client, database
from kindred.storage.writes import Insert
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce, produce_event
from tests.support.services import settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow

# A handling: {"_id", "event_id", "member_id", "replica"}.
WITNESS = Store("witness", lambda doc: doc, member_fields=("member_id",), kind=Kind.HISTORY)


def recorded_event(event: CheckinSubmitted, now: Any, source: str) -> CheckinRecorded:
    data = event.data
    return CheckinRecorded.new(
        id=f"recorded-{data.checkin_id}",
        subject=data.member_id,
        source=source,
        caused_by=event,
        data=CheckinRecordedData(
            checkin_id=data.checkin_id, member_id=data.member_id, recorded_at=now, scores=None
        ),
    )


class Witness:
    """Records every handling of a check-in as a new document, so a second handling shows."""

    events = (CheckinSubmitted,)
    stores = (WITNESS,)

    def __init__(self, name: str, freeze: threading.Event, freeze_seconds: float) -> None:
        self.name = name
        self.freeze = freeze
        self.freeze_seconds = freeze_seconds
        self.loads = 0

    def load(self, partition: int, tables: Tables) -> None:
        self.loads += 1

    def drop(self, partition: int) -> None:
        pass

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        assert isinstance(event, CheckinSubmitted)
        if event.data.note == "poison":
            raise ValueError("this check-in breaks the handler")
        if event.data.note == "freeze" and not self.freeze.is_set():
            self.freeze.set()
            time.sleep(self.freeze_seconds)  # the whole replica stops, heartbeats included
        handling = {"_id": uuid.uuid4().hex, "event_id": event.id, "replica": self.name}
        changes.insert(WITNESS, {**handling, "member_id": event.data.member_id})
        changes.emit(recorded_event(event, changes.now, f"tests/{self.name}"))

    def tick(self, partition: int, changes: Changes) -> None:
        pass


class Replica:
    """One replica of a service built around `Witness`, running in a thread of its own."""

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        freeze: threading.Event,
        processor: Processor | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        pause = settings.kafka_session_timeout_seconds * 3
        self.processor = processor or Witness(name, freeze, freeze_seconds=pause)
        self.consumer: PartitionedConsumer | None = None
        self.ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)

    def owned(self) -> list[int]:
        return list(self.consumer.owned_partitions()) if self.consumer else []

    def owner_tokens(self) -> set[str]:
        if self.consumer is None:
            return set()
        return {p.head.owner for p in list(self.consumer.owned.values()) if p.head is not None}

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:
            self.error = exc

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        broker = create_broker(self.settings)
        mongo = create_client(self.settings)
        try:
            await broker.start()
            self.consumer = PartitionedConsumer(
                self.settings, broker, database(mongo, self.settings), self.processor
            )
            await self.consumer.start()
            self.ready.set()
            await self._stop.wait()
        finally:
            if self.consumer is not None:
                await self.consumer.stop()
            await broker.stop()
            await mongo.close()

    def start(self) -> Replica:
        self.thread.start()
        assert self.ready.wait(60), f"{self.name} did not start: {self.error!r}"
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self.thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        # Up to the graceful timeout for the batch in hand, then leaving the group.
        self.thread.join(self.settings.graceful_timeout_seconds + 90)


class WitnessSettings(ServiceSettings):
    service_name: ClassVar[str] = "witness"


@pytest.fixture
async def settings(infra: Infra, namespace: str) -> ServiceSettings:
    result = settings_for(
        WitnessSettings,
        infra,
        namespace,
        kafka_topic_partitions=1,
        kafka_session_timeout_seconds=6,  # the broker's minimum
        graceful_timeout_seconds=30,
    )
    await ensure_topics(result)
    return result


@pytest.fixture
async def db(infra: Infra, settings: ServiceSettings) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url, tz_aware=True)
    yield client[settings.database_name]
    await client.close()


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    started: list[Replica] = []
    yield started
    for replica in started:
        replica.stop()


async def committed_offset(bootstrap: str, group: str, topic: str) -> int | None:
    """The offset `group` committed on partition 0 of `topic`, read without joining it."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        offset: int | None = await reader.committed(TopicPartition(topic, 0))
        return offset
    finally:
        await reader.stop()


async def handlings(db: Any) -> Counter[str]:
    return Counter([d["event_id"] async for d in db[WITNESS.collection].find({})])


async def test_a_paused_replica_wakes_fenced_and_its_late_writes_are_rejected(
    infra: Infra, namespace: str, settings: ServiceSettings, db: Any, replicas: list[Replica]
) -> None:
    freeze = threading.Event()
    replicas += [Replica(name, settings, freeze).start() for name in ("a", "b")]
    first = (
        await eventually(
            lambda: _owners(replicas), lambda o: len(o) == 1, what="one replica owning it"
        )
    )[0]
    other = next(r for r in replicas if r is not first)
    frozen_tokens = first.owner_tokens()
    fenced_before = partitions_fenced.labels(group=settings.consumer_group)._value.get()

    frozen = checkin_submitted("m1", note="freeze")
    await produce_event(infra.kafka, namespace, frozen)
    await eventually(_async(freeze.is_set), what="the owner frozen mid-batch")
    # Paused past its session timeout, the owner loses the partition to the other replica,
    # which fences it and handles the same record again (the frozen batch never committed).
    await eventually(
        lambda: _owners(replicas), lambda o: o == [other], timeout=60, what="the takeover"
    )
    later = [checkin_submitted("m1", note=f"after {i}") for i in range(5)]
    for event in later:
        await produce_event(infra.kafka, namespace, event)
    await eventually(
        lambda: handlings(db),
        lambda h: all(h[e.id] == 1 for e in [frozen, *later]),
        timeout=60,
        what="every check-in handled by the new owner",
    )
    # The frozen replica wakes, finishes its batch and tries to commit it: rejected.
    await eventually(
        _async(partitions_fenced.labels(group=settings.consumer_group)._value.get),
        lambda n: n == fenced_before + 1,
        timeout=60,
        what="the late commit rejected",
    )
    seen = [d async for d in db[WITNESS.collection].find({})]
    assert Counter(d["event_id"] for d in seen) == Counter(e.id for e in [frozen, *later])
    assert {d["replica"] for d in seen if d["event_id"] == frozen.id} == {other.name}
    # Nothing was written under the frozen replica's ownership after the other one's fence.
    entries = [d async for d in db[COLLECTION].find({}, sort=[("seq", 1)])]
    frozen_seqs = [e["seq"] for e in entries if e["owner"] in frozen_tokens]
    takeover = next(
        e["seq"]
        for e in entries
        if e["fence"] and e["owner"] not in frozen_tokens and e["seq"] > min(frozen_seqs)
    )
    assert max(frozen_seqs) < takeover
    assert first.error is None and other.error is None


async def test_a_batch_committed_but_not_applied_is_replayed_by_the_next_owner(
    infra: Infra, namespace: str, settings: ServiceSettings, db: Any, replicas: list[Replica]
) -> None:
    """A replica killed right after inserting its log entry leaves the writes and events of
    that batch undone; the next owner of the partition applies and publishes them."""
    done = checkin_submitted("m1", note="committed before the crash")
    fresh = checkin_submitted("m1", note="arrives later")
    await produce_event(infra.kafka, namespace, done)
    event = recorded_event(done, done.time, "tests/crashed")
    crashed = Entry(
        partition=0,
        seq=1,
        owner=new_owner(),
        at=done.time,
        offsets={f"{namespace}.{CheckinSubmitted.TOPIC}": 1},  # past `done`
        writes=[
            Insert(
                WITNESS.collection, {"_id": "crashed", "event_id": done.id, "replica": "crashed"}
            )
        ],
        records=[event_record(namespace, event)],
    )
    await PartitionLog(db).entries.insert_one(crashed.to_doc())

    async with TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as recorded:
        replicas.append(Replica("next", settings, threading.Event()).start())
        await produce_event(infra.kafka, namespace, fresh)
        await eventually(
            lambda: handlings(db),
            lambda h: h[fresh.id] == 1,
            what="the next owner handling new records",
        )
        values = (
            await eventually(recorded.poll, lambda r: len(r) >= 2, what="both check-ins announced")
            and recorded.values()
        )
    # `done` was handled once, by the crashed owner; its effects came from the replay.
    assert await handlings(db) == Counter({done.id: 1, fresh.id: 1})
    assert (await db[WITNESS.collection].find_one({"event_id": done.id}))["replica"] == "crashed"
    assert sorted(v["id"] for v in values) == sorted([event.id, _recorded_id(fresh)])


async def test_a_poison_record_goes_to_the_dead_letter_topic_and_the_rest_goes_on(
    infra: Infra, namespace: str, settings: ServiceSettings, db: Any, replicas: list[Replica]
) -> None:
    topic = f"{namespace}.{CheckinSubmitted.TOPIC}"
    good = [checkin_submitted("m1", note=f"fine {i}") for i in range(3)]
    bad = checkin_submitted("m1", note="poison")
    async with TopicReader(infra.kafka, f"{topic}.dlt") as dead:
        for event in (good[0], bad, good[1]):
            await produce_event(infra.kafka, namespace, event)
        await produce(infra.kafka, topic, {"not": "a check-in"}, key="m1")
        await produce_event(infra.kafka, namespace, good[2])
        replicas.append(Replica("only", settings, threading.Event()).start())
        await eventually(
            lambda: handlings(db),
            lambda h: all(h[e.id] == 1 for e in good),
            what="the good check-ins handled around the bad ones",
        )
        letters = await eventually(dead.poll, lambda r: len(r) >= 2, what="two dead letters")
    assert await handlings(db) == Counter(e.id for e in good)
    headers = [dict(r.headers) for r in letters]
    assert [h["kindred-dlt-error-type"] for h in headers] == [b"ValueError", b"ValidationError"]
    assert all(h["kindred-dlt-origin-topic"] == topic.encode() for h in headers)
    assert int(headers[0]["kindred-dlt-origin-offset"]) == 1
    assert b"breaks the handler" in headers[0]["kindred-dlt-error-message"]
    assert letters[0].value is not None and bad.id.encode() in letters[0].value

    # The partition moved past all five records, the dead ones included, in the log (where an
    # owner resumes) and in the group's offsets on Kafka: nothing will be handled again.
    async def log_resumes_at() -> int:
        entries = [d async for d in db[COLLECTION].find({"partition": 0})]
        latest = max(entries, key=lambda d: d["seq"])
        return int({o["topic"]: o["next"] for o in latest["offsets"]}.get(topic, 0))

    await eventually(log_resumes_at, lambda n: n == 5, what="the log resuming after record 4")
    await eventually(
        lambda: committed_offset(infra.kafka, settings.consumer_group, topic),
        lambda n: n == 5,
        what="the group's Kafka offset past record 4",
    )


def _recorded_id(event: CheckinSubmitted) -> str:
    return recorded_event(event, event.time, "x").id


def _async(probe: Any) -> Any:
    async def call() -> Any:
        return probe()

    return call


async def _owners(replicas: list[Replica]) -> list[Replica]:
    return [r for r in replicas if r.owned() == [0]]


COUNTED = Store(
    "counted",
    lambda doc: doc,
    member_fields=("member_id",),
    decode=lambda doc: doc,
)  # {"_id": event id, "member_id", "n"}


class Numbering:
    """Numbers the check-ins it handles, counting from what MongoDB holds when it (re)loads: a
    reload that missed committed batches would number some twice."""

    events = (CheckinSubmitted,)
    stores = (COUNTED,)

    def __init__(self) -> None:
        self.count: dict[int, int] = {}

    def load(self, partition: int, tables: Tables) -> None:
        self.count[partition] = len(tables[COUNTED])

    def drop(self, partition: int) -> None:
        self.count.pop(partition, None)

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        assert isinstance(event, CheckinSubmitted)
        if event.data.note == "poison":
            self.count[partition] += 1000  # a half-done effect the reload must undo
            raise ValueError("poison")
        self.count[partition] += 1
        doc = {"_id": event.id, "member_id": event.data.member_id, "n": self.count[partition]}
        changes.put(COUNTED, doc)

    def tick(self, partition: int, changes: Changes) -> None:
        pass


async def test_a_reload_applies_the_batches_still_waiting_for_write_behind_first(
    infra: Infra, namespace: str, settings: ServiceSettings, db: Any, replicas: list[Replica]
) -> None:
    slow = settings.model_copy(update={"write_behind_seconds": 60})
    counter = Numbering()
    replica = Replica("counter", slow, threading.Event(), processor=counter).start()
    replicas.append(replica)
    applied = events_handled.labels(
        topic=f"{namespace}.{CheckinSubmitted.TOPIC}", outcome="applied"
    )
    before = applied._value.get()
    first = [checkin_submitted("m1", note=f"first {i}") for i in range(3)]
    for event in first:
        await produce_event(infra.kafka, namespace, event)
    await eventually(
        _async(applied._value.get),
        lambda n: n >= before + 3,
        what="the first check-ins committed (their writes still waiting)",
    )
    later = [checkin_submitted("m1", note="poison"), checkin_submitted("m1", note="later")]
    for event in later:
        await produce_event(infra.kafka, namespace, event)
    await eventually(
        _async(applied._value.get),
        lambda n: n >= before + 4,  # the poison one went to the dead-letter topic
        what="the batch with the poison handled",
    )
    replica.stop()  # leaving applies what still waits
    numbers = sorted([d["n"] async for d in db["counted"].find({})])
    assert numbers == [1, 2, 3, 4]


class Oversized(Witness):
    """Emits, for a check-in noted "huge", a record larger than Kafka accepts."""

    topic = "unset"

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        assert isinstance(event, CheckinSubmitted)
        if event.data.note == "huge":
            changes.records.append(
                Record(f"{self.topic}", b"m1", b"x" * 2_000_000, (("kind", "oversized"),))
            )
        super().handle(partition, event, changes)


async def test_a_record_kafka_refuses_for_good_is_parked_and_the_partition_goes_on(
    infra: Infra, namespace: str, settings: ServiceSettings, db: Any, replicas: list[Replica]
) -> None:
    processor = Oversized("only", threading.Event(), 0)
    processor.topic = f"{namespace}.oversized"
    events = [
        checkin_submitted("m1", note="before"),
        checkin_submitted("m1", note="huge"),
        checkin_submitted("m1", note="after"),
    ]
    refused = records_refused.labels(topic=processor.topic, error_type="MessageSizeTooLargeError")
    refused_before = refused._value.get()
    for event in events[:2]:
        await produce_event(infra.kafka, namespace, event)
    replicas.append(Replica("only", settings, threading.Event(), processor).start())
    await eventually(
        lambda: handlings(db),
        lambda h: h == Counter(e.id for e in events[:2]),
        what="the first two check-ins handled",
    )
    # The next batch is not held back by the record Kafka refused.
    await produce_event(infra.kafka, namespace, events[2])
    await eventually(
        lambda: handlings(db),
        lambda h: h == Counter(e.id for e in events),
        what="the check-in after the refused record handled",
    )
    parked = await eventually(
        lambda: db[UNPUBLISHABLE].find({}).to_list(),
        lambda docs: len(docs) >= 1,
        what="the refused record parked",
    )
    assert [(d["t"], len(d["v"]), d["error_type"]) for d in parked] == [
        (processor.topic, 2_000_000, "MessageSizeTooLargeError")
    ]
    assert refused._value.get() == refused_before + 1
