"""What the benchmark prints: the raw rates, every phase, the services' memory, and a summary
of round 1 (empty store) beside round 2 (store filled) against the targets."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kindred.devtools.bench import percentile
from kindred.devtools.bench.load import Load, Phase
from kindred.devtools.bench.raw import BATCH, KafkaRates, StorageRates

TARGET_E2E = 300.0  # support requests/s end to end, full load
TARGET_HALF_P99_MS = 250.0  # 202 → inbox at half load
TARGET_HTTP = 1000.0  # 202s/s of the gateway alone, acks=all
TARGET_GROWTH = 1.2  # half-load p99, round 2 ÷ round 1
MEMORY_GROWTH_WARN = 1.5  # RSS, round 2 ÷ round 1
MIB = 1024 * 1024
Test = Callable[[float], bool] | None


@dataclass
class Round:
    full: Phase | None = None
    half: Phase | None = None
    memory: dict[str, tuple[int, int]] = field(default_factory=dict)  # (RSS, peak) by process


@dataclass
class Results:
    namespace: str
    concurrency: int
    storage: StorageRates | None = None
    kafka: KafkaRates | None = None
    http: Load | None = None
    fill: Phase | None = None
    rounds: list[Round] = field(default_factory=list)
    stored: int | None = None  # support requests in the store before round 2

    def phases(self) -> list[Phase]:
        rounds = [p for r in self.rounds for p in (r.full, r.half) if p is not None]
        return rounds[:2] + ([self.fill] if self.fill else []) + rounds[2:]

    def lost(self) -> int:
        """Accepted requests without an inbox entry, and requests the gateway refused."""
        refused = sum(sum(p.load.failed.values()) for p in self.phases())
        return refused + sum(max(0, p.missing) for p in self.phases())


def f(value: float | None, spec: str = ",.0f", unit: str = "") -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:{spec}}{unit}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def print_raw(r: Results) -> None:
    print("\n== raw rates on the same servers (services stopped) ==")
    if s := r.storage:
        p50, p99 = percentile(s.single_ms, 50), percentile(s.single_ms, 99)
        print(
            f"MongoDB insert_one     {f(s.single_rate)} docs/s ({s.single_docs} docs of ~500 B "
            f"one at a time; p50 {p50:.2f} ms, p99 {p99:.2f} ms)"
        )
        print(
            f"MongoDB insert_many    {f(s.many_rate)} docs/s ({s.many_docs} docs, {BATCH} a batch)"
        )
    if k := r.kafka:
        print(
            f"Kafka produce          {f(k.produce_rate)} msgs/s ({k.messages} x ~{k.message_bytes}"
            " B, acks=all, idempotent, 3 partitions)"
        )
        print(f"Kafka consume          {f(k.consume_rate)} msgs/s (one consumer, after the join)")
        print(f"Kafka produce+consume  {f(k.combined_rate)} msgs/s")
        print(
            f"Kafka send_and_wait    p50 {percentile(k.ack_ms, 50):.1f} ms, "
            f"p99 {percentile(k.ack_ms, 99):.1f} ms (one at a time)"
        )
    if h := r.http:
        ms = sorted(h.response_ms)
        print(
            f"HTTP accept            {f(h.accept_rate)} req/s ({len(h.accepted)} support requests"
            f", {r.concurrency} in flight, gateway alone; response p50 {percentile(ms, 50):.1f}"
            f" ms, p99 {percentile(ms, 99):.1f} ms"
            + (f"; failed {dict(h.failed)})" if h.failed else ")")
        )


def print_phases(r: Results) -> None:
    print("\n== pipeline phases: gateway → matching → notifications (latency: 202 → inbox) ==")
    header = (
        "phase sent accepted missing HTTP/s e2e/s p50ms p95ms p99ms max_ms writes/req req/batch"
    )
    rows = []
    for p in r.phases():
        lat = p.latencies_ms
        measured = [f(p.p(50)), f(p.p(95)), f(p.p(99)), f(lat[-1] if lat else None)]
        rows.append(
            [
                p.name,
                str(len(p.load.accepted) + sum(p.load.failed.values())),
                str(len(p.load.accepted)),
                str(p.missing),
                f(p.load.accept_rate, ",.1f"),
                f(p.e2e_rate, ",.1f"),
                *measured,
                f(p.writes_per_request, ".2f"),
                f(p.per_batch, ",.1f"),
            ]
        )
    table(header.split(), rows)
    for p in r.phases():
        notes = [f"not accepted {dict(p.load.failed)}"] if p.load.failed else []
        notes += [f"{p.duplicates} duplicate entries"] if p.duplicates else []
        notes += [f"{p.early} entries stamped before their 202 arrived"] if p.early else []
        if p.name.endswith("half"):
            notes.append(f"sent at {f(p.load.send_rate, ',.1f')}/s on schedule (open loop)")
        if notes:
            print(f"  {p.name}: " + "; ".join(notes))


def print_memory(r: Results) -> None:
    if not r.rounds or not r.rounds[0].memory:
        return
    print("\n== memory of each service process (MiB) ==")
    rows = []
    for name, (rss1, peak1) in r.rounds[0].memory.items():
        rss2, peak2 = r.rounds[1].memory.get(name, (0, 0)) if len(r.rounds) > 1 else (0, 0)
        grew = rss2 > MEMORY_GROWTH_WARN * rss1
        row = [f(rss1 / MIB), f(peak1 / MIB), f(rss2 / MIB or None), f(peak2 / MIB or None)]
        rows.append([name, *row, f"RSS grew {rss2 / rss1:.1f}x" if grew else ""])
    table(["process", "RSS r1", "peak r1", "RSS r2", "peak r2", "warning"], rows)


def verdict(values: list[float | None], test: Test) -> str:
    known = [v for v in values if v is not None and not math.isnan(v)]
    if test is None:
        return ""
    return "n/a" if not known else "ok" if all(map(test, known)) else "NOT OK"


def at(q: float) -> Callable[[Phase], float]:
    return lambda p: p.p(q)


def summary_rows(r: Results) -> list[list[str]]:
    rounds = [*r.rounds, Round(), Round()][:2]

    def full(get: Callable[[Phase], float | None]) -> list[float | None]:
        return [get(x.full) if x.full else None for x in rounds]

    def half(get: Callable[[Phase], float | None]) -> list[float | None]:
        return [get(x.half) if x.half else None for x in rounds]

    def growth(values: list[float | None]) -> list[float | None]:
        first, second = values
        return [None, second / first if first and second else None]

    def lost(x: Round) -> float | None:
        phases = [p for p in (x.full, x.half) if p]
        return (
            sum(max(0, p.missing) + sum(p.load.failed.values()) for p in phases) if phases else None
        )

    e2e = full(lambda p: p.e2e_rate)
    many = r.storage.many_rate if r.storage else None
    bound = [many / w if many and w else None for w in full(lambda p: p.writes_per_request)]
    ratio = [e / b if e and b else None for e, b in zip(e2e, bound, strict=True)]
    rows: list[tuple[str, list[float | None], str, str, Test]] = [
        ("end-to-end, full load (req/s)", e2e, ",.1f", f">= {TARGET_E2E:.0f}", TARGET_E2E.__le__),
        ("HTTP accept, full load (req/s)", full(lambda p: p.load.accept_rate), ",.1f", "", None),
        *((f"latency p{q}, full load (ms)", full(at(q)), ",.0f", "", None)
          for q in (50, 95, 99)),
        ("half load, sent (req/s)", half(lambda p: p.load.send_rate), ",.1f", "", None),
        *((f"latency p{q}, half load (ms)", half(at(q)), ",.0f", "", None)
          for q in (50, 95)),
        ("latency p99, half load (ms)", half(at(99)), ",.0f",
         f"< {TARGET_HALF_P99_MS:.0f}", TARGET_HALF_P99_MS.__gt__),
        ("p99 round 2 / round 1, half load", growth(half(at(99))), ".2f",
         f"<= {TARGET_GROWTH}", TARGET_GROWTH.__ge__),
        ("p50 round 2 / round 1, half load", growth(half(at(50))), ".2f", "", None),
        ("p99 round 2 / round 1, full load", growth(full(at(99))), ".2f", "", None),
        ("p50 round 2 / round 1, full load", growth(full(at(50))), ".2f", "", None),
        ("storage writes per request", full(lambda p: p.writes_per_request), ".2f", "", None),
        ("storage bound: insert_many / writes (req/s)", bound, ",.0f", "", None),
        ("pipeline / storage bound", ratio, ".3f", "", None),
        ("requests lost or refused", [lost(x) for x in rounds], ",.0f", "0", (0.0).__eq__),
        ("largest service RSS (MiB)",
         [max(m[0] for m in x.memory.values()) / MIB if x.memory else None for x in rounds],
         ",.0f", "", None),
        ("HTTP accept, gateway alone (req/s)", [r.http.accept_rate if r.http else None, None],
         ",.0f", f">= {TARGET_HTTP:.0f}", TARGET_HTTP.__le__),
    ]  # fmt: skip
    return [
        [n, *(f(v, spec) for v in vs), target, verdict(vs, t)] for n, vs, spec, target, t in rows
    ]


def print_report(r: Results) -> None:
    print_raw(r)
    print_phases(r)
    print_memory(r)
    stored = f"{r.stored:,} requests stored" if r.stored is not None else "the store filled"
    print(f"\n== summary: round 1 on an empty store, round 2 with {stored} ==")
    table(["metric", "round 1", "round 2", "target", ""], summary_rows(r))
