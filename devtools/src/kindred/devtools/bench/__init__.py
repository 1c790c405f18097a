"""Benchmark (not a test): support requests through gateway → matching → notifications on real
processes, beside the raw rates of the same servers, from one run.

    python -m kindred.devtools.bench --help        (scripts/bench provides the servers)

One run: raw rates on a quiet system (MongoDB-protocol inserts, Kafka produce+consume, HTTP
accept of a gateway alone); then the platform; round 1 on an empty store (full load, closed
loop; half load, open loop at 150 requests/s, half the 300/s target); the store filled up to
`--store` requests; round 2 as round 1. Latency runs from the moment a 202 reached this
process (`time.time()`) to the `created_at` of the seeker's inbox entry (same machine, same
clock). Modules: `load` (the load it drives), `raw` (raw rates), `report` (what it prints),
`safety` (`--safety`: check-in → safety alert latency under background load, a run of its own),
`staff` (`--staff`: the staff workspace's reads with many open cases, a run of its own),
`scale` (`--scale`: 1, 2 and 3 matching replicas on six language pools, a run of its own),
`cli` (the options both runs share). `engine` is another benchmark, of the matching engine
alone on synthetic populations, with no servers: `python -m kindred.devtools.bench.engine`.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence; NaN when empty."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else math.nan


class Deadline:
    """The overall time limit: every wait gives up when it is reached."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())
