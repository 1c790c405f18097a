"""Signatures on everything Kindred POSTs (webhooks, the SMS provider, the push gateway).

Each request carries

    Kindred-Delivery-Id: <delivery id>      (the idempotency key; the same on every retry)
    Kindred-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

with the endpoint's shared secret as the HMAC key (UTF-8). A receiver verifies it like this:

1. Read the raw request body as bytes, before any JSON parsing.
2. Split `Kindred-Signature` on ",", each part on the first "=": `t` is the timestamp, every
   `v1` is a candidate signature (several while a secret is being rotated).
3. Compute HMAC-SHA256(secret, f"{t}.".encode() + body) as lower-case hex and compare it with
   each `v1` in constant time (`hmac.compare_digest`); one must match.
4. Reject the request when `t` is further than the tolerance (300 s by default) from the
   receiver's clock: a captured request cannot be replayed later.
5. Deduplicate on `Kindred-Delivery-Id`: a retry after a lost answer carries the same id.

`verify_signature` below does steps 2-4.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "Kindred-Signature"
DELIVERY_ID_HEADER = "Kindred-Delivery-Id"
DEFAULT_TOLERANCE_SECONDS = 300.0


class SignatureError(ValueError):
    """The request's signature is missing, malformed, wrong or too old."""


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def compute_signature(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `"<timestamp>.<body>"`."""
    return hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str | bytes, body: bytes, timestamp: int | None = None) -> str:
    """The `Kindred-Signature` value for `body`, signed now unless `timestamp` is given."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={compute_signature(secret, t, body)}"


def signed_headers(
    secret: str | bytes, body: bytes, delivery_id: str, timestamp: int | None = None
) -> dict[str, str]:
    return {
        SIGNATURE_HEADER: signature_header(secret, body, timestamp),
        DELIVERY_ID_HEADER: delivery_id,
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _parse(value: str) -> tuple[int, list[str]]:
    """A `Kindred-Signature` value's timestamp and its `v1` signatures."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in value.split(","):
        key, sep, item = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed signature header")
        if key == "t":
            try:
                timestamp = int(item)
            except ValueError:
                raise SignatureError("malformed timestamp") from None
        elif key == "v1":
            candidates.append(item)
    if timestamp is None or not candidates:
        raise SignatureError("signature header needs t= and v1=")
    return timestamp, candidates


def verify_signature(
    secret: str | bytes,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check a request's `Kindred-Signature` against the raw `body`; return its timestamp.

    Raises `SignatureError` when the header is missing or malformed, no `v1` matches, or the
    timestamp is more than `tolerance` seconds away from `now` (the current time by default).
    Header names are matched case-insensitively.
    """
    value = _header(headers, SIGNATURE_HEADER)
    if not value:
        raise SignatureError(f"no {SIGNATURE_HEADER} header")
    timestamp, candidates = _parse(value)
    expected = compute_signature(secret, timestamp, body)
    # Compare with every candidate, without stopping early.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected.encode(), candidate.encode())
    if not matched:
        raise SignatureError("signature does not match")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    return timestamp
