"""A crash of the notifications service loses no page and doubles no escalation: the service, a
real process paging on a real SMTP server (aiosmtpd) and a webhook receiver that verifies
signatures and refuses the first requests, is SIGKILLed while webhook pages wait for their
retries and escalations wait for their acknowledgement deadlines (some alerts acknowledged just
before). After the restart each unacknowledged escalation moves up the chain on time, once per
(alert, level, repeat); every webhook page is delivered; the acknowledged alerts are never paged
again."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kindred.devtools.processes import ServiceProcess, free_port
from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
    Channel,
    SafetyAlertAckRequested,
    SafetyAlertAckRequestedData,
)
from kindred.events.safety import SafetyAlertRaised
from kindred.notifications.domain.deliveries import delivery_id
from kindred.notifications.domain.escalations import page_id
from tests.support.factories import safety_alert_raised
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event, produce_events
from tests.support.receivers import Mailbox, Receiver, smtp_server, webhook_receiver
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "notifications-crash-test-webhook-signing-secret-0123"
ALERTS = 5
ACKED = 2  # the first ones, acknowledged before the kill
REFUSED = 2 * ALERTS  # the receiver's first answers are 503s: retries pending at the kill
DEADLINE = 5.0  # seconds each level has to acknowledge
CHAIN = {
    "levels": [
        {"id": "on-call-1", "contacts": {"email": "first@kindred.example", "webhook": "pager"}},
        {"id": "on-call-2", "contacts": {"email": "second@kindred.example"}},
    ],
    "fallback": {"id": "lead", "contacts": {"email": "lead@kindred.example"}},
}


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as served:
        yield served


@pytest.fixture
def webhook() -> Iterator[tuple[Receiver, int]]:
    with webhook_receiver(SECRET, refuse=REFUSED) as served:
        yield served


@pytest.fixture
def notifications(
    infra: Infra,
    namespace: str,
    tmp_path: Path,
    mailbox: tuple[Mailbox, int],
    webhook: tuple[Receiver, int],
) -> Iterator[ServiceProcess]:
    """The notifications service as a process (not started); killed however the test ends."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KAFKA_TOPIC_PARTITIONS": "4",
        "KAFKA_SESSION_TIMEOUT_SECONDS": "6",  # the broker's minimum: a quick rejoin
        "LOG_LEVEL": "WARNING",
        "ESCALATION_CHAIN": json.dumps(CHAIN),
        "ESCALATION_ACK_SECONDS": str(int(DEADLINE)),
        "ESCALATION_URGENT_ACK_SECONDS": str(int(DEADLINE)),
        "ESCALATION_REPAGE_SECONDS": str(int(DEADLINE)),
        "ESCALATION_TICK_SECONDS": "0.2",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox[1]),
        "SMTP_TLS": "none",
        "SMTP_FROM": "alerts@kindred.example",
        "WEBHOOK_ENDPOINTS": json.dumps(
            {"pager": {"url": f"http://127.0.0.1:{webhook[1]}/page", "secret": SECRET}}
        ),
    }
    service = ServiceProcess("notifications", free_port(), env, tmp_path / "notifications.log")
    try:
        yield service
    finally:
        service.kill()


def ack(raised: SafetyAlertRaised, staff_id: str) -> SafetyAlertAckRequested:
    return SafetyAlertAckRequested.new(
        subject=raised.data.member_id,
        source="tests",
        data=SafetyAlertAckRequestedData(
            alert_id=raised.data.alert_id, member_id=raised.data.member_id, staff_id=staff_id
        ),
    )


