"""Safety pages: each alert's escalation along the on-call chain, and the page deliveries the
sender makes, per owned partition (an alert's partition is its member's).

One writer per document: only the owner of the partition writes an escalation or a page
delivery (puts of whole documents); the sender (kindred.notifications.sender) does the I/O and
reports each attempt as a `notification.delivery-attempted` event, which the owner applies.
A page is never held, digested, rate-limited, deduplicated away or given up: it is retried
until the alert is acknowledged (kindred.notifications.domain.retries.SAFETY_POLICY).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.events.notifications import (
    NotificationDeliveryAttempted,
    SafetyAlertAckRequested,
)
from kindred.events.safety import SafetyAlertRaised
from kindred.notifications.channels.base import ChannelName
from kindred.notifications.channels.inbox import InboxChannel
from kindred.notifications.domain.escalations import (
    AckOutcome,
    Chain,
    Escalation,
    Page,
    Stepped,
    acknowledge,
    start,
)
from kindred.notifications.domain.escalations import tick as escalate
from kindred.notifications.domain.retries import (
    Delivery,
    DeliveryState,
    Done,
    RetryAt,
    next_step,
)
from kindred.notifications.reports import ReportedAttempt
from kindred.notifications.repository import INBOX
from kindred.notifications.templates import (
    SAFETY_ESCALATED,
    Audience,
    alert_raised_context,
    escalated_context,
    render,
)
from kindred.observability.metrics import (
    escalation_ack_seconds,
    escalations_pending,
    pages_total,
)
from kindred.partitions.processor import Changes
from kindred.storage.mongo import Document, Index

log = logging.getLogger(__name__)

ESCALATIONS = "escalations"
PAGES = "pages"
INDEXES = [Index(ESCALATIONS, [("partition", 1)]), Index(PAGES, [("partition", 1)])]
ALERT_RAISED = "safety.alert-raised"


@dataclass
class PageDelivery:
    """A page's delivery on one channel, with what the sender needs to make it."""

    delivery: Delivery
    member_id: str
    address: str
    template: str  # the event type the page is rendered from
    context: dict[str, Any]
    accepted_at: datetime  # when the source happened (a page: the check-in's accept)
    audience: str = "staff"
    locale: str = "en"

    def to_doc(self, partition: int) -> Document:
        return {
            **self.delivery.to_doc(),
            "partition": partition,
            "member_id": self.member_id,
            "address": self.address,
            "template": self.template,
            "context": self.context,
            "accepted_at": self.accepted_at,
            "audience": self.audience,
            "locale": self.locale,
        }

    @classmethod
    def from_doc(cls, doc: Document) -> PageDelivery:
        return cls(
            delivery=Delivery.from_doc(doc),
            member_id=doc["member_id"],
            address=doc["address"],
            template=doc["template"],
            context=dict(doc["context"]),
            accepted_at=doc["accepted_at"],
            audience=doc.get("audience", "staff"),
            locale=doc.get("locale", "en"),
        )


@dataclass
class Open:
    """An escalation and the alert context its pages are rendered with."""

    escalation: Escalation
    context: dict[str, Any]
    accepted_at: datetime

    def to_doc(self, partition: int) -> Document:
        return {
            **self.escalation.to_doc(),
            "partition": partition,
            "context": self.context,
            "accepted_at": self.accepted_at,
        }

    @classmethod
    def from_doc(cls, doc: Document) -> Open:
        return cls(Escalation.from_doc(doc), dict(doc["context"]), doc["accepted_at"])


@dataclass
class _Partition:
    escalations: dict[str, Open] = field(default_factory=dict)  # by alert id
    pages: dict[str, PageDelivery] = field(default_factory=dict)  # unfinished, by delivery id


