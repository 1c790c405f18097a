"""Raw rates of the servers the pipeline runs on, measured on a quiet system: single and
batched inserts into the MongoDB-protocol server, Kafka produce + consume with aiokafka, and
the HTTP accept rate of the gateway alone (publishing with acks=all, nothing consuming)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from kindred.devtools.bench import Deadline, rate
from kindred.devtools.bench.load import Gateway, Load, closed_loop, session

BATCH = 100  # documents per insert_many
PRODUCE_BATCH = 1000  # sends in flight before waiting for their acks
ACK_SAMPLE = 200  # send_and_wait one at a time
FILLER = "x" * 400  # makes a ~500-byte document


@dataclass
class StorageRates:
    single_docs: int
    single_seconds: float
    single_ms: list[float]  # insert_one durations, ascending
    many_docs: int
    many_seconds: float

    @property
    def single_rate(self) -> float:
        return rate(self.single_docs, self.single_seconds)

    @property
    def many_rate(self) -> float:
        return rate(self.many_docs, self.many_seconds)


@dataclass
class KafkaRates:
    messages: int
    message_bytes: int
    produce_seconds: float
    consume_seconds: float
    ack_ms: list[float]  # send_and_wait with acks=all, one at a time, ascending

    @property
    def produce_rate(self) -> float:
        return rate(self.messages, self.produce_seconds)

    @property
    def consume_rate(self) -> float:
        return rate(self.messages, self.consume_seconds)

    @property
    def combined_rate(self) -> float:
        return rate(self.messages, self.produce_seconds + self.consume_seconds)


def document(i: int) -> dict[str, Any]:
    return {
        "_id": f"raw-{i:08d}",
        "member_id": f"member-{i % 1000:04d}",
        "created_at": datetime.now(UTC),
        "body": FILLER,
    }


async def storage_rates(mongodb_url: str, namespace: str, docs: int) -> StorageRates:
    """insert_one, one at a time (docs/10 of them), then insert_many in batches of BATCH, in a
    scratch database that is dropped afterwards."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongodb_url, serverSelectionTimeoutMS=5000, appname="kindred-bench"
    )
    db = client[f"{namespace}_bench_raw"]
    try:
        singles, single_ms = max(1, docs // 10), []
        started = time.perf_counter()
        for i in range(singles):
            before = time.perf_counter()
            await db.single.insert_one(document(i))
            single_ms.append((time.perf_counter() - before) * 1000)
        single_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for offset in range(0, docs, BATCH):
            await db.many.insert_many(
                [document(i) for i in range(offset, min(docs, offset + BATCH))]
            )
        many_seconds = time.perf_counter() - started
    finally:
        await client.drop_database(db.name)
        await client.close()
    return StorageRates(singles, single_seconds, sorted(single_ms), docs, many_seconds)


def event_bytes(i: int) -> bytes:
    """~600 bytes of JSON shaped like a support.requested event."""
    return json.dumps(
        {
            "specversion": "1.0",
            "id": f"{i:08d}-0000-4000-8000-000000000000",
            "type": "kindred.support.requested.v1",
            "source": "kindred/bench",
            "time": datetime.now(UTC).isoformat(),
            "subject": f"seeker-{i:06d}",
            "correlationid": f"{i:08d}-0000-4000-8000-000000000001",
            "causationid": None,
            "datacontenttype": "application/json",
            "data": {
                "topics": ["grief"],
                "whats_going_on": "Lost my dad last month. " * 3,
                "language": "en",
                "urgency": "normal",
                "request_id": f"{i:08d}-1111-4000-8000-000000000000",
                "seeker_id": f"seeker-{i:06d}",
            },
        }
    ).encode()


async def kafka_rates(kafka: str, namespace: str, messages: int, deadline: Deadline) -> KafkaRates:
    """Produce `messages` (acks=all, idempotent) to a 3-partition topic, time ACK_SAMPLE
    send_and_wait calls, then consume everything in a fresh group; the topic is deleted."""
    topic = f"{namespace}.bench.raw"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka, client_id="kindred-bench")
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 1)])
        values = [event_bytes(i) for i in range(messages)]
        producer = AIOKafkaProducer(
            bootstrap_servers=kafka, acks="all", enable_idempotence=True, client_id="kindred-bench"
        )
        await producer.start()
        try:
            await producer.partitions_for(topic)  # metadata in hand before the clock starts
            async with asyncio.timeout(deadline.left()):
                started = time.perf_counter()
                for offset in range(0, messages, PRODUCE_BATCH):
                    batch = range(offset, min(messages, offset + PRODUCE_BATCH))
                    sends = [await producer.send(topic, values[i], key=b"%d" % i) for i in batch]
                    await asyncio.gather(*sends)
                produce_seconds = time.perf_counter() - started
                ack_ms = []
                for _ in range(ACK_SAMPLE):
                    before = time.perf_counter()
                    await producer.send_and_wait(topic, values[0], key=b"ack")
                    ack_ms.append((time.perf_counter() - before) * 1000)
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka,
            group_id=f"{namespace}.bench",
            client_id="kindred-bench",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            async with asyncio.timeout(deadline.left()):
                while not consumer.assignment():  # noqa: ASYNC110 (the group join is not timed)
                    await asyncio.sleep(0.005)
                started, consumed = time.perf_counter(), 0
                while consumed < messages + ACK_SAMPLE:
                    batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
                    consumed += sum(len(records) for records in batches.values())
                consume_seconds = time.perf_counter() - started
        finally:
            await consumer.stop()
        await admin.delete_topics([topic])
    finally:
        await admin.close()
    size = round(sum(map(len, values)) / messages)
    return KafkaRates(messages, size, produce_seconds, consume_seconds, sorted(ack_ms))


async def http_accept(urls: list[str], requests: int, concurrency: int) -> Load:
    """Support requests to gateways that nothing consumes behind: the rate of 202s (each after
    Kafka acked with acks=all). 100 requests warm up connections and topic metadata first."""
    async with session() as http:
        gateway = Gateway(http, urls)
        await closed_loop(concurrency)(gateway, [f"http-warm-{i:03d}" for i in range(100)])
        return await closed_loop(concurrency)(gateway, [f"http-{i:06d}" for i in range(requests)])
