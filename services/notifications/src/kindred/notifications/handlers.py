"""What notifications does with each event of the partitions it owns.

- `match.proposed` and `checkin.reminder-due`: inbox entries for the members (an entry's id
  follows from the event and the recipient, so a replay inserts nothing new).
- `safety.alert-raised`: the alert's escalation along the on-call chain (kindred.notifications
  .paging), paged at once on every channel of the first person; `tick` moves it up the chain
  when a deadline passes unacknowledged; `safety.alert-ack-requested` stops it.
- `notification.delivery-attempted`: the sender's report of an attempt, applied by the owner.
- `notification.requested` (emitted for the two above, keyed by the member): the member's
  other channels, decided in their partition (kindred.notifications.members).
- `member.notification-preferences-set`: the member's preferences and contacts, stored.
- `notification.inbox-entry-read`: the member marked an entry read (`inbox_reads`).
"""

from __future__ import annotations

from typing import Any

from kindred.events.envelope import Envelope
from kindred.events.matching import MatchProposed
from kindred.events.notifications import (
    Category,
    InboxEntryRead,
    MemberNotificationPreferencesSet,
    NotificationDeliveryAttempted,
    NotificationRequested,
    SafetyAlertAckRequested,
)
from kindred.events.safety import SafetyAlertRaised
from kindred.events.schedules import CheckinReminderDue
from kindred.notifications.channels.base import ChannelName
from kindred.notifications.channels.inbox import InboxChannel
from kindred.notifications.domain import entries_for_match_proposed
from kindred.notifications.domain.pacing import delivery_id
from kindred.notifications.members import MemberNotifications, requests_for
from kindred.notifications.paging import Paging
from kindred.notifications.repository import INBOX, INBOX_READS, inbox_doc
from kindred.notifications.templates import (
    Audience,
    match_proposed_context,
    reminder_due_context,
    render,
)
from kindred.observability.metrics import inbox_entries
from kindred.partitions.processor import Changes


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

    def __init__(self, paging: Paging, members: MemberNotifications) -> None:
        self.paging = paging
        self.members = members
        self.source = paging.source

    async def load(self, partition: int) -> None:
        await self.paging.load(partition)
        await self.members.load(partition)

    def drop(self, partition: int) -> None:
        self.paging.drop(partition)
        self.members.drop(partition)

    def tick(self, partition: int, changes: Changes) -> None:
        self.paging.tick(partition, changes)
        self.members.tick(partition, changes)

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, SafetyAlertRaised):
            self.paging.alert_raised(partition, event, changes)
        elif isinstance(event, SafetyAlertAckRequested):
            self.paging.ack_requested(partition, event, changes)
        elif isinstance(event, NotificationDeliveryAttempted):
            if not self.paging.attempted(partition, event, changes):
                self.members.attempted(partition, event, changes)
        elif isinstance(event, NotificationRequested):
            self.members.requested(partition, event, changes)
        elif isinstance(event, MatchProposed):
            entries = entries_for_match_proposed(event, changes.now)
            for entry in entries:
                changes.insert(INBOX, inbox_doc(entry))
            changes.then(lambda: inbox_entries.labels(kind="match.proposed").inc(len(entries)))
            match = event.data
            recipients = [(match.seeker_id, "seeker"), (match.supporter_id, "supporter")]
            for request in requests_for(
                event.id,
                event.time,
                "match.proposed",
                recipients,
                Category.MATCHING,
                match_proposed_context(event),
                self.source,
            ):
                changes.emit(request)
        elif isinstance(event, CheckinReminderDue):
            member = event.data.member_id
            rendered = render(
                "checkin.reminder-due",
                Audience.MEMBER,
                ChannelName.INBOX,
                None,
                reminder_due_context(event),
            )
            key = delivery_id(event.id, member, ChannelName.INBOX.value)
            message = rendered.message(key, member, event_id=event.id)
            changes.insert(INBOX, InboxChannel().entry(message) | {"created_at": changes.now})
            changes.then(lambda: inbox_entries.labels(kind="checkin.reminder-due").inc())
            for request in requests_for(
                event.id,
                event.time,
                "checkin.reminder-due",
                [(member, "member")],
                Category.CHECKIN_REMINDERS,
                reminder_due_context(event),
                self.source,
            ):
                changes.emit(request)
        elif isinstance(event, InboxEntryRead):
            data = event.data
            read = {"_id": data.entry_id, "member_id": data.member_id, "read_at": data.read_at}
            changes.insert(INBOX_READS, read)
        elif isinstance(event, MemberNotificationPreferencesSet):
            self.members.preferences_set(partition, event, changes)
