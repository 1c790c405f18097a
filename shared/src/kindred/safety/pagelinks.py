"""What makes a page actionable from any channel: a signed, expiring link and a short code.

Every page carries both. The link's token is a JWT (HS256, `pyjwt`) signed with the page-link
secret the notifications service and the gateway share; it names the alert, the member, the
person paged and the page (its `jti`: one page, one token). Opening the link shows a
confirmation; only the form's POST acknowledges, so a mail scanner fetching the link acts on
nothing. The short code (8 characters of Crockford base32, derived from the page id with the
same secret) is for channels where a link is awkward: the person paged types it into the
console, signed in with their staff role, and the gateway finds the page it belongs to.

A token never carries what the member wrote, only ids.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

AUDIENCE = "kindred-page-ack"
ALGORITHM = "HS256"
CODE_LENGTH = 8
# Crockford's base32: no I, L, O or U, so a code read aloud or typed from a phone is not
# mistaken.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPOS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V", "-": None, " ": None})


@dataclass(frozen=True, slots=True)
class PageClaim:
    """What a valid page token says."""

    alert_id: str
    member_id: str
    staff_id: str
    page_id: str
    expires_at: datetime


class InvalidPageToken(ValueError):
    """The token is not one Kindred signed, is malformed or has expired."""


def sign(claim: PageClaim, secret: str) -> str:
    """The token for a page's link."""
    payload = {
        "aud": AUDIENCE,
        "alert": claim.alert_id,
        "member": claim.member_id,
        "sub": claim.staff_id,
        "jti": claim.page_id,
        "exp": int(claim.expires_at.timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def verify(token: str, secret: str, now: datetime | None = None) -> PageClaim:
    """The claim of a token Kindred signed that has not expired (InvalidPageToken otherwise)."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "aud", "sub", "jti"], "verify_exp": False},
        )
        claim = PageClaim(
            alert_id=str(payload["alert"]),
            member_id=str(payload["member"]),
            staff_id=str(payload["sub"]),
            page_id=str(payload["jti"]),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=UTC),
        )
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError) as exc:
        raise InvalidPageToken("the link is not valid") from exc
    if claim.expires_at <= (now or datetime.now(UTC)):
        raise InvalidPageToken("the link has expired")
    return claim


def code(page_id: str, secret: str) -> str:
    """The page's short code: the same page always gets the same code."""
    digest = hmac.new(secret.encode(), b"page-code\0" + page_id.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:5], "big")  # 40 bits: 8 base32 characters
    return "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def normalize_code(typed: str) -> str:
    """A code as typed (lower case, dashes, spaces, I/L/O/U for 1/1/0/V) in its canonical form."""
    return typed.strip().upper().translate(_TYPOS)
