"""What every channel adapter takes and returns, and the one interface they share.

An adapter turns an `OutgoingMessage` (already rendered from a template) into one delivery
attempt and reports a `DeliveryResult`. It never retries by itself, never raises for a failed
delivery and never waits longer than its configured timeout: retries, backoff, fallback
channels and dead letters belong to the delivery engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from kindred.events.notifications import Channel, MessageUrgency
from kindred.notifications.domain.templates import Rendered


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message for one recipient on one channel.

    `delivery_id` is the idempotency key: the engine derives it from the event, the recipient
    and the channel, so a retried or replayed delivery carries the same id (the email's
    Message-ID, the webhooks' `Kindred-Delivery-Id` header and `idempotency_key` field, the
    inbox entry's `_id`). `recipient` is the address on this channel: an email address, a
    webhook endpoint's name, a phone number in E.164 form, a push device token or member id,
    the member id for the inbox.
    """

    delivery_id: str
    recipient: str
    subject: str
    text: str
    html: str | None = None
    # The event type the message is about ("safety.alert-raised"): receivers route on it.
    category: str = ""
    urgency: MessageUrgency = MessageUrgency.NORMAL
    # The event the message came from, when there is one.
    event_id: str | None = None
    # Structured fields for machine receivers (webhook payloads, the inbox entry's data):
    # JSON values only, from the template's allow-list (see `kindred.notifications.templates`).
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls, rendered: Rendered, delivery_id: str, recipient: str, event_id: str | None = None
    ) -> OutgoingMessage:
        """A template's rendering as the message for one recipient on its channel."""
        return cls(
            delivery_id=delivery_id,
            recipient=recipient,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            category=rendered.event_type,
            urgency=rendered.urgency,
            event_id=event_id,
            data=rendered.data,
        )

    def __post_init__(self) -> None:
        if not self.delivery_id:
            raise ValueError("an outgoing message needs a delivery id")
        if not self.recipient:
            raise ValueError("an outgoing message needs a recipient")


class DeliveryStatus(StrEnum):
    # Handed to the provider (SMTP server, webhook receiver, SMS or push gateway), which
    # accepted it; it has not said the recipient got it.
    SENT = "sent"
    # The provider confirmed delivery to the recipient.
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one attempt.

    `reason` is short and machine-like ("http 503", "smtp 550", "timeout"): it never holds
    message content, addresses, provider response bodies or secrets, so it can go into logs,
    metrics labels' neighbours and delivery status events.
    """

    status: DeliveryStatus
    # Only for FAILED: worth trying again later (timeouts, 4xx SMTP, 408/429/5xx HTTP).
    retryable: bool = False
    reason: str = ""
    # Seconds the provider asked us to wait before the next attempt (Retry-After), if it did.
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not DeliveryStatus.FAILED

    @property
    def permanent(self) -> bool:
        """Failed in a way another attempt on this channel will not fix: fall back instead."""
        return self.status is DeliveryStatus.FAILED and not self.retryable

    @classmethod
    def sent(cls) -> DeliveryResult:
        return cls(DeliveryStatus.SENT)

    @classmethod
    def delivered(cls) -> DeliveryResult:
        return cls(DeliveryStatus.DELIVERED)

    @classmethod
    def retry(cls, reason: str, retry_after: float | None = None) -> DeliveryResult:
        return cls(DeliveryStatus.FAILED, retryable=True, reason=reason, retry_after=retry_after)

    @classmethod
    def fail(cls, reason: str) -> DeliveryResult:
        return cls(DeliveryStatus.FAILED, retryable=False, reason=reason)


@runtime_checkable
class ChannelAdapter(Protocol):
    """A delivery channel's adapter. `send` makes one attempt, bounded by the channel's
    timeout, and reports the outcome instead of raising; `aclose` releases connections at
    shutdown."""

    @property
    def name(self) -> Channel: ...

    async def send(self, message: OutgoingMessage) -> DeliveryResult: ...

    async def aclose(self) -> None: ...
