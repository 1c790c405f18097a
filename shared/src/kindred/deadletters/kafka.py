"""The dead-letter command's Kafka side: reading dead-letter topics without a consumer group,
re-driving dead letters to their origin and recording each re-drive in the marker topic."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError, for_code

from kindred.deadletters.model import (
    MARKER_TOPIC,
    CommandError,
    Contents,
    DeadLetter,
    Outcome,
    Redriven,
    Selection,
    UsageError,
    check_offsets,
    recorded_redrive,
    resolve_topics,
    target_partition,
)
from kindred.settings import ServiceSettings

T = TypeVar("T")


# ---------------------------------------------------------------- Kafka


class Kafka:
    """The clients the command needs, each step bounded by `timeout` seconds."""

    def __init__(self, settings: ServiceSettings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.servers = settings.kafka_bootstrap_servers
        self._admin: AIOKafkaAdminClient | None = None
        self._producer: AIOKafkaProducer | None = None
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Kafka:
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._stack.aclose(), self.timeout)

    async def bounded(self, step: Awaitable[T], what: str) -> T:
        try:
            return await asyncio.wait_for(step, self.timeout)
        except TimeoutError:
            raise CommandError(
                f"Kafka at {self.servers} did not answer within {self.timeout:g}s ({what})"
            ) from None
        except KafkaConnectionError:
            raise CommandError(f"Kafka at {self.servers} is unreachable ({what})") from None
        except KafkaError as exc:
            raise CommandError(f"Kafka at {self.servers}: {what} failed: {exc}") from None
        except OSError as exc:
            raise CommandError(f"Kafka at {self.servers} is unreachable ({what}): {exc}") from None

    async def admin(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.servers,
                client_id="kindred-deadletters",
                request_timeout_ms=int(self.timeout * 1000),
            )
            self._stack.push_async_callback(admin.close)
            await self.bounded(admin.start(), "connecting")
            self._admin = admin
        return self._admin

    async def topics(self) -> set[str]:
        admin = await self.admin()
        return set(await self.bounded(admin.list_topics(), "listing topics"))

    async def partitions(self, topics: Sequence[str]) -> dict[str, int]:
        """How many partitions each topic has."""
        if not topics:
            return {}
        admin = await self.admin()
        described = await self.bounded(admin.describe_topics(list(topics)), "describing topics")
        return {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}

    @contextlib.asynccontextmanager
    async def reader(self) -> AsyncIterator[AIOKafkaConsumer]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.servers,
            group_id=None,  # no group: nothing to join, nothing committed
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id="kindred-deadletters",
            request_timeout_ms=int(self.timeout * 1000),
        )
        try:
            await self.bounded(consumer.start(), "connecting")
            yield consumer
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), self.timeout)

    async def read(
        self, topics: Sequence[str], only: dict[str, frozenset[tuple[int, int]]] | None = None
    ) -> Contents:
        """Every record of `topics` up to the end offsets of the start (`only`: from the
        lowest offset asked for, in the partitions asked for)."""
        contents = Contents()
        counts = await self.partitions(topics)
        tps = [TopicPartition(t, p) for t in topics for p in range(counts.get(t, 0))]
        if not tps:
            return contents
        async with self.reader() as consumer:
            consumer.assign(tps)
            begin = await self.bounded(consumer.beginning_offsets(tps), "reading offsets")
            end = await self.bounded(consumer.end_offsets(tps), "reading offsets")
            start: dict[TopicPartition, int] = {}
            for tp in tps:
                contents.ranges[(tp.topic, tp.partition)] = (begin[tp], end[tp])
                first = begin[tp]
                if only is not None and tp.topic in only:
                    wanted = [o for p, o in only[tp.topic] if p == tp.partition]
                    if not wanted:
                        continue
                    first = max(first, min(wanted))
                if first < end[tp]:
                    start[tp] = first
            if not start:
                return contents
            consumer.assign(list(start))
            for tp, offset in start.items():
                consumer.seek(tp, offset)
            await self._read_until(consumer, start, end, contents)
        contents.letters.sort(key=lambda d: (d.topic, d.partition, d.offset))
        return contents

    async def _read_until(
        self,
        consumer: AIOKafkaConsumer,
        start: dict[TopicPartition, int],
        end: dict[TopicPartition, int],
        contents: Contents,
    ) -> None:
        pending = set(start)
        loop = asyncio.get_running_loop()
        progress_at = loop.time()
        while pending:
            fetched = await self.bounded(
                consumer.getmany(*pending, timeout_ms=200), "reading records"
            )
            for tp, records in fetched.items():
                for r in records:
                    if r.offset < end[tp]:
                        contents.letters.append(
                            DeadLetter(
                                r.topic,
                                r.partition,
                                r.offset,
                                r.key,
                                r.value,
                                tuple((k, bytes(v)) for k, v in r.headers or ()),
                            )
                        )
            for tp in list(pending):
                position = await self.bounded(consumer.position(tp), "reading positions")
                if position >= end[tp]:
                    pending.discard(tp)
            if fetched:
                progress_at = loop.time()
            elif loop.time() - progress_at > self.timeout:
                raise CommandError(
                    f"Kafka at {self.servers} sent nothing for {self.timeout:g}s while "
                    f"reading {', '.join(sorted({tp.topic for tp in pending}))}"
                )

    async def redrives(self) -> dict[str, Redriven]:
        """The re-drives recorded so far, by dead letter (the latest of each)."""
        marker = self.marker_topic
        if marker not in await self.topics():
            return {}
        found: dict[str, Redriven] = {}
        for record in (await self.read([marker])).letters:
            redriven = Redriven.decode(record.value)
            if redriven is not None:
                found[redriven.ref] = redriven
        return found

    @property
    def marker_topic(self) -> str:
        return f"{self.settings.kindred_namespace}.{MARKER_TOPIC}"

    async def ensure_marker_topic(self) -> None:
        if self.marker_topic in await self.topics():
            return
        admin = await self.admin()
        topic = NewTopic(
            self.marker_topic,
            1,
            self.settings.kafka_replication_factor,
            topic_configs={
                "cleanup.policy": "compact",
                "min.insync.replicas": str(self.settings.kafka_min_insync_replicas),
            },
        )
        response = await self.bounded(admin.create_topics([topic]), "creating the marker topic")
        for name, code, *message in response.topic_errors:
            if code not in (0, TopicAlreadyExistsError.errno):
                reason = message[0] if message and message[0] else for_code(code).__name__
                raise CommandError(f"Kafka refused to create {name}: {reason}")

    async def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.servers,
                acks="all",
                enable_idempotence=True,
                client_id="kindred-deadletters",
                request_timeout_ms=int(self.timeout * 1000),
            )
            self._stack.push_async_callback(producer.stop)
            await self.bounded(producer.start(), "connecting the producer")
            self._producer = producer
        return self._producer


# ---------------------------------------------------------------- the commands


async def list_letters(
    kafka: Kafka, names: Sequence[str], selection: Selection
) -> list[tuple[DeadLetter, Redriven | None]]:
    topics = resolve_topics(kafka.settings.kindred_namespace, names, await kafka.topics())
    contents = await kafka.read(topics)
    if selection.offsets is not None:
        check_offsets(contents, topics, selection.offsets)
    redrives = await kafka.redrives()
    return [
        (letter, recorded_redrive(redrives, letter))
        for letter in contents.letters
        if selection.matches(letter)
    ]


async def redrive(
    kafka: Kafka,
    names: Sequence[str],
    selection: Selection,
    *,
    dry_run: bool = False,
    force: bool = False,
) -> list[Outcome]:
    """Re-publish the chosen dead letters to their origin; every check comes before the
    first send."""
    existing = await kafka.topics()
    topics = resolve_topics(kafka.settings.kindred_namespace, names, existing)
    if selection.offsets is not None:
        if len(topics) != 1:
            raise UsageError("--offset needs exactly one dead-letter topic")
        contents = await kafka.read(topics, {topics[0]: selection.offsets})
        check_offsets(contents, topics, selection.offsets)
    else:
        contents = await kafka.read(topics)
    chosen = [d for d in contents.letters if selection.matches(d)]
    origins = {d.origin_topic for d in chosen}
    unknown = sorted(origins - existing)
    if unknown:
        raise CommandError(f"origin topic(s) missing: {', '.join(unknown)}")
    partitions = await kafka.partitions(sorted(origins))
    redrives = await kafka.redrives()

    outcomes: list[Outcome] = []
    to_send: list[DeadLetter] = []
    for letter in chosen:
        done = recorded_redrive(redrives, letter)
        if done is not None and not force:
            detail = f"re-driven already, to {done.to} at {done.at}"
            outcomes.append(Outcome(letter, "skipped", done.to, detail))
        elif dry_run:
            target = target_partition(letter, partitions)
            where = letter.origin_topic if target is None else f"{letter.origin_topic}/{target}"
            outcomes.append(Outcome(letter, "would-send", where))
        else:
            to_send.append(letter)
    if to_send:
        outcomes += await _send(kafka, to_send, partitions)
    order = {d.ref: i for i, d in enumerate(chosen)}
    outcomes.sort(key=lambda o: order[o.letter.ref])
    return outcomes


async def _send(
    kafka: Kafka, letters: list[DeadLetter], partitions: dict[str, int]
) -> list[Outcome]:
    await kafka.ensure_marker_topic()
    producer = await kafka.producer()
    sends = []
    for letter in letters:
        sends.append(
            await kafka.bounded(
                producer.send(
                    letter.origin_topic,
                    letter.value,
                    key=letter.key,
                    partition=target_partition(letter, partitions),
                    headers=letter.redrive_headers(),
                ),
                "sending",
            )
        )
    acks = await kafka.bounded(
        asyncio.gather(*sends, return_exceptions=True), "waiting for the acks"
    )
    outcomes: list[Outcome] = []
    markers = []
    now = datetime.now(UTC)
    for letter, ack in zip(letters, acks, strict=True):
        if isinstance(ack, BaseException):
            outcomes.append(Outcome(letter, "failed", letter.origin_topic, _describe(ack)))
            continue
        to = f"{ack.topic}/{ack.partition}/{ack.offset}"
        outcomes.append(Outcome(letter, "sent", to))
        redriven = Redriven.of(letter, to, now)
        markers.append(
            await kafka.bounded(
                producer.send(kafka.marker_topic, redriven.encode(), key=letter.ref.encode()),
                "recording the re-drive",
            )
        )
    if markers:
        try:
            await kafka.bounded(asyncio.gather(*markers), "recording the re-drives")
        except CommandError as exc:
            # Sent all the same: say so, and that a later run would not know it.
            return [
                Outcome(o.letter, "unrecorded", o.to, f"not recorded as re-driven: {exc}")
                if o.action == "sent"
                else o
                for o in outcomes
            ]
    return outcomes


def _describe(exc: BaseException) -> str:
    text, name = str(exc), type(exc).__name__
    return text if text.startswith(name) else f"{name}: {text}" if text else name
