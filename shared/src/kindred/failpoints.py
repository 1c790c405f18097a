"""Named points where a test can make a service process die, to prove what a crash at exactly
that point leaves behind (the fault tests): `KINDRED_FAILPOINTS=after-log-append-urgent`.

Only read in dev mode (`KINDRED_DEV_MODE=1`); a deployment never has any set.
"""

from __future__ import annotations

import os
import sys

# The exit status of a process stopped at a failpoint, as a SIGKILL would leave it.
CRASH_STATUS = 137


def _active() -> frozenset[str]:
    if os.environ.get("KINDRED_DEV_MODE", "").lower() not in {"1", "true", "yes"}:
        return frozenset()
    return frozenset(p.strip() for p in os.environ.get("KINDRED_FAILPOINTS", "").split(",") if p)


ACTIVE = _active()


def crash_here(name: str) -> None:
    """Die at once, like a SIGKILL (no cleanup, no flush), if failpoint `name` is set."""
    if name in ACTIVE:
        sys.stderr.write(f"failpoint {name}: exiting\n")
        sys.stderr.flush()
        os._exit(CRASH_STATUS)
