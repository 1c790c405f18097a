"""What a service implements for the partitions it owns, and how a batch runs through it.

A `Processor` declares its stores (`kindred.partitions.store`): the runtime loads a partition's
tables when it takes the partition over and hands them to every batch in `Changes`, the one way
to read and change them. `handle` turns each event, and `tick` the timers due, into `Changes`:
the items put or inserted, events to publish, and callbacks to run once all of it is durable.
`load` (what the processor derives from a partition's tables), `handle` and `tick` do no I/O;
the consumer runtime commits what they return. A processor with heavy computation to do after a
batch or a tick (matching's assignment) also implements `Solves`: the runtime runs that
computation on a worker thread, so the event loop (Kafka heartbeats, other partitions, HTTP)
goes on meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from kindred.events.envelope import Envelope
from kindred.events.topics import dead_letter_topic, topic_name
from kindred.messaging.broker import event_message
from kindred.messaging.deadletter import dead_letter_headers
from kindred.partitions.log import Record
from kindred.partitions.store import Kind, Store, Table, Tables, versioned
from kindred.storage.writes import Delete, Insert, Put, Write

log = logging.getLogger(__name__)
T = TypeVar("T")


def event_record(namespace: str, event: Envelope[Any]) -> Record:
    """An event as a Kafka record: keyed by its subject, so one member's events stay ordered."""
    value, headers = event_message(event)
    headers["correlation_id"] = event.correlationid
    return Record(topic_name(namespace, event.TOPIC), event.key, value, tuple(headers.items()))


