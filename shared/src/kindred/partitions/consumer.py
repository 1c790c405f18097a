"""The consumer runtime: owns partitions, runs a service's `Processor` over them in batches.

One Kafka consumer per replica subscribes to all the topics a service consumes. The range
assignor gives partition N of every topic to the same replica, and the replica owns partition N
only when it holds it in every topic. For each owned partition:

1. on assignment: fence former owners (the partition log), replay what they left unfinished,
   load the partition's tables (`kindred.partitions.store`) and let the processor derive what
   it keeps beside them (`Processor.load`), seek to the offsets the log recorded;
2. in a loop: take every record fetched so far (a batch), handle it, commit the batch as one
   log entry (the commit point), apply its writes, publish its records and gather the acks;
3. on revocation: finish the batch in hand, keep the tables in case the partition comes back
   untouched, stop.

Partitions run in parallel; each one in order. Background work (`Processor.tick`) runs per owned
partition, under the same lock as its batches, and commits the same way. Offsets are committed
to Kafka too, for lag and tooling, but the log is what decides where an owner resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from kindred.background import loops
from kindred.events.envelope import Envelope
from kindred.failpoints import crash_here
from kindred.messaging.broker import check_copartitioned, topic_for
from kindred.messaging.deadletter import DependencyBackoff
from kindred.observability.metrics import (
    batch_records,
    commit_seconds,
    consumer_lag,
    dead_letters,
    dependency_retries,
    events_handled,
    events_published,
    partitions_fenced,
    partitions_owned,
    records_refused,
    topic_partitions,
    urgent_ahead,
)
from kindred.observability.outages import outage
from kindred.partitions.log import (
    Entry,
    Fenced,
    Head,
    PartitionLog,
    Record,
    new_owner,
)
from kindred.partitions.processor import (
    Changes,
    Failed,
    FailSafe,
    Processor,
    dead_letter,
    decode,
    run_batch,
    run_solves,
)
from kindred.partitions.store import Tables
from kindred.settings import ServiceSettings
from kindred.storage.mongo import Document
from kindred.storage.writes import apply_writes

log = logging.getLogger(__name__)
T = TypeVar("T")

# Failures of the servers underneath: wait and try again; never the message's fault.
TRANSIENT: tuple[type[BaseException], ...] = (PyMongoError, KafkaError, OSError, TimeoutError)


# Records Kafka refused for good (too large, ...), kept for an operator to look at.
UNPUBLISHABLE = "unpublishable"

# Event ids remembered per partition to skip a copy of an event published twice.
RECENT_IDS = 10_000
# A partition's log is pruned at most this often.
PRUNE_EVERY_SECONDS = 1.0


class RecentIds:
    """The ids of the last events a partition applied. A redelivered record is skipped by its
    offset (the log records them); this catches a *copy* of an event at another offset, which
    a replayed log entry publishes. Handlers stay idempotent for copies older than this."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.order: deque[str] = deque()
        self.ids: set[str] = set()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self.ids

    def add(self, event_id: str) -> None:
        if event_id in self.ids:
            return
        self.ids.add(event_id)
        self.order.append(event_id)
        if len(self.order) > self.size:
            self.ids.discard(self.order.popleft())


def _run(callbacks: list[Callable[[], None]]) -> None:
    """Run each callback once (the list is emptied: a second call runs nothing)."""
    while callbacks:
        callbacks.pop(0)()


class Released(Exception):
    """The partition was revoked (or the service is stopping) while its work waited."""


