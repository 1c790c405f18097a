"""The paging component without I/O: what an alert, a copy of it, an attempt report, a tick
and an acknowledgement change, as the partition's owner commits it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kindred.events.envelope import deterministic_id, new_id
from kindred.events.notifications import (
    DeliveryOutcome,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
    SafetyAlertAcknowledged,
    SafetyAlertAckRequested,
    SafetyAlertAckRequestedData,
    SafetyAlertEscalated,
)
from kindred.events.safety import SafetyAlertRaised, SafetyAlertRaisedData, TriggerFired
from kindred.notifications.domain.escalations import Chain
from kindred.notifications.domain.retries import DeliveryState
from kindred.notifications.paging import PAGES, PageDelivery, Paging
from kindred.notifications.repository import INBOX
from kindred.partitions.processor import Changes
from kindred.safety.rules import Rule, Severity
from kindred.storage.writes import Insert, Put

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CHAIN = Chain.from_json(
    '{"levels": [{"id": "on-call-1", "contacts": {"email": "a@x.example", "inbox": "s1"}},'
    ' {"id": "on-call-2", "contacts": {"sms": "+15550000002"}}],'
    ' "fallback": {"id": "lead", "contacts": {"email": "lead@x.example"}}}',
    ack_seconds=60,
    urgent_ack_seconds=60,
    repage_seconds=60,
)


def alert() -> SafetyAlertRaised:
    checkin_id = new_id()
    alert_id = deterministic_id("safety.alert", checkin_id)
    return SafetyAlertRaised.new(
        id=alert_id,
        subject="m1",
        source="t",
        data=SafetyAlertRaisedData(
            alert_id=alert_id,
            member_id="m1",
            checkin_id=checkin_id,
            severity=Severity.URGENT,
            triggers=[TriggerFired(rule=Rule.PHQ9_ITEM9, severity=Severity.URGENT)],
            accepted_at=T0,
            raised_at=T0,
            episode_id=new_id(),
        ),
    )


def changes(at: datetime) -> Changes:
    return Changes("t", now=at)


def pending(paging: Paging) -> list[PageDelivery]:
    return [page for _, page in paging.due(T0 + timedelta(days=1))]


def report(
    page: PageDelivery, attempt: int, outcome: DeliveryOutcome, at: datetime
) -> NotificationDeliveryAttempted:
    return NotificationDeliveryAttempted.new(
        subject="m1",
        source="t",
        data=NotificationDeliveryAttemptedData(
            delivery_id=page.delivery.delivery_id,
            source_event_id=page.delivery.source_event_id,
            recipient=page.delivery.recipient,
            channel=page.delivery.channel,
            category=page.delivery.category,
            attempt=attempt,
            outcome=outcome,
            error_kind=None if outcome is DeliveryOutcome.SENT else "retryable: http 503",
            at=at,
        ),
    )


@pytest.fixture
def paging() -> Paging:
    return Paging(None, CHAIN, "t")


def test_an_alert_pages_the_first_person_on_every_channel_once(paging: Paging) -> None:
    raised, woken = alert(), []
    paging.wake = lambda: woken.append(1)
    first = changes(T0)
    paging.alert_raised(0, raised, first)
    events = [r.topic for r in first.records]
    assert events == ["t.safety.alert-escalated"]
    # The inbox page is written with the page; the email waits for the sender.
    inbox = [w for w in first.writes if isinstance(w, Insert) and w.collection == INBOX]
    assert [w.doc["member_id"] for w in inbox] == ["s1"]
    # The staff console can act on it: the alert, the member and where to acknowledge.
    data = inbox[0].doc["data"]
    assert (data["alert_id"], data["member_id"]) == (raised.data.alert_id, "m1")
    assert data["ack"] == f"/v1/safety/members/m1/alerts/{raised.data.alert_id}/ack"
    assert [p.delivery.channel.value for p in pending(paging)] == ["email"]
    assert pending(paging)[0].address == "a@x.example"
    for callback in first.after_commit:
        callback()
    assert woken
    # A copy of the alert starts nothing more.
    copy = changes(T0)
    paging.alert_raised(0, raised, copy)
    assert not copy


def test_a_failed_attempt_is_retried_and_a_stale_report_is_ignored(paging: Paging) -> None:
    paging.alert_raised(0, alert(), changes(T0))
    [page] = pending(paging)
    failed = changes(T0 + timedelta(seconds=1))
    assert paging.attempted(0, report(page, 1, DeliveryOutcome.FAILED, T0), failed)
    [retry] = pending(paging)
    assert retry.delivery.attempts == 1
    assert retry.delivery.next_attempt_at is not None and retry.delivery.next_attempt_at > T0
    assert [w.collection for w in failed.writes] == [PAGES]
    again = changes(T0 + timedelta(seconds=1))
    paging.attempted(0, report(page, 1, DeliveryOutcome.FAILED, T0), again)  # a copy
    assert not again
    sent = changes(T0 + timedelta(seconds=20))
    paging.attempted(0, report(retry, 2, DeliveryOutcome.SENT, T0), sent)
    assert pending(paging) == []
    [put] = [w for w in sent.writes if isinstance(w, Put)]
    assert put.doc["status"] == DeliveryState.SENT.value


def test_an_unacknowledged_alert_moves_up_on_its_deadline_and_an_ack_stops_it(
    paging: Paging,
) -> None:
    raised = alert()
    paging.alert_raised(0, raised, changes(T0))
    early = changes(T0 + timedelta(seconds=59))
    paging.tick(0, early)
    assert not early
    late = changes(T0 + timedelta(seconds=60))
    paging.tick(0, late)
    [record] = late.records
    escalated = SafetyAlertEscalated.model_validate_json(record.value)
    assert (escalated.data.level, escalated.data.paged) == (1, "on-call-2")
    assert {p.delivery.channel.value for p in pending(paging)} == {"email", "sms"}

    ack = SafetyAlertAckRequested.new(
        subject="m1",
        source="t",
        data=SafetyAlertAckRequestedData(
            alert_id=raised.data.alert_id, member_id="m1", staff_id="on-call-2"
        ),
    )
    done = changes(T0 + timedelta(seconds=70))
    paging.ack_requested(0, ack, done)
    [ack_record] = done.records
    acknowledged = SafetyAlertAcknowledged.model_validate_json(ack_record.value)
    assert (acknowledged.data.staff_id, acknowledged.data.level) == ("on-call-2", 1)
    assert pending(paging) == []  # the pages still being retried are cancelled
    cancelled = [w.doc["status"] for w in done.writes if w.collection == PAGES]
    assert cancelled == [DeliveryState.CANCELLED.value] * 2
    later = changes(T0 + timedelta(hours=3))
    paging.tick(0, later)
    assert not later  # never paged again
    second = changes(T0 + timedelta(hours=3))
    paging.ack_requested(0, ack, second)
    assert not second
