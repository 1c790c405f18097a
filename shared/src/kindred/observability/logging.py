"""Structured JSON logs that carry the correlation id of the event being handled.

Client libraries log every failed attempt while a server underneath is away (thousands of
lines a minute from aiokafka alone). The service's own code reports an outage once through
`kindred.observability.outages`; from the libraries, the first line of each kind is kept and
the repeats within a minute are counted, then summed up on the next line of that kind.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from kindred.observability.metrics import log_lines_suppressed

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

LIBRARIES = ("aiokafka", "kafka", "faststream", "pymongo", "uvicorn.error")
# Retriable states a Kafka client meets in a normal start and while a cluster moves leaders
# (a group coordinator or a new topic's leader not elected yet): aiokafka logs them as errors
# and retries by itself. They are worth an INFO line, not an ERROR.
ROUTINE_KAFKA_STATES = (
    "CoordinatorNotAvailable",
    "NotCoordinator",
    "CoordinatorLoadInProgress",
    "LeaderNotAvailable",
    "NotLeaderForPartition",
    "NotLeaderOrFollower",
    "UnknownTopicOrPartition",
    "not found in cluster metadata",
    "LEADER_NOT_AVAILABLE",
)
REPEAT_WINDOW_SECONDS = 60.0


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        record.service = self.service
        return True


class LibraryNoise(logging.Filter):
    """Demotes routine Kafka states to INFO and keeps one line per kind and window from the
    client libraries; the next line of a kind says how many were left out."""

    def __init__(
        self, window: float = REPEAT_WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self.kinds: dict[tuple[str, str], list[float]] = {}  # kind -> [window start, left out]

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(LIBRARIES) or record.levelno < logging.WARNING:
            return True
        message = record.getMessage()
        if record.levelno >= logging.ERROR and any(s in message for s in ROUTINE_KAFKA_STATES):
            record.levelno, record.levelname = logging.INFO, "INFO"
        kind = (record.name, str(record.msg))
        now = self.clock()
        state = self.kinds.get(kind)
        if state is not None and now - state[0] < self.window:
            state[1] += 1
            log_lines_suppressed.labels(logger=record.name).inc()
            return False
        if state is not None and state[1]:
            left_out, since = int(state[1]), now - state[0]
            record.msg = f"{message} (and {left_out} more like it in the last {since:.0f} s)"
            record.args = None
        self.kinds[kind] = [now, 0]
        return True


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.addFilter(_CorrelationFilter(service))
    handler.addFilter(LibraryNoise())
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Per-message INFO lines from the client libraries drown the service's own logs.
    for noisy in ("aiokafka", "faststream", "pymongo", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
