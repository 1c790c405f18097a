"""Kafka wiring on FastStream: the broker each service publishes with, and its topics.

Producers: acks=all with idempotence on. Consuming is `kindred.partitions.consumer`: one
consumer group per service, offsets tracked with the work they caused (see that module).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from kindred.events import topics
from kindred.events.envelope import Envelope
from kindred.observability.metrics import events_published, registry
from kindred.settings import ServiceSettings

log = logging.getLogger(__name__)


def create_broker(settings: ServiceSettings) -> KafkaBroker:
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        client_id=f"kindred-{settings.service_name}",
        graceful_timeout=settings.graceful_timeout_seconds,
        logger=logging.getLogger(f"kindred.{settings.service_name}.kafka"),
    )
    broker.add_middleware(
        KafkaPrometheusMiddleware(registry=registry, app_name=settings.service_name)
    )
    return broker


def topic_for(settings: ServiceSettings, event_type: type[Envelope[Any]]) -> str:
    return topics.topic_name(settings.kindred_namespace, event_type.TOPIC)


# The CloudEvents Kafka protocol binding, structured content mode: the whole event (attributes
# and `data`) is the record's value, the header says so, and no `ce_` header is set (a standard
# client would read those as binary mode).
CLOUDEVENTS_JSON = "application/cloudevents+json; charset=utf-8"


def event_message(event: Envelope[Any]) -> tuple[bytes, dict[str, str]]:
    """An event's record value and headers on the wire."""
    return event.model_dump_json().encode(), {"content-type": CLOUDEVENTS_JSON}


class EventPublisher:
    """Publishes one event at a time and waits for acks=all (the gateway's 202 waits on it)."""

    def __init__(self, broker: KafkaBroker, settings: ServiceSettings) -> None:
        self._broker = broker
        self._settings = settings

    async def publish(self, event: Envelope[Any]) -> None:
        topic = topic_for(self._settings, type(event))
        value, headers = event_message(event)
        await self._broker.publish(
            value, topic=topic, key=event.key, headers=headers, correlation_id=event.correlationid
        )
        events_published.labels(topic=topic).inc()


def describe(
    settings: ServiceSettings,
    consumes: Sequence[type[Envelope[Any]]],
    publishes: Sequence[type[Envelope[Any]]],
) -> KafkaBroker:
    """A broker that is never started, declaring a service's channels for its AsyncAPI document."""
    broker = KafkaBroker(settings.kafka_bootstrap_servers)
    for event_type in consumes:
        name = topic_for(settings, event_type)

        async def handler(event: Any) -> None: ...

        handler.__annotations__["event"] = event_type
        broker.subscriber(
            name,
            group_id=settings.consumer_group,
            title=f"{name}:{settings.service_name}:receive",
            description=event_type.__doc__,
        )(handler)
    for event_type in publishes:
        name = topic_for(settings, event_type)
        broker.publisher(
            name,
            title=f"{name}:{settings.service_name}:send",
            description=event_type.__doc__,
            schema=event_type,
        )
    return broker


async def ensure_topics(settings: ServiceSettings) -> None:
    """Create every catalogue topic and its dead-letter twin if missing (idempotent)."""
    names = [topics.topic_name(settings.kindred_namespace, base) for base in topics.ALL]
    names += [topics.dead_letter_topic(n) for n in names]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return
        try:
            await admin.create_topics(
                [NewTopic(n, settings.kafka_topic_partitions, 1) for n in missing]
            )
        except TopicAlreadyExistsError:
            pass  # another service created them meanwhile
        log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()
