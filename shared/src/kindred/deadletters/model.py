"""The dead letters and the choices made about them, without Kafka: what a dead letter says,
which ones are chosen, which topics are meant, where a re-drive goes and how it is recorded."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kindred.events.topics import DEAD_LETTER_SUFFIX
from kindred.messaging.deadletter import HEADER_PREFIX

REDRIVEN_FROM = "kindred-redriven-from"
MARKER_TOPIC = "deadletters.redriven"  # after the namespace


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


def recorded_redrive(redrives: dict[str, Redriven], letter: DeadLetter) -> Redriven | None:
    """The re-drive recorded for this very dead letter, if any."""
    found = redrives.get(letter.ref)
    return found if found is not None and found.is_for(letter) else None


def check_offsets(
    contents: Contents, topics: Sequence[str], offsets: frozenset[tuple[int, int]]
) -> None:
    """Refuse offsets unless they are all in the one topic read."""
    if len(topics) != 1:
        raise UsageError("--offset needs exactly one dead-letter topic")
    missing = contents.missing(topics[0], offsets)
    if missing:
        raise CommandError(f"not in {topics[0]}: {'; '.join(missing)}")


def target_partition(letter: DeadLetter, partitions: dict[str, int]) -> int | None:
    """The partition it came from; if that is gone, the key's partition (None)."""
    partition = letter.origin_partition
    if partition is not None and 0 <= partition < partitions.get(letter.origin_topic, 0):
        return partition
    return None


# ---------------------------------------------------------------- outcomes


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
