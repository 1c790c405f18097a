"""What notifications does with each event of the partitions it owns, and with their timers.

Each event goes to the pure `domain` with the state it needs, read from the partition's tables;
what the domain returns is stored and announced here, in one `Changes`. Deliveries due (new or
retried) go to the sender once the batch is committed.

- `match.proposed` (keyed by the match) and `checkin.reminder-due`: a `notification.requested`
  per member concerned, keyed by the member, so that it is decided where their preferences live.
- `notification.requested`: the member's inbox entry, in their locale, and a delivery on their
  first usable channel beyond the inbox, paced by their quiet hours, rate limit and dedupe
  (`domain.notify`).
- `safety.alert-raised`: the alert's escalation along the on-call chain, its first page on
  every channel of the first person at once (`domain.escalations`); a staff console's inbox
  entry is written with the page. `safety.alert-ack-requested` stops it.
- `notification.delivery-attempted`: the sender's report of an attempt: done, retried later,
  fallen back to the member's next channel, or given up (`domain.deliveries`).
- `member.notification-preferences-set`, `notification.inbox-entry-read`: stored.
- `tick`: the escalations whose deadline passed move up the chain, the digests due go out, and
  the deliveries due go to the sender.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.matching import MatchProposed
from kindred.events.notifications import (
    Channel,
    DeliveryOutcome,
    InboxEntryRead,
    MemberCategory,
    MemberNotificationPreferencesSet,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
    NotificationRequested,
    NotificationRequestedData,
    SafetyAlertAcknowledged,
    SafetyAlertAcknowledgedData,
    SafetyAlertAckRequested,
    SafetyAlertEscalated,
    SafetyAlertEscalatedData,
)
from kindred.events.safety import SafetyAlertRaised
from kindred.events.schedules import CheckinReminderDue
from kindred.notifications import metrics
from kindred.notifications.domain.deliveries import (
    MEMBER_RETRIES,
    DeliveryRetryPolicy,
    DeliveryState,
    Dispatch,
    reported,
)
from kindred.notifications.domain.escalations import (
    AckOutcome,
    Chain,
    Escalation,
    Page,
    Stepped,
    acknowledge,
    dispatches,
    start,
)
from kindred.notifications.domain.escalations import tick as escalate
from kindred.notifications.domain.inbox import InboxEntry, InboxRead, inbox_entry
from kindred.notifications.domain.notify import flush, notify
from kindred.notifications.domain.pacing import History
from kindred.notifications.domain.preferences import Preferences
from kindred.notifications.domain.templates import (
    Audience,
    alert_raised_context,
    match_proposed_context,
    reminder_due_context,
)
from kindred.notifications.repository import (
    DELIVERIES,
    ESCALATIONS,
    HISTORIES,
    INBOX,
    INBOX_READS,
    PAGES,
    PREFERENCES,
    STORES,
)
from kindred.partitions.processor import Changes
from kindred.partitions.store import Store, Tables

log = logging.getLogger(__name__)

# Takes the deliveries due, once the batch that found them is committed (the sender).
Send = Callable[[list[Dispatch]], None]


class Notifications:
    events = (
        MatchProposed,
        CheckinReminderDue,
        SafetyAlertRaised,
        SafetyAlertAckRequested,
        NotificationDeliveryAttempted,
        MemberNotificationPreferencesSet,
        NotificationRequested,
        InboxEntryRead,
    )
    stores = STORES

    def __init__(
        self,
        chain: Chain,
        send: Send,
        source: str,
        *,
        retries: DeliveryRetryPolicy = MEMBER_RETRIES,
        in_flight_seconds: float = 60.0,
    ) -> None:
        self.chain = chain
        self.send = send
        self.source = source
        self.retries = retries
        self.in_flight = timedelta(seconds=in_flight_seconds)

    # ---------------------------------------------------------------- ownership

    def load(self, partition: int, tables: Tables) -> None:
        pending = sum(e.active for e in tables[ESCALATIONS])
        metrics.escalations_pending.set(partition, pending)

    def drop(self, partition: int) -> None:
        metrics.escalations_pending.forget(partition)

    # ---------------------------------------------------------------- events

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, MatchProposed):
            match = event.data
            context = match_proposed_context(event)
            for member, audience in (
                (match.seeker_id, "seeker"),
                (match.supporter_id, "supporter"),
            ):
                self._request(event, member, audience, MemberCategory.MATCHING, context, changes)
        elif isinstance(event, CheckinReminderDue):
            context = reminder_due_context(event)
            member = event.data.member_id
            self._request(
                event, member, "member", MemberCategory.CHECKIN_REMINDERS, context, changes
            )
        elif isinstance(event, NotificationRequested):
            self._requested(event.data, changes)
        elif isinstance(event, SafetyAlertRaised):
            self._alert_raised(partition, event, changes)
        elif isinstance(event, SafetyAlertAckRequested):
            self._ack_requested(partition, event, changes)
        elif isinstance(event, NotificationDeliveryAttempted):
            self._attempted(event, changes)
        elif isinstance(event, MemberNotificationPreferencesSet):
            changes.put(PREFERENCES, Preferences.from_event(event))
        elif isinstance(event, InboxEntryRead):
            data = event.data
            changes.insert(INBOX_READS, InboxRead(data.entry_id, data.member_id, data.read_at))
        self._send_due(changes)

    def tick(self, partition: int, changes: Changes) -> None:
        for escalation in changes.due(ESCALATIONS):
            self._record(partition, escalate(escalation, changes.now), changes)
        for history in changes.due(HISTORIES):
            self._flush(history, changes)
        self._send_due(changes)

    # ---------------------------------------------------------------- members

    def _request(
        self,
        event: Envelope[Any],
        member: str,
        audience: str,
        category: MemberCategory,
        context: dict[str, Any],
        changes: Changes,
    ) -> None:
        """A notification for a member, decided in their own partition."""
        changes.emit(
            NotificationRequested.new(
                id=deterministic_id("notification.requested", event.id, member),
                subject=member,
                source=self.source,
                caused_by=event,
                data=NotificationRequestedData(
                    source_event_id=event.id,
                    source_time=event.time,
                    recipient=member,
                    audience=audience,
                    category=category,
                    event_type=event.TOPIC,
                    context=context,
                ),
            )
        )

    def _requested(self, request: NotificationRequestedData, changes: Changes) -> None:
        member = request.recipient
        prefs = changes.get(PREFERENCES, member) or Preferences.default(member)
        history = changes.get(HISTORIES, member) or History(member)
        notified = notify(request, prefs, history, changes.now)
        self._inbox(notified.entry, changes)
        if notified.history is not None:
            changes.put(HISTORIES, notified.history)
        if notified.dispatch is not None:
            changes.put(DELIVERIES, notified.dispatch)

    def _flush(self, history: History, changes: Changes) -> None:
        """The member's digest is due: one message for what quiet hours or a burst gathered."""
        prefs = changes.get(PREFERENCES, history.member_id) or Preferences.default(
            history.member_id
        )
        rest, dispatch = flush(history, prefs, changes.now)
        changes.put(HISTORIES, rest)
        if dispatch is not None:
            changes.put(DELIVERIES, dispatch)
            count = dispatch.context["count"]
            changes.then(lambda: metrics.digests_sent.observe(count))

    def _inbox(self, entry: InboxEntry, changes: Changes) -> None:
        changes.insert(INBOX, entry)
        changes.then(metrics.inbox_entries.labels(kind=entry.kind).inc)

    # ---------------------------------------------------------------- safety pages

    def _alert_raised(self, partition: int, event: SafetyAlertRaised, changes: Changes) -> None:
        if changes.get(ESCALATIONS, event.data.alert_id) is not None:
            return  # a copy of the alert: its escalation runs already
        stepped = start(event.data, self.chain, changes.now, alert_raised_context(event))
        self._record(partition, stepped, changes)
        changes.then(lambda: metrics.escalations_pending.add(partition, 1))

    def _record(self, partition: int, stepped: Stepped, changes: Changes) -> None:
        """An escalation as it stands, and the pages it sends now: an event each, and a
        delivery per channel; a staff console's inbox entry is written here, with the page."""
        escalation = stepped.escalation
        changes.put(ESCALATIONS, escalation)
        for page in stepped.pages:
            changes.emit(self._escalated(page))
            for dispatch in dispatches(escalation, page, changes.now):
                if dispatch.delivery.channel is not Channel.INBOX:
                    changes.put(PAGES, dispatch)
                    continue
                self._inbox(self._console_entry(dispatch, page, changes), changes)
                sent = replace(dispatch.delivery, status=DeliveryState.SENT)
                changes.put(PAGES, replace(dispatch, delivery=sent))
            changes.then(partial(_count_pages, [m.channel.value for m in page.messages]))

    def _console_entry(self, dispatch: Dispatch, page: Page, changes: Changes) -> InboxEntry:
        return inbox_entry(
            dispatch.template,
            Audience.STAFF,
            dispatch.locale,
            dispatch.context,
            recipient=dispatch.address,
            entry_id=dispatch.key,
            source_event_id=page.page_id,
            now=changes.now,
        )

    def _escalated(self, page: Page) -> SafetyAlertEscalated:
        return SafetyAlertEscalated.new(
            id=deterministic_id("event", "alert-escalated", page.page_id),
            subject=page.member_id,
            source=self.source,
            data=SafetyAlertEscalatedData(
                alert_id=page.alert_id,
                member_id=page.member_id,
                severity=page.severity,
                level=page.level,
                fallback=page.fallback,
                repeat=page.repeat,
                page_id=page.page_id,
                paged=page.target,
                channels=list(page.channels),
                due_at=page.due_at,
                ack_deadline=page.ack_deadline,
            ),
        )

    def _ack_requested(
        self, partition: int, event: SafetyAlertAckRequested, changes: Changes
    ) -> None:
        data = event.data
        escalation: Escalation | None = changes.get(ESCALATIONS, data.alert_id)
        result = acknowledge(escalation, data.staff_id, changes.now)
        if result.outcome is not AckOutcome.ACKNOWLEDGED:
            log.info("acknowledgement ignored: %s", result.outcome.value)
            return
        assert result.escalation is not None and result.acknowledgement is not None
        changes.put(ESCALATIONS, result.escalation)
        # Pages still being retried for this alert stop.
        for page in changes.items(PAGES):
            if page.context.get("alert_id") == data.alert_id:
                cancelled = page.delivery.cancel(changes.now)
                changes.put(PAGES, replace(page, delivery=cancelled))
        ack = result.acknowledgement
        changes.emit(
            SafetyAlertAcknowledged.new(
                id=deterministic_id("event", "alert-acknowledged", ack.alert_id),
                subject=ack.member_id,
                source=self.source,
                caused_by=event,
                data=SafetyAlertAcknowledgedData(
                    alert_id=ack.alert_id,
                    member_id=ack.member_id,
                    staff_id=ack.staff_id,
                    acknowledged_at=ack.acknowledged_at,
                    latency_seconds=ack.latency_seconds,
                    level=ack.level,
                ),
            )
        )
        changes.then(lambda: metrics.escalation_ack_seconds.observe(ack.latency_seconds))
        changes.then(lambda: metrics.escalations_pending.add(partition, -1))

    # ---------------------------------------------------------------- attempts

    def _attempted(self, event: NotificationDeliveryAttempted, changes: Changes) -> None:
        data = event.data
        for store in (PAGES, DELIVERIES):
            dispatch = changes.get(store, data.delivery_id)
            if dispatch is not None:
                break
        else:
            return  # finished already, or not this partition's
        prefs = changes.get(PREFERENCES, dispatch.delivery.recipient)
        contacts = prefs.contacts if prefs is not None else {}
        outcome = reported(dispatch, data, changes.now, self.retries, contacts)
        if outcome is None:
            return  # a copy of a report applied already
        changes.put(store, outcome.dispatch)
        if outcome.fallback is not None:
            changes.put(store, outcome.fallback)
        if outcome.dead_letter is not None:
            changes.emit(self._dead_lettered(outcome.dispatch, outcome.dead_letter, event, changes))
            channel = dispatch.delivery.channel.value
            changes.then(metrics.notifications_dead_lettered.labels(channel=channel).inc)

    def _dead_lettered(
        self,
        dispatch: Dispatch,
        reason: str,
        report: NotificationDeliveryAttempted,
        changes: Changes,
    ) -> NotificationDeliveryAttempted:
        delivery = dispatch.delivery
        return NotificationDeliveryAttempted.new(
            id=deterministic_id("delivery-dead-lettered", delivery.delivery_id),
            subject=dispatch.member_id,
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
                error_kind=reason[:100],
                at=changes.now,
            ),
        )

    # ---------------------------------------------------------------- the sender

    def _send_due(self, changes: Changes) -> None:
        """Hand the deliveries due to the sender once committed (a safety page as soon as the
        log holds its batch, or ahead of a log that cannot be written), and hold each back
        while its attempt is under way: its report plans the next one; none by then, it is due
        again."""
        if pages := self._take_due(PAGES, changes):
            changes.then(partial(self.send, pages), urgent=True)
        if deliveries := self._take_due(DELIVERIES, changes):
            changes.then(partial(self.send, deliveries))

    def _take_due(self, store: Store[Dispatch], changes: Changes) -> list[Dispatch]:
        due = changes.due(store)
        for dispatch in due:
            changes.wake(store, dispatch.key, changes.now + self.in_flight)
        return due


def _count_pages(channels: list[str]) -> None:
    for channel in channels:
        metrics.pages_total.labels(channel=channel).inc()
