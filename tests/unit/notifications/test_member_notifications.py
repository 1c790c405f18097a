"""Member notifications through the notifications processor, without I/O: the inbox entry in
the member's locale, a delivery planned by their preferences and contacts, retried, falling back
to the next channel, dead-lettered with a status event, and digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
    DeliveryOutcome,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
    NotificationRequested,
)
from kindred.events.schedules import CheckinReminderDue, CheckinReminderDueData
from kindred.notifications.domain.deliveries import Dispatch
from kindred.notifications.domain.escalations import Chain
from kindred.notifications.handlers import Notifications
from kindred.notifications.repository import DELIVERIES, HISTORIES, INBOX
from kindred.notifications.settings import NotificationsSettings
from tests.support.factories import match_proposed
from tests.support.partitions import Partition, Sink, events, written

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CHAIN = Chain.from_json('{"fallback": {"id": "lead", "contacts": {"inbox": "lead"}}}')


def member(sent: Sink, settings: NotificationsSettings | None = None, **prefs: Any) -> Partition:
    """The member m1's partition, with m1's preferences set."""
    retries = (settings or NotificationsSettings(kindred_dev_mode=True)).retry_policy()
    processor = Notifications(CHAIN, sent, "t", retries=retries)
    p = Partition(processor)
    data = MemberNotificationPreferencesSetData(member_id="m1", **prefs)
    p.handle(T0, MemberNotificationPreferencesSet.new(subject="m1", source="t", data=data))
    return p


def requested(source: Partition, *events_in: Any, at: datetime = T0) -> list[NotificationRequested]:
    """The `notification.requested` events a batch of `source` emits."""
    changes = source.handle(at, *events_in)
    return [
        NotificationRequested.model_validate_json(r.value)
        for r in changes.records
        if r.topic == "kindred.notification.requested"
    ]


def for_m1(p: Partition, *, at: datetime = T0, source_id: str = "s-1") -> Any:
    """A match proposed to m1 as the seeker, decided in m1's partition."""
    proposal = match_proposed("m1", "helper").model_copy(update={"id": source_id})
    [request] = [r for r in requested(p, proposal, at=at) if r.subject == "m1"]
    return p.handle(at, request)


def failed(item: Dispatch, attempt: int, kind: str) -> NotificationDeliveryAttempted:
    return NotificationDeliveryAttempted.new(
        subject="m1",
        source="t",
        data=NotificationDeliveryAttemptedData(
            delivery_id=item.delivery.delivery_id,
            source_event_id=item.delivery.source_event_id,
            recipient="m1",
            channel=item.delivery.channel,
            category=item.delivery.category,
            attempt=attempt,
            outcome=DeliveryOutcome.FAILED,
            error_kind=f"{kind}: smtp 550",
            at=T0,
        ),
    )


def reachable(contacts: dict[str, str], **prefs: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "channels": {"matching": ["push", "email"]},
        "consents": dict.fromkeys(contacts, True),
        "contacts": contacts,
        "quiet_hours": None,
    }
    return base | prefs


def test_a_proposal_asks_each_side_in_their_own_partition() -> None:
    event = match_proposed("seeker", "supporter")
    notifications = Partition(Notifications(CHAIN, Sink(), "t"))
    changes = notifications.handle(T0, event)
    assert written(changes, INBOX.collection) == []  # decided where each member's state lives
    requests = events(changes, "notification.requested")
    assert [(r["subject"], r["data"]["audience"]) for r in requests] == [
        ("seeker", "seeker"),
        ("supporter", "supporter"),
    ]
    assert requests[0]["id"] == deterministic_id("notification.requested", event.id, "seeker")
    assert requests[0]["data"]["context"]["request_id"] == event.data.request_id


def test_every_notification_is_an_inbox_entry_in_the_members_locale_with_what_to_act_on() -> None:
    sent = Sink()
    p = member(sent, locale="fr")
    changes = for_m1(p)
    [entry] = written(changes, INBOX.collection)
    assert entry["title"] == "Nous avons trouvé quelqu'un à qui parler"
    assert entry["kind"] == "match.proposed" and entry["member_id"] == "m1"
    assert set(entry["data"]) == {"match_id", "request_id"}
    assert entry["_id"] == deterministic_id("delivery", "s-1", "m1", "inbox")
    # The same notification again writes the same entry (a duplicate, changed nothing).
    again = for_m1(p)
    assert written(again, INBOX.collection)[0]["_id"] == entry["_id"]


def test_a_reminder_is_an_inbox_entry_in_english_by_default() -> None:
    sent = Sink()
    p = Partition(Notifications(CHAIN, sent, "t"))
    due = CheckinReminderDue.new(
        subject="m1",
        source="t",
        data=CheckinReminderDueData(
            member_id="m1",
            occurrence_id="m1:2026-11-25",
            local_date=T0.date(),
            local_time="09:30",
            time_zone="Europe/Paris",
            due_at=T0,
            window_ends_at=T0 + timedelta(hours=2),
        ),
    )
    [request] = requested(p, due)
    [entry] = written(p.handle(T0, request), INBOX.collection)
    assert entry["kind"] == "checkin.reminder-due" and "09:30" in entry["body"]
    assert entry["data"] == {"local_time": "09:30"}
    assert sent == []  # no channel beyond the inbox without consent and an address


