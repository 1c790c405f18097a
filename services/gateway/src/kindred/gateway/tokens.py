"""Mint a token for local development: python -m kindred.gateway.tokens MEMBER_ID [ROLE ...]

It signs with JWT_SECRET from the environment, or, when it is unset, with the dev-only key that
only a gateway in dev mode (KINDRED_DEV_MODE=1: docker compose, scripts/platform) runs with.
"""

from __future__ import annotations

import sys

from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    # A developer's tool: the dev-only key is what it is for, whatever KINDRED_DEV_MODE says.
    settings = GatewaySettings.load(kindred_dev_mode=True)
    if "JWT_SECRET" in settings.dev_secrets_in_use():
        print(
            "signed with the dev-only key: only a gateway in dev mode accepts it", file=sys.stderr
        )
    print(issue_token(settings, argv[0], tuple(argv[1:])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
