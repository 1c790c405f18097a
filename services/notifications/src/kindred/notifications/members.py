"""Notifications to members beyond the inbox (email, SMS, push, webhook), decided in the
member's own partition: their preferences, contacts, pacing history (quiet hours, rate limit,
dedupe) and pending deliveries, written only by that partition's owner.

An event that concerns a member but is keyed otherwise (`match.proposed`, by the match)
becomes a `notification.requested` keyed by the member, so the decision is taken where the
member's documents live. A delivery that fails is retried with backoff and jitter
(kindred.notifications.domain.retries.DEFAULT_POLICY), then falls back to the member's next
channel, then is dead-lettered (counted; a delivery status event says so).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
    Category,
    Channel,
    DeliveryOutcome,
    MemberNotificationPreferencesSet,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
    NotificationRequested,
    NotificationRequestedData,
)
from kindred.notifications.domain.pacing import (
    AddToDigest,
    Duplicate,
    History,
    Hold,
    Message,
    decide,
    flush_digest,
    record,
)
from kindred.notifications.domain.preferences import Preferences
from kindred.notifications.domain.retries import (
    DeadLetter,
    Delivery,
    Done,
    FallBack,
    RetryAt,
    RetryPolicy,
    next_step,
)
from kindred.notifications.paging import PageDelivery
from kindred.notifications.reports import ReportedAttempt
from kindred.notifications.templates import DIGEST
from kindred.observability.metrics import digests_sent, notifications_dead_lettered
from kindred.partitions.processor import Changes
from kindred.storage.mongo import Document, Index

log = logging.getLogger(__name__)

PREFERENCES = "preferences"
HISTORIES = "histories"
DELIVERIES = "deliveries"
INDEXES = [
    Index(PREFERENCES, [("partition", 1)]),
    Index(HISTORIES, [("partition", 1)]),
    Index(DELIVERIES, [("partition", 1)]),
]


@dataclass
class Member:
    prefs: Preferences
    contacts: dict[str, str] = field(default_factory=dict)  # channel -> address

    def channels(self, category: Category) -> list[Channel]:
        """Beyond the inbox, in the member's order: consented and with an address."""
        return [
            c
            for c in self.prefs.channels_for(category)
            if c is not Channel.INBOX and c.value in self.contacts
        ]


@dataclass
class _Partition:
    members: dict[str, Member] = field(default_factory=dict)
    histories: dict[str, History] = field(default_factory=dict)
    deliveries: dict[str, PageDelivery] = field(default_factory=dict)  # unfinished