def test_a_notification_goes_to_the_first_channel_with_consent_and_an_address() -> None:
    sent = Sink()
    p = member(sent, **reachable({"email": "m1@x.example"}))  # no push contact: email it is
    for_m1(p)
    [item] = sent.take()
    assert (item.delivery.channel.value, item.address, item.audience) == (
        "email",
        "m1@x.example",
        "seeker",
    )
    again = for_m1(p)
    assert written(again, DELIVERIES.collection) == []  # the same notification: a duplicate
    assert sent == []


def test_no_usable_channel_means_the_inbox_alone() -> None:
    sent = Sink()
    changes = for_m1(member(sent, quiet_hours=None))
    assert [w.collection for w in changes.writes] == [INBOX.collection]
    assert sent == []


def test_a_permanent_failure_falls_back_then_dead_letters_with_a_status_event() -> None:
    sent = Sink()
    p = member(sent, **reachable({"push": "token-1", "email": "m1@x.example"}))
    for_m1(p)
    [push] = sent.take()
    assert push.delivery.channel.value == "push"
    p.handle(T0, failed(push, 1, "permanent"))
    [email] = sent.take()
    assert (email.delivery.channel.value, email.address) == ("email", "m1@x.example")
    last = p.handle(T0 + timedelta(seconds=1), failed(email, 1, "permanent"))
    [record] = events(last)
    assert record["data"]["outcome"] == DeliveryOutcome.DEAD_LETTERED.value
    assert record["data"]["delivery_id"] == email.delivery.delivery_id
    p.tick(T0 + timedelta(days=2))
    assert sent == []


def test_a_retryable_failure_is_retried_later_on_the_same_channel() -> None:
    sent = Sink()
    p = member(sent, **reachable({"email": "m1@x.example"}))
    for_m1(p)
    [item] = sent.take()
    p.handle(T0, failed(item, 1, "retryable"))
    assert sent == []
    p.tick(T0 + timedelta(days=1))
    [retry] = sent.take()
    assert retry.delivery.channel.value == "email" and retry.delivery.attempts == 1
    assert retry.delivery.next_attempt_at is not None and retry.delivery.next_attempt_at > T0


def test_messages_in_quiet_hours_are_gathered_into_one_digest_sent_when_they_end() -> None:
    sent = Sink()
    p = member(
        sent,
        channels={"matching": ["email"], "digest": ["email"]},
        consents={"email": True},
        contacts={"email": "m1@x.example"},
        quiet_hours={"start": "11:00", "end": "13:00"},
        digest_bursts=True,
    )
    for source in ("s-1", "s-2", "s-3"):
        changes = for_m1(p, source_id=source)
        assert len(written(changes, INBOX.collection)) == 1  # the inbox has each one at once
    assert sent == []  # gathered, nothing sent in quiet hours
    p.tick(T0 + timedelta(minutes=30))
    assert sent == []
    flushed = p.tick(T0 + timedelta(hours=1, minutes=1))
    [digest] = sent.take()
    assert (digest.template, dict(digest.context), digest.address) == (
        "notification.digest",
        {"count": 3},
        "m1@x.example",
    )
    assert written(flushed, HISTORIES.collection)[0]["digest"] == []
    p.tick(T0 + timedelta(hours=1, minutes=1, seconds=30))
    assert sent == []  # sent once (its report is on its way)


def test_the_retry_policy_comes_from_the_settings() -> None:
    settings = NotificationsSettings(
        kindred_dev_mode=True, notify_retry_base_seconds=5, notify_retry_max_attempts=2
    )
    sent = Sink()
    p = member(
        sent,
        settings,
        consents={"email": True},
        contacts={"email": "m1@x.example"},
        quiet_hours=None,
    )
    for_m1(p)
    [first] = sent.take()
    failure = p.handle(T0, failed(first, 1, "retryable"))
    [stored] = written(failure, DELIVERIES.collection)
    assert stored["next_attempt_at"] <= T0 + timedelta(seconds=5)  # base 5 s
    p.tick(T0 + timedelta(seconds=5))
    [second] = sent.take()
    last = p.handle(T0 + timedelta(seconds=10), failed(second, 2, "retryable"))
    [record] = last.records  # two attempts, no other channel: dead-lettered
    assert b"dead_lettered" in record.value


def test_a_fallback_to_an_address_taken_back_meanwhile_is_dead_lettered() -> None:
    sent = Sink()
    p = member(sent, **reachable({"push": "token-1", "email": "m1@x.example"}))
    for_m1(p)
    [push] = sent.take()
    # The member withdraws their email address before the push fails for good.
    data = MemberNotificationPreferencesSetData(member_id="m1", **reachable({"push": "token-1"}))
    p.handle(T0, MemberNotificationPreferencesSet.new(subject="m1", source="t", data=data))
    failure = p.handle(T0 + timedelta(seconds=1), failed(push, 1, "permanent"))
    [record] = events(failure)
    assert record["data"]["outcome"] == DeliveryOutcome.DEAD_LETTERED.value
    assert "no address for email" in record["data"]["error_kind"]
    assert sent == [] and len(p.tables[DELIVERIES]) == 0  # nothing left to attempt


def test_a_delivery_that_fell_back_is_not_kept_in_memory() -> None:
    sent = Sink()
    p = member(sent, **reachable({"push": "token-1", "email": "m1@x.example"}))
    for_m1(p)
    [push] = sent.take()
    p.handle(T0, failed(push, 1, "permanent"))
    [email] = sent.take()
    assert [d.key for d in p.tables[DELIVERIES]] == [email.key]
