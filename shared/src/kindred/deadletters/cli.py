"""The dead-letter command (see `kindred.deadletters`): the dead letters, reading and
re-driving them on Kafka, the command line and what it prints."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TextIO, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError, for_code

from kindred.events.topics import DEAD_LETTER_SUFFIX
from kindred.messaging.deadletter import HEADER_PREFIX
from kindred.settings import ServiceSettings

T = TypeVar("T")

REDRIVEN_FROM = "kindred-redriven-from"
MARKER_TOPIC = "deadletters.redriven"  # after the namespace
DEFAULT_TIMEOUT = 15.0


class OperatorSettings(ServiceSettings):
    """The command reads the same environment as the services."""

    service_name: ClassVar[str] = "deadletters"


class CommandError(Exception):
    """Stops the command with a one-line message and exit status 1."""


class UsageError(CommandError):
    """A bad argument: exit status 2."""


# ---------------------------------------------------------------- dead letters


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    @property
    def ref(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None

    def dlt(self, name: str) -> str | None:
        return self.header(HEADER_PREFIX + name)

    @property
    def event(self) -> dict[str, Any]:
        """The CloudEvent in the value, when it is a JSON object (a poison record may not be)."""
        try:
            parsed = json.loads(self.value or b"")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @property
    def event_type(self) -> str | None:
        value = self.event.get("type")
        return value if isinstance(value, str) else None

    @property
    def event_id(self) -> str | None:
        value = self.event.get("id")
        return value if isinstance(value, str) else None

    @property
    def origin_topic(self) -> str:
        named = self.dlt("origin-topic")
        if named:
            return named
        return self.topic.removesuffix(DEAD_LETTER_SUFFIX)

    @property
    def origin_partition(self) -> int | None:
        return _int(self.dlt("origin-partition"))

    @property
    def origin_offset(self) -> int | None:
        return _int(self.dlt("origin-offset"))

    def redrive_headers(self) -> list[tuple[str, bytes]]:
        """The original record's headers, and where this copy comes from."""
        kept = [
            (k, v)
            for k, v in self.headers
            if not k.startswith(HEADER_PREFIX) and k != REDRIVEN_FROM
        ]
        return [*kept, (REDRIVEN_FROM, self.ref.encode())]

    def as_dict(self, redriven: Redriven | None = None) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "key": None if self.key is None else self.key.decode(errors="replace"),
            "event_type": self.event_type,
            "event_id": self.event_id,
            "origin": {
                "topic": self.origin_topic,
                "partition": self.origin_partition,
                "offset": self.origin_offset,
            },
            "error_type": self.dlt("error-type"),
            "error_message": self.dlt("error-message"),
            "attempts": _int(self.dlt("attempts")),
            "failed_at": self.dlt("failed-at"),
            "consumer_group": self.dlt("consumer-group"),
            "headers": {k: v.decode(errors="replace") for k, v in self.headers},
            "redriven": None if redriven is None else redriven.as_dict(),
        }


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Redriven:
    """The record of one re-drive, in the marker topic, keyed by the dead letter's ref."""

    ref: str
    event_id: str | None
    failed_at: str | None
    to: str
    at: str

    @classmethod
    def of(cls, letter: DeadLetter, to: str, at: datetime) -> Redriven:
        return cls(letter.ref, letter.event_id, letter.dlt("failed-at"), to, at.isoformat())

    def is_for(self, letter: DeadLetter) -> bool:
        """Offsets start again if a topic is deleted and made anew: the ref alone is not enough."""
        return (self.ref, self.event_id, self.failed_at) == (
            letter.ref,
            letter.event_id,
            letter.dlt("failed-at"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "dead_letter": self.ref,
            "event_id": self.event_id,
            "failed_at": self.failed_at,
            "to": self.to,
            "at": self.at,
        }

    def encode(self) -> bytes:
        return json.dumps(self.as_dict()).encode()

    @classmethod
    def decode(cls, value: bytes | None) -> Redriven | None:
        try:
            doc = json.loads(value or b"")
            return cls(doc["dead_letter"], doc["event_id"], doc["failed_at"], doc["to"], doc["at"])
        except (ValueError, KeyError, TypeError):
            return None


# ---------------------------------------------------------------- choosing


def parse_offsets(values: Iterable[str]) -> frozenset[tuple[int, int]]:
    """`P:O` items, each value one or several separated by commas."""
    chosen: set[tuple[int, int]] = set()
    for value in values:
        for item in (i.strip() for i in value.split(",")):
            if not item:
                continue
            partition, sep, offset = item.partition(":")
            if not sep or not partition.strip().isdigit() or not offset.strip().isdigit():
                raise UsageError(f"--offset expects PARTITION:OFFSET, e.g. 0:42; got {item!r}")
            chosen.add((int(partition), int(offset)))
    return frozenset(chosen)


@dataclass(frozen=True)
class Selection:
    """Which dead letters: all the conditions given must hold (none given: every one)."""

    offsets: frozenset[tuple[int, int]] | None = None
    event_type: str | None = None
    error_type: str | None = None

    def __bool__(self) -> bool:
        return self.offsets is not None or bool(self.event_type) or bool(self.error_type)

    def matches(self, letter: DeadLetter) -> bool:
        if self.offsets is not None and (letter.partition, letter.offset) not in self.offsets:
            return False
        if self.event_type and not type_matches(letter.event_type, self.event_type):
            return False
        return not self.error_type or letter.dlt("error-type") == self.error_type


def type_matches(event_type: str | None, wanted: str) -> bool:
    """`kindred.checkin.submitted.v1` is matched by itself and by `kindred.checkin.submitted`."""
    if event_type is None:
        return False
    return event_type == wanted or event_type.startswith(wanted + ".v")


def resolve_topics(namespace: str, names: Sequence[str], existing: Iterable[str]) -> list[str]:
    """Dead-letter topics by name: `<ns>.checkin.submitted.dlt`, `checkin.submitted.dlt` or
    `checkin.submitted`; none named: every `*.dlt` topic of the namespace."""
    known = set(existing)
    ours = sorted(t for t in known if t.startswith(namespace + ".") and t.endswith(".dlt"))
    if not names:
        return ours
    resolved: list[str] = []
    for name in names:
        candidates = [name] if name.endswith(DEAD_LETTER_SUFFIX) else []
        base = name if name.endswith(DEAD_LETTER_SUFFIX) else name + DEAD_LETTER_SUFFIX
        candidates += [base, f"{namespace}.{base}"]
        found = next((c for c in candidates if c in known), None)
        if found is None:
            hint = ", ".join(ours) if ours else "none"
            raise CommandError(
                f"unknown dead-letter topic {name!r} (dead-letter topics of namespace "
                f"{namespace!r}: {hint})"
            )
        if found not in resolved:
            resolved.append(found)
    return resolved


@dataclass
class Contents:
    """What was read: the dead letters and the offsets each partition held at the start."""

    letters: list[DeadLetter] = field(default_factory=list)
    ranges: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)

    def missing(self, topic: str, offsets: Iterable[tuple[int, int]]) -> list[str]:
        """Describe each requested offset the topic does not hold."""
        held = {(d.partition, d.offset) for d in self.letters if d.topic == topic}
        problems = []
        for partition, offset in sorted(offsets):
            if (partition, offset) in held:
                continue
            span = self.ranges.get((topic, partition))
            if span is None:
                partitions = sorted(p for t, p in self.ranges if t == topic)
                problems.append(
                    f"{partition}:{offset} (the topic has partitions "
                    f"{', '.join(map(str, partitions)) or 'none'})"
                )
            elif span[0] >= span[1]:
                problems.append(f"{partition}:{offset} (partition {partition} is empty)")
            else:
                problems.append(
                    f"{partition}:{offset} (partition {partition} holds offsets "
                    f"{span[0]}..{span[1] - 1})"
                )
        return problems


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


