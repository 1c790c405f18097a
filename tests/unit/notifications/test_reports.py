"""An attempt's result survives the trip from the sender to the partition's owner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kindred.events.notifications import (
    Category,
    Channel,
    DeliveryOutcome,
    NotificationDeliveryAttemptedData,
)
from kindred.notifications.channels.base import DeliveryResult, DeliveryStatus
from kindred.notifications.domain.deliveries import ReportedAttempt, error_kind


def report(result: DeliveryResult) -> NotificationDeliveryAttemptedData:
    outcome = {
        DeliveryStatus.SENT: DeliveryOutcome.SENT,
        DeliveryStatus.DELIVERED: DeliveryOutcome.DELIVERED,
        DeliveryStatus.FAILED: DeliveryOutcome.FAILED,
    }[result.status]
    return NotificationDeliveryAttemptedData(
        delivery_id="d1",
        source_event_id="e1",
        recipient="m1",
        channel=Channel.EMAIL,
        category=Category.MATCHING,
        attempt=1,
        outcome=outcome,
        error_kind=error_kind(result),
        at=datetime(2026, 11, 25, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (DeliveryResult.sent(), ("sent", True, "")),
        (DeliveryResult.delivered(), ("delivered", True, "")),
        (DeliveryResult.retry("http 503"), ("failed", True, "http 503")),
        (DeliveryResult.fail("smtp 550"), ("failed", False, "smtp 550")),
    ],
)
def test_the_owner_reads_back_what_the_sender_reported(
    result: DeliveryResult, expected: tuple[str, bool, str]
) -> None:
    read = ReportedAttempt.of(report(result))
    assert (read.status, read.retryable, read.reason) == expected
