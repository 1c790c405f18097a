"""Background loops a service runs beside its consumers (outbox relay, re-matching, ...)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

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
                log.exception("%s failed; will try again", name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    return loop
