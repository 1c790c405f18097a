"""The dead-letter command without a broker: choosing, naming, headers, re-driving through a
fake Kafka, output."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaTimeoutError

from kindred.deadletters.cli import (
    format_letter,
    parser,
    print_listing,
    print_outcomes,
    selection_from,
)
from kindred.deadletters.kafka import Kafka, redrive
from kindred.deadletters.model import (
    REDRIVEN_FROM,
    CommandError,
    Contents,
    DeadLetter,
    Outcome,
    Redriven,
    Selection,
    UsageError,
    parse_offsets,
    resolve_topics,
    type_matches,
)
from kindred.messaging.deadletter import HEADER_PREFIX
from kindred.partitions.processor import Failed, dead_letter
from kindred.settings import ServiceSettings
from tests.support.factories import checkin_submitted

pytestmark = pytest.mark.unit

TOPIC = "ns.checkin.submitted"
EVENT = checkin_submitted("m1", note="poison")
AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def letter(
    offset: int = 4,
    partition: int = 1,
    error: BaseException | None = None,
    value: bytes | None = None,
) -> DeadLetter:
    """A dead letter exactly as the consumer runtime writes one."""
    body = EVENT.model_dump_json().encode() if value is None else value
    original = ConsumerRecord(
        topic=TOPIC,
        partition=partition,
        offset=17,
        timestamp=0,
        timestamp_type=0,
        key=b"m1",
        value=body,
        checksum=None,
        serialized_key_size=2,
        serialized_value_size=len(body),
        headers=[
            ("content-type", b"application/cloudevents+json; charset=utf-8"),
            ("trace", b"abc"),
        ],
    )
    record = dead_letter(Failed(original, error or ValueError("boom\nline two")), "ns.checkins")
    headers = tuple((k, v.encode()) for k, v in record.headers)
    return DeadLetter(record.topic, partition, offset, record.key, record.value, headers)


def test_offsets_are_partition_colon_offset_repeated_or_comma_separated() -> None:
    assert parse_offsets(["0:5", "1:7, 1:8", "0:5,"]) == {(0, 5), (1, 7), (1, 8)}
    for bad in ("5", "a:1", "1:", ":1", "-1:2", "1:2:3"):
        with pytest.raises(UsageError, match="PARTITION:OFFSET"):
            parse_offsets([bad])


def test_a_dead_letter_reads_what_the_runtime_wrote() -> None:
    d = letter()
    assert d.ref == f"{TOPIC}.dlt/1/4"
    assert (d.event_type, d.event_id) == ("kindred.checkin.submitted.v1", EVENT.id)
    assert (d.origin_topic, d.origin_partition, d.origin_offset) == (TOPIC, 1, 17)
    view = d.as_dict()
    assert view["error_type"] == "ValueError"
    assert view["error_message"] == "boom\nline two"
    assert view["consumer_group"] == "ns.checkins"
    assert view["attempts"] == 1
    assert view["failed_at"]
    assert view["key"] == "m1"
    assert view["headers"]["trace"] == "abc"
    json.dumps(view)  # fit for --json


def test_a_value_that_is_no_cloudevent_has_no_type_and_keeps_its_origin() -> None:
    for value in (b"\x00 not json", b"[1, 2]", b'{"type": 7}'):
        d = letter(value=value)
        assert d.event_type is None and d.event_id is None
        assert d.origin_topic == TOPIC
    bare = DeadLetter(f"{TOPIC}.dlt", 0, 0, None, None, ())
    assert bare.origin_topic == TOPIC  # no header: the topic's name says it
    assert bare.origin_partition is None


def test_a_redriven_record_carries_the_original_headers_and_where_it_came_from() -> None:
    first = letter()
    assert first.redrive_headers() == [
        ("content-type", b"application/cloudevents+json; charset=utf-8"),
        ("trace", b"abc"),
        (REDRIVEN_FROM, f"{TOPIC}.dlt/1/4".encode()),
    ]
    # A re-driven record that failed again: its dead letter names only the latest origin.
    again = DeadLetter(
        first.topic, 2, 9, first.key, first.value, (*first.headers, (REDRIVEN_FROM, b"old/1/4"))
    )
    assert [v for k, v in again.redrive_headers() if k == REDRIVEN_FROM] == [
        f"{TOPIC}.dlt/2/9".encode()
    ]


def test_selection_needs_every_condition_given() -> None:
    d = letter()
    assert not Selection() and Selection().matches(d)
    assert Selection(offsets=frozenset({(1, 4)})).matches(d)
    assert not Selection(offsets=frozenset({(0, 4)})).matches(d)
    assert Selection(event_type="kindred.checkin.submitted.v1").matches(d)
    assert Selection(event_type="kindred.checkin.submitted").matches(d)
    assert Selection(error_type="ValueError").matches(d)
    assert not Selection(error_type="ValidationError").matches(d)
    assert not Selection(event_type="kindred.checkin.submitted", error_type="KeyError").matches(d)
    assert not Selection(event_type="x").matches(letter(value=b"not json"))


def test_an_event_type_matches_with_or_without_its_version_only() -> None:
    assert type_matches("kindred.checkin.submitted.v1", "kindred.checkin.submitted.v1")
    assert type_matches("kindred.checkin.submitted.v1", "kindred.checkin.submitted")
    assert not type_matches("kindred.checkin.submitted.v1", "kindred.checkin")
    assert not type_matches("kindred.checkin.submitted.v1", "kindred.checkin.submitted.v")
    assert not type_matches(None, "kindred.checkin.submitted")


def test_topics_are_named_in_full_or_by_base_name_within_the_namespace() -> None:
    existing = {
        "ns.checkin.submitted",
        "ns.checkin.submitted.dlt",
        "ns.match.proposed.dlt",
        "ns.deadletters.redriven",
        "other.checkin.submitted.dlt",
        "nsx.match.proposed.dlt",
    }
    assert resolve_topics("ns", [], existing) == [
        "ns.checkin.submitted.dlt",
        "ns.match.proposed.dlt",
    ]
    for name in ("ns.checkin.submitted.dlt", "checkin.submitted.dlt", "checkin.submitted"):
        assert resolve_topics("ns", [name], existing) == ["ns.checkin.submitted.dlt"]
    assert resolve_topics("ns", ["other.checkin.submitted.dlt"], existing) == [
        "other.checkin.submitted.dlt"
    ]
    assert resolve_topics("ns", ["checkin.submitted", "checkin.submitted.dlt"], existing) == [
        "ns.checkin.submitted.dlt"
    ]
    with pytest.raises(CommandError, match=r"topic 'nope'.*ns\.match\.proposed"):
        resolve_topics("ns", ["nope"], existing)
    with pytest.raises(CommandError, match="none"):
        resolve_topics("empty", ["checkin.submitted"], existing)


def test_offsets_not_in_the_topic_are_each_explained() -> None:
    contents = Contents(
        letters=[letter(offset=4, partition=1)],
        ranges={(f"{TOPIC}.dlt", 0): (0, 0), (f"{TOPIC}.dlt", 1): (2, 6)},
    )
    assert contents.missing(f"{TOPIC}.dlt", {(1, 4), (1, 9), (0, 0), (3, 1)}) == [
        "0:0 (partition 0 is empty)",
        "1:9 (partition 1 holds offsets 2..5)",
        "3:1 (the topic has partitions 0, 1)",
    ]


def test_a_recorded_redrive_counts_only_for_the_same_dead_letter() -> None:
    d = letter()
    done = Redriven.of(d, f"{TOPIC}/1/30", AT)
    assert Redriven.decode(done.encode()) == done
    assert done.is_for(d)
    # The same place in a dead-letter topic made anew holds another dead letter.
    other = letter(error=KeyError("x"))
    assert other.ref == d.ref and not done.is_for(other)
    assert Redriven.decode(b"garbage") is None
    assert Redriven.decode(b'{"dead_letter": "x"}') is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["redrive", "t"], "choose what to re-drive"),
        (["redrive", "t", "--all", "--type", "x"], "--all cannot be combined"),
        (["redrive", "--offset", "0:1"], "--offset needs exactly one TOPIC"),
        (["list", "a", "b", "--offset", "0:1"], "--offset needs exactly one TOPIC"),
        (["redrive", "t", "--offset", "zero"], "PARTITION:OFFSET"),
    ],
)
def test_the_command_line_refuses_unclear_choices(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        selection_from(parser().parse_args(argv))


def test_the_command_line_accepts_clear_choices() -> None:
    args = parser().parse_args(["redrive", "t", "--offset", "0:1", "--offset", "2:3,2:4"])
    assert selection_from(args).offsets == frozenset({(0, 1), (2, 3), (2, 4)})
    args = parser().parse_args(["redrive", "--type", "x", "--error-type", "ValueError"])
    assert selection_from(args) == Selection(None, "x", "ValueError")
    assert not selection_from(parser().parse_args(["redrive", "--all"]))
    assert not selection_from(parser().parse_args(["list"]))
    # --timeout goes before or after the command
    assert parser().parse_args(["list"]).timeout == 15
    assert parser().parse_args(["--timeout", "3", "list"]).timeout == 3
    assert parser().parse_args(["redrive", "--all", "--timeout", "4"]).timeout == 4


def test_a_listing_shows_what_failed_where_and_when() -> None:
    d = letter()
    text = format_letter(d, Redriven.of(d, f"{TOPIC}/1/30", AT))
    assert text.splitlines()[0] == f"1:4  kindred.checkin.submitted.v1  id {EVENT.id}  key m1"
    assert f"origin      {TOPIC}/1/17" in text
    assert "error       ValueError: boom\n                line two" in text
    assert f"failed at   {d.dlt('failed-at')}  in group ns.checkins  (attempts 1)" in text
    assert "headers     content-type=application/cloudevents+json; charset=utf-8, trace=abc" in (
        text
    )
    assert f"re-driven   to {TOPIC}/1/30 at 2025-01-02T03:04:05+00:00" in text
    out = io.StringIO()
    print_listing([(d, None), (letter(offset=5), None)], out, as_json=False)
    assert out.getvalue().startswith(f"{TOPIC}.dlt: 2 dead letters\n1:4 ")
    out = io.StringIO()
    print_listing([], out, as_json=True)
    assert json.loads(out.getvalue()) == []


def test_outcomes_are_printed_one_a_line_with_a_summary() -> None:
    d, poison = letter(), letter(offset=5, value=b"\x00")
    outcomes = [
        Outcome(d, "sent", f"{TOPIC}/1/30"),
        Outcome(poison, "skipped", f"{TOPIC}/1/31", "re-driven already"),
    ]
    out = io.StringIO()
    print_outcomes(outcomes, out, as_json=False)
    assert out.getvalue().splitlines() == [
        f"re-drove {TOPIC}.dlt/1/4 (kindred.checkin.submitted.v1 {EVENT.id}) -> {TOPIC}/1/30",
        f"skipped {TOPIC}.dlt/1/5 (not a CloudEvent): re-driven already",
        "1 re-drove, 1 skipped",
    ]
    out = io.StringIO()
    print_outcomes([Outcome(d, "would-send", f"{TOPIC}/1")], out, as_json=False)
    assert out.getvalue().endswith("1 would re-drive (dry run: nothing sent)\n")
    out = io.StringIO()
    print_outcomes(outcomes, out, as_json=True)
    assert [o["action"] for o in json.loads(out.getvalue())] == ["sent", "skipped"]


class FakeProducer:
    """Acknowledges at once, except on the topics it is told to fail."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.failing = failing
        self.sent: list[tuple[str, int | None, bytes | None, list[tuple[str, bytes]]]] = []

    async def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[Any]:
        ack: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if topic in self.failing:
            ack.set_exception(KafkaTimeoutError())
        else:
            self.sent.append((topic, partition, key, headers or []))
            ack.set_result(SimpleNamespace(topic=topic, partition=partition or 0, offset=99))
        return ack


