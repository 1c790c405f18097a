"""The webhook, SMS and push channels against a real HTTP receiver on 127.0.0.1 (the standard
library's server in a thread) that verifies every request's signature with
`verify_signature`, as a partner would: 200 is sent, 500 and 429 (with its Retry-After) are
retryable, 400 permanent, and a receiver that never answers is retryable within the timeout."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from kindred.events.notifications import MessageUrgency
from kindred.notifications.channels import (
    DeliveryStatus,
    OutgoingMessage,
    PushChannel,
    SignatureError,
    SmsChannel,
    WebhookChannel,
    WebhookEndpoint,
    verify_signature,
)
from kindred.notifications.channels.sms import SMS_MAX_CHARS

SECRET = "receiver-shared-secret-0123456789abcdef"
TOKEN = "sms-provider-bearer-token"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    payload: Any = None


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = dict(self.headers.items())
            try:
                verify_signature(SECRET, headers, body, tolerance=300)
                verified = True
            except SignatureError:
                verified = False
            receiver.requests.append(Received(self.path, headers, body, verified, json.loads(body)))
            if not verified:
                self._answer(401)
            elif self.path.endswith("/busy"):
                self._answer(429, {"Retry-After": "7"})
            elif self.path.endswith("/broken"):
                self._answer(500)
            elif self.path.endswith("/unavailable"):
                self._answer(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
            elif self.path.endswith("/bad"):
                self._answer(400)
            else:
                self._answer(200)

        def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def http_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def receiver(http_receiver: Receiver) -> Receiver:
    http_receiver.requests.clear()
    return http_receiver


def _message(**overrides: Any) -> OutgoingMessage:
    fields: dict[str, Any] = {
        "delivery_id": "evt-7:partner:webhook",
        "recipient": "partner",
        "subject": "Urgent safety alert 0f1e2d3c",
        "text": "A safety rule fired for a member.",
        "category": "safety.alert-raised",
        "urgency": MessageUrgency.URGENT,
        "event_id": "evt-7",
        "data": {"alert_id": "0f1e2d3c", "rules": ["phq9_item9"]},
    }
    fields.update(overrides)
    return OutgoingMessage(**fields)


def _webhook(receiver: Receiver, path: str, timeout: float = 5.0) -> WebhookChannel:
    return WebhookChannel(
        {"partner": WebhookEndpoint(url=receiver.url(path), secret=SECRET)}, timeout=timeout
    )


async def test_a_webhook_is_signed_and_sent(receiver: Receiver) -> None:
    channel = _webhook(receiver, "/hooks/ok")
    try:
        result = await channel.send(_message())
    finally:
        await channel.aclose()
    assert result.status is DeliveryStatus.SENT and result.ok
    [request] = receiver.requests
    assert request.verified
    assert request.headers["Kindred-Delivery-Id"] == "evt-7:partner:webhook"
    assert request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in request.headers
    assert request.payload == {
        "delivery_id": "evt-7:partner:webhook",
        "event_id": "evt-7",
        "category": "safety.alert-raised",
        "urgency": "urgent",
        "subject": "Urgent safety alert 0f1e2d3c",
        "text": "A safety rule fired for a member.",
        "data": {"alert_id": "0f1e2d3c", "rules": ["phq9_item9"]},
    }


async def test_a_receiver_with_another_secret_refuses_it(receiver: Receiver) -> None:
    channel = WebhookChannel(
        {"partner": WebhookEndpoint(url=receiver.url("/hooks/ok"), secret="x" * 40)}, timeout=5
    )
    try:
        result = await channel.send(_message())
    finally:
        await channel.aclose()
    assert not receiver.requests[0].verified
    assert result.permanent and result.reason == "http 401"


@pytest.mark.parametrize(
    ("path", "retryable", "reason", "retry_after"),
    [
        ("/hooks/broken", True, "http 500", None),
        ("/hooks/busy", True, "http 429", 7.0),
        ("/hooks/unavailable", True, "http 503", 0.0),  # a date in the past: now
        ("/hooks/bad", False, "http 400", None),
    ],
)
async def test_webhook_answers_are_classified(
    receiver: Receiver, path: str, retryable: bool, reason: str, retry_after: float | None
) -> None:
    channel = _webhook(receiver, path)
    try:
        result = await channel.send(_message())
    finally:
        await channel.aclose()
    assert receiver.requests[0].verified
    assert result.status is DeliveryStatus.FAILED
    assert result.retryable is retryable
    assert result.reason == reason
    assert result.retry_after == retry_after
    # Short and free of content: no subject, text, address or response body.
    assert "safety" not in result.reason and "partner" not in result.reason


async def test_an_unknown_endpoint_is_permanent(receiver: Receiver) -> None:
    channel = _webhook(receiver, "/hooks/ok")
    try:
        result = await channel.send(_message(recipient="somebody-else"))
    finally:
        await channel.aclose()
    assert result.permanent and result.reason == "unknown webhook endpoint"
    assert receiver.requests == []


async def test_an_sms_goes_to_the_provider_with_its_token_and_is_cut(receiver: Receiver) -> None:
    channel = SmsChannel(receiver.url("/sms/messages"), TOKEN, SECRET, timeout=5)
    long_text = "Kindred: time for your 09:30 check-in. " + "check-in " * 100
    try:
        result = await channel.send(
            _message(delivery_id="evt-8:alex:sms", recipient="+15550100", text=long_text)
        )
    finally:
        await channel.aclose()
    assert result.status is DeliveryStatus.SENT
    [request] = receiver.requests
    assert request.verified
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Kindred-Delivery-Id"] == "evt-8:alex:sms"
    assert set(request.payload) == {"to", "body", "idempotency_key"}
    assert request.payload["to"] == "+15550100"
    assert request.payload["idempotency_key"] == "evt-8:alex:sms"
    body = request.payload["body"]
    assert len(body) <= SMS_MAX_CHARS and body.endswith("check-in...")


async def test_a_push_goes_to_the_gateway(receiver: Receiver) -> None:
    channel = PushChannel(receiver.url("/push/send"), SECRET, timeout=5)
    busy_channel = PushChannel(receiver.url("/push/busy"), SECRET, timeout=5)
    message = _message(delivery_id="evt-9:alex:push", recipient="device-token-1")
    try:
        result = await channel.send(message)
        busy = await busy_channel.send(message)
    finally:
        await channel.aclose()
        await busy_channel.aclose()
    assert result.status is DeliveryStatus.SENT
    assert busy.retryable and busy.retry_after == 7.0
    request = receiver.requests[0]
    assert request.verified
    assert request.payload["to"] == "device-token-1"
    assert request.payload["title"] == "Urgent safety alert 0f1e2d3c"
    assert request.payload["body"] == "A safety rule fired for a member."
    assert request.payload["idempotency_key"] == "evt-9:alex:push"


@pytest.fixture
async def silent_http() -> AsyncIterator[int]:
    """Reads the request and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read(65536)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_receiver_that_never_answers_is_retryable_within_the_timeout(
    silent_http: int,
) -> None:
    channel = WebhookChannel(
        {"partner": WebhookEndpoint(url=f"http://127.0.0.1:{silent_http}/hook", secret=SECRET)},
        timeout=0.5,
    )
    started = time.monotonic()
    try:
        result = await channel.send(_message())
    finally:
        await channel.aclose()
    assert time.monotonic() - started < 2.0
    assert result.status is DeliveryStatus.FAILED and result.retryable
    assert result.reason == "timeout"


async def test_nothing_listening_is_retryable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channel = SmsChannel(f"http://127.0.0.1:{port}/sms", TOKEN, SECRET, timeout=2)
    try:
        result = await channel.send(_message(recipient="+15550100"))
    finally:
        await channel.aclose()
    assert result.retryable and result.reason.startswith("transport error")