@dataclass
class Changes:
    """What one batch of work changed; committed as one partition-log entry. It is also the
    batch's one way to the partition's tables: an item is read here, and stored here (`put`,
    `insert`); an item changed in place and not put is neither written nor seen by a rebuild."""

    namespace: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    tables: Tables = field(default_factory=Tables)
    writes: list[Write] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    # The records among `records` that must not wait for a failing database (safety alerts):
    # if the partition-log write does not succeed within URGENT_PUBLISH_AFTER_SECONDS, they
    # are published ahead of it (their ids are deterministic: a later replay is a duplicate).
    urgent: list[Record] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Callbacks that must not wait for a failing database either (handing a safety page to
    # the sender): run once the log holds the batch, or ahead of it with the urgent records.
    urgent_after: list[Callable[[], None]] = field(default_factory=list)

    # ---------------------------------------------------------------- the tables

    def get(self, store: Store[T], key: str) -> T | None:
        return self.tables[store].get(key)

    def items(self, store: Store[T]) -> Table[T]:
        """The store's items in this partition (those it keeps in memory)."""
        return self.tables[store]

    def put(self, store: Store[T], item: T) -> None:
        """The item as it is now: replaced (`STATE`) or its next version (`VERSIONS`)."""
        table = self.tables[store]
        doc = store.document(item, self.tables.partition)
        key = doc["_id"]
        if store.kind is Kind.VERSIONS:
            version = table.versions.get(key, 0) + 1
            table.versions[key] = version
            self.writes.append(Insert(store.collection, versioned(doc, version)))
        elif store.kind is Kind.STATE:
            self.writes.append(Put(store.collection, doc))
        else:
            raise TypeError(f"{store.collection} is a history: insert into it")
        table.hold(key, item)

    def delete(self, store: Store[T], key: str) -> None:
        """Forget an item of a state store: out of the partition's memory and timers, its
        document deleted."""
        if store.kind is not Kind.STATE:
            raise TypeError(f"{store.collection} keeps what it had: only state is deleted")
        table = self.tables[store]
        table.items.pop(key, None)
        table.wake(key, None)
        self.writes.append(Delete(store.collection, (key,)))

    def insert(self, store: Store[T], item: T) -> None:
        """A new entry of a history (a second insert of the same `_id` changes nothing)."""
        if store.kind is not Kind.HISTORY:
            raise TypeError(f"{store.collection} is not a history: put into it")
        self.tables.check(store)
        self.writes.append(Insert(store.collection, store.document(item, self.tables.partition)))

    def due(self, store: Store[T], limit: int | None = None) -> list[T]:
        """The store's items due by `now` (their timers are spent; see `Table.due`)."""
        return self.tables[store].due(self.now, limit)

    def wake(self, store: Store[T], key: str, at: datetime | None) -> None:
        """Set when the item is due next, besides what its store's `due` says."""
        self.tables[store].wake(key, at)

    # ---------------------------------------------------------------- events, callbacks

    def emit(self, event: Envelope[Any], *, urgent: bool = False) -> None:
        record = event_record(self.namespace, event)
        self.records.append(record)
        if urgent:
            self.urgent.append(record)

    def clear(self) -> None:
        self.writes.clear()
        self.records.clear()
        self.urgent.clear()
        self.after_commit.clear()
        self.urgent_after.clear()

    def then(self, callback: Callable[[], None], *, urgent: bool = False) -> None:
        """Run `callback` once the batch is committed (metrics, logs, the sender); `urgent`:
        once the log holds it, or ahead of it as its urgent records are (a safety page)."""
        (self.urgent_after if urgent else self.after_commit).append(callback)

    def callbacks(self) -> list[Callable[[], None]]:
        """Every callback, the urgent ones first (for a batch with nothing to store)."""
        return [*self.urgent_after, *self.after_commit]

    def __bool__(self) -> bool:
        return bool(self.writes or self.records)


class Processor(Protocol):
    """A service's logic over the partitions this replica owns."""

    @property
    def events(self) -> Sequence[type[Envelope[Any]]]:
        """The event types it consumes (one topic each); their topics are co-partitioned."""
        ...

    @property
    def stores(self) -> Sequence[Store[Any]]:
        """Every collection it writes (its `repository.STORES`)."""
        ...

    def load(self, partition: int, tables: Tables) -> None:
        """A partition was just taken over (or is rebuilt): derive what the processor keeps
        beside its tables, and plan the timers its stores' `due` does not (`Table.wake`).
        `tables` holds every stored item until this returns; then each table forgets what
        its store does not keep."""

    def drop(self, partition: int) -> None:
        """Forget what was derived for a partition this replica no longer owns."""

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        """Apply one event: what it changes and the events it causes go into `changes`."""

    def tick(self, partition: int, changes: Changes) -> None:
        """Background work due at `changes.now` (timers, retries) for an owned partition."""


@runtime_checkable
class FailSafe(Protocol):
    """A processor with something that must happen even for a record it cannot read or handle
    (check-ins raises a safety alert for a check-in nobody could evaluate)."""

    def failed(self, partition: int, failure: Failed, changes: Changes) -> None:
        """`failure.record` goes to its dead-letter topic; add what must happen anyway to
        `changes` (urgent events ahead of the log, like any alert). `failure.event` is the
        decoded event when decoding worked and handling raised."""


class Stateless:
    """For a processor without stores or timers: only `events` and `handle` to write."""

    stores: Sequence[Store[Any]] = ()

    def load(self, partition: int, tables: Tables) -> None:
        pass

    def drop(self, partition: int) -> None:
        pass

    def tick(self, partition: int, changes: Changes) -> None:
        pass


class Solve(Protocol):
    """Computation handed to a worker thread: `run` works only on what was captured when the
    solve was made (no state the event loop may touch), `finish` applies its result."""

    def run(self) -> None:
        """The computation, off the event loop."""

    def finish(self, changes: Changes) -> None:
        """Its result into `changes`, back on the event loop."""


@runtime_checkable
class Solves(Protocol):
    """A processor with heavy computation due after a batch or a tick. The runtime asks for
    `solves` once the batch's events (or the tick) are handled, runs each one's `run` on a
    worker thread and then each `finish`, all under the partition's lock and before the batch
    is committed: what a solve decides goes into the same log entry as its causes."""

    def solves(self, partition: int, changes: Changes) -> list[Solve]:
        """What is due now for `partition` (none: an empty list)."""
        ...


async def run_solves(processor: Processor, partition: int, changes: Changes) -> None:
    """The processor's due solves: computed on a worker thread, finished here."""
    if not isinstance(processor, Solves):
        return
    solves = processor.solves(partition, changes)
    if not solves:
        return
    await asyncio.to_thread(_run_all, solves)
    for solve in solves:
        solve.finish(changes)


def solve_now(processor: Processor, partition: int, changes: Changes) -> None:
    """`run_solves` on this thread (unit tests, tools)."""
    if isinstance(processor, Solves):
        solves = processor.solves(partition, changes)
        _run_all(solves)
        for solve in solves:
            solve.finish(changes)


def _run_all(solves: list[Solve]) -> None:
    for solve in solves:
        solve.run()


@dataclass(frozen=True)
class Failed:
    record: ConsumerRecord[bytes, bytes]
    error: BaseException
    event: Envelope[Any] | None = None  # decoded, when handling (not decoding) failed


def decode(
    record: ConsumerRecord[bytes, bytes], event_type: type[Envelope[Any]]
) -> Envelope[Any] | Failed:
    try:
        return event_type.model_validate_json(record.value or b"")
    except ValidationError as exc:
        return Failed(record, exc)


async def run_batch(
    processor: Processor,
    partition: int,
    events: list[tuple[ConsumerRecord[bytes, bytes], Envelope[Any]]],
    changes: Changes,
    reload: Callable[[], Awaitable[Tables]],
) -> list[Failed]:
    """Handle events in order. An event whose handling raises is set aside (its partial effect
    on the tables is undone by `reload`ing the partition and handling the events before it
    again: handling is deterministic), and the rest of the batch goes on. Then the processor's
    due solves (`Solves`) run; one that raises is undone the same way and left to a later
    batch or tick (the events stay handled)."""
    failed: list[Failed] = []
    done: list[Envelope[Any]] = []
    for record, event in events:
        try:
            processor.handle(partition, event, changes)
        except Exception as exc:
            log.exception("handling failed; the event goes to its dead-letter topic")
            failed.append(Failed(record, exc, event))
            changes.clear()
            changes.tables = await reload()
            for earlier in done:
                processor.handle(partition, earlier, changes)
            continue
        done.append(event)
    if done:
        try:
            await run_solves(processor, partition, changes)
        except Exception:
            log.exception("a solve failed; the batch is kept without it")
            changes.clear()
            changes.tables = await reload()
            for earlier in done:
                processor.handle(partition, earlier, changes)
    return failed


def dead_letter(failed: Failed, consumer_group: str) -> Record:
    """The failed record, as it came, to `<topic>.dlt` with the error and origin in headers."""
    raw = failed.record
    headers = [
        (k, v.decode(errors="replace") if isinstance(v, bytes) else str(v))
        for k, v in (raw.headers or ())
    ]
    headers += dead_letter_headers(failed.error, 1, raw, consumer_group).items()
    return Record(dead_letter_topic(raw.topic), raw.key, raw.value or b"", tuple(headers))
