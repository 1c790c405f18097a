"""The email channel against a real SMTP server (aiosmtpd on 127.0.0.1, a free port): what
arrives (headers, text and HTML parts, Message-ID from the delivery id), 4xx retryable, 5xx
permanent, and a server that never answers is a retryable failure within the timeout."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kindred.events.notifications import Channel, MessageUrgency
from kindred.notifications.channels import (
    DeliveryStatus,
    EmailChannel,
    OutgoingMessage,
    SmtpConfig,
    SmtpTls,
)
from kindred.notifications.channels.email import message_id_for
from kindred.notifications.domain.templates import Audience, render

FROM = "no-reply@kindred.example"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Recorder:
    """Accepts mail, or answers RCPT with a set reply."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.rcpt_reply: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def recorder(smtp: tuple[Recorder, int]) -> Recorder:
    recorder = smtp[0]
    recorder.messages.clear()
    recorder.rcpt_reply = None
    return recorder


def _channel(port: int, timeout: float = 5.0) -> EmailChannel:
    return EmailChannel(
        SmtpConfig(
            host="127.0.0.1", port=port, from_address=FROM, tls=SmtpTls.NONE, timeout=timeout
        )
    )


async def test_a_rendered_email_arrives_with_both_parts(
    smtp: tuple[Recorder, int], recorder: Recorder
) -> None:
    context = {
        "alert_id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "alert_short_id": "0f1e2d3c",
        "member_id": "alex",
        "severity": "urgent",
        "rules": ["phq9_item9"],
        "raised_at": "2026-03-02T09:41:00+00:00",
        "ack_url": "http://127.0.0.1:8000/v1/pages/a.b.c",
        "ack_code": "Z21YAJDH",
    }
    rendered = render("safety.alert-raised", Audience.STAFF, Channel.EMAIL, "en", context)
    message = OutgoingMessage.of(
        rendered, "evt-9:oncall-1:email", "oncall@kindred.example", "evt-9"
    )
    result = await _channel(smtp[1]).send(message)
    assert result.status is DeliveryStatus.SENT, result

    [(mail_from, rcpt_tos, raw)] = recorder.messages
    assert mail_from == FROM and rcpt_tos == ["oncall@kindred.example"]
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["From"] == FROM and mail["To"] == "oncall@kindred.example"
    assert mail["Subject"] == rendered.subject
    assert mail["Message-ID"] == message_id_for("evt-9:oncall-1:email", "kindred.example")
    assert mail["Kindred-Delivery-Id"] == "evt-9:oncall-1:email"
    assert mail["Importance"] == "high" and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Date"]
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert text.get_content().replace("\r\n", "\n").strip() == rendered.text
    assert "Rules: phq9_item9" in text.get_content()
    assert "<h1>Safety alert (urgent)</h1>" in html.get_content()


async def test_a_text_only_email_has_one_part(
    smtp: tuple[Recorder, int], recorder: Recorder
) -> None:
    message = OutgoingMessage(
        delivery_id="d-2", recipient="sam@example.org", subject="Hi", text="Plain only."
    )
    assert (await _channel(smtp[1]).send(message)).status is DeliveryStatus.SENT
    mail = message_from_bytes(recorder.messages[0][2], policy=policy.default)
    assert mail.get_content_type() == "text/plain"
    assert "Importance" not in mail


@pytest.mark.parametrize(
    ("reply", "retryable", "reason"),
    [
        ("451 4.3.0 Try again later", True, "smtp 451"),
        ("452 4.2.2 Mailbox full", True, "smtp 452"),
        ("550 5.1.1 No such user", False, "smtp 550"),
        ("553 5.1.3 Bad address", False, "smtp 553"),
    ],
)
async def test_smtp_replies_are_classified(
    smtp: tuple[Recorder, int], recorder: Recorder, reply: str, retryable: bool, reason: str
) -> None:
    recorder.rcpt_reply = reply
    message = OutgoingMessage(
        delivery_id="d-3",
        recipient="sam@example.org",
        subject="Hi",
        text="Secret words that must not leak.",
        urgency=MessageUrgency.NORMAL,
    )
    result = await _channel(smtp[1]).send(message)
    assert result.status is DeliveryStatus.FAILED
    assert result.retryable is retryable
    assert result.reason == reason
    assert recorder.messages == []


async def test_an_unusable_address_is_permanent_without_a_connection() -> None:
    message = OutgoingMessage(delivery_id="d-4", recipient="nobody", subject="s", text="t")
    result = await _channel(_free_port()).send(message)
    assert result.permanent and result.reason == "invalid recipient address"


async def test_nothing_listening_is_retryable() -> None:
    message = OutgoingMessage(delivery_id="d-5", recipient="a@b.example", subject="s", text="t")
    result = await _channel(_free_port()).send(message)
    assert result.status is DeliveryStatus.FAILED and result.retryable, result


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_server_that_never_answers_is_retryable_within_the_timeout(
    silent_server: int,
) -> None:
    message = OutgoingMessage(delivery_id="d-6", recipient="a@b.example", subject="s", text="t")
    started = time.monotonic()
    result = await _channel(silent_server, timeout=0.5).send(message)
    elapsed = time.monotonic() - started
    assert result.status is DeliveryStatus.FAILED and result.retryable
    assert result.reason == "timeout"
    assert elapsed < 2.0
