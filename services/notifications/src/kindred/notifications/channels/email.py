"""Email over SMTP with aiosmtplib: a text part always, an HTML alternative when the template
has one, `Message-ID` derived from the delivery id.

TLS: `ssl` (implicit TLS, usually port 465), `starttls` (required upgrade, usually 587) or
`none` (plain: a local relay or a test server only). Authentication when a user is set.
SMTP replies: 4xx is retryable, 5xx permanent; timeouts and dropped connections retryable.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum

import aiosmtplib

from kindred.events.notifications import Channel, MessageUrgency
from kindred.notifications.channels.base import (
    DeliveryResult,
    OutgoingMessage,
)
from kindred.notifications.channels.signing import DELIVERY_ID_HEADER


class SmtpTls(StrEnum):
    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    tls: SmtpTls = SmtpTls.STARTTLS
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    # A CA bundle to trust instead of the system's (a private relay's own CA).
    ca_file: str | None = None

    def __repr__(self) -> str:  # never the password
        return (
            f"SmtpConfig(host={self.host!r}, port={self.port}, tls={self.tls.value!r}, "
            f"user={'set' if self.username else 'none'})"
        )


def message_id_for(delivery_id: str, domain: str) -> str:
    """`<hash@domain>`: the same delivery id always makes the same Message-ID, so a receiving
    system (and a human's mail client) sees a retry as the same message."""
    digest = hashlib.sha256(delivery_id.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def build_email(message: OutgoingMessage, from_address: str) -> EmailMessage:
    """The MIME message; raises ValueError for an unusable recipient address."""
    sender = Address(addr_spec=from_address)
    recipient = Address(addr_spec=message.recipient)
    if not recipient.domain or not recipient.username:
        raise ValueError("recipient is not an email address")
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = _one_line(message.subject)
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = message_id_for(message.delivery_id, sender.domain or "localhost")
    mail[DELIVERY_ID_HEADER] = message.delivery_id
    mail["Auto-Submitted"] = "auto-generated"
    if message.urgency is MessageUrgency.URGENT:
        mail["Importance"] = "high"
    mail.set_content(message.text)
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html")
    return mail


def _classify(exc: BaseException) -> DeliveryResult:
    if isinstance(exc, TimeoutError | aiosmtplib.SMTPTimeoutError):
        return DeliveryResult.retry("timeout")
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        code = codes[0] if codes else 0
        if any(400 <= c < 500 for c in codes):
            return DeliveryResult.retry(f"smtp {code}")
        return DeliveryResult.fail(f"smtp {code}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if 500 <= exc.code < 600:
            return DeliveryResult.fail(f"smtp {exc.code}")
        return DeliveryResult.retry(f"smtp {exc.code}")
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        # e.g. STARTTLS required and the server does not offer it: a configuration problem.
        return DeliveryResult.fail("smtp extension not supported")
    return DeliveryResult.retry(f"connection error ({type(exc).__name__})")


class EmailChannel:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    @property
    def name(self) -> Channel:
        return Channel.EMAIL

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        config = self.config
        try:
            mail = build_email(message, config.from_address)
        except ValueError:
            return DeliveryResult.fail("invalid recipient address")
        try:
            async with asyncio.timeout(config.timeout):
                await aiosmtplib.send(
                    mail,
                    hostname=config.host,
                    port=config.port,
                    username=config.username,
                    password=config.password,
                    use_tls=config.tls is SmtpTls.SSL,
                    start_tls=config.tls is SmtpTls.STARTTLS,
                    cert_bundle=config.ca_file,
                    timeout=config.timeout,
                )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return _classify(exc)
        return DeliveryResult.sent()

    async def aclose(self) -> None:
        """Nothing held: each send opens and closes its own SMTP session."""
