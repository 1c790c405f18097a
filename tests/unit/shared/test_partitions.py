"""The pure parts of the partition runtime: batches, dead letters, log entries, writes."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from aiokafka import ConsumerRecord

from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import Envelope
from kindred.partitions.consumer import PartitionedConsumer, Released, _Partition
from kindred.partitions.log import Entry, Fenced, Head, Record
from kindred.partitions.processor import (
    Changes,
    Failed,
    FailSafe,
    Solve,
    Stateless,
    dead_letter,
    decode,
    run_batch,
)
from kindred.partitions.store import Store, Tables
from kindred.settings import ServiceSettings
from kindred.storage.writes import Delete, Insert, Put, _grouped, write_from_doc, write_to_doc
from tests.support.factories import checkin_submitted

pytestmark = pytest.mark.unit


def record(event: Envelope[Any] | bytes, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    value = event if isinstance(event, bytes) else event.model_dump_json().encode()
    return ConsumerRecord(
        topic="t.checkin.submitted",
        partition=2,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"m1",
        value=value,
        checksum=None,
        serialized_key_size=2,
        serialized_value_size=len(value),
        headers=[("content-type", b"application/cloudevents+json; charset=utf-8")],
    )


@dataclass
class Total:
    member_id: str
    total: int


TALLY = Store(
    "tally",
    lambda t: {"_id": t.member_id, "total": t.total},
    member_fields=("_id",),
    decode=lambda doc: Total(doc["_id"], doc["total"]),
)


class Tally(Stateless):
    """Adds up each member's moods; a note of "boom" raises after changing the tally."""

    events = (CheckinSubmitted,)
    stores = (TALLY,)

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        assert isinstance(event, CheckinSubmitted)
        tally = changes.get(TALLY, event.data.member_id) or Total(event.data.member_id, 0)
        tally.total += event.data.mood or 0  # in place: a half-done effect if it raises next
        if event.data.note == "boom":
            raise RuntimeError("boom")
        changes.put(TALLY, tally)


async def test_a_failing_event_is_set_aside_and_its_half_done_effect_undone() -> None:
    stored = {"tally": [{"_id": "m1", "total": 100, "partition": 2}]}  # what "MongoDB" holds
    tally = Tally()
    events = [checkin_submitted("m1", mood=m) for m in (1, 2, 3)]
    boom = checkin_submitted("m1", mood=7, note="boom")
    batch = [(record(e, i), e) for i, e in enumerate([events[0], boom, events[1], events[2]])]
    changes = Changes("t", tables=Tables.from_docs(tally.stores, 2, stored))
    reloads = 0

    async def reload() -> Tables:
        nonlocal reloads
        reloads += 1
        return Tables.from_docs(tally.stores, 2, stored)

    failed = await run_batch(tally, 2, batch, changes, reload)
    assert [f.record.offset for f in failed] == [1]
    assert isinstance(failed[0].error, RuntimeError)
    # The 7 the failing event added before raising is gone: reloaded, earlier events redone.
    assert changes.get(TALLY, "m1") == Total("m1", 106)
    assert changes.writes[-1] == Put("tally", {"_id": "m1", "total": 106, "partition": 2})
    assert reloads == 1


class Summing(Tally):
    """A tally whose heavy part (doubling the total) is a solve: run on a worker thread, the
    result put when it finishes. A total of 13 makes the solve raise."""

    def __init__(self) -> None:
        self.threads: list[int] = []

    def solves(self, partition: int, changes: Changes) -> list[Solve]:
        tally = changes.get(TALLY, "m1")
        return [] if tally is None else [Doubling(self, tally.total)]


@dataclass
class Doubling:
    owner: Summing
    total: int
    result: int = 0

    def run(self) -> None:
        self.owner.threads.append(threading.get_ident())
        if self.total == 13:
            raise RuntimeError("unlucky")
        self.result = 2 * self.total

    def finish(self, changes: Changes) -> None:
        changes.put(TALLY, Total("m1", self.result))


