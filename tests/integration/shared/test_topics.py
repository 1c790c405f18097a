"""Topics on the real broker: created with the configured partitions, replication factor and
`min.insync.replicas`; refusals named at start-up; short existing topics reported."""

from __future__ import annotations

import logging

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from kindred.checkins.app import create_app
from kindred.checkins.settings import CheckinsSettings
from kindred.events import topics
from kindred.messaging.broker import TopicsNotCopartitioned, TopicsNotCreated, ensure_topics
from kindred.settings import ServiceSettings
from tests.support.infra import Infra
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def _admin(infra: Infra) -> AIOKafkaAdminClient:
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    return admin


async def test_topics_are_created_as_configured_and_only_those_logged(
    infra: Infra, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(ServiceSettings, infra, namespace, kafka_topic_partitions=2)
    with caplog.at_level(logging.INFO, logger="kindred.messaging.broker"):
        await ensure_topics(settings)
    created = [r for r in caplog.records if r.getMessage() == "created topics"]
    expected = [f"{namespace}.{base}" for base in topics.ALL]
    expected += [f"{name}.dlt" for name in expected]
    assert [sorted(r.topics) for r in created] == [sorted(expected)]  # type: ignore[attr-defined]
    admin = await _admin(infra)
    try:
        # A new topic's partitions show in the metadata once the controller has placed them.
        async def partitions() -> int:
            [described] = await admin.describe_topics([expected[0]])
            return len(described["partitions"])

        await eventually(partitions, lambda n: n == 2, what="the new topic's two partitions")
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, expected[0], None)]
        )
        configs = {c[0]: c[1] for c in response.resources[0][4]}
        assert configs["min.insync.replicas"] == "1"
    finally:
        await admin.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kindred.messaging.broker"):
        await ensure_topics(settings)  # a second start creates and reports nothing
    assert not [r for r in caplog.records if r.getMessage() == "created topics"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_refused_topic_stops_start_up_naming_it_and_nothing_is_said_created(
    infra: Infra, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    # One broker cannot hold three copies.
    settings = settings_for(
        ServiceSettings, infra, namespace, kafka_replication_factor=3, kafka_min_insync_replicas=2
    )
    with (
        caplog.at_level(logging.INFO, logger="kindred.messaging.broker"),
        pytest.raises(TopicsNotCreated) as refused,
    ):
        await ensure_topics(settings)
    message = str(refused.value)
    assert f"{namespace}.{topics.SUPPORT_REQUESTED}:" in message
    assert "replication factor 3" in message
    assert not [r for r in caplog.records if r.getMessage() == "created topics"]


async def test_an_existing_topic_with_fewer_partitions_is_reported_at_start_up(
    infra: Infra, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    short = f"{namespace}.{topics.CHECKIN_SUBMITTED}"
    admin = await _admin(infra)
    try:
        await admin.create_topics([NewTopic(short, 1, 1)])
    finally:
        await admin.close()
    settings = settings_for(ServiceSettings, infra, namespace, kafka_topic_partitions=3)
    with caplog.at_level(logging.WARNING, logger="kindred.messaging.broker"):
        await ensure_topics(settings)
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert short in warning and "1 partition(s)" in warning and "configured: 3" in warning


async def test_a_service_whose_topics_have_unequal_partition_counts_refuses_to_start(
    infra: Infra, namespace: str
) -> None:
    """Partition N of a topic missing from another would never be taken (the runtime owns a
    partition only in every topic it consumes), so its events would go unhandled in silence."""
    short = f"{namespace}.{topics.SAFETY_EPISODE_CLOSE_REQUESTED}"
    admin = await _admin(infra)
    try:
        await admin.create_topics([NewTopic(short, 1, 1)])
    finally:
        await admin.close()
    settings = settings_for(CheckinsSettings, infra, namespace, kafka_topic_partitions=3)
    with pytest.raises(TopicsNotCopartitioned) as refused:
        async with running(create_app(settings)):
            pass
    message = str(refused.value)
    assert f"{short}: 1" in message and f"{namespace}.{topics.CHECKIN_SUBMITTED}: 3" in message
