"""The channels this deployment has, built from its settings: the one place a new channel is
added (its builder below). A channel whose settings are unset is left out."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kindred.events.notifications import Channel
from kindred.notifications.channels.base import ChannelAdapter
from kindred.notifications.channels.email import EmailChannel, SmtpConfig
from kindred.notifications.channels.push import PushChannel
from kindred.notifications.channels.settings import ChannelSettings
from kindred.notifications.channels.sms import SmsChannel
from kindred.notifications.channels.webhook import WebhookChannel, WebhookEndpoint


def _email(settings: ChannelSettings) -> ChannelAdapter | None:
    if settings.smtp_host is None or settings.smtp_from is None:
        return None
    password = settings.smtp_password
    return EmailChannel(
        SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            from_address=settings.smtp_from,
            tls=settings.smtp_tls,
            username=settings.smtp_username,
            password=None if password is None else password.get_secret_value(),
            timeout=settings.smtp_timeout_seconds,
            ca_file=settings.smtp_ca_file,
        )
    )


def _webhook(settings: ChannelSettings) -> ChannelAdapter | None:
    if not settings.webhook_endpoints:
        return None
    endpoints = {
        name: WebhookEndpoint(url=endpoint.url, secret=endpoint.secret.get_secret_value())
        for name, endpoint in settings.webhook_endpoints.items()
    }
    return WebhookChannel(endpoints, timeout=settings.webhook_timeout_seconds)


def _sms(settings: ChannelSettings) -> ChannelAdapter | None:
    url, token, secret = (
        settings.sms_provider_url,
        settings.sms_provider_token,
        settings.sms_signing_secret,
    )
    if url is None or token is None or secret is None:
        return None
    return SmsChannel(
        url,
        token=token.get_secret_value(),
        signing_secret=secret.get_secret_value(),
        timeout=settings.sms_timeout_seconds,
    )


def _push(settings: ChannelSettings) -> ChannelAdapter | None:
    url, secret = settings.push_gateway_url, settings.push_signing_secret
    if url is None or secret is None:
        return None
    return PushChannel(
        url, signing_secret=secret.get_secret_value(), timeout=settings.push_timeout_seconds
    )


BUILDERS: dict[Channel, Callable[[ChannelSettings], ChannelAdapter | None]] = {
    Channel.EMAIL: _email,
    Channel.WEBHOOK: _webhook,
    Channel.SMS: _sms,
    Channel.PUSH: _push,
}


class ChannelRegistry:
    """The configured channels by name (the inbox is no adapter: its entries are written
    where the notification is decided)."""

    def __init__(self, channels: dict[Channel, ChannelAdapter]) -> None:
        self._channels = dict(channels)

    def get(self, name: Channel) -> ChannelAdapter | None:
        return self._channels.get(name)

    def __getitem__(self, name: Channel) -> ChannelAdapter:
        return self._channels[name]

    def __contains__(self, name: object) -> bool:
        return name in self._channels

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._channels)

    def __len__(self) -> int:
        return len(self._channels)

    @property
    def names(self) -> frozenset[Channel]:
        return frozenset(self._channels)

    async def aclose(self) -> None:
        for channel in self._channels.values():
            await channel.aclose()


def build_channels(settings: ChannelSettings) -> ChannelRegistry:
    channels: dict[Channel, ChannelAdapter] = {}
    for name, builder in BUILDERS.items():
        channel = builder(settings)
        if channel is not None:
            channels[name] = channel
    return ChannelRegistry(channels)
