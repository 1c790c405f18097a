"""The sender without a network: one attempt per hand-over, its report published with the
outcome; the same attempt not made twice when a rebuilt partition hands it back at once, nor
when it is handed over again while it waits for a slot or is under way; safety pages in a lane
of their own that member traffic never fills; and no send from a replica that no longer holds
the delivery's partition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.partitioner import DefaultPartitioner

from kindred.events.notifications import Category, Channel, NotificationDeliveryAttempted
from kindred.notifications.channels.base import DeliveryResult, OutgoingMessage
from kindred.notifications.channels.registry import ChannelRegistry
from kindred.notifications.domain.deliveries import Delivery, Dispatch
from kindred.notifications.domain.escalations import Chain, dispatches, start
from kindred.notifications.domain.templates import alert_raised_context
from kindred.notifications.sender import Lane, Sender, lane_of, partition_for
from tests.support.factories import safety_alert_raised
from tests.support.waiting import eventually

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
    def __init__(self, *, fail: bool = False) -> None:
        self.published: list[NotificationDeliveryAttempted] = []
        self.fail = fail

    async def publish(self, event: Any) -> None:
        if self.fail:
            raise ConnectionError("kafka unreachable")
        self.published.append(event)


def dispatch(attempts: int = 0, member: str = "m1") -> Dispatch:
    delivery = Delivery.new(f"source-{member}", member, Channel.EMAIL, Category.MATCHING, T0)
    delivery = Delivery(**{**delivery.__dict__, "attempts": attempts})
    context = {"match_id": "match-1", "request_id": "r1", "shared_topics": ["grief"]}
    address = f"{member}@x.example"
    return Dispatch(delivery, member, address, "match.proposed", context, T0, "seeker")


CHAIN = Chain.from_json(
    '{"levels": [{"id": "on-call-1", "contacts": {"webhook": "pager"}}],'
    ' "fallback": {"id": "lead", "contacts": {"webhook": "pager"}}}'
)


def page(member: str = "m9") -> Dispatch:
    """The first page of a new alert about `member`: a webhook to the pager."""
    raised = safety_alert_raised(member)
    stepped = start(raised.data, CHAIN, T0, alert_raised_context(raised))
    [first] = dispatches(stepped.escalation, stepped.pages[0], T0)
    return first


class Slow:
    """A provider that holds every send until released, noting each one as it starts."""

    def __init__(self, name: Channel) -> None:
        self.name = name
        self.started: list[str] = []
        self.release = asyncio.Event()

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        self.started.append(message.delivery_id)
        await self.release.wait()
        return DeliveryResult.sent()

    async def aclose(self) -> None:
        pass


class Fast(Slow):
    def __init__(self, name: Channel) -> None:
        super().__init__(name)
        self.release.set()


async def until(condition: Callable[[], bool]) -> None:
    """Wait (on the event loop) until `condition()` holds; fail after a second."""

    async def probe() -> bool:
        return condition()

    await eventually(probe, timeout=1.0, interval=0.001)


async def settled(sender: Sender) -> None:
    while sender.tasks:
        await asyncio.gather(*sender.tasks)


def sender(
    email: Any, reports: Reports, clock: list[float] | None = None, **options: Any
) -> Sender:
    pager = options.pop("pager", Fast(Channel.WEBHOOK))
    channels = ChannelRegistry({Channel.EMAIL: email, Channel.WEBHOOK: pager})
    now = clock or [0.0]
    return Sender(
        channels,
        reports,  # type: ignore[arg-type]
        "t",
        in_flight_seconds=60,
        clock=lambda: now[0],
        **options,
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


async def test_an_attempt_reported_is_not_made_again_however_late_its_owner_applies_it() -> None:
    """The report is on its way once Kafka acknowledged it: the owner's hand-overs of the same
    attempt (a rebuilt partition at once, or a partition slow to apply reports, every in-flight
    time) make nothing; its next attempt goes."""
    email, reports = Email(DeliveryResult.sent()), Reports()
    clock = [1000.0]
    s = sender(email, reports, clock)
    s.send([dispatch()])
    await settled(s)
    for later in (1, 29, 61, 300):
        clock[0] = 1000.0 + later
        s.send([dispatch()])
        await settled(s)
    assert len(email.sent) == 1
    s.send([dispatch(attempts=1)])  # the next attempt is another matter
    await settled(s)
    assert len(email.sent) == 2
    clock[0] += 600
    s.send([])
    assert not s.started and not s.queued  # what it remembers goes once it no longer matters


async def test_an_attempt_whose_report_was_lost_is_made_again_by_a_later_hand_over() -> None:
    """A report that could not be published: a rebuilt partition handing the attempt back at
    once does not make it again; the owner's hand-over after waiting for the report does."""
    email, reports = Email(DeliveryResult.sent()), Reports(fail=True)
    clock = [1000.0]
    s = sender(email, reports, clock)
    s.send([dispatch()])
    await settled(s)
    clock[0] += 29
    s.send([dispatch()])  # a rebuilt partition hands back what waits for its report
    await settled(s)
    assert len(email.sent) == 1
    clock[0] += 1  # half the in-flight time after it started
    s.send([dispatch()])
    await settled(s)
    assert len(email.sent) == 2


