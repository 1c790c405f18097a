"""Channel adapters: one interface (`ChannelAdapter`), one adapter per channel beyond the
inbox, a registry built from the settings. The sender renders a template, makes an
`OutgoingMessage` and calls `registry[channel].send(message)`; see
docs/notifications-channels.md."""

from kindred.notifications.channels.base import (
    ChannelAdapter,
    DeliveryResult,
    DeliveryStatus,
    OutgoingMessage,
)
from kindred.notifications.channels.email import EmailChannel, SmtpConfig, SmtpTls
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
    "ChannelAdapter",
    "ChannelRegistry",
    "DeliveryResult",
    "DeliveryStatus",
    "EmailChannel",
    "OutgoingMessage",
    "PushChannel",
    "SignatureError",
    "SmsChannel",
    "SmtpConfig",
    "SmtpTls",
    "WebhookChannel",
    "WebhookEndpoint",
    "build_channels",
    "verify_signature",
]
