"""HTTPS webhooks to partner systems: one signed JSON POST per message.

The message's `recipient` names one of the configured endpoints (`WEBHOOK_ENDPOINTS`); each
endpoint has its own URL and signing secret. The body:

    {"delivery_id": ..., "event_id": ..., "category": "safety.alert-raised",
     "urgency": "urgent", "subject": ..., "text": ..., "data": {...}}

A safety page's body also has `ack_url` and `ack_code` at the top: its one-time link and short
code, to acknowledge it from the receiving system.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kindred.events.notifications import Channel
from kindred.notifications.channels.base import DeliveryResult, OutgoingMessage
from kindred.notifications.channels.http import SignedPoster


@dataclass(frozen=True)
class WebhookEndpoint:
    url: str
    secret: str


def webhook_payload(message: OutgoingMessage) -> dict[str, Any]:
    return {
        "delivery_id": message.delivery_id,
        "event_id": message.event_id,
        "category": message.category,
        "urgency": message.urgency.value,
        "subject": message.subject,
        "text": message.text,
        "data": dict(message.data),
        **{key: message.data[key] for key in ("ack_url", "ack_code") if key in message.data},
    }


class WebhookChannel:
    def __init__(self, endpoints: Mapping[str, WebhookEndpoint], timeout: float) -> None:
        self._posters = {
            name: SignedPoster(endpoint.url, endpoint.secret, timeout)
            for name, endpoint in endpoints.items()
        }

    @property
    def name(self) -> Channel:
        return Channel.WEBHOOK

    @property
    def endpoints(self) -> frozenset[str]:
        return frozenset(self._posters)

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        poster = self._posters.get(message.recipient)
        if poster is None:
            return DeliveryResult.fail("unknown webhook endpoint")
        return await poster.post(webhook_payload(message), message.delivery_id)

    async def aclose(self) -> None:
        for poster in self._posters.values():
            await poster.aclose()