def test_pages_and_member_notifications_go_in_lanes_of_their_own() -> None:
    assert lane_of(page()) is Lane.PAGES
    assert lane_of(dispatch()) is Lane.MEMBERS


async def test_a_page_starts_at_once_whatever_member_traffic_fills() -> None:
    """Member notifications on a provider that hangs take every member slot (and more wait);
    a page still starts at once, in its own lane."""
    members, pager, reports = Slow(Channel.EMAIL), Fast(Channel.WEBHOOK), Reports()
    s = sender(members, reports, concurrency=2, pager=pager)
    s.send([dispatch(member=f"m{i}") for i in range(5)])
    await until(lambda: len(members.started) == 2)
    urgent = page()
    s.send([urgent])
    await until(lambda: pager.started == [urgent.key])
    await until(lambda: len(reports.published) == 1)
    assert len(members.started) == 2  # the burst still waits for its own lane
    members.release.set()
    await settled(s)
    assert len(members.started) == 5 and len(reports.published) == 6


async def test_a_delivery_handed_over_again_while_it_waits_or_is_under_way_is_sent_once() -> None:
    """The owner's in-flight time runs out while the attempt still waits for a slot (a burst
    on a slow provider) or is under way: handed over again, it is not queued a second time."""
    members, reports, clock = Slow(Channel.EMAIL), Reports(), [0.0]
    s = sender(members, reports, clock, concurrency=1)
    burst = [dispatch(member=f"m{i}") for i in range(3)]
    s.send(burst)
    await until(lambda: len(members.started) == 1)
    for _ in range(3):  # the owner hands everything unreported over again, minutes later
        clock[0] += 61
        s.send(burst)
        await asyncio.sleep(0)
    assert len(members.started) == 1
    members.release.set()
    await settled(s)
    assert sorted(members.started) == sorted(d.key for d in burst)  # each once
    assert len(reports.published) == 3
    clock[0] += 61  # the reports are slow to be applied: the owner hands them over once more
    s.send(burst)
    await settled(s)
    assert len(members.started) == 3


async def test_the_in_flight_clock_starts_when_the_send_starts_not_when_it_is_queued() -> None:
    """An attempt that waited 50 s for its slot and whose report was lost is not made again by
    the hand-over 60 s after the first (it started 10 s before); one more than half the
    in-flight time after it started is."""
    members, reports, clock = Slow(Channel.EMAIL), Reports(fail=True), [0.0]
    s = sender(members, reports, clock, concurrency=1)
    ahead, late = dispatch(member="ahead"), dispatch(member="late")
    s.send([ahead, late])
    await until(lambda: members.started == [ahead.key])
    clock[0] = 50.0
    members.release.set()
    await settled(s)
    assert members.started == [ahead.key, late.key]
    clock[0] = 60.0  # the owner's clock ran out for `late`, queued at 0 (its report lost)
    s.send([late])
    await settled(s)
    assert members.started == [ahead.key, late.key]
    clock[0] = 81.0
    s.send([late])
    await settled(s)
    assert members.started == [ahead.key, late.key, late.key]


async def test_a_replica_that_no_longer_holds_the_partition_sends_nothing() -> None:
    """Fenced: right before each send the sender asks whether this replica still holds the
    delivery's partition; when it does not, the attempt is dropped without a report (its new
    owner makes it). It is asked when the send starts, not when it was handed over."""
    members, reports = Slow(Channel.EMAIL), Reports()
    held = {0, 1, 2, 3}
    asked: list[int] = []

    def holds(number: int) -> bool:
        asked.append(number)
        return number in held

    s = sender(members, reports, concurrency=1, holds=holds, partitions=lambda: 4)
    first, queued = dispatch(member="first"), dispatch(member="queued")
    s.send([first, queued])
    await until(lambda: members.started == [first.key])
    held.discard(partition_for("queued", 4))  # lost while `queued` waits for its slot
    members.release.set()
    await settled(s)
    assert members.started == [first.key]
    assert [r.data.delivery_id for r in reports.published] == [first.key]
    assert asked == [partition_for("first", 4), partition_for("queued", 4)]
    # Dropped, it is forgotten: should this replica own it again, the next hand-over sends it.
    held.add(partition_for("queued", 4))
    s.send([queued])
    await settled(s)
    assert members.started == [first.key, queued.key]


async def test_a_sender_that_knows_no_partitions_yet_holds_none() -> None:
    members, reports = Fast(Channel.EMAIL), Reports()
    s = sender(members, reports, holds=lambda number: True, partitions=lambda: 0)
    s.send([dispatch()])
    await settled(s)
    assert members.started == [] and reports.published == []


def test_the_partition_of_a_key_is_kafkas_default_partitioners() -> None:
    for key in ("m1", "member-0042", "ünïcode"):
        expected = DefaultPartitioner()(key.encode(), list(range(6)), list(range(6)))
        assert partition_for(key, 6) == expected
