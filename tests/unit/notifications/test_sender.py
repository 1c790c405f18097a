"""The sender without a network: one attempt per hand-over, its report published with the
outcome, and the same attempt not made twice when a rebuilt partition hands it back at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from kindred.events.notifications import Category, Channel, NotificationDeliveryAttempted
from kindred.notifications.channels.base import DeliveryResult, OutgoingMessage
from kindred.notifications.channels.registry import ChannelRegistry
from kindred.notifications.domain.deliveries import Delivery, Dispatch
from kindred.notifications.sender import Sender

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


class Email:
    name = Channel.EMAIL

    def __init__(self, result: DeliveryResult) -> None:
        self.result = result
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        self.sent.append(message)
        return self.result

    async def aclose(self) -> None:
        pass


class Reports:
    def __init__(self) -> None:
        self.published: list[NotificationDeliveryAttempted] = []

    async def publish(self, event: Any) -> None:
        self.published.append(event)


def dispatch(attempts: int = 0) -> Dispatch:
    delivery = Delivery.new("source-1", "m1", Channel.EMAIL, Category.MATCHING, T0)
    delivery = Delivery(**{**delivery.__dict__, "attempts": attempts})
    context = {"match_id": "match-1", "request_id": "r1", "shared_topics": ["grief"]}
    return Dispatch(delivery, "m1", "m1@x.example", "match.proposed", context, T0, "seeker")


async def settled(sender: Sender) -> None:
    while sender.tasks:
        await asyncio.gather(*sender.tasks)


def sender(email: Email, reports: Reports, clock: list[float] | None = None) -> Sender:
    channels = ChannelRegistry({Channel.EMAIL: email})
    now = clock or [0.0]
    return Sender(
        channels,
        reports,  # type: ignore[arg-type]
        "t",
        in_flight_seconds=60,
        clock=lambda: now[0],
    )


async def test_an_attempt_is_made_and_reported_with_its_outcome() -> None:
    email, reports = Email(DeliveryResult.retry("smtp 451")), Reports()
    s = sender(email, reports)
    s.send([dispatch()])
    await settled(s)
    [message] = email.sent
    assert (message.recipient, message.delivery_id) == ("m1@x.example", dispatch().key)
    assert "We found someone to talk to" in message.subject
    [report] = reports.published
    data = report.data
    assert (data.attempt, data.outcome.value, data.error_kind) == (
        1,
        "failed",
        "retryable: smtp 451",
    )
    assert report.subject == "m1"


async def test_the_same_attempt_handed_back_at_once_is_not_made_twice() -> None:
    email, reports = Email(DeliveryResult.sent()), Reports()
    clock = [1000.0]
    s = sender(email, reports, clock)
    s.send([dispatch()])
    await settled(s)
    clock[0] += 29
    s.send([dispatch()])  # a rebuilt partition hands back what waits for its report
    await settled(s)
    assert len(email.sent) == 1
    clock[0] += 1  # half the in-flight time: the report was lost, the owner hands it over again
    s.send([dispatch()])
    await settled(s)
    assert len(email.sent) == 2
    s.send([dispatch(attempts=1)])  # the next attempt is another matter
    await settled(s)
    assert len(email.sent) == 3
    clock[0] += 30
    s.send([])
    assert not s.handed  # what it remembers goes once it no longer matters
