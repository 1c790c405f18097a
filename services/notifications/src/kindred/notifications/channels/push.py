"""Push notifications through a push gateway: a signed JSON POST.

Body: `{"to": "<device token or member id>", "title": ..., "body": ..., "urgency": ...,
"category": ..., "idempotency_key": "<delivery id>"}`. The gateway fans out to APNs/FCM. The
title and body show on a locked screen: their templates only see the preview-safe context.
A safety page's push also has `ack_url` and `ack_code` at the top (the body, cut to 240
characters, keeps the code but may not fit the link): the app opens the link when tapped.
"""

from __future__ import annotations

from typing import Any

from kindred.events.notifications import Channel
from kindred.notifications.channels.base import DeliveryResult, OutgoingMessage
from kindred.notifications.channels.http import SignedPoster, truncate

PUSH_TITLE_MAX_CHARS = 65
PUSH_BODY_MAX_CHARS = 240


def push_payload(message: OutgoingMessage) -> dict[str, Any]:
    return {
        "to": message.recipient,
        "title": truncate(message.subject, PUSH_TITLE_MAX_CHARS),
        "body": truncate(message.text, PUSH_BODY_MAX_CHARS),
        "urgency": message.urgency.value,
        "category": message.category,
        "idempotency_key": message.delivery_id,
        **{key: message.data[key] for key in ("ack_url", "ack_code") if key in message.data},
    }


class PushChannel:
    def __init__(self, url: str, signing_secret: str, timeout: float) -> None:
        self._poster = SignedPoster(url, signing_secret, timeout)

    @property
    def name(self) -> Channel:
        return Channel.PUSH

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        return await self._poster.post(push_payload(message), message.delivery_id)

    async def aclose(self) -> None:
        await self._poster.aclose()
