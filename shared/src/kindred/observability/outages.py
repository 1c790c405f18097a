"""A server underneath (Kafka, MongoDB) that stops answering is logged once when the outage
starts, then at most once a minute while it lasts, and once when it ends, however many
requests, partitions and retries run into it meanwhile. Readiness reports it as it happens;
`kindred_dependency_down` shows it on dashboards.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kindred.observability.metrics import dependency_down

log = logging.getLogger("kindred.outages")

REMIND_EVERY_SECONDS = 60.0


class Outage:
    """The state of one dependency as this process sees it: answering, or not since when."""

    def __init__(
        self,
        name: str,
        *,
        remind_every: float = REMIND_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.remind_every = remind_every
        self.clock = clock
        self.since: float | None = None  # when the current outage started
        self.failures = 0  # failed attempts in the current outage
        self.reminded_at = 0.0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException, doing: str = "") -> None:
        now = self.clock()
        self.failures += 1
        what = f" ({doing})" if doing else ""
        if self.since is None:
            self.since = self.reminded_at = now
            dependency_down.labels(dependency=self.name).set(1)
            log.error(
                "%s unavailable%s: %s; failures are counted, not logged, until it answers again",
                self.name,
                what,
                _describe(exc),
                extra={"dependency": self.name},
            )
        elif now - self.reminded_at >= self.remind_every:
            self.reminded_at = now
            log.error(
                "%s still unavailable after %.0f s (%d failed attempts); last: %s",
                self.name,
                now - self.since,
                self.failures,
                _describe(exc),
                extra={"dependency": self.name},
            )

    def succeeded(self) -> None:
        if self.since is None:
            return
        lasted = self.clock() - self.since
        log.warning(
            "%s available again after %.1f s (%d failed attempts meanwhile)",
            self.name,
            lasted,
            self.failures,
            extra={"dependency": self.name},
        )
        dependency_down.labels(dependency=self.name).set(0)
        self.since, self.failures = None, 0


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    # A driver's message can be long (a server selection report); the type says what happened.
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


_outages: dict[str, Outage] = {}


def outage(name: str) -> Outage:
    """The process-wide tracker of dependency `name` ("kafka", "mongodb")."""
    if name not in _outages:
        _outages[name] = Outage(name)
    return _outages[name]