def webhook_page(alert_id: str) -> str:
    """The delivery id of an alert's first page on the webhook (its `Kindred-Delivery-Id`)."""
    return delivery_id(page_id(alert_id, 0, 0), "on-call-1", Channel.WEBHOOK)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_sigkill_with_pages_and_deadlines_pending_loses_and_doubles_nothing(
    infra: Infra,
    namespace: str,
    notifications: ServiceProcess,
    mailbox: tuple[Mailbox, int],
    webhook: tuple[Receiver, int],
) -> None:
    box, _ = mailbox
    receiver, _ = webhook
    notifications.start()
    await asyncio.to_thread(notifications.wait_ready)
    alerts = [safety_alert_raised(f"member-{i}") for i in range(ALERTS)]
    acked, open_ = alerts[:ACKED], alerts[ACKED:]
    ids = {a.data.alert_id for a in alerts}

    async with (
        TopicReader(infra.kafka, f"{namespace}.safety.alert-escalated") as escalated,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-acknowledged") as acknowledged,
    ):

        async def levels() -> dict[str, set[int]]:
            await escalated.poll()
            out: dict[str, set[int]] = defaultdict(set)
            for value in escalated.values():
                out[value["data"]["alert_id"]].add(value["data"]["level"])
            return out

        await produce_events(infra.kafka, namespace, alerts)
        # Every alert paged at level 0; the webhook refusing: its pages wait for retries.
        await eventually(
            levels,
            lambda seen: all(0 in seen[i] for i in ids),
            timeout=DEADLINE,
            what="each alert's first page announced",
        )
        deadlines = [
            parse_time(v["data"]["ack_deadline"])
            for v in escalated.values()
            if v["data"]["level"] == 0
        ]
        await eventually(lambda: _value(receiver.refused), lambda n: n >= ALERTS, timeout=DEADLINE)
        for raised in acked:
            await produce_event(infra.kafka, namespace, ack(raised, "on-call-1"))
        await eventually(
            acknowledged.poll,
            lambda r: len(r) == ACKED,
            timeout=DEADLINE,
            what="the first alerts acknowledged",
        )
        # The kill: before any level-1 deadline, with webhook retries still to make.
        left = (min(deadlines) - datetime.now(UTC)).total_seconds()
        assert left > 0, f"too slow to kill before the deadlines ({-left:.1f}s late)"
        assert not all(webhook_page(a.data.alert_id) in receiver.ids() for a in open_)
        notifications.kill()
        killed_at = time.monotonic()
        acked_delivered = receiver.ids()  # an acknowledged alert's page may have got through

        notifications.start()
        await asyncio.to_thread(notifications.wait_ready)
        ready = datetime.now(UTC)

        # Each unacknowledged escalation reaches level 1; every webhook page gets through.
        await eventually(
            levels,
            lambda seen: all(1 in seen[a.data.alert_id] for a in open_),
            timeout=60,
            what="level 1 paged for each unacknowledged alert after the restart",
        )
        expected = {webhook_page(a.data.alert_id) for a in open_}
        await eventually(
            lambda: _value(receiver.ids()),
            lambda got: got >= expected,
            timeout=180,  # retries: 5 s doubling up to 1 min, full jitter
            what="every webhook page delivered after the restart",
        )
        for raised in open_:
            await eventually(
                lambda raised=raised: _value(box.about(raised.data.alert_id)),  # type: ignore[misc]
                lambda mail: any("second@kindred.example" in rcpt for rcpt in mail),
                timeout=30,
                what="the level-1 mail",
            )
        # Stop the chains, then read everything written.
        for raised in open_:
            await produce_event(infra.kafka, namespace, ack(raised, "lead"))
        await eventually(
            acknowledged.poll,
            lambda r: len({json.loads(x.value or b"{}")["data"]["alert_id"] for x in r}) == ALERTS,
            timeout=30,
            what="every alert acknowledged",
        )
        await escalated.read_to_end()
        await acknowledged.read_to_end()

    assert notifications.running, notifications.tail()
    assert receiver.forged == 0

    # One page id per (alert, level, repeat); copies share it.
    pages: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    records: dict[tuple[str, int, int], list[dict[str, Any]]] = defaultdict(list)
    for value in escalated.values():
        data = value["data"]
        key = (data["alert_id"], data["level"], data["repeat"])
        pages[key].add(value["id"])
        records[key].append(value)
    assert {k: v for k, v in pages.items() if len(v) != 1} == {}, "pages doubled"
    for key, found in pages.items():
        assert found == {deterministic_id("event", "alert-escalated", page_id(*key))}
    # Acknowledged before the kill: level 0 only, never paged again.
    for raised in acked:
        alert_id = raised.data.alert_id
        assert sorted(k for k in pages if k[0] == alert_id) == [(alert_id, 0, 0)]
        assert all(
            "second@kindred.example" not in r and "lead@kindred.example" not in r
            for r in box.about(alert_id)
        )
        assert webhook_page(alert_id) not in receiver.ids(since=killed_at)
    # Open through the kill: level 0, level 1 on time (its deadline, or once back up), then the
    # fallback's pages in order, none missing.
    for raised in open_:
        alert_id = raised.data.alert_id
        keys = sorted(k[1:] for k in pages if k[0] == alert_id)
        fallback = [r for level, r in keys if level == 2]
        assert keys == [(0, 0), (1, 0)] + [(2, r) for r in range(len(fallback))], keys
        first = records[(alert_id, 0, 0)][0]["data"]
        second = records[(alert_id, 1, 0)][0]["data"]
        assert parse_time(second["due_at"]) == parse_time(first["ack_deadline"])
        published = min(
            r.timestamp / 1000
            for r in escalated.records
            if json.loads(r.value or b"{}")["id"] == next(iter(pages[(alert_id, 1, 0)]))
        )
        due = max(parse_time(second["due_at"]), ready).timestamp()
        assert published - due < 15, f"level 1 paged {published - due:.1f}s late"
    # Every webhook page delivered: the unacknowledged alerts', and only those of the
    # acknowledged ones that got through before the acknowledgement.
    acked_ids = {webhook_page(a.data.alert_id) for a in acked}
    assert receiver.ids() == expected | (acked_delivered & acked_ids)
    [acks] = [{v["data"]["alert_id"]: v["data"]["level"] for v in acknowledged.values()}]
    assert set(acks) == ids


async def _value(value: Any) -> Any:
    return value