@dataclass
class _Partition:
    number: int
    tps: list[TopicPartition]
    # Set once taken over: the last batch handled (during an outage, maybe not in the log yet).
    head: Head | None = None
    durable: Head | None = None  # what the partition log holds
    tables: Tables | None = None  # set once taken over
    queue: deque[ConsumerRecord[bytes, bytes]] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task[None] | None = None
    closing: bool = False
    draining: bool = False
    paused_for_backlog: bool = False
    # The tables may hold changes the log does not: rebuild them before the next batch.
    stale: bool = False
    # Committed entries whose writes wait to be applied together (`WRITE_BEHIND_SECONDS`).
    unapplied: list[Entry] = field(default_factory=list)
    flush_at: float = 0.0
    pruned_below: int = 0  # log entries before this sequence number are deleted
    # Batches handled while the log could not be written (a database outage), oldest first,
    # with the task writing them in order once it answers again (see `_commit`).
    pending: deque[tuple[Entry, Changes]] = field(default_factory=deque)
    catching_up: asyncio.Task[None] | None = None
    pruning: asyncio.Task[None] | None = None
    pruned_at: float = 0.0  # monotonic: when the last pruning started
    room: asyncio.Event = field(default_factory=asyncio.Event)
    recent: RecentIds = field(default_factory=lambda: RecentIds(RECENT_IDS))


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runtime: PartitionedConsumer) -> None:
        self.runtime = runtime

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self.runtime._revoke({tp.partition for tp in revoked})

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.runtime._assign(assigned)


