"""Kafka wiring on FastStream: the broker each service publishes with, and its topics.

Producers: acks=all with idempotence on. Consuming is `kindred.partitions.consumer`: one
consumer group per service, offsets tracked with the work they caused (see that module).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from kindred.events import topics
from kindred.events.envelope import Envelope
from kindred.messaging.deadletter import DependencyBackoff
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


class TopicsNotCreated(RuntimeError):
    """The broker refused to create some topics; the message names each one and why."""


async def ensure_topics(settings: ServiceSettings) -> None:
    """Create every catalogue topic and its dead-letter twin if missing (idempotent), with the
    configured partitions, replication factor and `min.insync.replicas`. Report topics that
    exist with fewer partitions or replicas than configured.

    The first thing a service asks Kafka at start-up: while Kafka answers with a retriable
    error (not reachable yet, or back from an outage before its broker has registered again),
    try again with backoff for up to `KAFKA_STARTUP_WAIT_SECONDS`."""
    deadline = time.monotonic() + settings.kafka_startup_wait_seconds
    backoff = DependencyBackoff(backoff_base=settings.retry_backoff_base_seconds, backoff_max=2.0)
    attempt = 0
    while True:
        attempt += 1
        try:
            await _ensure_topics(settings)
            return
        except KafkaError as exc:
            if not exc.retriable or time.monotonic() >= deadline:
                raise
            log.warning("Kafka is not ready for the topic set-up (%r); trying again", exc)
            await asyncio.sleep(backoff.delay(attempt))


class TopicsNotCopartitioned(RuntimeError):
    """The topics a service consumes have different partition counts: its partition N would be
    held in some of them only and never taken, so their events would go unhandled."""


async def check_copartitioned(settings: ServiceSettings, names: Sequence[str]) -> None:
    """Raise TopicsNotCopartitioned unless every topic in `names` has one partition count."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        described = await _describe(admin, list(names))
    finally:
        await admin.close()
    counts = {t["topic"]: len(t["partitions"]) for t in described}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{topic}: {n}" for topic, n in sorted(counts.items()))
        raise TopicsNotCopartitioned(
            "the topics this service consumes must have the same number of partitions (a "
            f"partition missing from some would never be handled); they have {listed}. Add "
            "partitions to the smaller ones (kafka-topics.sh --alter --partitions) first."
        )


async def _ensure_topics(settings: ServiceSettings) -> None:
    names = [topics.topic_name(settings.kindred_namespace, base) for base in topics.ALL]
    names += [topics.dead_letter_topic(n) for n in names]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        listed = set(await admin.list_topics())
        missing = [n for n in names if n not in listed]
        # A topic another client created a moment ago may not be listed yet: it exists too.
        existed = await _create(admin, settings, missing) if missing else []
        existing = [n for n in names if n in listed] + existed
        if existing:
            _report_short(settings, await _describe(admin, existing))
    finally:
        await admin.close()


async def _create(
    admin: AIOKafkaAdminClient, settings: ServiceSettings, names: list[str]
) -> list[str]:
    """Create the topics; returns those that turned out to exist already."""
    configs = {"min.insync.replicas": str(settings.kafka_min_insync_replicas)}
    response = await admin.create_topics(
        [
            NewTopic(
                n,
                settings.kafka_topic_partitions,
                settings.kafka_replication_factor,
                topic_configs=configs,
            )
            for n in names
        ]
    )
    created, existed, refused = [], [], []
    for topic, code, *message in response.topic_errors:
        if code == 0:
            created.append(topic)
        elif code == TopicAlreadyExistsError.errno:  # another replica created it meanwhile
            existed.append(topic)
        else:
            reason = message[0] if message and message[0] else for_code(code).__name__
            refused.append(f"{topic}: {reason}")
    if created:
        log.info(
            "created topics",
            extra={
                "topics": created,
                "partitions": settings.kafka_topic_partitions,
                "replication_factor": settings.kafka_replication_factor,
                "min_insync_replicas": settings.kafka_min_insync_replicas,
            },
        )
    if refused:
        raise TopicsNotCreated(
            f"Kafka refused to create {len(refused)} topic(s) (partitions "
            f"{settings.kafka_topic_partitions}, replication factor "
            f"{settings.kafka_replication_factor}; see KAFKA_TOPIC_PARTITIONS, "
            "KAFKA_REPLICATION_FACTOR): " + "; ".join(refused)
        )
    return existed


async def _describe(admin: AIOKafkaAdminClient, names: list[str]) -> list[dict[str, Any]]:
    """Partitions and replicas of each topic, waiting a little for metadata a just-created
    topic may not have spread yet."""
    for _ in range(20):
        described = await admin.describe_topics(names)
        if all(t["error_code"] == 0 and t["partitions"] for t in described):
            break
        await asyncio.sleep(0.1)
    return [t for t in described if t["error_code"] == 0 and t["partitions"]]


def _report_short(settings: ServiceSettings, described: list[dict[str, Any]]) -> None:
    for topic in described:
        partitions = topic["partitions"]
        replicas = min((len(p["replicas"]) for p in partitions), default=0)
        if (
            len(partitions) < settings.kafka_topic_partitions
            or replicas < settings.kafka_replication_factor
        ):
            log.warning(
                "topic %s exists with %d partition(s) and %d replica(s); configured: %d and %d "
                "(existing topics are not changed: add partitions never, replicas by "
                "reassignment)",
                topic["topic"],
                len(partitions),
                replicas,
                settings.kafka_topic_partitions,
                settings.kafka_replication_factor,
            )