@dataclass(frozen=True)
class Outcome:
    letter: DeadLetter
    action: str  # "sent", "unrecorded" (sent), "would-send", "skipped", "failed"
    to: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dead_letter": self.letter.ref,
            "event_type": self.letter.event_type,
            "event_id": self.letter.event_id,
            "action": self.action,
            "to": self.to,
            "detail": self.detail,
        }


async def list_letters(
    kafka: Kafka, names: Sequence[str], selection: Selection
) -> list[tuple[DeadLetter, Redriven | None]]:
    topics = resolve_topics(kafka.settings.kindred_namespace, names, await kafka.topics())
    contents = await kafka.read(topics)
    if selection.offsets is not None:
        _check_offsets(contents, topics, selection.offsets)
    redrives = await kafka.redrives()
    return [
        (letter, _redriven(redrives, letter))
        for letter in contents.letters
        if selection.matches(letter)
    ]


def _redriven(redrives: dict[str, Redriven], letter: DeadLetter) -> Redriven | None:
    found = redrives.get(letter.ref)
    return found if found is not None and found.is_for(letter) else None


def _check_offsets(
    contents: Contents, topics: Sequence[str], offsets: frozenset[tuple[int, int]]
) -> None:
    if len(topics) != 1:
        raise UsageError("--offset needs exactly one dead-letter topic")
    missing = contents.missing(topics[0], offsets)
    if missing:
        raise CommandError(f"not in {topics[0]}: {'; '.join(missing)}")


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
        _check_offsets(contents, topics, selection.offsets)
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
        done = _redriven(redrives, letter)
        if done is not None and not force:
            detail = f"re-driven already, to {done.to} at {done.at}"
            outcomes.append(Outcome(letter, "skipped", done.to, detail))
        elif dry_run:
            target = _target(letter, partitions)
            where = letter.origin_topic if target is None else f"{letter.origin_topic}/{target}"
            outcomes.append(Outcome(letter, "would-send", where))
        else:
            to_send.append(letter)
    if to_send:
        outcomes += await _send(kafka, to_send, partitions)
    order = {d.ref: i for i, d in enumerate(chosen)}
    outcomes.sort(key=lambda o: order[o.letter.ref])
    return outcomes


