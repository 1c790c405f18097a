"""Bearer-JWT authentication and the rule that a member acts only on their own data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kindred.gateway.settings import GatewaySettings

_bearer = HTTPBearer(auto_error=False, description="A JWT whose `sub` is the member id")


@dataclass(frozen=True)
class Principal:
    member_id: str
    roles: frozenset[str]


def issue_token(
    settings: GatewaySettings,
    member_id: str,
    roles: tuple[str, ...] = (),
    ttl: timedelta = timedelta(hours=12),
) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": member_id,
        "roles": list(roles),
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def _unauthorized(problem: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail={"error": "unauthorized", "detail": problem},
        headers={"WWW-Authenticate": "Bearer"},
    )


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("missing bearer token in the Authorization header")
    settings: GatewaySettings = request.app.state.settings
    try:
        claims = jwt.decode(
            credentials.credentials,
            settings.jwt_secret,
            algorithms=["HS256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise _unauthorized(f"invalid token: {exc}") from None
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _unauthorized("invalid token: 'roles' must be a list of strings")
    return Principal(member_id=str(claims["sub"]), roles=frozenset(roles))


def require_self(member_id: str, principal: Principal) -> None:
    """A member acts on and reads only their own data."""
    if principal.member_id != member_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail={
                "error": "forbidden",
                "detail": "a member may only act on their own data",
            },
        )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