class Paging:
    def __init__(self, db: AsyncDatabase[Document] | None, chain: Chain, source: str) -> None:
        self.db = db
        self.chain = chain
        self.source = source
        self.partitions: dict[int, _Partition] = {}
        # Set by the sender: called once a commit added deliveries for it to make.
        self.wake: Callable[[], None] = lambda: None

    # ------------------------------------------------------------ working set

    async def load(self, partition: int) -> None:
        state = _Partition()
        if self.db is not None:
            async for doc in self.db[ESCALATIONS].find({"partition": partition}):
                opened = Open.from_doc(doc)
                state.escalations[opened.escalation.alert_id] = opened
            async for doc in self.db[PAGES].find({"partition": partition}):
                page = PageDelivery.from_doc(doc)
                if not page.delivery.finished:
                    # An attempt a crash interrupted is made again (receivers dedupe by id).
                    delivery = page.delivery
                    if delivery.status is DeliveryState.IN_FLIGHT:
                        page = replace(page, delivery=delivery.recovered(delivery.updated_at))
                    state.pages[page.delivery.delivery_id] = page
        self.partitions[partition] = state
        self._gauge()
        self.wake()

    def drop(self, partition: int) -> None:
        self.partitions.pop(partition, None)
        self._gauge()

    def due(self, now: datetime) -> Iterator[tuple[int, PageDelivery]]:
        """Page deliveries to make now, in the partitions this replica owns."""
        for number, state in list(self.partitions.items()):
            for page in list(state.pages.values()):
                if page.delivery.is_due(now):
                    yield number, page

    def _gauge(self) -> None:
        escalations_pending.set(
            sum(
                1
                for state in self.partitions.values()
                for opened in state.escalations.values()
                if opened.escalation.active
            )
        )

    def _state(self, partition: int) -> _Partition:
        return self.partitions.setdefault(partition, _Partition())

    # ------------------------------------------------------------ events

    def alert_raised(self, partition: int, event: SafetyAlertRaised, changes: Changes) -> None:
        state = self._state(partition)
        if event.data.alert_id in state.escalations:
            return  # a copy of the alert: its escalation runs already
        stepped = start(event, self.chain, changes.now)
        opened = Open(stepped.escalation, alert_raised_context(event), event.data.accepted_at)
        self._record(partition, opened, stepped, changes)

    def ack_requested(
        self, partition: int, event: SafetyAlertAckRequested, changes: Changes
    ) -> None:
        state = self._state(partition)
        data = event.data
        opened = state.escalations.get(data.alert_id)
        result = acknowledge(opened.escalation if opened else None, data.staff_id, changes.now)
        if result.outcome is not AckOutcome.ACKNOWLEDGED or opened is None:
            log.info("acknowledgement ignored: %s", result.outcome.value)
            return
        assert result.escalation is not None and result.acknowledgement is not None
        opened = replace(opened, escalation=result.escalation)
        state.escalations[data.alert_id] = opened
        changes.put(ESCALATIONS, opened.to_doc(partition))
        # Pages still being retried for this alert stop.
        for page in list(state.pages.values()):
            if page.context.get("alert_id") == data.alert_id:
                cancelled = replace(page, delivery=page.delivery.cancel(changes.now))
                changes.put(PAGES, cancelled.to_doc(partition))
                del state.pages[page.delivery.delivery_id]
        changes.emit(result.acknowledgement.event(source=self.source, caused_by=event))
        latency = result.acknowledgement.latency_seconds
        changes.then(lambda: escalation_ack_seconds.observe(latency))
        changes.then(self._gauge)

    def attempted(
        self, partition: int, event: NotificationDeliveryAttempted, changes: Changes
    ) -> bool:
        """Apply an attempt's outcome to its page delivery; False if it is not a page here."""
        state = self._state(partition)
        data = event.data
        page = state.pages.get(data.delivery_id)
        if page is None:
            return False
        if data.attempt != page.delivery.attempts + 1:
            return True  # a copy of an attempt already applied
        step = next_step(page.delivery.begin(data.at), ReportedAttempt.of(data), changes.now)
        if isinstance(step, Done):
            del state.pages[data.delivery_id]
        elif isinstance(step, RetryAt):
            state.pages[data.delivery_id] = replace(page, delivery=step.delivery)
        else:  # pages neither fall back nor dead-letter: keep retrying
            log.error("a page stopped being retried (%s); it is kept", type(step).__name__)
            return True
        updated = replace(page, delivery=step.delivery)
        changes.put(PAGES, updated.to_doc(partition))
        changes.then(self.wake)
        return True

    def tick(self, partition: int, changes: Changes) -> None:
        """Move each unacknowledged escalation whose deadline passed up its chain."""
        state = self._state(partition)
        for opened in list(state.escalations.values()):
            due = opened.escalation.next_due
            if due is None or due > changes.now:
                continue
            self._record(partition, opened, escalate(opened.escalation, changes.now), changes)

    # ------------------------------------------------------------ pages

    def _record(self, partition: int, opened: Open, stepped: Stepped, changes: Changes) -> None:
        state = self._state(partition)
        opened = replace(opened, escalation=stepped.escalation)
        state.escalations[opened.escalation.alert_id] = opened
        changes.put(ESCALATIONS, opened.to_doc(partition))
        for page in stepped.pages:
            self._page(partition, opened, page, changes)
        if stepped.pages:
            changes.then(self.wake)
            changes.then(self._gauge)

    def _page(self, partition: int, opened: Open, page: Page, changes: Changes) -> None:
        state = self._state(partition)
        first = page.level == 0 and page.repeat == 0
        template = ALERT_RAISED if first else SAFETY_ESCALATED
        context = opened.context if first else escalated_context(opened.context, page.level)
        changes.emit(page.event(source=self.source))
        addresses = {m.channel: m.address for m in page.messages}
        for delivery in page.deliveries(changes.now):
            item = PageDelivery(
                delivery,
                page.member_id,
                addresses[delivery.channel],
                template,
                context,
                opened.accepted_at,
            )
            if delivery.channel.value == ChannelName.INBOX.value:
                # The staff console's inbox: written here, by the owner, with the page.
                rendered = render(template, Audience.STAFF, ChannelName.INBOX, "en", context)
                message = rendered.message(
                    delivery.delivery_id, item.address, event_id=page.page_id
                )
                entry = InboxChannel().entry(message)
                # The staff console acts on it: what to acknowledge, and where (staff may see
                # which member an alert is about; previews never show it).
                entry["data"] = {
                    **entry.get("data", {}),
                    "alert_id": page.alert_id,
                    "member_id": page.member_id,
                    "level": page.level,
                    "ack": f"/v1/safety/members/{page.member_id}/alerts/{page.alert_id}/ack",
                }
                changes.insert(INBOX, entry | {"created_at": changes.now})
                item = replace(item, delivery=replace(delivery, status=DeliveryState.SENT))
                changes.put(PAGES, item.to_doc(partition))
                continue
            state.pages[delivery.delivery_id] = item
            changes.put(PAGES, item.to_doc(partition))
        channels = [m.channel.value for m in page.messages]

        def count() -> None:
            for channel in channels:
                pages_total.labels(channel=channel).inc()

        changes.then(count)
