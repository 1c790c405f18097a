"""The internal HTTP API between services: the inbox the notifications service serves to the
gateway, and the shared bearer token (INTERNAL_API_TOKEN) that guards it."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request, status
from pydantic import BaseModel


class InboxItem(BaseModel):
    id: str
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    read: bool


class Inbox(BaseModel):
    member_id: str
    items: list[InboxItem]


def bearer(token: str) -> dict[str, str]:
    """The header a caller of the internal API sends."""
    return {"Authorization": f"Bearer {token}"}


def token_matches(authorization: str | None, token: str) -> bool:
    """Whether an Authorization header carries `token`, compared in constant time."""
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def require_token(token: str) -> Callable[[Request], None]:
    """A FastAPI dependency: 401 unless the request carries the internal API token."""

    def check(request: Request) -> None:
        if not token_matches(request.headers.get("Authorization"), token):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="the internal API needs the INTERNAL_API_TOKEN bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check
