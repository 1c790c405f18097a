"""Replica-wide background loops (a cache refresh, ...) and the health of every loop a
replica runs. Work on documents a partition owns runs as `Processor.tick` instead, on the
replica that owns the partition.

A loop that keeps failing is visible: `kindred_background_failures_total` counts its failed
rounds, `kindred_background_consecutive_failures` how many in a row, and readiness reports the
loop once that reaches `BACKGROUND_FAILURES_UNREADY`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from kindred.observability.metrics import background_failing, background_failures

log = logging.getLogger(__name__)

# Runs until the event is set, then returns.
BackgroundLoop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class LoopHealth:
    """Consecutive failed rounds per loop name, and loops that stopped, in this process."""

    def __init__(self) -> None:
        self.failing: dict[str, int] = {}
        self.stopped: set[str] = set()

    def succeeded(self, loop: str) -> None:
        if self.failing.pop(loop, 0):
            background_failing.labels(loop=loop).set(0)
            log.warning("%s works again", loop)

    def failed(self, loop: str) -> int:
        background_failures.labels(loop=loop).inc()
        count = self.failing[loop] = self.failing.get(loop, 0) + 1
        background_failing.labels(loop=loop).set(count)
        return count

    def stop(self, loop: str) -> None:
        """The loop gave up (a bug stopped it): not ready until `forget`."""
        self.failed(loop)
        self.stopped.add(loop)

    def forget(self, loop: str) -> None:
        self.failing.pop(loop, None)
        self.stopped.discard(loop)
        with contextlib.suppress(KeyError):
            background_failing.remove(loop)

    def problems(self, threshold: int) -> list[str]:
        stopped = [f"{loop}: stopped" for loop in sorted(self.stopped)]
        return stopped + [
            f"{loop}: {count} rounds failed in a row"
            for loop, count in sorted(self.failing.items())
            if count >= threshold and loop not in self.stopped
        ]


loops = LoopHealth()


def periodic(name: str, interval: float, step: Callable[[], Awaitable[object]]) -> BackgroundLoop:
    """A background loop running `step` every `interval` seconds until the service stops."""

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await step()
            except Exception:
                count = loops.failed(name)
                # The first failure with its traceback, then a line per ten in a row.
                if count == 1:
                    log.exception("%s failed; will try again", name)
                elif count % 10 == 0:
                    log.error("%s failed %d rounds in a row", name, count)
            else:
                loops.succeeded(name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    return loop
