"""Which matching pool a member is in.

Members are split into pools by a key an operator chooses (`MATCHING_POOL_KEY`):

- `none`: everyone in one pool, `MATCHING_POOL`;
- `language`: the first language of their profile (a language community), e.g. `es`;
- `region`: the area of their profile's time zone, lower case, e.g. `europe` for
  `Europe/Berlin`, `america` for `America/Bogota` (a zone without an area, like `UTC`: the
  default pool).

A member's first profile places them, and they stay (a pool holds their requests, matches,
blocks and groups; moving all of that is not built). Their events before any profile wait for
it (`handlers.Matching`).
"""

from __future__ import annotations

from typing import Literal

from kindred.events.members import ProfileSubmittedData

PoolKey = Literal["none", "language", "region"]


def pool_for(profile: ProfileSubmittedData, key: PoolKey, default: str) -> str:
    """The pool of a member with this profile."""
    if key == "none":
        return default
    if key == "language":
        return profile.languages[0].lower()
    area, slash, _ = str(profile.time_zone).partition("/")
    return area.lower() if slash else default
