"""A poison message goes to the dead-letter topic with its origin; the partition moves on."""

from __future__ import annotations

import pytest

from kindred.events.notifications import Channel
from kindred.internal_api import bearer
from kindred.notifications.app import create_app
from kindred.notifications.domain.deliveries import delivery_id
from kindred.notifications.settings import NotificationsSettings
from tests.support.factories import match_proposed
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("poison", "error_type"),
    [
        (b"\x00\x01 not json at all", "ValidationError"),
        (b'{"type": "kindred.match.proposed.v1", "data": {"seeker_id": 42}}', "ValidationError"),
    ],
)
async def test_poison_is_dead_lettered_and_the_next_message_is_processed(
    infra: Infra, namespace: str, poison: bytes, error_type: str
) -> None:
    settings = settings_for(NotificationsSettings, infra, namespace)
    topic = f"{namespace}.match.proposed"
    async with (
        running(create_app(settings)) as client,
        TopicReader(infra.kafka, f"{topic}.dlt") as dead,
        TopicReader(infra.kafka, topic) as source,
    ):
        # One key, so both land on one partition: the good one stands behind the poison.
        await produce(infra.kafka, topic, poison, key="seeker", headers=[("trace", b"abc")])
        good = match_proposed("seeker", "supporter").model_copy(update={"subject": "seeker"})
        await produce_event(infra.kafka, namespace, good)

        async def seeker_inbox() -> list[dict[str, object]]:
            items: list[dict[str, object]] = (
                await client.get(
                    "/internal/members/seeker/inbox", headers=bearer(settings.internal_api_token)
                )
            ).json()["items"]
            return items

        items = await eventually(
            seeker_inbox, lambda i: len(i) == 1, what="the message behind the poison handled"
        )
        assert items[0]["id"] == delivery_id(good.id, "seeker", Channel.INBOX)

        records = await eventually(dead.poll, lambda r: len(r) == 1, what="one dead letter")
        letter = records[0]
        assert letter.value == poison
        assert letter.key == b"seeker"
        headers = {k: v.decode() for k, v in letter.headers}
        origin = (await eventually(source.poll, lambda r: len(r) == 2))[0]
        assert headers["kindred-dlt-error-type"] == error_type
        assert headers["kindred-dlt-error-message"]
        assert headers["kindred-dlt-attempts"] == "1"  # invalid input is not retried
        assert headers["kindred-dlt-origin-topic"] == topic
        assert headers["kindred-dlt-origin-partition"] == str(origin.partition)
        assert headers["kindred-dlt-origin-offset"] == str(origin.offset)
        assert headers["kindred-dlt-consumer-group"] == f"{namespace}.notifications"
        assert headers["trace"] == "abc"  # the original headers travel along
