"""SMS through a provider's HTTP API: a signed JSON POST with a bearer token.

Body: `{"to": "<E.164 number>", "body": "<at most 320 characters>", "idempotency_key":
"<delivery id>"}`. Two concatenated SMS segments hold 320 GSM-7 characters; a longer text is
cut at a word boundary and ends with "...". What an SMS may say is decided by its template,
which only ever sees the preview-safe context (see `kindred.notifications.templates`).
"""

from __future__ import annotations

from typing import Any

from kindred.events.notifications import Channel
from kindred.notifications.channels.base import DeliveryResult, OutgoingMessage
from kindred.notifications.channels.http import SignedPoster, truncate

# A page carries its one-time link (a signed token of about 380 characters) and its code:
# up to five concatenated segments.
SMS_MAX_CHARS = 640


def sms_payload(message: OutgoingMessage) -> dict[str, Any]:
    return {
        "to": message.recipient,
        "body": truncate(message.text, SMS_MAX_CHARS),
        "idempotency_key": message.delivery_id,
    }


class SmsChannel:
    def __init__(self, url: str, token: str, signing_secret: str, timeout: float) -> None:
        self._poster = SignedPoster(url, signing_secret, timeout, bearer_token=token)

    @property
    def name(self) -> Channel:
        return Channel.SMS

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        return await self._poster.post(sms_payload(message), message.delivery_id)

    async def aclose(self) -> None:
        await self._poster.aclose()