async def test_a_batchs_solves_run_off_the_event_loop_before_it_is_committed() -> None:
    summing = Summing()
    events = [checkin_submitted("m1", mood=m) for m in (1, 2)]
    batch = [(record(e, i), e) for i, e in enumerate(events)]
    changes = Changes("t", tables=Tables.from_docs(summing.stores, 2, {}))

    async def reload() -> Tables:
        return Tables.from_docs(summing.stores, 2, {})

    assert await run_batch(summing, 2, batch, changes, reload) == []
    assert summing.threads and summing.threads[0] != threading.get_ident()
    assert changes.writes[-1] == Put("tally", {"_id": "m1", "total": 6, "partition": 2})


async def test_a_failing_solve_leaves_the_batchs_events_handled_without_it() -> None:
    summing = Summing()
    events = [checkin_submitted("m1", mood=m) for m in (6, 7)]
    batch = [(record(e, i), e) for i, e in enumerate(events)]
    changes = Changes("t", tables=Tables.from_docs(summing.stores, 2, {}))

    async def reload() -> Tables:
        return Tables.from_docs(summing.stores, 2, {})

    assert await run_batch(summing, 2, batch, changes, reload) == []
    assert changes.get(TALLY, "m1") == Total("m1", 13)
    assert changes.writes[-1] == Put("tally", {"_id": "m1", "total": 13, "partition": 2})


def test_decode_keeps_a_record_that_is_not_the_event_as_failed() -> None:
    good = checkin_submitted("m1")
    assert decode(record(good), CheckinSubmitted) == good
    bad = decode(record(b'{"type": "kindred.checkin.submitted.v1"}'), CheckinSubmitted)
    assert isinstance(bad, Failed)
    assert "validation error" in str(bad.error)
    assert isinstance(decode(record(b"\xff not json"), CheckinSubmitted), Failed)


def test_a_dead_letter_keeps_the_record_and_names_the_error_and_origin() -> None:
    raw = record(b"\xff not json", offset=41)
    letter = dead_letter(Failed(raw, ValueError("no good")), "kindred.checkins")
    headers = dict(letter.headers)
    assert letter.topic == "t.checkin.submitted.dlt"
    assert letter.key == b"m1" and letter.value == b"\xff not json"
    # The original headers stay: a dead letter is still a CloudEvent in structured mode.
    assert headers["content-type"] == "application/cloudevents+json; charset=utf-8"
    assert headers["kindred-dlt-error-type"] == "ValueError"
    assert headers["kindred-dlt-error-message"] == "no good"
    assert headers["kindred-dlt-origin-topic"] == "t.checkin.submitted"
    assert headers["kindred-dlt-origin-partition"] == "2"
    assert headers["kindred-dlt-origin-offset"] == "41"
    assert headers["kindred-dlt-consumer-group"] == "kindred.checkins"


def test_a_log_entry_survives_its_round_trip_through_a_document() -> None:
    entry = Entry(
        partition=3,
        seq=12,
        owner="host:1:abc",
        at=datetime(2026, 11, 25, tzinfo=UTC),
        offsets={"k.a.b": 7, "k.c": 0},
        writes=[
            Insert("inbox", {"_id": "e:m", "n": 1}),
            Put("loads", {"_id": 3, "loads": []}),
            Delete("steps", ("r1", "r2"), field="request_id"),
        ],
        records=[Record("k.a.b", b"key", b"{}", (("ce_id", "x"),)), Record("k.c", None, b"v")],
    )
    doc = entry.to_doc()
    assert doc["_id"] == "00003:000000000012"
    assert not any(isinstance(v, list) and v and isinstance(v[0], list) for v in _values(doc))
    assert Entry.from_doc(doc) == entry
    for write in entry.writes:
        assert write_from_doc(write_to_doc(write)) == write


