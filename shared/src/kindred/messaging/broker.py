"""Kafka wiring on FastStream: one broker per service, subscribers and publishers by event type.

Producers: acks=all with idempotence on. Consumers: one group per service, no auto-commit; the
offset is committed after the handler returns (its work is durable by then), and a message whose
handling failed even after retries goes to its dead-letter topic before the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from kindred.events import topics
from kindred.events.envelope import Envelope
from kindred.messaging.deadletter import RetryPolicy, dead_letter_middleware
from kindred.observability.metrics import events_handled, events_published, registry
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
    broker.add_middleware(
        dead_letter_middleware(
            broker,
            RetryPolicy(
                attempts=settings.retry_attempts,
                backoff_base=settings.retry_backoff_base_seconds,
                backoff_max=settings.retry_backoff_max_seconds,
            ),
            consumer_group=settings.consumer_group,
        )
    )
    return broker


def topic_for(settings: ServiceSettings, event_type: type[Envelope[Any]]) -> str:
    return topics.topic_name(settings.kindred_namespace, event_type.TOPIC)


def subscribe(
    broker: KafkaBroker, settings: ServiceSettings, event_type: type[Envelope[Any]]
) -> Callable[[Callable[..., Any]], Any]:
    """Decorator: consume `event_type` in this service's group, at least once."""
    return broker.subscriber(
        topic_for(settings, event_type),
        group_id=settings.consumer_group,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        max_workers=settings.kafka_consumers_per_topic,
        title=f"{topic_for(settings, event_type)}:{settings.service_name}",
        description=event_type.__doc__,
    )


def record_handled(settings: ServiceSettings, event: Envelope[Any], outcome: str) -> None:
    """Count a finished event by outcome (applied, duplicate, skipped, ...)."""
    events_handled.labels(topic=topic_for(settings, type(event)), outcome=outcome).inc()


class EventPublisher:
    """Publishes events of the declared types, keyed by subject; declaring them documents them."""

    def __init__(
        self,
        broker: KafkaBroker,
        settings: ServiceSettings,
        event_types: list[type[Envelope[Any]]],
    ) -> None:
        self._broker = broker
        self._settings = settings
        for event_type in event_types:
            broker.publisher(
                topic_for(settings, event_type),
                title=f"{topic_for(settings, event_type)}:{settings.service_name}",
                description=event_type.__doc__,
                schema=event_type,
            )

    async def publish(self, event: Envelope[Any]) -> None:
        await self.publish_raw(event.TOPIC, event.subject, event.model_dump(mode="json"))

    async def publish_raw(self, base_topic: str, key: str, event: dict[str, Any]) -> None:
        """Publish an already serialised event (as stored in an outbox) and wait for acks=all."""
        topic = topics.topic_name(self._settings.kindred_namespace, base_topic)
        await self._broker.publish(
            event,
            topic=topic,
            key=key.encode(),
            correlation_id=event.get("correlationid"),
            headers={"ce_type": str(event.get("type")), "ce_id": str(event.get("id"))},
        )
        events_published.labels(topic=topic).inc()


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
