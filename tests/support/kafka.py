"""Produce raw messages and read topics back on the real broker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from kindred.events.envelope import Envelope
from kindred.messaging.broker import event_message


async def produce(
    bootstrap: str,
    topic: str,
    value: bytes | dict[str, Any],
    key: str,
    headers: Sequence[tuple[str, bytes]] = (),
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        body = value if isinstance(value, bytes) else json.dumps(value).encode()
        await producer.send_and_wait(topic, body, key=key.encode(), headers=list(headers))
    finally:
        await producer.stop()


async def produce_event(bootstrap: str, namespace: str, event: Envelope[Any]) -> None:
    """Publish as the services do: the CloudEvents structured mode."""
    value, headers = event_message(event)
    await produce(
        bootstrap,
        f"{namespace}.{event.TOPIC}",
        value,
        event.subject,
        [(k, v.encode()) for k, v in headers.items()],
    )


async def produce_events(bootstrap: str, namespace: str, events: Sequence[Envelope[Any]]) -> None:
    """Publish many events through one producer, all sent before the acks are awaited."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        acks = []
        for event in events:
            value, headers = event_message(event)
            acks.append(
                await producer.send(
                    f"{namespace}.{event.TOPIC}",
                    value,
                    key=event.subject.encode(),
                    headers=[(k, v.encode()) for k, v in headers.items()],
                )
            )
        await asyncio.gather(*acks)
    finally:
        await producer.stop()


class TopicReader:
    """Reads a topic from the beginning (no consumer group) and keeps every record seen."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.records: list[ConsumerRecord[bytes, bytes]] = []
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def poll(self) -> list[ConsumerRecord[bytes, bytes]]:
        batches = await self._consumer.getmany(timeout_ms=200)
        for records in batches.values():
            self.records.extend(records)
        return self.records

    async def read_to_end(self, timeout: float = 30.0) -> list[ConsumerRecord[bytes, bytes]]:  # noqa: ASYNC109
        """Every record written to the topic so far: polls until each partition's position
        reaches the end offset taken now."""
        async with asyncio.timeout(timeout):
            while not (assigned := self._consumer.assignment()):
                await self.poll()
            ends = await self._consumer.end_offsets(list(assigned))
            for tp, end in ends.items():
                while await self._consumer.position(tp) < end:
                    await self.poll()
        return self.records

    def values(self) -> list[dict[str, Any]]:
        return [json.loads(r.value) for r in self.records]
