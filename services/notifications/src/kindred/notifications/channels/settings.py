"""The channels' settings, mixed into `NotificationsSettings`.

A channel whose URL (or SMTP host) is unset is not configured: the registry leaves it out. So
nothing is contacted by default. None of these secrets has a default, dev-only or otherwise:
a configured channel without its secret stops the service at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kindred.events.notifications import Channel
from kindred.notifications.channels.email import SmtpTls
from kindred.notifications.channels.http import check_url

# What configures each channel beyond the inbox (the registry builds its adapter from these).
NEEDS: dict[Channel, str] = {
    Channel.EMAIL: "SMTP_HOST and SMTP_FROM",
    Channel.WEBHOOK: "WEBHOOK_ENDPOINTS",
    Channel.SMS: "SMS_PROVIDER_URL, SMS_PROVIDER_TOKEN and SMS_SIGNING_SECRET",
    Channel.PUSH: "PUSH_GATEWAY_URL and PUSH_SIGNING_SECRET",
}


class WebhookEndpointSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(repr=False)
    # The HMAC-SHA256 key the receiver verifies `Kindred-Signature` with.
    secret: SecretStr = Field(min_length=32)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)


class ChannelSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    # Email (SMTP). SMTP_HOST unset: no email channel.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # starttls (required upgrade), ssl (implicit TLS, port 465) or none (a local relay only).
    smtp_tls: SmtpTls = SmtpTls.STARTTLS
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # The From address; its domain also names the Message-IDs.
    smtp_from: str | None = None
    # A CA bundle to trust instead of the system's, for a relay with a private CA.
    smtp_ca_file: str | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # Webhooks: JSON, {"<endpoint name>": {"url": "https://...", "secret": "<32+ chars>"}}.
    # A message to a webhook names its endpoint as the recipient. Empty: no webhook channel.
    webhook_endpoints: dict[str, WebhookEndpointSettings] = Field(default_factory=dict)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # SMS through a provider's HTTP API. SMS_PROVIDER_URL unset: no SMS channel.
    sms_provider_url: str | None = Field(default=None, repr=False)
    sms_provider_token: SecretStr | None = None
    sms_signing_secret: SecretStr | None = Field(default=None, min_length=32)
    sms_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # Push through a push gateway. PUSH_GATEWAY_URL unset: no push channel.
    push_gateway_url: str | None = Field(default=None, repr=False)
    push_signing_secret: SecretStr | None = Field(default=None, min_length=32)
    push_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @field_validator("sms_provider_url", "push_gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.smtp_host is not None:
            if not self.smtp_from or "@" not in self.smtp_from:
                raise ValueError("SMTP_HOST is set: SMTP_FROM needs an email address")
            if (self.smtp_username is None) != (self.smtp_password is None):
                raise ValueError("set both SMTP_USERNAME and SMTP_PASSWORD, or neither")
        if self.sms_provider_url is not None and (
            self.sms_provider_token is None or self.sms_signing_secret is None
        ):
            raise ValueError(
                "SMS_PROVIDER_URL is set: SMS_PROVIDER_TOKEN and SMS_SIGNING_SECRET are needed"
            )
        if self.push_gateway_url is not None and self.push_signing_secret is None:
            raise ValueError("PUSH_GATEWAY_URL is set: PUSH_SIGNING_SECRET is needed")
        return self

    def configured(self) -> frozenset[Channel]:
        """The channels these settings configure (the inbox needs none: it is always there)."""
        found = {Channel.INBOX}
        if self.smtp_host is not None and self.smtp_from is not None:
            found.add(Channel.EMAIL)
        if self.webhook_endpoints:
            found.add(Channel.WEBHOOK)
        if self.sms_provider_url and self.sms_provider_token and self.sms_signing_secret:
            found.add(Channel.SMS)
        if self.push_gateway_url is not None and self.push_signing_secret is not None:
            found.add(Channel.PUSH)
        return frozenset(found)

    def unreachable(self, contacts: Mapping[str, Mapping[Channel, str]]) -> list[str]:
        """What of these contacts (by who they are: "level 0 (on-call-1)") nothing here can
        reach: a channel with no settings, a webhook endpoint not in WEBHOOK_ENDPOINTS."""
        configured = self.configured()
        problems = []
        for who, addresses in contacts.items():
            for channel, address in addresses.items():
                if channel not in configured:
                    problems.append(
                        f"{who}: {channel.value} has no settings (set {NEEDS[channel]})"
                    )
                elif channel is Channel.WEBHOOK and address not in self.webhook_endpoints:
                    problems.append(
                        f"{who}: webhook endpoint {address!r} is not in WEBHOOK_ENDPOINTS"
                    )
        return problems