def _target(letter: DeadLetter, partitions: dict[str, int]) -> int | None:
    """The partition it came from; if that is gone, the key's partition (None)."""
    partition = letter.origin_partition
    if partition is not None and 0 <= partition < partitions.get(letter.origin_topic, 0):
        return partition
    return None


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
                    partition=_target(letter, partitions),
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


# ---------------------------------------------------------------- output


def format_letter(letter: DeadLetter, redriven: Redriven | None) -> str:
    origin = f"{letter.origin_topic}/{_or_dash(letter.origin_partition)}"
    origin += f"/{_or_dash(letter.origin_offset)}"
    message = (letter.dlt("error-message") or "").strip()
    message_lines = message.splitlines() or [""]
    lines = [
        f"{letter.partition}:{letter.offset}  {letter.event_type or '(not a CloudEvent)'}"
        f"  id {letter.event_id or '-'}  key {_key(letter.key)}",
        f"    origin      {origin}",
        f"    error       {letter.dlt('error-type') or '-'}: {message_lines[0]}",
        *(f"                {line}" for line in message_lines[1:20]),
        f"    failed at   {letter.dlt('failed-at') or '-'}  in group "
        f"{letter.dlt('consumer-group') or '-'}  (attempts {letter.dlt('attempts') or '-'})",
    ]
    others = [(k, v) for k, v in letter.headers if not k.startswith(HEADER_PREFIX)]
    if others:
        shown = ", ".join(f"{k}={v.decode(errors='replace')}" for k, v in others)
        lines.append(f"    headers     {shown}")
    if redriven is not None:
        lines.append(f"    re-driven   to {redriven.to} at {redriven.at}")
    return "\n".join(lines)


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def _key(key: bytes | None) -> str:
    return "-" if key is None else key.decode(errors="replace")


def print_listing(
    rows: list[tuple[DeadLetter, Redriven | None]], out: TextIO, *, as_json: bool
) -> None:
    if as_json:
        json.dump([letter.as_dict(r) for letter, r in rows], out, indent=2)
        out.write("\n")
        return
    if not rows:
        print("no dead letters", file=out)
        return
    topic = None
    for letter, redriven in rows:
        if letter.topic != topic:
            topic = letter.topic
            count = sum(1 for d, _ in rows if d.topic == topic)
            print(f"{topic}: {count} dead letter{'s' if count != 1 else ''}", file=out)
        print(format_letter(letter, redriven), file=out)


VERBS = {
    "sent": "re-drove",
    "unrecorded": "re-drove (not recorded)",
    "would-send": "would re-drive",
    "skipped": "skipped",
    "failed": "FAILED",
}