class PartitionedConsumer:
    def __init__(
        self,
        settings: ServiceSettings,
        broker: KafkaBroker,
        db: AsyncDatabase[Document],
        processor: Processor,
        *,
        tick_interval: float | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.db = db
        self.processor = processor
        self.log = PartitionLog(db)
        self.tick_interval = tick_interval
        self.group = settings.consumer_group
        self.event_types: dict[str, type[Envelope[Any]]] = {
            topic_for(settings, t): t for t in processor.events
        }
        self.retry = DependencyBackoff(
            attempts=settings.retry_attempts,
            backoff_base=settings.retry_backoff_base_seconds,
            backoff_max=settings.retry_backoff_max_seconds,
        )
        self.owned: dict[int, _Partition] = {}
        self.kept: dict[int, tuple[Head, Tables]] = {}  # revoked with their tables kept
        self.consumer: AIOKafkaConsumer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._to_commit: dict[TopicPartition, int] = {}
        self._committed_at = 0.0
        self._polled_at: float | None = None  # when the last poll that returned began

    @property
    def topics(self) -> list[str]:
        return sorted(self.event_types)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        s = self.settings
        await check_copartitioned(s, self.topics)
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=s.kafka_bootstrap_servers,
            group_id=self.group,
            client_id=f"kindred-{s.service_name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            partition_assignment_strategy=(RangePartitionAssignor,),
            session_timeout_ms=int(s.kafka_session_timeout_seconds * 1000),
            heartbeat_interval_ms=int(s.kafka_session_timeout_seconds * 1000 / 3),
            max_poll_interval_ms=int(s.kafka_max_poll_interval_seconds * 1000),
            max_poll_records=s.consumer_batch_max,
            group_instance_id=s.kafka_group_instance_id or None,
        )
        self.consumer.subscribe(self.topics, listener=_Listener(self))
        await self.consumer.start()
        self._tasks = [
            asyncio.create_task(self._fetch_loop(), name=f"{self.group} fetch"),
            asyncio.create_task(self._upkeep_loop(), name=f"{self.group} upkeep"),
        ]
        for task in self._tasks:
            task.add_done_callback(self._loop_ended)
        log.info("consumer started", extra={"topics": self.topics, "group": self.group})

    def _loop_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        # A bug: without this loop the replica stalls. Say so, loudly, and stop being ready.
        log.error("%s stopped", task.get_name(), exc_info=task.exception())
        loops.stop(task.get_name())

    def _loop_name(self, number: int) -> str:
        return f"{self.group} partition {number}"

    async def stop(self) -> None:
        """Finish what was fetched (bounded by the graceful timeout), then leave the group."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        parts = list(self.owned.values())
        await self._finish(parts, drain=True)
        await self._commit_offsets()
        if self.consumer is not None:
            # A static member (KAFKA_GROUP_INSTANCE_ID) is not meant to leave the group, so a
            # restart under its id takes its partitions straight back; but a replica stopped
            # on purpose may not come back (a rolling update names pods anew): it leaves, and
            # its partitions move now rather than after the session timeout.
            coordinator = getattr(self.consumer, "_coordinator", None)
            if coordinator is not None:
                coordinator._group_instance_id = None
            await self.consumer.stop()
        for part in parts:
            self._forget(part.number)
        log.info("consumer stopped")

    # ------------------------------------------------------------------ rebalancing

    def _assign(self, assigned: list[TopicPartition]) -> None:
        assert self.consumer is not None
        by_partition: dict[int, list[TopicPartition]] = {}
        for tp in assigned:
            by_partition.setdefault(tp.partition, []).append(tp)
        for number, tps in sorted(by_partition.items()):
            self.consumer.pause(*tps)  # until taken over and seeked
            if {tp.topic for tp in tps} != set(self.topics):
                # Held in some topics only (members subscribe to different topic sets during a
                # rolling upgrade): owning it needs all of them, so leave it alone.
                log.warning("partition %s assigned in some topics only; not taking it", number)
                continue
            part = _Partition(number, tps)
            self.owned[number] = part
            loops.forget(self._loop_name(number))
            part.task = asyncio.create_task(self._work(part), name=f"partition-{number}")
        for number in set(self.kept) - set(self.owned):
            self.processor.drop(number)
            del self.kept[number]
        partitions_owned.labels(group=self.group).set(len(self.owned))
        # Against the largest topic: a partition some topics lack is unowned, and says so.
        known = max(len(self.consumer.partitions_for_topic(t) or ()) for t in self.topics)
        topic_partitions.labels(group=self.group).set(known)
        log.info("partitions assigned", extra={"partitions": sorted(self.owned)})

    async def _revoke(self, numbers: set[int]) -> None:
        parts = [self.owned[n] for n in numbers if n in self.owned]
        await self._finish(parts, drain=False)
        await self._commit_offsets()
        for part in parts:
            task = part.task
            clean = task is not None and not task.cancelled() and task.exception() is None
            settled = not part.stale and not part.pending
            if clean and part.head is not None and part.tables is not None and settled:
                self.kept[part.number] = (part.head, part.tables)
            else:
                self.processor.drop(part.number)
            self._forget(part.number)
        partitions_owned.labels(group=self.group).set(len(self.owned))

    async def _finish(self, parts: list[_Partition], *, drain: bool) -> None:
        """Let each partition's worker end after the batch in hand (`drain`: after everything
        fetched); past the graceful timeout, cancel it (the next owner replays the log)."""
        for part in parts:
            if drain:
                part.draining = True
            else:
                part.closing = True
            part.wake.set()
        workers = [p.task for p in parts if p.task is not None]
        if workers:
            _, late = await asyncio.wait(workers, timeout=self.settings.graceful_timeout_seconds)
            for worker in late:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    def _forget(self, number: int) -> None:
        part = self.owned.pop(number, None)
        loops.forget(self._loop_name(number))
        loops.forget(f"{self._loop_name(number)} timers")
        if part is None:
            return
        if part.pruning is not None and not part.pruning.done():
            part.pruning.cancel()
        for tp in part.tps:
            with contextlib.suppress(KeyError):
                consumer_lag.remove(self.group, tp.topic, str(tp.partition))

    async def _take_over(self, part: _Partition) -> None:
        assert self.consumer is not None
        now = datetime.now(UTC)
        takeover = await self._until_done(
            part, lambda: self.log.take_over(part.number, new_owner(), now)
        )
        await self._apply_and_publish(part, takeover.unfinished)
        kept = self.kept.pop(part.number, None)
        if kept is None or takeover.previous != kept[0]:
            self.processor.drop(part.number)
            part.tables = await self._until_done(part, lambda: self._load(part.number))
        else:
            part.tables = kept[1]
        part.head = part.durable = takeover.head
        for tp in part.tps:
            if tp.topic in part.head.offsets:
                self.consumer.seek(tp, part.head.offsets[tp.topic])
        self.consumer.resume(*part.tps)
        log.info(
            "partition taken over",
            extra={
                "partition": part.number,
                "seq": part.head.seq,
                "replayed": len(takeover.unfinished),
            },
        )

    # ------------------------------------------------------------------ the work

    async def _fetch_loop(self) -> None:
        assert self.consumer is not None
        backlog_limit = self.settings.consumer_batch_max * 4
        while not self._stopping:
            polled = time.monotonic()
            try:
                fetched = await self.consumer.getmany(timeout_ms=500)
            except KafkaError as exc:
                outage("kafka").failed(exc, "fetching records")
                await asyncio.sleep(1.0)
                continue
            self._polled_at = polled
            for tp, records in fetched.items():
                part = self.owned.get(tp.partition)
                if part is None or part.head is None or part.closing:
                    continue  # fetched just before a revocation: the next owner reads them
                part.queue.extend(records)
                part.wake.set()
                if len(part.queue) > backlog_limit and not part.paused_for_backlog:
                    part.paused_for_backlog = True
                    self.consumer.pause(*part.tps)
            await self._commit_offsets(every=1.0)

    async def _work(self, part: _Partition) -> None:
        try:
            await self._take_over(part)
            while not part.closing:
                self._check_catching_up(part)
                if part.unapplied and not part.pending and time.monotonic() >= part.flush_at:
                    async with part.lock:
                        await self._flush(part)
                if part.queue:
                    records = [
                        part.queue.popleft()
                        for _ in range(min(len(part.queue), self.settings.consumer_batch_max))
                    ]
                    if (
                        part.paused_for_backlog
                        and len(part.queue) < self.settings.consumer_batch_max
                    ):
                        part.paused_for_backlog = False
                        assert self.consumer is not None
                        self.consumer.resume(*part.tps)
                    async with part.lock:
                        await self._handle(part, records)
                    continue
                if part.draining:
                    break
                part.wake.clear()
                wait = max(0.0, part.flush_at - time.monotonic()) if part.unapplied else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(part.wake.wait(), wait)
            async with part.lock:  # leaving: the next owner would replay them, but why wait
                await self._caught_up(part)
                await self._flush(part)
        except Fenced as exc:
            self._fenced(part, exc)
            raise
        except Released:
            return
        except Exception:
            # A bug, not a server failing: the partition stops here, loudly, and readiness
            # reports it until the partition is assigned again (its log lets the next owner
            # carry on).
            loops.stop(self._loop_name(part.number))
            log.exception("partition %s stopped", part.number)
            part.closing = True
            raise
        finally:
            if part.catching_up is not None and not part.catching_up.done():
                part.catching_up.cancel()

    def _fenced(self, part: _Partition, exc: Fenced) -> None:
        """Another replica owns the partition now: stop touching it until a new assignment."""
        assert self.consumer is not None
        log.warning("partition %s fenced: %s", part.number, exc)
        partitions_fenced.labels(group=self.group).inc()
        self.processor.drop(part.number)
        part.head = part.durable = part.tables = None
        part.closing = True
        part.queue.clear()
        part.pending.clear()
        if part.catching_up is not None and not part.catching_up.done():
            part.catching_up.cancel()
        self.consumer.pause(*part.tps)

    async def _handle(self, part: _Partition, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        assert part.head is not None
        offsets = dict(part.head.offsets)
        fresh: list[tuple[ConsumerRecord[bytes, bytes], Envelope[Any]]] = []
        failed: list[Failed] = []
        in_batch: set[str] = set()
        for record in records:
            if record.offset < offsets.get(record.topic, 0):
                events_handled.labels(topic=record.topic, outcome="already-committed").inc()
                continue  # the log holds it already (fetched before a seek took effect)
            offsets[record.topic] = record.offset + 1
            decoded = decode(record, self.event_types[record.topic])
            if isinstance(decoded, Failed):
                failed.append(decoded)
            elif decoded.id in part.recent or decoded.id in in_batch:
                events_handled.labels(topic=record.topic, outcome="duplicate").inc()
            else:
                in_batch.add(decoded.id)
                fresh.append((record, decoded))
        if offsets == part.head.offsets:
            return
        batch_records.observe(len(records))
        changes = Changes(self.settings.kindred_namespace)
        failed += await self._until_done(part, lambda: self._run(part, fresh, changes))
        dead = {(f.record.topic, f.record.offset) for f in failed}
        for item in sorted(failed, key=lambda f: (f.record.topic, f.record.offset)):
            self._fail_safe(part, item, changes)
            changes.records.append(dead_letter(item, self.group))
            counter = dead_letters.labels(item.record.topic, type(item.error).__name__)
            changes.then(counter.inc)
        await self._commit(part, changes, offsets)
        for record, event in fresh:
            if (record.topic, record.offset) in dead:
                continue  # a re-drive from the dead-letter topic must not look like a copy
            part.recent.add(event.id)
            events_handled.labels(topic=record.topic, outcome="applied").inc()

    def _fail_safe(self, part: _Partition, item: Failed, changes: Changes) -> None:
        """What the processor does anyway for a record that goes to its dead-letter topic."""
        if not isinstance(self.processor, FailSafe):
            return
        try:
            self.processor.failed(part.number, item, changes)
        except Exception:
            log.exception("the fail-safe for a dead-lettered record failed too")

    async def _run(
        self,
        part: _Partition,
        fresh: list[tuple[ConsumerRecord[bytes, bytes], Envelope[Any]]],
        changes: Changes,
    ) -> list[Failed]:
        if part.stale:
            await self._reload(part)
        changes.clear()
        assert part.tables is not None
        changes.tables = part.tables
        part.stale = True  # until the log holds this batch
        return await run_batch(
            self.processor, part.number, fresh, changes, lambda: self._reload(part)
        )

    async def _load(self, number: int) -> Tables:
        """The partition's tables from MongoDB, and what the processor derives from them."""
        tables = await Tables.load(self.db, self.processor.stores, number)
        self.processor.load(number, tables)
        tables.settle()
        return tables

    async def _reload(self, part: _Partition) -> Tables:
        """Rebuild the tables from MongoDB, with every committed batch applied first (and every
        batch handled during an outage in the log: this waits for the database)."""
        await self._caught_up(part)
        await self._flush(part)
        self.processor.drop(part.number)
        part.tables = await self._load(part.number)
        part.stale = False
        return part.tables

    async def _flush(self, part: _Partition) -> None:
        """Apply the writes of the committed entries that wait, all in one go."""
        if part.unapplied:
            batches = [(e.seq, e.writes) for e in part.unapplied]
            await self._until_done(part, lambda: apply_writes(self.db, batches))
            part.unapplied.clear()

    async def _commit(self, part: _Partition, changes: Changes, offsets: dict[str, int]) -> None:
        """Commit a batch as the partition log's next entry, then apply its writes, publish
        its records and run its callbacks.

        The log is written at once as a rule. When the database does not take the entry
        within URGENT_PUBLISH_AFTER_SECONDS (an outage), the partition goes on without it:
        this batch's urgent records (safety alerts) are published and its urgent callbacks
        (handing a page to the sender) run now, and so are those of every batch after it,
        handled in memory on top of the tables; the entries wait in `pending`, in order, and
        a task writes them to the log when the database answers again, then publishes the
        rest and runs the other callbacks. Kafka offsets follow only what the log holds, so a
        crash meanwhile replays those batches (their urgent events have deterministic ids: a
        copy, not a second alert). At most OUTAGE_BATCHES_MAX batches wait; past that the
        partition waits too."""
        assert part.head is not None
        self._check_catching_up(part)
        started = time.perf_counter()
        entry = Entry(
            partition=part.number,
            seq=part.head.seq + 1,
            owner=part.head.owner,
            at=changes.now,
            offsets=offsets,
            writes=changes.writes,
            records=changes.records,
        )
        if not part.pending:
            # Retry the very same entry until the answer is certain: landed, or fenced.
            append = asyncio.ensure_future(self._append(part, entry))
            try:
                done, _ = await asyncio.wait(
                    {append}, timeout=self.settings.urgent_publish_after_seconds
                )
            except BaseException:
                append.cancel()
                await asyncio.gather(append, return_exceptions=True)
                raise
            if done:
                append.result()  # Fenced, Released
                if changes.urgent:
                    crash_here("after-log-append-urgent")
                part.head = Head(part.number, entry.seq, entry.owner, offsets)
                await self._landed(part, entry, changes)
                part.stale = False
                commit_seconds.observe(time.perf_counter() - started)
                return
            log.error(
                "partition %s: the log cannot be written now; going on in memory, publishing "
                "urgent events and handing on urgent work ahead of it",
                part.number,
            )
            part.catching_up = asyncio.create_task(
                self._catch_up(part, append), name=f"partition-{part.number} catching up"
            )
        else:
            while len(part.pending) >= self.settings.outage_batches_max:
                part.room.clear()
                await part.room.wait()
                self._check_catching_up(part)
        part.pending.append((entry, changes))
        part.head = Head(part.number, entry.seq, entry.owner, offsets)
        # The tables hold the batch and the log will: the next batch goes on from them.
        part.stale = False
        await self._ahead(part, changes)

    async def _append(self, part: _Partition, entry: Entry) -> None:
        await self._until_done(part, lambda: self.log.append(entry), give_up_on_close=False)

    async def _ahead(self, part: _Partition, changes: Changes) -> None:
        """Publish a batch's urgent records and run its urgent callbacks ahead of its entry."""
        if changes.urgent:
            await self._until_done(part, lambda: self._publish(changes.urgent), "kafka")
            urgent_ahead.labels(group=self.group).inc(len(changes.urgent))
        _run(changes.urgent_after)

    async def _catch_up(self, part: _Partition, first: asyncio.Future[None]) -> None:
        """Write the batches handled during an outage to the log, in order, and finish each."""
        try:
            append: asyncio.Future[None] | None = first
            while part.pending:
                entry, changes = part.pending[0]
                if append is None:
                    append = asyncio.ensure_future(self._append(part, entry))
                await append
                append = None
                part.durable = Head(part.number, entry.seq, entry.owner, entry.offsets)
                await self._landed(part, entry, changes)
                part.pending.popleft()
                part.room.set()
            log.info("partition %s: the log holds every batch again", part.number)
        except BaseException:
            if not first.done():
                first.cancel()
            part.wake.set()  # the worker finds out (`_check_catching_up`)
            part.room.set()
            raise

    def _check_catching_up(self, part: _Partition) -> None:
        """Raise what stopped the task writing the outage's batches (Fenced, Released, a bug)."""
        task = part.catching_up
        if task is not None and task.done():
            part.catching_up = None
            if not task.cancelled() and (error := task.exception()) is not None:
                raise error

    async def _caught_up(self, part: _Partition) -> None:
        """Wait until the log holds every batch handled so far."""
        task = part.catching_up
        if task is not None and not task.done():
            await asyncio.wait({task})
        self._check_catching_up(part)

    async def _landed(self, part: _Partition, entry: Entry, changes: Changes) -> None:
        """The log holds the entry: apply its writes, publish its records (but those published
        ahead of it), run its callbacks."""
        part.durable = Head(part.number, entry.seq, entry.owner, entry.offsets)
        ahead = {id(r) for r in changes.urgent} if part.pending else set()
        records = [r for r in entry.records if id(r) not in ahead]
        # Its callbacks (the sender's hand-over, the gauges) run once it is out; a partition
        # released before that is not kept, and whoever owns it next rebuilds from the log.
        _run(changes.urgent_after)
        if self.settings.write_behind_seconds > 0:
            if not part.unapplied:
                part.flush_at = time.monotonic() + self.settings.write_behind_seconds
                part.wake.set()  # the worker waits no longer than that
            part.unapplied.append(entry)
            await self._until_done(part, lambda: self._publish(records), "kafka")
        else:
            await self._apply_and_publish(part, [entry], records)
        for callback in changes.after_commit:
            callback()
        for tp in part.tps:
            if tp.topic in entry.offsets:
                self._to_commit[tp] = entry.offsets[tp.topic]

    async def _apply_and_publish(
        self, part: _Partition, entries: list[Entry], records: list[Record] | None = None
    ) -> None:
        """Both at once: the entries are committed, and each step is idempotent on its own."""
        batches = [(e.seq, e.writes) for e in entries]
        if records is None:
            records = [r for e in entries for r in e.records]
        steps = [
            asyncio.ensure_future(self._until_done(part, lambda: apply_writes(self.db, batches))),
            asyncio.ensure_future(self._until_done(part, lambda: self._publish(records), "kafka")),
        ]
        try:
            await asyncio.gather(*steps)
        except BaseException:
            for step in steps:
                step.cancel()
            await asyncio.gather(*steps, return_exceptions=True)
            raise

    async def _publish(self, records: list[Record]) -> None:
        """Send all, then wait for every ack (acks=all). A record Kafka refuses for good (too
        large, an invalid topic) is parked instead: it never holds back the rest."""
        sent: list[tuple[Record, Awaitable[Any]]] = []
        refused: list[tuple[Record, KafkaError]] = []
        for record in records:
            try:
                ack = await self.broker.publish(
                    record.value,
                    topic=record.topic,
                    key=record.key,
                    headers=dict(record.headers),
                    no_confirm=True,
                )
            except KafkaError as exc:
                if exc.retriable:
                    raise
                refused.append((record, exc))
            else:
                sent.append((record, ack))
        results = await asyncio.gather(*(ack for _, ack in sent), return_exceptions=True)
        for (record, _), result in zip(sent, results, strict=True):
            if isinstance(result, KafkaError) and not result.retriable:
                refused.append((record, result))
            elif isinstance(result, BaseException):
                raise result
            else:
                events_published.labels(topic=record.topic).inc()
        if refused:
            await self._park(refused)

    async def _park(self, refused: list[tuple[Record, KafkaError]]) -> None:
        """Keep records Kafka refuses in `unpublishable` (an operator decides), count them."""
        for record, exc in refused:
            doc = {
                "_id": hashlib.sha256(
                    record.topic.encode() + b"\0" + (record.key or b"") + b"\0" + record.value
                ).hexdigest(),
                **record.to_doc(),
                "error_type": type(exc).__name__,
                "error": str(exc)[:2000],
                "at": datetime.now(UTC),
            }
            with contextlib.suppress(DuplicateKeyError):  # parked by an earlier attempt
                await self.db[UNPUBLISHABLE].insert_one(doc)
            records_refused.labels(topic=record.topic, error_type=type(exc).__name__).inc()
            log.error(
                "Kafka refused a record for good; kept in the %s collection",
                UNPUBLISHABLE,
                extra={"topic": record.topic, "error_type": type(exc).__name__},
            )

    async def _until_done(
        self,
        part: _Partition,
        attempt: Callable[[], Awaitable[T]],
        dependency: str = "mongodb",
        *,
        give_up_on_close: bool = True,
    ) -> T:
        """Run `attempt` until it succeeds, waiting out failures of the servers underneath.

        Gives up (`Released`) if the partition is revoked meanwhile: the next owner replays
        the log. A log append is not given up mid-way: its outcome decides who owns the work.
        """
        server = outage(dependency)
        failures = 0
        while True:
            try:
                result = await attempt()
            except TRANSIENT as exc:
                failures += 1
                dependency_retries.labels(group=self.group).inc()
                server.failed(exc, f"partition {part.number}")
                if (part.closing or self._stopping) and (give_up_on_close or failures > 3):
                    raise Released() from exc
                await asyncio.sleep(self.retry.delay(min(failures, self.retry.attempts)))
            else:
                server.succeeded()
                return result

    # ------------------------------------------------------------------ upkeep

    async def _upkeep_loop(self) -> None:
        """Background work per owned partition, log pruning, offsets and lag."""
        step = min(1.0, self.tick_interval or 1.0)
        last_lag = last_tick = 0.0
        while not self._stopping:
            await asyncio.sleep(step)
            tick = (
                self.tick_interval is not None
                and time.monotonic() - last_tick >= self.tick_interval
            )
            if tick:
                last_tick = time.monotonic()
            # Side by side: one partition waiting out a failing server holds back no other's.
            await asyncio.gather(*(self._upkeep(p, tick) for p in list(self.owned.values())))
            if time.monotonic() - last_lag >= self.settings.lag_interval_seconds:
                last_lag = time.monotonic()
                await self._export_lag()

    async def _upkeep(self, part: _Partition, tick: bool) -> None:
        """One partition's round: its timers (when `tick`) and the pruning of its log."""
        if part.head is None or part.closing:
            return
        name = f"{self._loop_name(part.number)} timers"
        try:
            if tick:
                async with part.lock:
                    if part.head is None or part.closing:
                        return
                    await self._tick(part)
        except Released:
            return
        except Fenced as exc:
            self._fenced(part, exc)
            return
        except Exception:
            if loops.failed(name) == 1:
                log.exception("background work of partition %s failed", part.number)
        else:
            loops.succeeded(name)
        # Beside the partition's work, never under its lock nor in this round: a database
        # that does not answer holds back neither the batches nor the timers.
        # At most once per `PRUNE_EVERY_SECONDS`, however often the timers tick: each pruning
        # is a delete, which FerretDB answers by scanning the log.
        idle = part.pruning is None or part.pruning.done()
        if not part.pending and idle and time.monotonic() - part.pruned_at >= PRUNE_EVERY_SECONDS:
            part.pruned_at = time.monotonic()
            part.pruning = asyncio.create_task(self._prune(part))

    async def _prune(self, part: _Partition) -> None:
        """Delete log entries that are applied and published, but the latest."""
        if part.durable is None or part.closing:
            return
        below = part.unapplied[0].seq if part.unapplied else part.durable.seq
        if below > part.pruned_below:
            try:
                await self.log.prune(part.number, below)
            except PyMongoError as exc:
                outage("mongodb").failed(exc, f"pruning the log of partition {part.number}")
                return
            part.pruned_below = below

    async def _tick(self, part: _Partition) -> None:
        assert part.head is not None
        if part.stale:
            await self._until_done(part, lambda: self._reload(part))
        assert part.tables is not None
        changes = Changes(self.settings.kindred_namespace, tables=part.tables)
        part.stale = True  # if `tick` raises, the next batch or tick starts from MongoDB
        self.processor.tick(part.number, changes)
        await run_solves(self.processor, part.number, changes)
        if changes:
            await self._commit(part, changes, part.head.offsets)
        else:
            for callback in changes.callbacks():  # nothing to store: done already
                callback()
        part.stale = False

    async def _commit_offsets(self, *, every: float = 0.0) -> None:
        if not self._to_commit or self.consumer is None:
            return
        if time.monotonic() - self._committed_at < every:
            return
        self._committed_at = time.monotonic()
        offsets, self._to_commit = self._to_commit, {}
        try:
            await self.consumer.commit(offsets)
        except KafkaError as exc:
            log.debug("offset commit skipped: %r (the partition log has them)", exc)

    async def _export_lag(self) -> None:
        if self.consumer is None:
            return
        parts = [p for p in self.owned.values() if p.head is not None]
        tps = [tp for p in parts for tp in p.tps]
        if not tps:
            return
        try:
            ends = await self.consumer.end_offsets(tps)
        except KafkaError as exc:
            outage("kafka").failed(exc, "reading end offsets")
            return
        outage("kafka").succeeded()
        for part in parts:
            assert part.head is not None
            for tp in part.tps:
                done = part.head.offsets.get(tp.topic, 0)
                consumer_lag.labels(self.group, tp.topic, str(tp.partition)).set(
                    max(0, ends.get(tp, done) - done)
                )

    def owned_partitions(self) -> Sequence[int]:
        return sorted(n for n, p in self.owned.items() if p.head is not None)

    def holds(self, number: int) -> bool:
        """Whether this replica holds partition `number` now: taken over, not being released,
        and its group membership alive: a poll began less than the Kafka session ago and
        returned (a replica paused longer may have lost the partition without knowing yet:
        until its next poll it holds nothing). The sender asks before each send (fencing)."""
        part = self.owned.get(number)
        if part is None or part.head is None or part.closing or self._stopping:
            return False
        polled = self._polled_at
        session = self.settings.kafka_session_timeout_seconds
        return polled is not None and time.monotonic() - polled < session
