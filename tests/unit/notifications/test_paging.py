"""Safety pages through the notifications processor, without I/O: what an alert, a copy of it,
an attempt report, a tick and an acknowledgement change, as the partition's owner commits it,
and what goes to the sender when."""

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
from kindred.notifications.domain.deliveries import DeliveryState, Dispatch
from kindred.notifications.domain.escalations import Chain, page_id
from kindred.notifications.handlers import Notifications
from kindred.notifications.repository import ALERTS, ESCALATIONS, INBOX, PAGES
from kindred.safety.rules import Rule, Severity
from tests.support.partitions import Partition, Sink, events, written

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CHAIN = Chain.from_json(
    '{"levels": [{"id": "on-call-1", "contacts": {"email": "a@x.example", "inbox": "s1"}},'
    ' {"id": "on-call-2", "contacts": {"sms": "+15550000002"}}],'
    ' "fallback": {"id": "lead", "contacts": {"email": "lead@x.example"}}}',
    ack_seconds=60,
    urgent_ack_seconds=60,
    repage_seconds=60,
)
IN_FLIGHT = 30


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


def report(
    page: Dispatch, attempt: int, outcome: DeliveryOutcome, at: datetime
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


def ack(raised: SafetyAlertRaised, staff: str = "on-call-2") -> SafetyAlertAckRequested:
    return SafetyAlertAckRequested.new(
        subject="m1",
        source="t",
        data=SafetyAlertAckRequestedData(
            alert_id=raised.data.alert_id, member_id="m1", staff_id=staff
        ),
    )


@pytest.fixture
def sent() -> Sink:
    return Sink()


@pytest.fixture
def paging(sent: Sink) -> Partition:
    return Partition(Notifications(CHAIN, sent, "t", in_flight_seconds=IN_FLIGHT))


def test_an_alert_pages_the_first_person_on_every_channel_once(
    paging: Partition, sent: Sink
) -> None:
    raised = alert()
    first = paging.handle(T0, raised, commit=False)
    assert [e["type"] for e in events(first)] == ["kindred.safety.alert-escalated.v1"]
    # The inbox page is written with the page; the email goes to the sender once committed.
    [inbox] = [e for e in written(first, INBOX.collection) if e["member_id"] == "s1"]
    assert inbox["member_id"] == "s1" and inbox["kind"] == "safety.alert-raised"
    assert inbox["urgency"] == "urgent"
    # The staff console can act on it: the alert, the member and where to acknowledge.
    data = inbox["data"]
    assert (data["alert_id"], data["member_id"], data["level"]) == (raised.data.alert_id, "m1", 0)
    assert data["ack"] == f"/v1/safety/members/m1/alerts/{raised.data.alert_id}/ack"
    assert "phq9_item9" not in str(inbox)  # what fired is for the console's reader, not a preview
    assert sent == []
    paging.commit(first)
    [page] = sent.take()
    assert (page.delivery.channel.value, page.address) == ("email", "a@x.example")
    stored = {d["channel"]: d for d in written(first, PAGES.collection)}
    assert page.key == stored["email"]["_id"]
    assert stored["inbox"]["status"] == DeliveryState.SENT.value  # written with the page
    # A copy of the alert starts nothing more.
    assert not paging.handle(T0, raised)
    assert sent == []


def test_a_page_not_reported_back_is_made_again_after_the_in_flight_time(
    paging: Partition, sent: Sink
) -> None:
    paging.handle(T0, alert())
    [page] = sent.take()
    paging.tick(T0 + timedelta(seconds=IN_FLIGHT - 1))
    assert sent == []  # its report may be on its way
    paging.tick(T0 + timedelta(seconds=IN_FLIGHT))
    [again] = sent.take()
    assert again.key == page.key and again.delivery.attempts == 0  # the same attempt


def test_a_failed_attempt_is_retried_and_a_stale_report_is_ignored(
    paging: Partition, sent: Sink
) -> None:
    paging.handle(T0, alert())
    [page] = sent.take()
    failed = paging.handle(T0 + timedelta(seconds=1), report(page, 1, DeliveryOutcome.FAILED, T0))
    [stored] = written(failed, PAGES.collection)
    assert (stored["attempts"], stored["status"]) == (1, DeliveryState.FAILED.value)
    retry_at = stored["next_attempt_at"]
    assert retry_at > T0
    assert sent == []  # not before its time
    # A copy of the same report changes nothing.
    assert not paging.handle(T0 + timedelta(seconds=1), report(page, 1, DeliveryOutcome.FAILED, T0))
    paging.tick(retry_at)
    [retry] = sent.take()
    assert retry.delivery.attempts == 1
    done = paging.handle(retry_at, report(retry, 2, DeliveryOutcome.SENT, retry_at))
    [put] = written(done, PAGES.collection)
    assert put["status"] == DeliveryState.SENT.value
    paging.tick(retry_at + timedelta(minutes=1))
    assert page.key not in {d.key for d in sent}  # sent: never again


def test_an_unacknowledged_alert_moves_up_on_its_deadline_and_an_ack_stops_it(
    paging: Partition, sent: Sink
) -> None:
    raised = alert()
    paging.handle(T0, raised)
    [email] = sent.take()
    assert not paging.tick(T0 + timedelta(seconds=59)).records
    assert [d.key for d in sent.take()] == [email.key]  # never reported: made again
    late = paging.tick(T0 + timedelta(seconds=60))
    [record] = late.records
    escalated = SafetyAlertEscalated.model_validate_json(record.value)
    assert (escalated.data.level, escalated.data.paged) == (1, "on-call-2")
    assert escalated.id == deterministic_id(
        "event", "alert-escalated", page_id(raised.data.alert_id, 1, 0)
    )
    assert "+1555" not in record.value.decode()  # who was paged, never the address
    [sms] = sent.take()
    assert (sms.delivery.channel.value, sms.template) == ("sms", "safety.escalated")
    assert sms.context["level"] == 1

    done = paging.handle(T0 + timedelta(seconds=70), ack(raised))
    [ack_record] = done.records
    acknowledged = SafetyAlertAcknowledged.model_validate_json(ack_record.value)
    assert (acknowledged.data.staff_id, acknowledged.data.level) == ("on-call-2", 1)
    assert acknowledged.id == deterministic_id("event", "alert-acknowledged", raised.data.alert_id)
    # The pages still being retried are cancelled: the email of level 0, the sms of level 1.
    cancelled = [d["status"] for d in written(done, PAGES.collection)]
    assert cancelled == [DeliveryState.CANCELLED.value] * 2
    [stored] = written(done, ESCALATIONS.collection)
    assert (stored["status"], stored["acknowledged_by"]) == ("acknowledged", "on-call-2")
    # A second acknowledgement changes nothing while it is kept.
    assert not paging.handle(T0 + timedelta(seconds=80), ack(raised, "someone-else"))
    later = paging.tick(T0 + timedelta(hours=3))
    assert not later.records and not written(later, PAGES.collection)  # never paged again
    assert sent == []
    # Kept an hour, then forgotten: out of memory and of `escalations`, its summary kept.
    assert paging.tables[ESCALATIONS].get(raised.data.alert_id) is None
    assert paging.docs(ESCALATIONS.collection) == []
    [summary] = paging.docs(ALERTS.collection)
    assert (summary["_id"], summary["acknowledged_by"], summary["level"]) == (
        raised.data.alert_id,
        "on-call-2",
        1,
    )
    assert not paging.handle(T0 + timedelta(hours=3), ack(raised, "someone-else")).records


def test_a_new_owner_continues_the_escalation_and_its_pages_from_the_documents(
    paging: Partition, sent: Sink
) -> None:
    raised = alert()
    paging.handle(T0, raised)
    [page] = sent.take()
    reborn = paging.new_owner(Notifications(CHAIN, sent, "t", in_flight_seconds=IN_FLIGHT))
    # The page whose report never came is made again at the first tick; no new page yet.
    first = reborn.tick(T0 + timedelta(seconds=1))
    assert first.records == []
    [again] = sent.take()
    assert again.key == page.key
    # The deadline stored is kept: level 1 at 60 s, once.
    assert not reborn.tick(T0 + timedelta(seconds=59)).records
    [record] = reborn.tick(T0 + timedelta(seconds=60)).records
    assert SafetyAlertEscalated.model_validate_json(record.value).data.level == 1
    # An acknowledgement reaches the escalation the new owner holds.
    assert reborn.handle(T0 + timedelta(seconds=61), ack(raised)).records


def test_a_page_goes_to_the_sender_without_waiting_for_the_rest_of_the_commit(
    paging: Partition, sent: Sink
) -> None:
    """The hand-over of a page is urgent: it runs once the log holds the batch, or ahead of a
    log that cannot be written (the runtime's `URGENT_PUBLISH_AFTER_SECONDS`), not after."""
    changes = paging.handle(T0, alert(), commit=False)
    for callback in changes.urgent_after:  # all the runtime runs before the writes and events
        callback()
    assert [d.delivery.channel.value for d in sent] == ["email"]


def test_a_console_entry_says_where_to_acknowledge_even_for_an_escalation_stored_without_it(
    sent: Sink,
) -> None:
    """An escalation stored before its context carried the level and the acknowledgement path
    (or with any context at all) still gives the console what it acts on."""
    chain = Chain.from_json(
        '{"levels": [{"id": "on-call-1", "contacts": {"email": "a@x.example"}},'
        ' {"id": "on-call-2", "contacts": {"inbox": "s2"}}],'
        ' "fallback": {"id": "lead", "contacts": {"inbox": "lead"}}}',
        ack_seconds=60,
        urgent_ack_seconds=60,
    )
    first = Partition(Notifications(chain, sent, "t"))
    raised = alert()
    first.handle(T0, raised)
    [stored] = first.docs(ESCALATIONS.collection)
    stored["context"] = {"alert_short_id": "abc"}  # what an older document may hold
    reborn = first.new_owner(Notifications(chain, sent, "t"))
    [entry] = written(reborn.tick(T0 + timedelta(seconds=60)), INBOX.collection)
    data = entry["data"]
    assert (data["alert_id"], data["member_id"], data["level"]) == (raised.data.alert_id, "m1", 1)
    assert data["ack"] == f"/v1/safety/members/m1/alerts/{raised.data.alert_id}/ack"