def print_outcomes(outcomes: list[Outcome], out: TextIO, *, as_json: bool) -> None:
    if as_json:
        json.dump([o.as_dict() for o in outcomes], out, indent=2)
        out.write("\n")
        return
    if not outcomes:
        print("no dead letters chosen", file=out)
        return
    for o in outcomes:
        letter = o.letter
        what = f"{letter.event_type} {letter.event_id}" if letter.event_type else "not a CloudEvent"
        line = f"{VERBS[o.action]} {letter.ref} ({what})"
        if o.to and o.action != "skipped":
            line += f" -> {o.to}"
        if o.detail:
            line += f": {o.detail}"
        print(line, file=out)
    counts = {a: sum(1 for o in outcomes if o.action == a) for a in VERBS}
    summary = ", ".join(f"{n} {VERBS[a]}" for a, n in counts.items() if n)
    print(summary + (" (dry run: nothing sent)" if counts["would-send"] else ""), file=out)


# ---------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m kindred.deadletters",
        description="List and re-drive dead letters. Kafka: KAFKA_BOOTSTRAP_SERVERS; topics: "
        "KINDRED_NAMESPACE.",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="longest wait for Kafka on any step, in seconds (default %(default)s)",
    )
    commands = p.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "topics",
            nargs="*",
            metavar="TOPIC",
            help="dead-letter topic: <namespace>.checkin.submitted.dlt, checkin.submitted.dlt "
            "or checkin.submitted (default: every *.dlt topic of the namespace)",
        )
        sub.add_argument(
            "--offset",
            action="append",
            default=None,
            metavar="P:O",
            help="only partition P, offset O of the one TOPIC; repeat or separate by commas",
        )
        sub.add_argument("--type", dest="event_type", help="only this event type")
        sub.add_argument("--error-type", help="only this error type, e.g. ValidationError")
        sub.add_argument("--json", action="store_true", help="JSON for scripts")
        sub.add_argument(
            "--timeout", type=float, default=argparse.SUPPRESS, help="as before the command"
        )

    listing = commands.add_parser("list", help="show dead letters (reads only, joins no group)")
    common(listing)
    again = commands.add_parser("redrive", help="re-publish dead letters to their origin topic")
    common(again)
    again.add_argument("--all", action="store_true", help="every dead letter of the TOPICs")
    again.add_argument("--dry-run", action="store_true", help="show what would be sent")
    again.add_argument("--force", action="store_true", help="send again those already re-driven")
    return p


def selection_from(args: argparse.Namespace) -> Selection:
    offsets = parse_offsets(args.offset) if args.offset is not None else None
    chosen = Selection(offsets, args.event_type, args.error_type)
    if args.command == "redrive":
        if getattr(args, "all", False) and chosen:
            raise UsageError("--all cannot be combined with --offset, --type or --error-type")
        if not getattr(args, "all", False) and not chosen:
            raise UsageError("choose what to re-drive: --offset, --type, --error-type or --all")
    if offsets is not None and len(args.topics) != 1:
        raise UsageError("--offset needs exactly one TOPIC")
    return chosen


async def run(args: argparse.Namespace, settings: ServiceSettings, out: TextIO) -> int:
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    chosen = selection_from(args)
    async with Kafka(settings, args.timeout) as kafka:
        if args.command == "list":
            rows = await list_letters(kafka, args.topics, chosen)
            print_listing(rows, out, as_json=args.json)
            return 0
        outcomes = await redrive(kafka, args.topics, chosen, dry_run=args.dry_run, force=args.force)
        print_outcomes(outcomes, out, as_json=args.json)
        return 1 if any(o.action in ("failed", "unrecorded") for o in outcomes) else 0


async def command(
    argv: Sequence[str] | None,
    settings: ServiceSettings,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The command; returns its exit status. Errors are one line on `err`, no traceback."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = parser().parse_args(argv)
    try:
        return await run(args, settings, out)
    except UsageError as exc:
        print(f"deadletters: {exc}", file=err)
        return 2
    except CommandError as exc:
        print(f"deadletters: {exc}", file=err)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    settings = OperatorSettings.load()  # a bad variable: one line per variable, status 1
    try:
        return asyncio.run(command(argv, settings))
    except KeyboardInterrupt:
        print("deadletters: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # piped into `head`, which left: no traceback at exit either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