def _values(doc: Any) -> list[Any]:
    """Every value nested in a document (FerretDB refuses arrays of arrays)."""
    if isinstance(doc, dict):
        return [v for value in doc.values() for v in [value, *_values(value)]]
    if isinstance(doc, list):
        return [v for value in doc for v in [value, *_values(value)]]
    return []


def test_writes_of_several_batches_group_per_collection_stamped_with_their_batch() -> None:
    groups = _grouped(
        [
            (
                4,
                [
                    Insert("a", {"_id": 1}),
                    Put("b", {"_id": "x", "v": 1}),
                    Delete("b", ("y",)),
                ],
            ),
            (
                5,
                [
                    Insert("a", {"_id": 2}),
                    Put("b", {"_id": "x", "v": 2}),
                    Delete("a", ("r1",), field="request_id"),
                ],
            ),
        ]
    )
    assert groups["a"].inserts == [{"_id": 1, "_v": 4}, {"_id": 2, "_v": 5}]
    assert groups["b"].puts == {"x": {"_id": "x", "v": 2, "_v": 5}}
    assert (groups["a"].version, groups["b"].version) == (5, 5)
    assert dict(groups["b"].deletes) == {"_id": ["y"]}
    assert dict(groups["a"].deletes) == {"request_id": ["r1"]}


def test_changes_say_whether_there_is_anything_to_commit() -> None:
    changes = Changes("ns")
    assert not changes
    changes.then(lambda: None)
    assert not changes  # callbacks alone commit nothing
    changes.emit(checkin_submitted("m1"))
    assert changes and changes.records[0].topic == "ns.checkin.submitted"
    changes.clear()
    assert not changes and not changes.after_commit


class TallySettings(ServiceSettings):
    service_name: ClassVar[str] = "tally"


async def test_a_partition_released_before_its_batch_callbacks_ran_is_not_kept() -> None:
    """Committed to the log but released while publishing: the batch's callbacks (the hand-over
    to a sender, gauges) never ran, so its tables are not kept for the partition to come back
    to: whoever owns it next rebuilds them from the log."""
    tally = Tally()
    consumer = PartitionedConsumer(
        TallySettings(kindred_dev_mode=True),
        broker=None,
        db={"partition_log": None},
        processor=tally,  # type: ignore[arg-type]
    )
    part = _Partition(2, [])
    part.head = Head(2, 1, "me", {})
    part.tables = Tables(tally.stores, 2)
    consumer.owned[2] = part
    done = asyncio.get_running_loop().create_future()
    done.set_result(None)
    part.task = asyncio.ensure_future(done)

    async def appended(*args: Any) -> None:
        pass

    async def released(*args: Any) -> None:
        raise Released()

    consumer._append = appended  # type: ignore[method-assign]
    consumer._apply_and_publish = released  # type: ignore[method-assign]
    changes = Changes("t", tables=part.tables)
    ran: list[int] = []
    changes.then(lambda: ran.append(1))
    part.stale = True  # as a batch leaves it until committed
    with pytest.raises(Released):
        await consumer._commit(part, changes, {"t.checkin.submitted": 1})
    assert ran == [] and part.stale
    await consumer._revoke({2})
    assert 2 not in consumer.kept


