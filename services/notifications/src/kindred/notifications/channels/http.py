"""Signed JSON POSTs over HTTPS, shared by the webhook, SMS and push adapters.

Every request is bounded by one overall deadline (connect, TLS, upload, waiting for the
answer, reading it); the answer's status decides the outcome:

- 2xx: sent;
- 408, 425, 429, 5xx, a timeout or a connection error: retryable, with the receiver's
  `Retry-After` (seconds or an HTTP date) when it gave one;
- any other status (redirects included: they are not followed): permanent.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from kindred.notifications.channels.base import DeliveryResult
from kindred.notifications.channels.signing import signed_headers

USER_AGENT = "Kindred-Notifications/1"
# A receiver may ask for a pause; beyond a day it is more likely a mistake than a plan.
MAX_RETRY_AFTER_SECONDS = 86_400.0
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def check_url(url: str) -> str:
    """An https URL, or http to a loopback host (tests, a local dev stack). Raises ValueError
    without quoting the URL (it may carry a token)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError("expected an absolute URL")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        return url
    raise ValueError("expected an https:// URL (http:// only to 127.0.0.1 or localhost)")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = time.time() if now is None else now
        seconds = when.timestamp() - current
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def classify_status(status: int, headers: Mapping[str, str] | None = None) -> DeliveryResult:
    if 200 <= status < 300:
        return DeliveryResult.sent()
    reason = f"http {status}"
    if status in RETRYABLE_STATUSES or 500 <= status < 600:
        retry_after = parse_retry_after((headers or {}).get("retry-after"))
        return DeliveryResult.retry(reason, retry_after)
    return DeliveryResult.fail(reason)


def encode_json(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


class SignedPoster:
    """POSTs JSON to one URL, signed with one secret, within `timeout` seconds overall."""

    def __init__(
        self,
        url: str,
        secret: str,
        timeout: float,
        bearer_token: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = check_url(url)
        self._secret = secret
        self._timeout = timeout
        self._bearer = bearer_token
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False
        )

    async def post(self, payload: Mapping[str, Any], delivery_id: str) -> DeliveryResult:
        body = encode_json(payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **signed_headers(self._secret, body, delivery_id),
        }
        if self._bearer is not None:
            headers["Authorization"] = f"Bearer {self._bearer}"
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.post(self.url, content=body, headers=headers)
        except (TimeoutError, httpx.TimeoutException):
            return DeliveryResult.retry("timeout")
        except httpx.TransportError as exc:
            # The class name only: messages can quote the URL.
            return DeliveryResult.retry(f"transport error ({type(exc).__name__})")
        return classify_status(response.status_code, response.headers)

    async def aclose(self) -> None:
        await self._client.aclose()


def truncate(text: str, limit: int, ellipsis: str = "...") -> str:
    """`text` with its whitespace collapsed, cut at a word boundary to at most `limit`
    characters, `ellipsis` marking the cut."""
    clean = " ".join(text.split())
    if len(clean) <= limit:
        return clean
    room = limit - len(ellipsis)
    cut = clean[: room + 1]
    space = cut.rfind(" ")
    head = cut[:space] if space > room // 2 else clean[:room]
    return head.rstrip(" ,;:.-") + ellipsis
