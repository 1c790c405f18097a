"""What the matching engine's benchmark measures and prints: each method's proposals against
the hidden affinity and the rules, and the engine's stages timed with the memory they add."""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kindred.devtools.bench.engine.baselines import eligible, first_available, greedy_best
from kindred.devtools.bench.engine.populations import Population, affinity
from kindred.events.vocabulary import Urgency
from kindred.matching.domain import constraints
from kindred.matching.domain.assignment import assign, objective, optimum
from kindred.matching.domain.model import EngineConfig, Offering, Outcome, Seeking

ENGINE = "engine"
FIRST = "first-available"
GREEDY = "greedy best"
OPTIMUM = "optimum"


@dataclass
class Row:
    method: str
    affinity: float
    value: float  # the engine's objective after matches and urgent matches
    matched: int
    urgent_matched: int
    violations: int
    spread: float
    seconds: float


def evaluate(
    pop: Population, outcome: Outcome, config: EngineConfig, method: str, seconds: float
) -> Row:
    violations = 0
    taken = np.zeros(len(pop.supporters), dtype=np.int64)
    seen: set[str] = set()
    for p in outcome.proposals:
        request = pop.requests[pop.request_at[p.request_id]]
        s = pop.supporter_at[p.supporter_id]
        taken[s] += 1
        if p.request_id in seen or constraints.violation(request, pop.supporters[s], config.rules):
            violations += 1
        seen.add(p.request_id)
    capacity = np.array([s.capacity for s in pop.supporters])
    load = np.array([s.load for s in pop.supporters])
    violations += int(np.maximum(load + taken - capacity, 0).sum())
    urgent = {r.request_id for r in pop.requests if r.urgency == Urgency.HIGH}
    return Row(
        method=method,
        affinity=float(affinity(pop, outcome.proposals).sum()),
        value=objective(outcome, pop.requests, pop.supporters, config)[2],
        matched=len(outcome.proposals),
        urgent_matched=sum(p.request_id in urgent for p in outcome.proposals),
        violations=violations,
        spread=float(np.std((load + taken) / capacity)) if len(capacity) else 0.0,
        seconds=seconds,
    )


def _timed(run: Callable[[], Outcome]) -> tuple[Outcome, float]:
    start = time.perf_counter()
    outcome = run()
    return outcome, time.perf_counter() - start


def compare(pop: Population, config: EngineConfig, exact: bool = True) -> list[Row]:
    """The four methods on one population (the optimum only when `exact`). The two arrival
    order baselines share the scores of every eligible pair, computed before their timing."""
    eligible(pop, config)
    methods: list[tuple[str, Callable[[], Outcome]]] = [
        (ENGINE, lambda: assign(pop.requests, pop.supporters, config)),
        (FIRST, lambda: first_available(pop, config)),
        (GREEDY, lambda: greedy_best(pop, config)),
    ]
    if exact:
        methods.append((OPTIMUM, lambda: optimum(pop.requests, pop.supporters, config)))
    rows = []
    for method, run in methods:
        outcome, seconds = _timed(run)
        rows.append(evaluate(pop, outcome, config, method, seconds))
    return rows


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def comparison_table(pop: Population, rows: Sequence[Row]) -> str:
    best = next((r for r in rows if r.method == OPTIMUM), None)
    first = next(r for r in rows if r.method == FIRST)
    urgent = sum(r.urgency == Urgency.HIGH for r in pop.requests)
    n = len(pop.requests)
    cells = []
    for r in rows:
        cells.append(
            [
                r.method,
                f"{r.affinity:,.0f}",
                f"{100 * r.affinity / best.affinity:.1f}%" if best else "-",
                f"{r.affinity / first.affinity:.2f}x" if first.affinity else "-",
                f"{100 * r.value / best.value:.1f}%" if best else "-",
                f"{100 * r.matched / n:.1f}%",
                f"{100 * r.urgent_matched / urgent:.1f}%" if urgent else "-",
                str(r.violations),
                f"{r.spread:.3f}",
                f"{r.seconds:.2f}",
            ]
        )
    header = [
        "method",
        "hidden affinity",
        "% of opt",
        "vs first",
        "objective % of opt",
        "matched",
        "urgent matched",
        "violations",
        "load std",
        "seconds",
    ]
    title = (
        f"{pop.name}: {n:,} requests, {len(pop.supporters):,} supporters, "
        f"{pop.slots:,} free slots, {urgent:,} urgent"
    )
    table = f"{title}\n\n{_table(header, cells)}"
    engine = next((r for r in rows if r.method == ENGINE), None)
    if best is None or engine is None:
        return table
    gap = best.matched - engine.matched
    verdict = "equal" if gap == 0 else f"{gap:,} fewer"
    return (
        f"{table}\n\nmatched: engine {engine.matched:,}, optimum {best.matched:,} ({verdict}); "
        f"objective gap {100 * (1 - engine.value / best.value):.2f}%; "
        f"engine {engine.seconds:.2f} s, optimum {best.seconds:.2f} s"
    )


# --- Timing ---------------------------------------------------------------------------------


def _status_kib(name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise LookupError(name)


def _start_peak() -> int | None:
    """Give freed memory back to the system and restart the peak resident size, so that the
    peak measures what the next step adds (Linux with glibc; None elsewhere)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current resident size
        return _status_kib("VmRSS")
    except (OSError, LookupError):
        return None


def _peak_added(start: int | None) -> str:
    if start is None:
        return "n/a"
    return f"{(_status_kib('VmHWM') - start) / 1024:.0f} MiB"


def timing_row(
    requests: Sequence[Seeking],
    supporters: Sequence[Offering],
    config: EngineConfig,
    repeats: int = 3,
) -> list[str]:
    """The engine's stages on these requests: the fastest of `repeats` runs, and the peak
    memory of a run of its own (measuring it makes the run fault its memory in afresh)."""
    start = _start_peak()
    outcome = assign(requests, supporters, config)
    peak = _peak_added(start)
    runs: list[tuple[float, dict[str, float]]] = []
    for _ in range(repeats):
        stages: dict[str, float] = {}
        begin = time.perf_counter()
        assign(requests, supporters, config, timings=stages)
        runs.append((time.perf_counter() - begin, stages))
    total, stages = min(runs, key=lambda run: run[0])
    candidates = stages.get("prepare", 0.0) + stages.get("candidates", 0.0)
    assignment = sum(stages.get(stage, 0.0) for stage in ("flow", "exact", "proposals"))
    return [
        f"{len(requests):,}",
        f"{len(supporters):,}",
        f"{candidates:.3f}",
        f"{assignment:.3f}",
        f"{total:.3f}",
        f"{100 * len(outcome.proposals) / max(len(requests), 1):.1f}%",
        peak,
    ]


def timing_table(rows: Sequence[list[str]]) -> str:
    header = [
        "open requests",
        "supporters",
        "candidates s",
        "assignment s",
        "total s",
        "matched",
        "peak memory added",
    ]
    return _table(header, rows)
