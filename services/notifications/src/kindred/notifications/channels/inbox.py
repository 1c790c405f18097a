"""The in-app inbox as a channel: no I/O, it only makes the entry document.

Why a channel at all: the engine routes, falls back and records delivery status the same way
for every channel, and the inbox is the fallback of last resort (it cannot be down while the
service is up). `send` returns `sent` with `result.inbox_entry`, the document to insert into
the service's `inbox` collection; the engine stores it in the same partition-log batch as the
delivery's state. Its `_id` is the delivery id, so a replay inserts nothing new (a duplicate
key is success). The shape matches `kindred.notifications.repository.inbox_doc`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kindred.notifications.channels.base import (
    ChannelName,
    DeliveryResult,
    DeliveryStatus,
    OutgoingMessage,
)


def inbox_entry(message: OutgoingMessage, now: datetime) -> dict[str, Any]:
    return {
        "_id": message.delivery_id,
        "member_id": message.recipient,
        "kind": message.category,
        "title": message.subject,
        "body": message.text,
        "data": dict(message.data),
        "source_event_id": message.event_id,
        "urgency": message.urgency.value,
        "created_at": now,
        "read": False,
    }


class InboxChannel:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def name(self) -> ChannelName:
        return ChannelName.INBOX

    def entry(self, message: OutgoingMessage) -> dict[str, Any]:
        return inbox_entry(message, self._clock())

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        return DeliveryResult(DeliveryStatus.SENT, inbox_entry=self.entry(message))

    async def aclose(self) -> None:
        """Nothing held."""
