"""Real receivers on 127.0.0.1 for notification tests: an SMTP server (aiosmtpd) keeping every
mail, and an HTTP receiver verifying every webhook's signature."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from kindred.notifications.channels.signing import verify_signature


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mailbox:
    mail: list[tuple[float, list[str], bytes]] = field(default_factory=list)  # (when, to, body)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mail.append((time.monotonic(), list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[bytes]:
        return [body for _, rcpt, body in self.mail if address in rcpt]

    def about(self, alert_id: str, since: float = 0.0) -> list[list[str]]:
        """Recipients of the mails mentioning the alert (its short id), received after `since`."""
        return [
            rcpt for at, rcpt, body in self.mail if at > since and alert_id[:8].encode() in body
        ]


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass
class Receiver:
    """Verifies every request's signature (401 if forged); answers 503 to the first `refuse`;
    takes `delay` seconds over each request (a slow provider)."""

    secret: str
    refuse: int = 0
    refused: int = 0
    forged: int = 0
    delay: float = 0.0
    busy: int = 0  # requests being answered now
    # (when, delivery id, body) of each request answered 200.
    received: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self, since: float = 0.0) -> set[str]:
        with self.lock:
            return {key for at, key, _ in self.received if at > since}

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [body for _, _, body in self.received]

    def copies(self) -> dict[str, int]:
        """Delivery ids received more than once, with how many times."""
        with self.lock:
            counts = Counter(key for _, key, _ in self.received)
        return {key: n for key, n in counts.items() if n > 1}


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # a burst of connections at once is not refused


@contextlib.contextmanager
def webhook_receiver(
    secret: str, refuse: int = 0, delay: float = 0.0
) -> Iterator[tuple[Receiver, int]]:
    receiver = Receiver(secret, refuse, delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if receiver.delay:
                with receiver.lock:
                    receiver.busy += 1
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.busy -= 1
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                verify_signature(receiver.secret, dict(self.headers), body)
            except Exception:
                with receiver.lock:
                    receiver.forged += 1
                self._answer(401)
                return
            with receiver.lock:
                if receiver.refused < receiver.refuse:
                    receiver.refused += 1
                    self._answer(503)
                    return
                key = self.headers["Kindred-Delivery-Id"]
                receiver.received.append((time.monotonic(), key, json.loads(body)))
            self._answer(200)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
