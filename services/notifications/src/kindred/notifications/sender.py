"""The sender: makes the deliveries the partitions' owners hand it (the I/O), and reports each
attempt as `notification.delivery-attempted`, keyed like the delivery, for the owner to apply
(retry, done, fall back). It decides and writes nothing itself.

The owner hands it what is due once a batch is committed (a safety page once the log holds it,
or ahead of a log that cannot be written): a new page within milliseconds of its alert, a retry
when the partition's timers say it is due. Meanwhile the owner holds the delivery back for
`SENDER_IN_FLIGHT_SECONDS`: if no report has come back by then (the report was lost), it hands
the attempt over again; receivers deduplicate by delivery id.

- Two lanes: safety pages (category `safety`: the escalation chain's deliveries) and member
  notifications, each with its own limit of sends at once (`SENDER_PAGE_CONCURRENCY`,
  `SENDER_CONCURRENCY`). A member burst on a slow provider fills its own lane only: a page
  starts at once whatever member traffic does.
- A send is started once: a delivery handed over again while its attempt waits for a slot or is
  under way is not queued a second time. Once made, an attempt whose report Kafka acknowledged
  is not made again (for `REMEMBER_IN_FLIGHTS` in-flight times): the report is on its way to
  the owner, however long its partition takes to apply it. One whose report could not be
  published is made again by a hand-over at least half the in-flight time after it *started*
  (a partition rebuilt on this replica hands back at once what waits for its report; the
  owner's clock runs from the hand-over, this one from the start).
- Fenced: right before each send, the sender asks whether this replica still holds the
  partition the delivery belongs to (its report's key: the member it is about). If not (a
  replica paused past its Kafka session, whose partitions moved on), the attempt is dropped,
  unreported: the new owner has the delivery from the partition log and makes it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple

from aiokafka.partitioner import murmur2

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
    Category,
    DeliveryOutcome,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
)
from kindred.messaging.broker import EventPublisher
from kindred.notifications import metrics
from kindred.notifications.channels.base import DeliveryResult, OutgoingMessage
from kindred.notifications.channels.registry import ChannelRegistry
from kindred.notifications.domain.deliveries import Dispatch, error_kind
from kindred.notifications.domain.templates import Audience, render_page_or_default

log = logging.getLogger(__name__)


class Handed(NamedTuple):
    attempt: int
    at: float  # time.monotonic() when it started
    reported: bool = False  # its report published (Kafka acknowledged it)


# How long (in in-flight times) an attempt whose report was published is not made again.
REMEMBER_IN_FLIGHTS = 10


class Lane(StrEnum):
    PAGES = "pages"
    MEMBERS = "members"


def lane_of(dispatch: Dispatch) -> Lane:
    """Safety pages (the escalation chain's deliveries) have a lane of their own."""
    return Lane.PAGES if dispatch.delivery.category is Category.SAFETY else Lane.MEMBERS


def partition_for(key: str, count: int) -> int:
    """The partition a record keyed `key` goes to among `count` (Kafka's default partitioner:
    murmur2 of the key's bytes), as the runtime's records and the sender's reports are."""
    hashed: int = murmur2(key.encode())
    return (hashed & 0x7FFFFFFF) % count


# Whether this replica still holds partition N (the runtime's `PartitionedConsumer.holds`).
Holds = Callable[[int], bool]


class Sender:
    def __init__(
        self,
        channels: ChannelRegistry,
        publisher: EventPublisher,
        source: str,
        *,
        in_flight_seconds: float = 60.0,
        concurrency: int = 32,
        page_concurrency: int = 16,
        clock: Callable[[], float] = time.monotonic,
        holds: Holds | None = None,
        partitions: Callable[[], int] = lambda: 1,
    ) -> None:
        """`holds` and `partitions` (the partition count) fence the sends; without `holds`,
        every send is made (a sender with no runtime behind it: tests, tools)."""
        self.channels = channels
        self.publisher = publisher
        self.source = source
        self.again_after = in_flight_seconds / 2
        self.remember = in_flight_seconds * REMEMBER_IN_FLIGHTS
        self.clock = clock
        self.holds = holds
        self.partitions = partitions
        self.lanes = {
            Lane.PAGES: asyncio.Semaphore(page_concurrency),
            Lane.MEMBERS: asyncio.Semaphore(concurrency),
        }
        self.tasks: set[asyncio.Task[None]] = set()
        # By delivery id: the attempt waiting for a slot in its lane or under way.
        self.queued: dict[str, int] = {}
        # By delivery id, oldest start first: its latest attempt started, and whether reported.
        self.started: OrderedDict[str, Handed] = OrderedDict()
        self.stopping = False

    def send(self, dispatches: Iterable[Dispatch]) -> None:
        """Queue an attempt of each in its lane (called on the event loop, once the owner
        committed), unless that delivery's attempt is queued or under way already, or that
        very attempt was made and reported, or started moments ago."""
        now = self.clock()
        while self.started and now - next(iter(self.started.values())).at >= self.remember:
            self.started.popitem(last=False)
        for dispatch in dispatches:
            key, attempt = dispatch.key, dispatch.delivery.attempts + 1
            if key in self.queued:
                continue  # waiting for its slot, or under way
            if self._made(key, attempt, now):
                continue  # its report is on its way
            lane = lane_of(dispatch)
            self.queued[key] = attempt
            metrics.sends_waiting.labels(lane=lane.value).inc()
            task = asyncio.create_task(self._attempt(dispatch, lane))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    def _made(self, key: str, attempt: int, now: float) -> bool:
        """That very attempt was made: reported, or started less than half the in-flight
        time ago."""
        made = self.started.get(key)
        if made is None or made.attempt != attempt:
            return False
        return made.reported or now - made.at < self.again_after

    async def run(self, stop: asyncio.Event) -> None:
        """At shutdown, give the attempts under way time to finish and report; those still
        waiting for a slot are not started (their owner hands them over again)."""
        await stop.wait()
        self.stopping = True
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=10)

    def held(self, dispatch: Dispatch) -> bool:
        """Whether this replica still holds the partition the dispatch belongs to."""
        if self.holds is None:
            return True
        count = self.partitions()
        return count > 0 and self.holds(partition_for(dispatch.member_id, count))

    async def _attempt(self, dispatch: Dispatch, lane: Lane) -> None:
        delivery = dispatch.delivery
        attempt = delivery.attempts + 1
        waiting = True
        try:
            async with self.lanes[lane]:
                waiting = False
                metrics.sends_waiting.labels(lane=lane.value).dec()
                if self.stopping:
                    return
                if not self.held(dispatch):
                    metrics.sends_fenced.labels(lane=lane.value).inc()
                    log.warning(
                        "attempt dropped: this replica no longer holds its partition (the "
                        "new owner makes it)",
                        extra={"lane": lane.value},
                    )
                    return
                self.started[dispatch.key] = Handed(attempt, self.clock())
                self.started.move_to_end(dispatch.key)
                started = datetime.now(UTC)
                if attempt == 1:
                    waited = (started - dispatch.accepted_at).total_seconds()
                    metrics.notification_first_attempt_seconds.labels(
                        category=delivery.category.value
                    ).observe(max(0.0, waited))
                else:
                    metrics.notification_retries.labels(channel=delivery.channel.value).inc()
                result = await self._send(dispatch)
        finally:
            if waiting:
                metrics.sends_waiting.labels(lane=lane.value).dec()
            if self.queued.get(dispatch.key) == attempt:
                del self.queued[dispatch.key]
        outcome = DeliveryOutcome.SENT if result.ok else DeliveryOutcome.FAILED
        metrics.notifications_sent.labels(
            channel=delivery.channel.value, outcome=outcome.value
        ).inc()
        report = NotificationDeliveryAttempted.new(
            id=deterministic_id("delivery-attempted", delivery.delivery_id, str(attempt)),
            subject=dispatch.member_id,
            source=self.source,
            data=NotificationDeliveryAttemptedData(
                delivery_id=delivery.delivery_id,
                source_event_id=delivery.source_event_id,
                recipient=delivery.recipient,
                channel=delivery.channel,
                category=delivery.category,
                attempt=attempt,
                outcome=outcome,
                error_kind=error_kind(result),
                at=started,
            ),
        )
        try:
            await self.publisher.publish(report)
        except Exception as exc:
            # Not applied: the owner makes the attempt again once it has waited for the report
            # long enough (a receiver sees the same delivery id twice at worst).
            log.warning("attempt report not published: %s", type(exc).__name__)
            return
        made = self.started.get(delivery.delivery_id)
        if made is not None and made.attempt == attempt:
            self.started[delivery.delivery_id] = made._replace(reported=True)

    async def _send(self, dispatch: Dispatch) -> DeliveryResult:
        channel = dispatch.delivery.channel
        adapter = self.channels.get(channel)
        if adapter is None:
            return DeliveryResult.retry(f"channel {channel.value} not configured")
        try:
            audience = Audience(dispatch.audience)
            # A page whose template fails goes out with the default page text.
            rendered, failed = render_page_or_default(
                dispatch.template, audience, channel, dispatch.locale, dispatch.context
            )
        except Exception as exc:  # reported, and retried (a page is never dropped)
            log.error("template failed (%s)", type(exc).__name__)
            return DeliveryResult.retry("template")
        if failed is not None:
            log.error("page template failed (%s): the default page text is sent", failed)
            metrics.page_render_fallbacks.labels(channel=channel.value).inc()
        message = OutgoingMessage.of(
            rendered, dispatch.key, dispatch.address, dispatch.delivery.source_event_id
        )
        return await adapter.send(message)
