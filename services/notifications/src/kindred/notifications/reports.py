"""How an attempt's outcome travels from the sender to the partition's owner: the
`error_kind` of `notification.delivery-attempted` ("retryable: http 503"), written by the
sender and read back by the owner as the result `next_step` decides on."""

from __future__ import annotations

from dataclasses import dataclass

from kindred.events.notifications import DeliveryOutcome, NotificationDeliveryAttemptedData
from kindred.notifications.channels.base import DeliveryResult

PERMANENT = "permanent"
RETRYABLE = "retryable"


def error_kind(result: DeliveryResult) -> str | None:
    """None when it went through; else whether to retry and the adapter's reason, capped."""
    if result.ok:
        return None
    return f"{RETRYABLE if result.retryable else PERMANENT}: {result.reason}"[:100]


@dataclass(frozen=True)
class ReportedAttempt:
    """An attempt's result as the owner reads it from the report (an `AttemptResult`)."""

    status: str
    retryable: bool
    reason: str
    retry_after: float | None = None

    @classmethod
    def of(cls, data: NotificationDeliveryAttemptedData) -> ReportedAttempt:
        kind, _, reason = (data.error_kind or "").partition(":")
        failed = data.outcome in (DeliveryOutcome.FAILED, DeliveryOutcome.DEAD_LETTERED)
        return cls(
            status="failed" if failed else data.outcome.value,
            retryable=kind.strip() != PERMANENT,
            reason=reason.strip(),
        )
