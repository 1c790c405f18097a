"""Dead letters and backoff.

A record that cannot be handled (it fails validation, or its handler raises) goes to
`<topic>.dlt` with the error and its origin in headers, in the same partition-log entry that
moves the partition past it: a poison message never blocks a partition, and is never lost.
A failure of a server underneath (Kafka, MongoDB) is not the message's fault: it is waited out
with this backoff and never dead-lettered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

HEADER_PREFIX = "kindred-dlt-"


@dataclass(frozen=True)
class DependencyBackoff:
    """How long to wait before trying a failing server (Kafka, MongoDB) again (a delivery's
    retries are another policy: `kindred.notifications.domain.deliveries`)."""

    attempts: int = 4
    backoff_base: float = 0.2
    backoff_max: float = 5.0

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff before retry number `attempt` (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


def dead_letter_headers(
    exc: BaseException, attempts: int, raw: Any, consumer_group: str
) -> dict[str, str]:
    return {
        f"{HEADER_PREFIX}error-type": type(exc).__name__,
        f"{HEADER_PREFIX}error-message": str(exc)[:2000],
        f"{HEADER_PREFIX}attempts": str(attempts),
        f"{HEADER_PREFIX}origin-topic": str(raw.topic),
        f"{HEADER_PREFIX}origin-partition": str(raw.partition),
        f"{HEADER_PREFIX}origin-offset": str(raw.offset),
        f"{HEADER_PREFIX}consumer-group": consumer_group,
        f"{HEADER_PREFIX}failed-at": datetime.now(UTC).isoformat(),
    }
