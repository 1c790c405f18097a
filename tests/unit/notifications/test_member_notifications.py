"""Member deliveries without I/O: planned by preferences and contacts, retried, falling back
to the next channel, dead-lettered with a status event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kindred.events.notifications import (
    Category,
    DeliveryOutcome,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
)
from kindred.notifications.members import MemberNotifications, requests_for
from kindred.notifications.paging import PageDelivery
from kindred.notifications.settings import NotificationsSettings
from kindred.partitions.processor import Changes

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def changes(at: datetime) -> Changes:
    return Changes("t", now=at)


def setup(contacts: dict[str, str]) -> MemberNotifications:
    members = MemberNotifications(None, "t")
    prefs = MemberNotificationPreferencesSet.new(
        subject="m1",
        source="t",
        data=MemberNotificationPreferencesSetData(
            member_id="m1",
            channels={"matching": ["push", "email"]},
            consents=dict.fromkeys(contacts, True),  # type: ignore[arg-type]
            contacts=contacts,  # type: ignore[arg-type]
            quiet_hours=None,
        ),
    )
    members.preferences_set(0, prefs, changes(T0))
    return members


def request(members: MemberNotifications, at: datetime = T0) -> Changes:
    [event] = requests_for(
        "source-1", at, "match.proposed", [("m1", "seeker")], Category.MATCHING, {}, "t"
    )
    done = changes(at)
    members.requested(0, event, done)
    return done


def due(members: MemberNotifications) -> list[PageDelivery]:
    return [item for _, item in members.due(T0 + timedelta(days=2))]


def failed(item: PageDelivery, attempt: int, kind: str) -> NotificationDeliveryAttempted:
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


def test_a_notification_goes_to_the_first_channel_with_consent_and_an_address() -> None:
    members = setup({"email": "m1@x.example"})  # no push contact: email it is
    request(members)
    [item] = due(members)
    assert (item.delivery.channel.value, item.address, item.audience) == (
        "email",
        "m1@x.example",
        "seeker",
    )
    assert not request(members).writes  # the same notification again: a duplicate


def test_no_usable_channel_means_the_inbox_alone() -> None:
    members = setup({})
    assert not request(members)
    assert due(members) == []


def test_a_permanent_failure_falls_back_then_dead_letters_with_a_status_event() -> None:
    members = setup({"push": "token-1", "email": "m1@x.example"})
    request(members)
    [push] = due(members)
    assert push.delivery.channel.value == "push"
    members.attempted(0, failed(push, 1, "permanent"), changes(T0))
    [email] = due(members)
    assert (email.delivery.channel.value, email.address) == ("email", "m1@x.example")
    last = changes(T0 + timedelta(seconds=1))
    members.attempted(0, failed(email, 1, "permanent"), last)
    assert due(members) == []
    [record] = last.records
    report = NotificationDeliveryAttempted.model_validate_json(record.value)
    assert report.data.outcome is DeliveryOutcome.DEAD_LETTERED
    assert report.data.delivery_id == email.delivery.delivery_id


def test_a_retryable_failure_is_retried_later_on_the_same_channel() -> None:
    members = setup({"email": "m1@x.example"})
    request(members)
    [item] = due(members)
    members.attempted(0, failed(item, 1, "retryable"), changes(T0))
    [retry] = due(members)
    assert retry.delivery.channel.value == "email" and retry.delivery.attempts == 1
    assert retry.delivery.next_attempt_at is not None and retry.delivery.next_attempt_at > T0


def test_messages_in_quiet_hours_are_gathered_into_one_digest_sent_when_they_end() -> None:
    members = MemberNotifications(None, "t")
    prefs = MemberNotificationPreferencesSet.new(
        subject="m1",
        source="t",
        data=MemberNotificationPreferencesSetData(
            member_id="m1",
            channels={"matching": ["email"], "digest": ["email"]},
            consents={"email": True},  # type: ignore[dict-item]
            contacts={"email": "m1@x.example"},  # type: ignore[dict-item]
            quiet_hours={"start": "11:00", "end": "13:00"},  # type: ignore[arg-type]
            digest_bursts=True,
        ),
    )
    members.preferences_set(0, prefs, changes(T0))
    for source in ("s-1", "s-2", "s-3"):
        [event] = requests_for(
            source, T0, "match.proposed", [("m1", "seeker")], Category.MATCHING, {}, "t"
        )
        members.requested(0, event, changes(T0))
    assert due(members) == []  # gathered, nothing sent in quiet hours
    early = changes(T0 + timedelta(minutes=30))
    members.tick(0, early)
    assert due(members) == []
    after = changes(T0 + timedelta(hours=1, minutes=1))
    members.tick(0, after)
    [digest] = due(members)
    assert (digest.template, digest.context, digest.address) == (
        "notification.digest",
        {"count": 3},
        "m1@x.example",
    )
    again = changes(T0 + timedelta(hours=1, minutes=2))
    members.tick(0, again)
    assert len(due(members)) == 1  # sent once


def test_the_retry_policy_comes_from_the_settings() -> None:
    settings = NotificationsSettings(
        kindred_dev_mode=True, notify_retry_base_seconds=5, notify_retry_max_attempts=2
    )
    members = MemberNotifications(None, "t", settings.retry_policy())
    prefs = MemberNotificationPreferencesSet.new(
        subject="m1",
        source="t",
        data=MemberNotificationPreferencesSetData(
            member_id="m1",
            consents={"email": True},  # type: ignore[dict-item]
            contacts={"email": "m1@x.example"},  # type: ignore[dict-item]
            quiet_hours=None,
        ),
    )
    members.preferences_set(0, prefs, changes(T0))
    request(members)
    [first] = due(members)
    members.attempted(0, failed(first, 1, "retryable"), changes(T0))
    [second] = due(members)
    assert second.delivery.next_attempt_at is not None
    assert second.delivery.next_attempt_at <= T0 + timedelta(seconds=5)  # base 5 s
    last = changes(T0 + timedelta(seconds=10))
    members.attempted(0, failed(second, 2, "retryable"), last)
    assert due(members) == []  # two attempts, no other channel: dead-lettered
    [record] = last.records
    assert b"dead_lettered" in record.value
