"""Safety escalations on real parts: Kafka, the MongoDB-protocol server, a real SMTP server
(aiosmtpd) and a real HTTP receiver verifying signatures. An alert pages the first on-call
person at once on every channel; unacknowledged, it moves up the chain on time; an
acknowledgement stops it; a failing channel is retried."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.events.notifications import SafetyAlertAckRequested, SafetyAlertAckRequestedData
from kindred.notifications.app import create_app
from kindred.notifications.settings import NotificationsSettings
from tests.support.factories import safety_alert_raised
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.receivers import Mailbox, Receiver, smtp_server, webhook_receiver
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SECRET = "escalation-test-webhook-signing-secret-0123456789"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as served:
        yield served


@pytest.fixture
def webhook() -> Iterator[tuple[Receiver, int]]:
    with webhook_receiver(SECRET, refuse=2) as served:
        yield served


def settings(
    infra: Infra, namespace: str, smtp_port: int, webhook_port: int
) -> NotificationsSettings:
    chain = {
        "levels": [
            {
                "id": "on-call-1",
                "contacts": {"email": "first@kindred.example", "webhook": "pager"},
                "ack_seconds": 10,
            },
            {"id": "on-call-2", "contacts": {"email": "second@kindred.example"}},
        ],
        "fallback": {"id": "lead", "contacts": {"email": "lead@kindred.example"}},
    }
    return settings_for(
        NotificationsSettings,
        infra,
        namespace,
        escalation_chain=json.dumps(chain),
        # Level 0 has 10 s; level 1 a minute, time enough for the test's acknowledgement.
        escalation_ack_seconds=60,
        escalation_urgent_ack_seconds=60,
        escalation_repage_seconds=60,
        escalation_tick_seconds=0.2,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_tls="none",
        smtp_from="alerts@kindred.example",
        webhook_endpoints={
            "pager": {"url": f"http://127.0.0.1:{webhook_port}/page", "secret": SECRET}
        },
    )


async def test_an_alert_pages_at_once_moves_up_the_chain_and_stops_when_acknowledged(
    infra: Infra,
    namespace: str,
    mailbox: tuple[Mailbox, int],
    webhook: tuple[Receiver, int],
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    box, smtp_port = mailbox
    receiver, webhook_port = webhook
    raised = safety_alert_raised()
    async with (
        running(create_app(settings(infra, namespace, smtp_port, webhook_port))),
        TopicReader(infra.kafka, f"{namespace}.safety.alert-escalated") as escalated,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-acknowledged") as acknowledged,
        TopicReader(infra.kafka, f"{namespace}.notification.delivery-attempted") as attempts,
    ):
        await produce_event(infra.kafka, namespace, raised)
        await produce_event(infra.kafka, namespace, raised)  # a copy: one escalation
        # Level 0 at once, on every channel: the mail, and the webhook after two 503s.
        await eventually(
            lambda: _value(box.to("first@kindred.example")), lambda m: len(m) == 1, timeout=15
        )
        mail = box.to("first@kindred.example")[0].decode()
        assert raised.data.alert_id[:8] in mail and "phq9_item9" in mail
        await eventually(
            lambda: _value(receiver.bodies()),
            lambda r: len(r) == 1,
            timeout=30,
            what="the webhook page, retried after two 503s",
        )
        assert receiver.refused == 2

        def webhook_outcomes() -> list[str]:
            return [
                v["data"]["outcome"] for v in attempts.values() if v["data"]["channel"] == "webhook"
            ]

        await eventually(attempts.poll, lambda _: len(webhook_outcomes()) == 3)
        assert webhook_outcomes() == ["failed", "failed", "sent"]  # each attempt reported
        assert receiver.bodies()[0]["urgency"] == "urgent"
        # Nobody acknowledges: 10 s later the second person is paged.
        await eventually(
            lambda: _value(box.to("second@kindred.example")), lambda m: len(m) == 1, timeout=20
        )
        await eventually(escalated.poll, lambda r: len(r) >= 2, what="two pages announced")
        assert [v["data"]["level"] for v in escalated.values()][:2] == [0, 1]

        ack = SafetyAlertAckRequested.new(
            subject="m1",
            source="tests",
            data=SafetyAlertAckRequestedData(
                alert_id=raised.data.alert_id, member_id="m1", staff_id="on-call-2"
            ),
        )
        await produce_event(infra.kafka, namespace, ack)
        await produce_event(infra.kafka, namespace, ack)  # a second ack changes nothing
        [record] = await eventually(acknowledged.poll, lambda r: len(r) == 1)
        data = json.loads(record.value or b"{}")["data"]
        assert (data["staff_id"], data["level"]) == ("on-call-2", 1)
        # The chain stops: the escalation is stored acknowledged, its pages are done or
        # cancelled, and nothing is left for the sender (the unit tests tick past deadlines).
        db = mongo[f"{namespace}_notifications"]
        stored = await eventually(
            lambda: db["escalations"].find_one({"_id": raised.data.alert_id}),
            lambda doc: doc is not None and doc["status"] == "acknowledged",
            what="the escalation stored acknowledged",
        )
        assert stored is not None and stored["acknowledged_by"] == "on-call-2"
        pages = [d async for d in db["pages"].find({})]
        assert {d["status"] for d in pages} <= {"sent", "cancelled"}, pages
        assert box.to("lead@kindred.example") == []
        await acknowledged.read_to_end()
        assert len(acknowledged.records) == 1
        await escalated.read_to_end()
        assert [v["data"]["level"] for v in escalated.values()] == [0, 1]


async def _value(items: list[Any]) -> list[Any]:
    return list(items)
