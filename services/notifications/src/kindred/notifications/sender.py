"""The sender: makes the deliveries the partitions this replica owns have due (the I/O), and
reports each attempt as `notification.delivery-attempted`, keyed like the delivery, for the
partition's owner to apply (retry, done). It writes nothing itself.

It wakes when a commit adds deliveries (a safety page goes out within milliseconds of its
alert) and otherwise looks every `SENDER_INTERVAL_SECONDS` for retries come due. A delivery
whose attempt is in flight is not started again, unless its report never came back within
`SENDER_IN_FLIGHT_SECONDS` (the attempt is then made again; receivers dedupe by delivery id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
    DeliveryOutcome,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
)
from kindred.messaging.broker import EventPublisher
from kindred.notifications.channels.base import ChannelName, DeliveryResult
from kindred.notifications.channels.registry import ChannelRegistry
from kindred.notifications.members import MemberNotifications
from kindred.notifications.paging import PageDelivery, Paging
from kindred.notifications.reports import error_kind
from kindred.notifications.templates import Audience, render
from kindred.observability.metrics import (
    notification_first_attempt_seconds,
    notification_retries,
    notifications_sent,
)

log = logging.getLogger(__name__)


class Sender:
    def __init__(
        self,
        paging: Paging,
        members: MemberNotifications,
        channels: ChannelRegistry,
        publisher: EventPublisher,
        source: str,
        *,
        interval: float = 0.5,
        in_flight_seconds: float = 60.0,
        concurrency: int = 32,
    ) -> None:
        self.paging = paging
        self.members = members
        self.channels = channels
        self.publisher = publisher
        self.source = source
        self.interval = interval
        self.in_flight_seconds = in_flight_seconds
        self.limit = asyncio.Semaphore(concurrency)
        # delivery id -> (its attempt in flight, when it started); an attempt whose report the
        # owner has applied has a higher number next time, so it is no longer in flight.
        self.in_flight: dict[str, tuple[int, float]] = {}
        self.woken = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()
        paging.wake = self.wake
        members.wake = self.wake

    def wake(self) -> None:
        self.woken.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: start every due delivery not in flight, then wait for a wake."""
        while not stop.is_set():
            self.woken.clear()
            self._start_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken_or(stop), self.interval)
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=10)

    async def _woken_or(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(self.woken.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    def _start_due(self) -> None:
        now = datetime.now(UTC)
        clock = time.monotonic()
        due = [*self.paging.due(now), *self.members.due(now)]
        live = {page.delivery.delivery_id for _, page in due}
        for key in [k for k in self.in_flight if k not in live]:
            del self.in_flight[key]  # done, or no longer this replica's
        for _, page in due:
            key = page.delivery.delivery_id
            attempt = page.delivery.attempts + 1
            flying = self.in_flight.get(key)
            if flying is not None and flying[0] == attempt:
                if clock - flying[1] < self.in_flight_seconds:
                    continue  # its report is on its way to the owner
            self.in_flight[key] = (attempt, clock)
            task = asyncio.create_task(self._attempt(page))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _attempt(self, page: PageDelivery) -> None:
        delivery = page.delivery
        attempt = delivery.attempts + 1
        async with self.limit:
            started = datetime.now(UTC)
            if attempt == 1:
                waited = (started - page.accepted_at).total_seconds()
                notification_first_attempt_seconds.labels(category=delivery.category.value).observe(
                    max(0.0, waited)
                )
            else:
                notification_retries.labels(channel=delivery.channel.value).inc()
            result = await self._send(page)
        outcome = DeliveryOutcome.SENT if result.ok else DeliveryOutcome.FAILED
        notifications_sent.labels(channel=delivery.channel.value, outcome=outcome.value).inc()
        report = NotificationDeliveryAttempted.new(
            id=deterministic_id("delivery-attempted", delivery.delivery_id, str(attempt)),
            subject=page.member_id,
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
            # Not applied: the delivery stays due and is attempted again after the in-flight
            # time (a receiver sees the same delivery id twice at worst).
            log.warning("attempt report not published: %s", type(exc).__name__)

    async def _send(self, page: PageDelivery) -> DeliveryResult:
        name = ChannelName(page.delivery.channel.value)
        channel = self.channels.get(name)
        if channel is None:
            return DeliveryResult.retry(f"channel {name.value} not configured")
        try:
            audience = Audience(page.audience)
            rendered = render(page.template, audience, name, page.locale, page.context)
            message = rendered.message(
                page.delivery.delivery_id, page.address, event_id=page.delivery.source_event_id
            )
        except Exception as exc:  # reported, and retried (a page is never dropped)
            log.error("template failed (%s)", type(exc).__name__)
            return DeliveryResult.retry("template")
        return await channel.send(message)
