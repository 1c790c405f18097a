"""The dead-letter command on the real broker: a record a consumer dead-letters is listed,
re-driven once the cause is fixed, handled exactly once, and never twice."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from kindred.deadletters.cli import command
from kindred.deadletters.model import REDRIVEN_FROM
from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import Envelope
from kindred.messaging.broker import create_broker, ensure_topics
from kindred.observability.metrics import events_handled
from kindred.partitions.consumer import PartitionedConsumer
from kindred.partitions.processor import Changes, Stateless
from kindred.partitions.store import Kind, Store
from kindred.settings import ServiceSettings
from kindred.storage.mongo import create_client, database
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

LEDGER = Store("ledger", lambda doc: doc, member_fields=("member_id",), kind=Kind.HISTORY)


class Ledger(Stateless):
    """Writes a new document for every check-in it handles (a second handling shows), and
    cannot take a "poison" one until it is fixed."""

    events = (CheckinSubmitted,)
    stores = (LEDGER,)

    def __init__(self) -> None:
        self.broken = True

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        assert isinstance(event, CheckinSubmitted)
        if event.data.note == "poison" and self.broken:
            raise ValueError("the ledger cannot take poison yet")
        doc = {"_id": uuid.uuid4().hex, "event_id": event.id, "member_id": event.data.member_id}
        changes.insert(LEDGER, doc)


class LedgerSettings(ServiceSettings):
    service_name: ClassVar[str] = "ledger"


@pytest.fixture
async def settings(infra: Infra, namespace: str) -> ServiceSettings:
    result = settings_for(LedgerSettings, infra, namespace, write_behind_seconds=0)
    await ensure_topics(result)
    return result


@contextlib.asynccontextmanager
async def consuming(settings: ServiceSettings, processor: Ledger) -> AsyncIterator[Any]:
    broker = create_broker(settings)
    mongo = create_client(settings)
    await broker.start()
    consumer = PartitionedConsumer(settings, broker, database(mongo, settings), processor)
    await consumer.start()
    try:
        yield mongo[settings.database_name]
    finally:
        await consumer.stop()
        await broker.stop()
        await mongo.close()


async def run(settings: ServiceSettings, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = await command(list(argv), settings, out, err)
    return status, out.getvalue(), err.getvalue()


def run_process(kafka: str, namespace: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command as an operator runs it, reading the environment."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka, "KINDRED_NAMESPACE": namespace}
    return subprocess.run(
        [sys.executable, "-m", "kindred.deadletters", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def ledger(db: Any) -> Counter[str]:
    return Counter([d["event_id"] async for d in db[LEDGER.collection].find({})])


async def end_offset(kafka: str, topic: str, partition: int) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=None)
    await consumer.start()
    try:
        tp = TopicPartition(topic, partition)
        return int((await consumer.end_offsets([tp]))[tp])
    finally:
        await consumer.stop()


async def test_a_dead_letter_is_listed_then_redriven_and_handled_exactly_once(
    infra: Infra, namespace: str, settings: ServiceSettings
) -> None:
    topic = f"{namespace}.{CheckinSubmitted.TOPIC}"
    processor = Ledger()
    good = [checkin_submitted("m1", note=f"fine {i}") for i in range(2)]
    poison = checkin_submitted("m1", note="poison")
    async with (
        consuming(settings, processor) as db,
        TopicReader(infra.kafka, f"{topic}.dlt") as dead,
        TopicReader(infra.kafka, topic) as source,
    ):
        for event in (good[0], poison, good[1]):
            await produce_event(infra.kafka, namespace, event)
        [letter] = await eventually(dead.poll, lambda r: len(r) == 1, what="one dead letter")
        await eventually(
            lambda: ledger(db), lambda h: all(h[e.id] == 1 for e in good), what="the good ones"
        )
        [origin] = await eventually(
            lambda: _with_id(source, poison.id), lambda r: len(r) == 1, what="the original"
        )

        # Listed, as an operator sees it: every header that says what failed, where and when.
        shown = run_process(infra.kafka, namespace, "list", "checkin.submitted")
        assert shown.returncode == 0, shown.stderr
        text = shown.stdout
        assert f"{topic}.dlt: 1 dead letter" in text
        assert f"{letter.partition}:{letter.offset}  kindred.checkin.submitted.v1" in text
        assert f"id {poison.id}" in text
        assert f"origin      {topic}/{origin.partition}/{origin.offset}" in text
        assert "ValueError: the ledger cannot take poison yet" in text
        assert f"in group {settings.consumer_group}" in text
        failed_at = dict(letter.headers)["kindred-dlt-failed-at"].decode()
        assert f"failed at   {failed_at}" in text
        assert "content-type=application/cloudevents+json" in text
        status, out, _ = await run(settings, "list", "--json")
        [listed] = json.loads(out)
        assert status == 0
        assert listed["event_id"] == poison.id
        assert listed["origin"] == {
            "topic": topic,
            "partition": origin.partition,
            "offset": origin.offset,
        }
        assert listed["error_type"] == "ValueError"
        assert listed["consumer_group"] == settings.consumer_group
        assert listed["redriven"] is None
        # Reading joined no consumer group: only the service's own exists.
        admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
        await admin.start()
        try:
            groups = {g[0] for g in await admin.list_consumer_groups()}
        finally:
            await admin.close()
        assert {g for g in groups if g.startswith(namespace)} == {settings.consumer_group}

        where = f"{letter.partition}:{letter.offset}"
        redrive = ("redrive", "checkin.submitted", "--offset", where)
        ends = await end_offset(infra.kafka, topic, origin.partition)
        status, out, _ = await run(settings, *redrive, "--dry-run")
        assert status == 0
        assert f"would re-drive {topic}.dlt/{where.replace(':', '/')}" in out
        assert f"-> {topic}/{origin.partition}" in out
        assert await end_offset(infra.kafka, topic, origin.partition) == ends  # nothing sent

        processor.broken = False  # the cause, fixed
        status, out, _ = await run(settings, *redrive)
        assert status == 0, out
        assert f"re-drove {topic}.dlt/{letter.partition}/{letter.offset}" in out
        await eventually(
            lambda: ledger(db), lambda h: h[poison.id] == 1, what="the re-driven check-in"
        )
        _, copy = await eventually(
            lambda: _with_id(source, poison.id), lambda r: len(r) == 2, what="the copy"
        )
        assert copy.value == origin.value and copy.key == origin.key
        assert copy.partition == origin.partition
        headers = dict(copy.headers)
        assert headers[REDRIVEN_FROM] == f"{topic}.dlt/{letter.partition}/{letter.offset}".encode()
        assert not any(k.startswith("kindred-dlt-") for k in headers)
        assert headers["content-type"] == dict(origin.headers)["content-type"]

        # Again: the command finds its own record of the re-drive and sends nothing.
        ends = await end_offset(infra.kafka, topic, origin.partition)
        status, out, _ = await run(settings, *redrive)
        assert status == 0
        assert "skipped" in out and "re-driven already" in out
        assert await end_offset(infra.kafka, topic, origin.partition) == ends
        status, out, _ = await run(settings, "list", "--json")
        assert json.loads(out)[0]["redriven"]["to"] == (
            f"{copy.topic}/{copy.partition}/{copy.offset}"
        )

        # Forced: the copy reaches the consumer, which knows the event id and skips it.
        duplicates = events_handled.labels(topic=topic, outcome="duplicate")
        before = duplicates._value.get()
        status, out, _ = await run(settings, *redrive, "--force")
        assert status == 0 and "re-drove" in out
        await eventually(
            _async(duplicates._value.get), lambda n: n == before + 1, what="the copy skipped"
        )
        assert await ledger(db) == Counter(e.id for e in [*good, poison])


async def test_errors_are_one_line_with_a_failing_status(
    infra: Infra, namespace: str, settings: ServiceSettings
) -> None:
    unknown = run_process(infra.kafka, namespace, "list", "no.such.topic")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("deadletters: unknown dead-letter topic 'no.such.topic'")
    assert f"{namespace}.checkin.submitted.dlt" in unknown.stderr  # what exists instead

    missing = run_process(
        infra.kafka, namespace, "redrive", "checkin.submitted", "--offset", "0:5,9:0"
    )
    assert missing.returncode == 1
    assert f"not in {namespace}.checkin.submitted.dlt: 0:5 (partition 0 is empty)" in (
        missing.stderr
    )
    assert "9:0 (the topic has partitions 0, 1, 2)" in missing.stderr

    usage = run_process(infra.kafka, namespace, "redrive", "checkin.submitted")
    assert usage.returncode == 2
    assert "--offset, --type, --error-type or --all" in usage.stderr

    with silent_port() as port:
        unreachable = run_process(f"127.0.0.1:{port}", namespace, "--timeout", "2", "list")
    assert unreachable.returncode == 1
    assert unreachable.stderr == (
        f"deadletters: Kafka at 127.0.0.1:{port} did not answer within 2s (connecting)\n"
    )
    with silent_port() as port:
        pass  # closed: nothing listens there now
    refused = run_process(f"127.0.0.1:{port}", namespace, "--timeout", "2", "list")
    assert refused.returncode == 1
    assert refused.stderr == f"deadletters: Kafka at 127.0.0.1:{port} is unreachable (connecting)\n"
    for result in (unknown, missing, usage, unreachable, refused):
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def _async(probe: Any) -> Any:
    async def call() -> Any:
        return probe()

    return call


async def _with_id(reader: TopicReader, event_id: str) -> list[Any]:
    return [r for r in await reader.poll() if event_id.encode() in (r.value or b"")]
