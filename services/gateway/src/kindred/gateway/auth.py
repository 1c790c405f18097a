"""Bearer-JWT authentication and the rule that a member acts only on their own data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kindred.events.casework import StaffRole
from kindred.gateway.errors import error_body
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


# Fixed texts: a client learns what to do, never the library's reason (which would help a
# forger more than a member).
MISSING = "send a bearer token in the Authorization header: `Authorization: Bearer <token>`"
EXPIRED = "the bearer token has expired: sign in again for a new one"
INVALID = "the bearer token is not valid for this API: sign in again for a new one"
FORBIDDEN = "a member may only act on and read their own data"


def _unauthorized(problem: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=error_body(401, problem),
        headers={"WWW-Authenticate": "Bearer"},
    )


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized(MISSING)
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
    except jwt.ExpiredSignatureError:
        raise _unauthorized(EXPIRED) from None
    except jwt.PyJWTError:
        raise _unauthorized(INVALID) from None
    roles = claims.get("roles", [])
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise _unauthorized(INVALID)
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _unauthorized(INVALID)
    return Principal(member_id=sub, roles=frozenset(roles))


def require_self(member_id: str, principal: Principal) -> None:
    """A member acts on and reads only their own data."""
    if principal.member_id != member_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=error_body(403, FORBIDDEN))


# The staff roles (kindred.events.casework.StaffRole), each granted in a token's `roles`.
SAFETY_STAFF = StaffRole.SAFETY_STAFF.value
MODERATOR = StaffRole.MODERATOR.value
SUPPORTER_ADMIN = StaffRole.SUPPORTER_ADMIN.value
OPERATOR = StaffRole.OPERATOR.value
STAFF_ROLES = frozenset(role.value for role in StaffRole)
MISSING_ROLE = "this action needs the {role} role"
MISSING_ANY_ROLE = "this needs one of the roles {roles}"


def require_role(principal: Principal, role: str) -> None:
    """Staff roles are explicit: granted in the token's `roles`, never implied."""
    if role not in principal.roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=error_body(403, MISSING_ROLE.format(role=role))
        )


def require_any_role(principal: Principal, roles: tuple[str, ...]) -> None:
    """A view several roles share (the queue: safety staff and moderators)."""
    if principal.roles.isdisjoint(roles):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=error_body(403, MISSING_ANY_ROLE.format(roles=", ".join(roles))),
        )


def staff_roles(principal: Principal) -> frozenset[StaffRole]:
    """The staff roles a token carries (any other string in `roles` is no staff role)."""
    return frozenset(StaffRole(role) for role in principal.roles & STAFF_ROLES)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