class MemberNotifications:
    def __init__(
        self,
        db: AsyncDatabase[Document] | None,
        source: str,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.db = db
        self.source = source
        self.policy = policy
        self.partitions: dict[int, _Partition] = {}
        self.wake: Callable[[], None] = lambda: None

    async def load(self, partition: int) -> None:
        state = _Partition()
        if self.db is not None:
            query = {"partition": partition}
            async for doc in self.db[PREFERENCES].find(query):
                state.members[doc["_id"]] = Member(
                    Preferences.from_doc(doc), dict(doc.get("contacts", {}))
                )
            async for doc in self.db[HISTORIES].find(query):
                state.histories[doc["_id"]] = History.from_doc(doc)
            async for doc in self.db[DELIVERIES].find(query):
                item = PageDelivery.from_doc(doc)
                if not item.delivery.finished:
                    state.deliveries[item.delivery.delivery_id] = item
        self.partitions[partition] = state
        self.wake()

    def drop(self, partition: int) -> None:
        self.partitions.pop(partition, None)

    def due(self, now: datetime) -> Iterator[tuple[int, PageDelivery]]:
        for number, state in list(self.partitions.items()):
            for item in list(state.deliveries.values()):
                if item.delivery.is_due(now):
                    yield number, item

    def _state(self, partition: int) -> _Partition:
        return self.partitions.setdefault(partition, _Partition())

    # ------------------------------------------------------------ events

    def preferences_set(
        self, partition: int, event: MemberNotificationPreferencesSet, changes: Changes
    ) -> None:
        prefs = Preferences.from_event(event)
        contacts = {k.value: v for k, v in event.data.contacts.items()}
        self._state(partition).members[event.data.member_id] = Member(prefs, contacts)
        changes.put(PREFERENCES, prefs.to_doc() | {"partition": partition, "contacts": contacts})

    def requested(self, partition: int, event: NotificationRequested, changes: Changes) -> None:
        """Plan the member's deliveries for one notification: a channel they consented to and
        gave an address for, paced by their quiet hours, rate limit and dedupe."""
        state = self._state(partition)
        data = event.data
        category = Category(data.category.value)
        member = state.members.get(data.recipient) or Member(Preferences.default(data.recipient))
        history = state.histories.get(data.recipient) or History(data.recipient)
        usable = member.channels(category)
        if not usable:
            return  # the inbox has it already (written where the event was handled)
        channel, fallbacks = usable[0], tuple(usable[1:])
        message = Message(data.source_event_id, data.recipient, channel, category)
        decision = decide(message, member.prefs, history, changes.now)
        if isinstance(decision, Duplicate):
            return
        history = record(history, message, decision, changes.now)
        state.histories[data.recipient] = history
        changes.put(HISTORIES, history.to_doc() | {"partition": partition})
        if isinstance(decision, AddToDigest):
            return  # sent with the member's digest, at its flush (`tick`)
        not_before = decision.until if isinstance(decision, Hold) else None
        delivery = Delivery.new(
            data.source_event_id,
            data.recipient,
            channel,
            category,
            changes.now,
            fallbacks=fallbacks,
            not_before=not_before,
        )
        item = PageDelivery(
            delivery,
            data.recipient,
            member.contacts[channel.value],
            data.event_type,
            dict(data.context),
            data.source_time,
            audience=data.audience,
            locale=member.prefs.locale,
        )
        self._keep(partition, item, changes)

    def tick(self, partition: int, changes: Changes) -> None:
        """Send each member's digest that is due: one message for what quiet hours or a burst
        gathered, on their first usable digest channel (the inbox has every item already)."""
        state = self._state(partition)
        for member_id, history in list(state.histories.items()):
            batch, rest = flush_digest(history, changes.now)
            if batch is None and rest is history:
                continue
            state.histories[member_id] = rest
            changes.put(HISTORIES, rest.to_doc() | {"partition": partition})
            if batch is None:
                continue
            member = state.members.get(member_id) or Member(Preferences.default(member_id))
            usable = member.channels(Category.DIGEST)
            if not usable:
                continue
            delivery = Delivery.new(
                batch.digest_id,
                member_id,
                usable[0],
                Category.DIGEST,
                changes.now,
                fallbacks=tuple(usable[1:]),
            )
            count = len(batch.items)
            item = PageDelivery(
                delivery,
                member_id,
                member.contacts[usable[0].value],
                DIGEST,
                {"count": count},
                batch.flush_at,
                audience="member",
                locale=member.prefs.locale,
            )
            self._keep(partition, item, changes)
            changes.then(lambda count=count: digests_sent.observe(count))  # type: ignore[misc]

    def attempted(
        self, partition: int, event: NotificationDeliveryAttempted, changes: Changes
    ) -> bool:
        state = self._state(partition)
        data = event.data
        item = state.deliveries.get(data.delivery_id)
        if item is None:
            return False
        if data.attempt != item.delivery.attempts + 1:
            return True  # a copy of a report already applied
        step = next_step(
            item.delivery.begin(data.at), ReportedAttempt.of(data), changes.now, policy=self.policy
        )
        if isinstance(step, RetryAt):
            self._keep(partition, replace(item, delivery=step.delivery), changes)
            return True
        del state.deliveries[data.delivery_id]
        changes.put(DELIVERIES, replace(item, delivery=step.delivery).to_doc(partition))
        if isinstance(step, FallBack):
            member = state.members.get(item.member_id)
            address = member.contacts.get(step.channel.value) if member else None
            if address is not None:
                self._keep(partition, replace(item, delivery=step.next, address=address), changes)
        elif isinstance(step, DeadLetter):
            self._dead_letter(item, step, event, changes)
        elif not isinstance(step, Done):
            log.error("unexpected step %s", type(step).__name__)
        return True

    def _keep(self, partition: int, item: PageDelivery, changes: Changes) -> None:
        self._state(partition).deliveries[item.delivery.delivery_id] = item
        changes.put(DELIVERIES, item.to_doc(partition))
        changes.then(self.wake)

    def _dead_letter(
        self,
        item: PageDelivery,
        step: DeadLetter,
        report: NotificationDeliveryAttempted,
        changes: Changes,
    ) -> None:
        delivery = step.delivery
        changes.emit(
            NotificationDeliveryAttempted.new(
                id=deterministic_id("delivery-dead-lettered", delivery.delivery_id),
                subject=item.member_id,
                source=self.source,
                caused_by=report,
                data=NotificationDeliveryAttemptedData(
                    delivery_id=delivery.delivery_id,
                    source_event_id=delivery.source_event_id,
                    recipient=delivery.recipient,
                    channel=delivery.channel,
                    category=delivery.category,
                    attempt=max(1, delivery.attempts),
                    outcome=DeliveryOutcome.DEAD_LETTERED,
                    error_kind=step.reason[:100],
                    at=changes.now,
                ),
            )
        )
        channel = delivery.channel.value
        changes.then(lambda: notifications_dead_lettered.labels(channel=channel).inc())


def requests_for(
    source_event_id: str,
    source_time: datetime,
    event_type: str,
    recipients: list[tuple[str, str]],
    category: Category,
    context: dict[str, Any],
    source: str,
) -> list[NotificationRequested]:
    """`notification.requested` per (recipient, audience), keyed by the recipient."""
    return [
        NotificationRequested.new(
            id=deterministic_id("notification.requested", source_event_id, recipient),
            subject=recipient,
            source=source,
            data=NotificationRequestedData(
                source_event_id=source_event_id,
                source_time=source_time,
                recipient=recipient,
                audience=audience,
                category=category,
                event_type=event_type,
                context=context,
            ),
        )
        for recipient, audience in recipients
    ]
