"""Channel adapters: one interface (`Channel`), one adapter per channel, a registry built from
the settings. The delivery engine renders a template, makes an `OutgoingMessage` and calls
`registry[name].send(message)`; see docs/notifications-channels.md."""

from kindred.notifications.channels.base import (
    Channel,
    ChannelName,
    DeliveryResult,
    DeliveryStatus,
    OutgoingMessage,
    Urgency,
)
from kindred.notifications.channels.email import EmailChannel, SmtpConfig, SmtpTls
from kindred.notifications.channels.inbox import InboxChannel
from kindred.notifications.channels.push import PushChannel
from kindred.notifications.channels.registry import ChannelRegistry, build_channels
from kindred.notifications.channels.signing import (
    DELIVERY_ID_HEADER,
    SIGNATURE_HEADER,
    SignatureError,
    verify_signature,
)
from kindred.notifications.channels.sms import SmsChannel
from kindred.notifications.channels.webhook import WebhookChannel, WebhookEndpoint

__all__ = [
    "DELIVERY_ID_HEADER",
    "SIGNATURE_HEADER",
    "Channel",
    "ChannelName",
    "ChannelRegistry",
    "DeliveryResult",
    "DeliveryStatus",
    "EmailChannel",
    "InboxChannel",
    "OutgoingMessage",
    "PushChannel",
    "SignatureError",
    "SmsChannel",
    "SmtpConfig",
    "SmtpTls",
    "Urgency",
    "WebhookChannel",
    "WebhookEndpoint",
    "build_channels",
    "verify_signature",
]