class FakeKafka(Kafka):
    def __init__(self, letters: list[DeadLetter], producer: FakeProducer) -> None:
        super().__init__(ServiceSettings(kindred_namespace="ns"), timeout=1)
        self.letters = letters
        self.fake = producer
        self.recorded: dict[str, Redriven] = {}

    async def topics(self) -> set[str]:
        return {TOPIC, f"{TOPIC}.dlt"}

    async def read(
        self, topics: Sequence[str], only: dict[str, frozenset[tuple[int, int]]] | None = None
    ) -> Contents:
        return Contents(list(self.letters), {(f"{TOPIC}.dlt", p): (0, 10) for p in range(3)})

    async def partitions(self, topics: Sequence[str]) -> dict[str, int]:
        return {t: 3 for t in topics}

    async def redrives(self) -> dict[str, Redriven]:
        return dict(self.recorded)

    async def ensure_marker_topic(self) -> None:
        pass

    async def producer(self) -> Any:
        return self.fake


async def test_a_redrive_sends_to_the_origin_partition_then_records_it() -> None:
    first, second = letter(offset=4), letter(offset=5, partition=2)
    kafka = FakeKafka([first, second], FakeProducer())
    kafka.recorded[second.ref] = Redriven.of(second, f"{TOPIC}/1/50", AT)

    planned = await redrive(kafka, ["checkin.submitted"], Selection(), dry_run=True)
    assert [(o.action, o.to) for o in planned] == [
        ("would-send", f"{TOPIC}/1"),
        ("skipped", f"{TOPIC}/1/50"),
    ]
    assert kafka.fake.sent == []

    done = await redrive(kafka, ["checkin.submitted"], Selection())
    assert [(o.action, o.to) for o in done] == [
        ("sent", f"{TOPIC}/1/99"),
        ("skipped", f"{TOPIC}/1/50"),
    ]
    (topic, partition, key, headers), (marker, _, marker_key, _) = kafka.fake.sent
    assert (topic, partition, key) == (TOPIC, 1, b"m1")  # the origin partition, as it came
    assert headers == first.redrive_headers()
    assert (marker, marker_key) == ("ns.deadletters.redriven", first.ref.encode())

    forced = await redrive(kafka, ["checkin.submitted"], Selection(), force=True)
    assert [o.action for o in forced] == ["sent", "sent"]


async def test_a_redrive_says_which_sends_failed_and_which_went_unrecorded() -> None:
    d = letter()
    failing = FakeKafka([d], FakeProducer(failing=(TOPIC,)))
    [outcome] = await redrive(failing, [], Selection())
    assert (outcome.action, outcome.detail) == ("failed", "KafkaTimeoutError")
    assert failing.fake.sent == []  # nothing recorded for what was not sent

    unrecorded = FakeKafka([d], FakeProducer(failing=("ns.deadletters.redriven",)))
    [outcome] = await redrive(unrecorded, [], Selection())
    assert outcome.action == "unrecorded"
    assert outcome.detail is not None and "not recorded as re-driven" in outcome.detail


async def test_origin_topics_are_checked_before_anything_is_sent() -> None:
    d = letter()
    lost = DeadLetter(d.topic, 0, 1, d.key, d.value, ((HEADER_PREFIX + "origin-topic", b"gone"),))
    kafka = FakeKafka([d, lost], FakeProducer())
    with pytest.raises(CommandError, match="origin topic"):
        await redrive(kafka, [], Selection())
    assert kafka.fake.sent == []