class Outage:
    """A partition of a consumer whose partition log does not answer until `end()`; what it
    publishes, applies and appends is recorded in order."""

    def __init__(self, **settings: Any) -> None:
        self.consumer = PartitionedConsumer(
            TallySettings(kindred_dev_mode=True, urgent_publish_after_seconds=0.05, **settings),
            broker=None,  # type: ignore[arg-type]
            db={"partition_log": None},  # type: ignore[arg-type]
            processor=Tally(),
        )
        self.up = asyncio.Event()
        self.appended: list[int] = []
        self.published: list[str] = []
        self.applied: list[int] = []
        self.fenced = False
        self.consumer.log.append = self._append  # type: ignore[method-assign]
        self.consumer._publish = self._publish  # type: ignore[method-assign]
        self.consumer._apply_and_publish = self._apply  # type: ignore[method-assign]
        self.part = _Partition(2, [])
        self.part.head = self.part.durable = Head(2, 1, "me", {})
        self.part.tables = Tables(Tally.stores, 2)

    def end(self) -> None:
        self.up.set()

    async def _append(self, entry: Entry) -> None:
        await self.up.wait()
        if self.fenced:
            raise Fenced("another owner")
        self.appended.append(entry.seq)

    async def _publish(self, records: list[Record]) -> None:
        self.published += [r.key.decode() if r.key else "" for r in records]

    async def _apply(self, part: _Partition, entries: list[Entry], records: Any = None) -> None:
        self.applied += [e.seq for e in entries]
        await self._publish(records if records is not None else [])

    def batch(self, name: str, *, urgent: bool, ran: list[str]) -> Changes:
        changes = Changes("t", tables=self.part.tables)  # type: ignore[arg-type]
        changes.emit(checkin_submitted(name), urgent=urgent)
        changes.then(lambda: ran.append(f"{name} page"), urgent=True)
        changes.then(lambda: ran.append(f"{name} gauge"))
        return changes

    async def commit(self, changes: Changes, offset: int) -> None:
        async with asyncio.timeout(5):
            await self.consumer._commit(self.part, changes, {"t.checkin.submitted": offset})


async def test_urgent_callbacks_run_ahead_of_a_log_that_cannot_be_written_and_only_once() -> None:
    """A safety page's hand-over does not wait for a database that keeps failing: past
    URGENT_PUBLISH_AFTER_SECONDS it runs ahead of the log write, and not again once it lands;
    when the log write lands at once, it runs right then, before the writes and the events."""
    outage = Outage()
    ran: list[str] = []
    await outage.commit(outage.batch("a", urgent=True, ran=ran), 1)
    assert ran == ["a page"] and outage.published == ["a"] and outage.appended == []
    outage.end()
    await outage.consumer._caught_up(outage.part)
    assert ran == ["a page", "a gauge"]  # once; the others waited for the log
    assert outage.appended == [2] and outage.published == ["a"]  # not published twice

    await outage.commit(outage.batch("b", urgent=True, ran=ran), 2)
    assert ran[2:] == ["b page", "b gauge"] and outage.appended == [2, 3]


async def test_batches_go_on_in_memory_while_the_log_cannot_be_written() -> None:
    """During a database outage the next batches do not wait for the first one's log write:
    each one's urgent events go out and its urgent work runs at once; the rest (writes, other
    events, callbacks, offsets) follows in order once the database answers."""
    outage = Outage()
    ran: list[str] = []
    for offset, name in enumerate(["a", "b", "c", "d"], start=1):
        await outage.commit(outage.batch(name, urgent=name in "ac", ran=ran), offset)
    assert ran == ["a page", "b page", "c page", "d page"]
    assert outage.published == ["a", "c"]
    assert outage.appended == [] and outage.applied == []
    part = outage.part
    assert part.head is not None and part.head.seq == 5 and len(part.pending) == 4
    assert part.durable is not None and part.durable.seq == 1
    assert not part.stale  # the tables go on from memory, not from the database

    outage.end()
    await outage.consumer._caught_up(part)
    assert outage.appended == [2, 3, 4, 5] and outage.applied == [2, 3, 4, 5]
    assert outage.published == ["a", "c", "b", "d"]
    assert ran[4:] == ["a gauge", "b gauge", "c gauge", "d gauge"]
    assert part.durable.seq == 5 and not part.pending


