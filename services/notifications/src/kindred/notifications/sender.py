"""The sender: makes the deliveries the partitions' owners hand it (the I/O), and reports each
attempt as `notification.delivery-attempted`, keyed like the delivery, for the owner to apply
(retry, done, fall back). It decides and writes nothing itself.

The owner hands it what is due once a batch is committed (a safety page once the log holds it,
or ahead of a log that cannot be written): a new page within milliseconds of its alert, a retry
when the partition's timers say it is due. Meanwhile the owner holds the delivery back for
`SENDER_IN_FLIGHT_SECONDS`: if no report has come back by then (the report was lost), the
attempt is made again; receivers deduplicate by delivery id. A partition rebuilt meanwhile on
this replica (after a poison event) hands back what is still waiting for its report at once:
an attempt handed over less than half that time ago is not made a second time. A new owner on
another replica makes it again at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
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
    at: float  # time.monotonic()


class Sender:
    def __init__(
        self,
        channels: ChannelRegistry,
        publisher: EventPublisher,
        source: str,
        *,
        in_flight_seconds: float = 60.0,
        concurrency: int = 32,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channels = channels
        self.publisher = publisher
        self.source = source
        self.again_after = in_flight_seconds / 2
        self.clock = clock
        self.limit = asyncio.Semaphore(concurrency)
        self.tasks: set[asyncio.Task[None]] = set()
        # By delivery id, oldest hand-over first: its latest attempt handed over.
        self.handed: OrderedDict[str, Handed] = OrderedDict()

    def send(self, dispatches: Iterable[Dispatch]) -> None:
        """Start an attempt of each (called on the event loop, once the owner committed),
        unless that very attempt was handed over moments ago."""
        now = self.clock()
        while self.handed and now - next(iter(self.handed.values())).at >= self.again_after:
            self.handed.popitem(last=False)
        for dispatch in dispatches:
            attempt = dispatch.delivery.attempts + 1
            if self.handed.get(dispatch.key, Handed(0, now)).attempt == attempt:
                continue  # its report is on its way
            self.handed[dispatch.key] = Handed(attempt, now)
            self.handed.move_to_end(dispatch.key)
            task = asyncio.create_task(self._attempt(dispatch))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def run(self, stop: asyncio.Event) -> None:
        """At shutdown, give the attempts under way time to finish and report."""
        await stop.wait()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=10)

    async def _attempt(self, dispatch: Dispatch) -> None:
        delivery = dispatch.delivery
        attempt = delivery.attempts + 1
        async with self.limit:
            started = datetime.now(UTC)
            if attempt == 1:
                waited = (started - dispatch.accepted_at).total_seconds()
                metrics.notification_first_attempt_seconds.labels(
                    category=delivery.category.value
                ).observe(max(0.0, waited))
            else:
                metrics.notification_retries.labels(channel=delivery.channel.value).inc()
            result = await self._send(dispatch)
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
