"""Replica-wide background loops (a cache refresh, ...). Work on documents a partition owns
runs as `Processor.tick` instead, on the replica that owns the partition."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from kindred.observability.metrics import background_failures

log = logging.getLogger(__name__)

# Runs until the event is set, then returns.
BackgroundLoop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def periodic(name: str, interval: float, step: Callable[[], Awaitable[object]]) -> BackgroundLoop:
    """A background loop running `step` every `interval` seconds until the service stops."""

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await step()
            except Exception:
                background_failures.labels(loop=name).inc()
                log.exception("%s failed; will try again", name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    return loop