async def test_an_outage_holds_at_most_its_bound_of_batches() -> None:
    outage = Outage(outage_batches_max=2)
    ran: list[str] = []
    await outage.commit(outage.batch("a", urgent=True, ran=ran), 1)
    await outage.commit(outage.batch("b", urgent=True, ran=ran), 2)
    third = asyncio.create_task(outage.commit(outage.batch("c", urgent=True, ran=ran), 3))
    await asyncio.sleep(0.05)
    assert not third.done() and ran == ["a page", "b page"]
    outage.end()
    await third
    assert "c page" in ran


async def test_a_partition_fenced_while_catching_up_stops_and_keeps_nothing() -> None:
    outage = Outage()
    ran: list[str] = []
    await outage.commit(outage.batch("a", urgent=True, ran=ran), 1)
    outage.fenced = True
    outage.end()
    with pytest.raises(Fenced):
        await outage.consumer._caught_up(outage.part)
    assert outage.appended == [] and ran == ["a page"]
    assert outage.part.pending  # never finished: a partition revoked now is not kept


async def test_one_partition_waiting_on_its_timers_holds_back_no_other() -> None:
    """Each owned partition's background round runs beside the others: a partition whose tick
    waits (a server failing under its commit) does not stop another's escalations and
    reminders."""
    settings = TallySettings(kindred_dev_mode=True)
    consumer = PartitionedConsumer(
        settings,
        broker=None,  # type: ignore[arg-type]
        db={"partition_log": None},  # type: ignore[arg-type]
        processor=Tally(),
        tick_interval=0.01,
    )
    for number in (0, 1):
        part = _Partition(number, [])
        part.head = Head(number, 1, "me", {})
        part.tables = Tables(Tally.stores, number)
        consumer.owned[number] = part
    stuck, ticked = asyncio.Event(), asyncio.Event()

    async def tick(part: _Partition) -> None:
        if part.number == 0:
            await stuck.wait()
        else:
            ticked.set()

    async def nothing(*args: Any) -> None:
        pass

    consumer._tick = tick  # type: ignore[method-assign]
    consumer._prune = nothing  # type: ignore[method-assign]
    consumer._export_lag = nothing  # type: ignore[method-assign]
    upkeep = asyncio.create_task(consumer._upkeep_loop())
    try:
        async with asyncio.timeout(5):
            await ticked.wait()
    finally:
        consumer._stopping = True
        stuck.set()
        await upkeep


class FailSafeTally(Tally):
    """Raises an alert-like event for a record it could not handle; `broken`: its fail-safe
    raises too."""

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken

    def failed(self, partition: int, failure: Failed, changes: Changes) -> None:
        if self.broken:
            raise RuntimeError("the fail-safe has a bug too")
        changes.emit(checkin_submitted("fail-safe"), urgent=True)


@pytest.mark.parametrize("broken", [False, True])
async def test_a_dead_lettered_record_goes_through_the_fail_safe_and_is_dead_lettered_anyway(
    broken: bool,
) -> None:
    """What a processor does anyway for a record it cannot read runs before the dead letter;
    a fail-safe that raises itself loses neither the dead letter nor the partition."""
    processor = FailSafeTally(broken)
    assert isinstance(processor, FailSafe)
    consumer = PartitionedConsumer(
        TallySettings(kindred_dev_mode=True, kindred_namespace="t"),
        broker=None,  # type: ignore[arg-type]
        db={"partition_log": None},  # type: ignore[arg-type]
        processor=processor,
    )
    part = _Partition(2, [])
    part.head = part.durable = Head(2, 1, "me", {})
    part.tables = Tables(processor.stores, 2)
    committed: list[Changes] = []

    async def commit(part: _Partition, changes: Changes, offsets: dict[str, int]) -> None:
        committed.append(changes)

    consumer._commit = commit  # type: ignore[method-assign]
    await consumer._handle(part, [record(b"not json", offset=0)])
    [changes] = committed
    topics = [r.topic for r in changes.records]
    assert topics[-1] == "t.checkin.submitted.dlt"
    assert [r.topic for r in changes.urgent] == ([] if broken else ["t.checkin.submitted"])
