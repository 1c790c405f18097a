"""Console sign-in: a staff token (the API's JWT) is exchanged for a session cookie, and every
form carries a CSRF token bound to the session.

The session is an HS256 JWT of its own: signed with a key derived from JWT_SECRET (so an API
token is never a session, nor a session an API token), with a `purpose` claim, a random session
id, the staff member's roles and an expiry no later than the staff token's nor 12 hours away.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from kindred.events.casework import StaffRole
from kindred.gateway.auth import Principal
from kindred.gateway.settings import GatewaySettings

COOKIE = "kindred_console"
COOKIE_PATH = "/console"
MAX_SESSION = timedelta(hours=12)
PURPOSE = "kindred-console-session"
STAFF_ROLES = frozenset(role.value for role in StaffRole)


class SignInRefused(Exception):
    """The staff token cannot open a console session: `status` and a text for the page."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


# Fixed texts: the page says what to do, never the library's reason.
EXPIRED = "This token has expired. Sign in to the API again for a new one, then paste it here."
INVALID = "This is not a valid Kindred staff token. Copy the whole token and try again."
NO_CONSOLE = "no console for this token"


@dataclass(frozen=True)
class Session:
    principal: Principal
    session_id: str
    expires_at: datetime


def staff_principal(token: str, settings: GatewaySettings) -> tuple[Principal, datetime]:
    """The staff member a pasted API token names and its expiry, decoded exactly as the API's
    `current_principal` does (same secret, audience, issuer, required claims)."""
    try:
        claims = jwt.decode(
            token.strip(),
            settings.jwt_secret,
            algorithms=["HS256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise SignInRefused(401, EXPIRED) from None
    except jwt.PyJWTError:
        raise SignInRefused(401, INVALID) from None
    sub, roles, exp = claims.get("sub"), claims.get("roles", []), claims.get("exp")
    if not isinstance(sub, str) or not sub or not isinstance(exp, int | float):
        raise SignInRefused(401, INVALID)
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise SignInRefused(401, INVALID)
    if not STAFF_ROLES & set(roles):
        raise SignInRefused(403, NO_CONSOLE)
    return Principal(member_id=sub, roles=frozenset(roles)), datetime.fromtimestamp(exp, UTC)


def _key(settings: GatewaySettings, use: str) -> bytes:
    # One key per use, derived from JWT_SECRET: no new secret to deploy, and no key shared.
    return hmac.new(settings.jwt_secret.encode(), use.encode(), hashlib.sha256).digest()


def open_session(
    principal: Principal, token_expires_at: datetime, settings: GatewaySettings
) -> tuple[str, Session]:
    """A signed session for the staff member (and its cookie's value)."""
    now = datetime.now(UTC)
    expires_at = min(token_expires_at, now + MAX_SESSION)
    session = Session(principal, secrets.token_urlsafe(16), expires_at)
    claims: dict[str, Any] = {
        "purpose": PURPOSE,
        "sub": principal.member_id,
        "roles": sorted(principal.roles),
        "sid": session.session_id,
        "iat": now,
        "exp": expires_at,
    }
    return jwt.encode(claims, _key(settings, PURPOSE), algorithm="HS256"), session


def read_session(cookie: str | None, settings: GatewaySettings) -> Session | None:
    """The session a cookie holds, or None (absent, forged, expired, or another purpose)."""
    if not cookie:
        return None
    try:
        claims = jwt.decode(
            cookie,
            _key(settings, PURPOSE),
            algorithms=["HS256"],
            options={"require": ["sub", "sid", "exp", "purpose"]},
        )
    except jwt.PyJWTError:
        return None
    sub, sid, roles = claims.get("sub"), claims.get("sid"), claims.get("roles", [])
    if claims.get("purpose") != PURPOSE or not isinstance(sub, str) or not isinstance(sid, str):
        return None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        return None
    return Session(
        Principal(member_id=sub, roles=frozenset(roles)),
        sid,
        datetime.fromtimestamp(claims["exp"], UTC),
    )


def csrf_token(session: Session, settings: GatewaySettings) -> str:
    return hmac.new(
        _key(settings, "kindred-console-csrf"), session.session_id.encode(), hashlib.sha256
    ).hexdigest()


def csrf_valid(session: Session, settings: GatewaySettings, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(csrf_token(session, settings), sent)
