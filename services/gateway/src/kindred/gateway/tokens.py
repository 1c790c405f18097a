"""Mint a token for local development: python -m kindred.gateway.tokens MEMBER_ID [ROLE ...]

It signs with JWT_SECRET from the environment (the dev-only default when unset).
"""

from __future__ import annotations

import sys

from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(issue_token(GatewaySettings.load(), argv[0], tuple(argv[1:])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
