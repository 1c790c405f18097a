"""Benchmark of the matching engine on synthetic populations with a hidden ground truth.

    python -m kindred.devtools.bench.engine [--quick] [--requests 10000] [--supporters 10000]
                                            [--sizes 1000,10000,50000] [--seed N] [--k K]

Each person gets hidden "experience themes" (a sparse mix over a dozen themes such as
night-shifts or hospital stays) that shape both the free text they write (words drawn from the
themes' vocabularies, among common filler words) and how well two people would actually get on:
the hidden affinity of a pair mixes the share of the seeker's topics the supporter covers, how
close their themes are, and how well their true hours overlap (which a tenth of members never
told us: the engine sees "any time"). The engine never sees themes or the affinity, only topics,
text and declared hours, so its score is correlated with the affinity, not equal to it.

Languages are skewed (en 60%, es 20%, fr 8%, ...; some supporters speak two or three), topic
popularity is Zipf-like, a few people are minors and a few supporters cleared for minors, hours
come from time zones and weekly habits, each request excludes about two supporters of its
language (blocks, declines), a few seekers are also supporters (the self rule), 7% of requests
are urgent, capacities are 1 to 4 (mean about 2) and some supporters are already busy.

Two populations: "ample" (more free slots than requests) and "scarce" (free slots about 0.57
times the requests; as every supporter the engine sees has a free slot, that means fewer
supporters). On each, four methods are compared: the engine (`assign`); first-available (in
arrival order, each request takes the first eligible supporter with room, supporters in id
order); greedy best-per-request (in arrival order, each takes its best-scored eligible
supporter with room); and the exact optimum of the engine's objective on the full eligibility
graph (`optimum`). Every proposal of every method is checked against `constraints.violation`
and the supporters' room.

Columns: the hidden affinity summed over the proposals, as a share of the optimum's and as a
multiple of first-available's; the objective (after matches and urgent matches: scores plus
soft priorities less slot costs, `assignment.objective`) as a share of the optimum's; the share
of requests and of urgent requests matched; violations (of the pair rules, and slots over
capacity); the spread of the supporters' load (standard deviation of load / capacity after the
proposals); seconds (for the two baselines, their loops only: the scores of all eligible pairs,
which they share, are computed beforehand).

A timing table then times the engine's stages for growing numbers of open requests against the
same supporters, with the peak memory they add (resident size, numpy and OR-Tools included).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kindred.events.vocabulary import AgeBand, Topic, Urgency
from kindred.matching.domain import constraints, scoring
from kindred.matching.domain.assignment import (
    Candidates,
    assign,
    objective,
    optimum,
    scored_pairs,
)
from kindred.matching.domain.model import (
    ANY_TIME,
    WEEK_HOURS,
    EngineConfig,
    Offering,
    Outcome,
    Proposal,
    Rules,
    Seeking,
)
from kindred.matching.domain.text import embed

Floats = npt.NDArray[np.float64]

LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "pl")
LANGUAGE_SHARE = (0.60, 0.20, 0.08, 0.05, 0.04, 0.015, 0.01, 0.005)
TOPICS = tuple(Topic)
TOPIC_SHARE = tuple(1.0 / (i + 1) ** 1.1 for i in range(len(TOPICS)))
ADULT_BANDS = tuple(b for b in AgeBand if b != AgeBand.A13_17)
ADULT_SHARE = (0.18, 0.27, 0.22, 0.15, 0.11, 0.07)

THEMES: dict[str, str] = {
    "hospital": "hospital ward nurses surgery diagnosis scans waiting room oncology chemo visits",
    "nights": "night shifts insomnia awake tired exhausted sleepless dark hours coffee dawn",
    "faith": "church prayer faith god belief spiritual mosque temple meaning hope",
    "moving": "moved abroad new country immigrant visa homesick language far family",
    "money": "debt bills rent money mortgage savings broke loans eviction budget",
    "kids": "toddler baby newborn nappies teenager school kids daughter son parenting",
    "work": "boss layoff redundancy career office interview resume colleagues fired unemployed",
    "body": "pain fatigue wheelchair mobility medication flare symptoms doctor therapy chronic",
    "drink": "alcohol drinking sober sobriety meetings relapse cravings bottle recovery sponsor",
    "partner": "husband wife partner marriage separation custody lawyer divorce breakup ex",
    "elders": "father mother dementia care home elderly parents caring memory nursing",
    "alone": "alone lonely isolated friends nobody silence empty weekends quiet evenings",
}
FILLER = (
    "i me my the a and to of it that is was have been feel feeling really just lately "
    "so very with for about but not know think want need some time day days week things "
    "going hard much more still always never"
).split()
N_THEMES = len(THEMES)
_THEME_WORDS = [words.split() for words in THEMES.values()]

# Weekly habits in local time: (days, first hour, hours).
HABITS = (
    (range(7), 18, 5),  # evenings
    (range(5, 7), 9, 12),  # weekends
    (range(5), 12, 2),  # weekday lunches
    (range(7), 7, 3),  # mornings
    (range(7), 22, 4),  # late nights
    (range(7), 9, 12),  # most of the day
)
UTC_OFFSETS = (-8, -6, -5, -3, 0, 1, 2, 3, 5, 8, 10)
OFFSET_SHARE = (0.10, 0.06, 0.14, 0.06, 0.14, 0.24, 0.10, 0.04, 0.06, 0.03, 0.03)

ENGINE = "engine"
FIRST = "first-available"
GREEDY = "greedy best"
OPTIMUM = "optimum"


@dataclass
class Population:
    name: str
    requests: list[Seeking]  # in arrival order (the longest waiting first)
    supporters: list[Offering]  # in a fixed order (by id)
    request_themes: npt.NDArray[np.float32]
    supporter_themes: npt.NDArray[np.float32]
    request_hours: list[int]  # their true hours, whatever they told us
    supporter_hours: list[int]
    # The eligible pairs and their scores, once computed (by `_eligible`), and for which config.
    eligible: tuple[EngineConfig, Candidates] | None = None
    request_at: dict[str, int] = field(default_factory=dict)
    supporter_at: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.request_at = {r.request_id: i for i, r in enumerate(self.requests)}
        self.supporter_at = {s.member_id: i for i, s in enumerate(self.supporters)}

    @property
    def slots(self) -> int:
        return sum(s.capacity - s.load for s in self.supporters)


def _hours(rng: np.random.Generator) -> int:
    """A true weekly availability in UTC: one or two habits in a time zone."""
    offset = int(rng.choice(UTC_OFFSETS, p=OFFSET_SHARE))
    mask = 0
    for h in rng.choice(len(HABITS), size=int(rng.integers(1, 3)), replace=False):
        days, first, length = HABITS[int(h)]
        for day in days:
            for hour in range(first, first + length):
                mask |= 1 << ((day * 24 + hour - offset) % WEEK_HOURS)
    return mask


def _themes(rng: np.random.Generator, n: int) -> npt.NDArray[np.float32]:
    mix = rng.dirichlet(np.full(N_THEMES, 0.25), size=n)
    unit: npt.NDArray[np.float32] = (mix / np.linalg.norm(mix, axis=1, keepdims=True)).astype(
        np.float32
    )
    return unit


def _text(
    rng: np.random.Generator, themes: npt.NDArray[np.float32], topics: Sequence[Topic]
) -> str:
    if rng.random() < 0.05:
        return ""
    weights = themes**2 / float((themes**2).sum())
    words: list[str] = []
    for _ in range(int(rng.integers(10, 40))):
        draw = rng.random()
        if draw < 0.45:
            words.append(FILLER[int(rng.integers(len(FILLER)))])
        elif draw < 0.55 and topics:
            words.append(str(topics[int(rng.integers(len(topics)))]).replace("-", " "))
        else:
            vocabulary = _THEME_WORDS[int(rng.choice(N_THEMES, p=weights))]
            words.append(vocabulary[int(rng.integers(len(vocabulary)))])
    return " ".join(words)


def _topics(
    rng: np.random.Generator, sizes: Sequence[int], share: Sequence[float]
) -> frozenset[Topic]:
    count = int(rng.choice(sizes, p=share))
    p = np.asarray(TOPIC_SHARE) / sum(TOPIC_SHARE)
    return frozenset(
        TOPICS[int(i)] for i in rng.choice(len(TOPICS), size=count, replace=False, p=p)
    )


def _language(rng: np.random.Generator) -> str:
    return str(rng.choice(LANGUAGES, p=LANGUAGE_SHARE))


def _adult(rng: np.random.Generator) -> AgeBand:
    return ADULT_BANDS[int(rng.choice(len(ADULT_BANDS), p=ADULT_SHARE))]


def population(name: str, n_requests: int, n_supporters: int, seed: int) -> Population:
    """A synthetic population (see the module doc). `name` "scarce" gives supporters who are
    mostly busy already, so that free slots are about 0.57 times the requests."""
    rng = np.random.default_rng(seed)
    scarce = name == "scarce"

    supporter_themes = _themes(rng, n_supporters)
    supporter_hours = [_hours(rng) for _ in range(n_supporters)]
    texts: list[str] = []
    staged: list[dict[str, object]] = []
    for i in range(n_supporters):
        languages = {_language(rng)}
        if rng.random() < 0.3:
            languages.add("en")
        if rng.random() < 0.1:
            languages.add(_language(rng))
        topics = _topics(rng, (1, 2, 3, 4), (0.25, 0.35, 0.25, 0.15))
        opted_out = (
            frozenset({sorted(topics)[int(rng.integers(len(topics)))]})
            if len(topics) > 1 and rng.random() < 0.1
            else frozenset()
        )
        capacity = int(rng.choice((1, 2, 3, 4), p=(0.35, 0.35, 0.2, 0.1)))
        if scarce:
            room = 1 if rng.random() < 0.8 else min(2, capacity)
        else:
            room = capacity if rng.random() < 0.7 else int(rng.integers(1, capacity + 1))
        minor = rng.random() < 0.01
        staged.append(
            {
                "languages": frozenset(languages),
                "topics": topics,
                "opted_out": opted_out,
                "age_band": AgeBand.A13_17 if minor else _adult(rng),
                "minors_cleared": rng.random() < 0.08,
                "capacity": capacity,
                "load": capacity - room,
            }
        )
        texts.append(_text(rng, supporter_themes[i], sorted(topics)))
    vectors = embed(texts)
    supporters = [
        Offering(
            member_id=f"m{i:06d}",
            text=vectors[i],
            availability=ANY_TIME if rng.random() < 0.1 else supporter_hours[i],
            recent=int(rng.poisson(1.5)),
            **staged[i],  # type: ignore[arg-type]
        )
        for i in range(n_supporters)
    ]

    request_themes = _themes(rng, n_requests)
    request_hours = [_hours(rng) for _ in range(n_requests)]
    waited = np.sort(rng.exponential(4 * 3600.0, size=n_requests))[::-1]
    speakers: dict[str, list[str]] = {}
    for s in supporters:
        for language in s.languages:
            speakers.setdefault(language, []).append(s.member_id)
    texts = []
    staged = []
    for i in range(n_requests):
        language = _language(rng)
        topics = _topics(rng, (1, 2, 3), (0.5, 0.35, 0.15))
        pool = speakers.get(language, [])
        blocked = rng.integers(len(pool), size=min(len(pool), int(rng.poisson(2)))) if pool else ()
        seeker = f"m{int(rng.integers(n_supporters)):06d}" if rng.random() < 0.03 else f"s{i:06d}"
        urgency = rng.choice((Urgency.HIGH, Urgency.NORMAL, Urgency.LOW), p=(0.07, 0.73, 0.2))
        staged.append(
            {
                "seeker_id": seeker,
                "language": language,
                "topics": topics,
                "urgency": Urgency(urgency),
                "age_band": AgeBand.A13_17 if rng.random() < 0.03 else _adult(rng),
                "excluded": frozenset(pool[int(b)] for b in blocked),
            }
        )
        texts.append(_text(rng, request_themes[i], sorted(topics)))
    vectors = embed(texts)
    requests = [
        Seeking(
            request_id=f"r{i:06d}",
            text=vectors[i],
            availability=ANY_TIME if rng.random() < 0.1 else request_hours[i],
            waited_seconds=float(waited[i]),
            **staged[i],  # type: ignore[arg-type]
        )
        for i in range(n_requests)
    ]
    return Population(
        name=name,
        requests=requests,
        supporters=supporters,
        request_themes=request_themes,
        supporter_themes=supporter_themes,
        request_hours=request_hours,
        supporter_hours=supporter_hours,
    )


def scarce_supporters(n_requests: int) -> int:
    """Supporters for the scarce population: half as many as requests. With 1 free slot for
    80% of them and up to 2 for the rest (1.13 on average), free slots come to about 0.57
    times the requests (5,661 for 10,000 in the README's run)."""
    return max(1, round(n_requests / 2))


# --- Methods --------------------------------------------------------------------------------


def _proposals(pop: Population, pairs: Sequence[tuple[int, int]], config: EngineConfig) -> Outcome:
    proposals = []
    for r, s in pairs:
        request, supporter = pop.requests[r], pop.supporters[s]
        value, parts = scoring.score(request, supporter, config.weights)
        proposals.append(Proposal(request.request_id, supporter.member_id, value, parts))
    return Outcome(proposals=proposals, unmatched={})


def _eligible(pop: Population, config: EngineConfig) -> Candidates:
    """Every eligible pair with its score, positions as in `pop` (sorted by request, then
    supporter); computed once per population and rules."""
    if pop.eligible is None or pop.eligible[0] != config:
        requests, supporters, pairs = scored_pairs(pop.requests, pop.supporters, config)
        req = np.array([pop.request_at[r.request_id] for r in requests], dtype=np.int64)
        sup = np.array([pop.supporter_at[s.member_id] for s in supporters], dtype=np.int64)
        r, s = req[pairs.request], sup[pairs.supporter]
        order = np.argsort(r * len(pop.supporters) + s, kind="stable")
        sorted_pairs = Candidates(
            r[order].astype(np.int32), s[order].astype(np.int32), pairs.score[order]
        )
        pop.eligible = (config, sorted_pairs)
    return pop.eligible[1]


def _arrival_order(pop: Population, config: EngineConfig, best_first: bool) -> Outcome:
    """Each request in arrival order takes one eligible supporter with room: the first in
    supporter order, or the best-scored (`best_first`, ties to the first)."""
    pairs = _eligible(pop, config)
    starts = np.searchsorted(pairs.request, np.arange(len(pop.requests) + 1))
    room = np.array([s.capacity - s.load for s in pop.supporters])
    chosen: list[tuple[int, int]] = []
    for r in range(len(pop.requests)):
        options = pairs.supporter[starts[r] : starts[r + 1]]
        free = np.flatnonzero(room[options] > 0)
        if len(free) == 0:
            continue
        if best_first:
            free = free[np.argmax(pairs.score[starts[r] : starts[r + 1]][free]) :]
        s = int(options[free[0]])
        room[s] -= 1
        chosen.append((r, s))
    return _proposals(pop, chosen, config)


def first_available(pop: Population, config: EngineConfig) -> Outcome:
    return _arrival_order(pop, config, best_first=False)


def greedy_best(pop: Population, config: EngineConfig) -> Outcome:
    return _arrival_order(pop, config, best_first=True)


# --- Measures -------------------------------------------------------------------------------


def _overlap(a: int, b: int) -> float:
    return (a & b).bit_count() / min(a.bit_count(), b.bit_count())


def affinity(pop: Population, proposals: Sequence[Proposal]) -> Floats:
    """The hidden affinity of each proposed pair."""
    out = np.zeros(len(proposals))
    for n, p in enumerate(proposals):
        r, s = pop.request_at[p.request_id], pop.supporter_at[p.supporter_id]
        request, supporter = pop.requests[r], pop.supporters[s]
        topics = len(request.topics & constraints.usable_topics(supporter)) / len(request.topics)
        themes = float(pop.request_themes[r] @ pop.supporter_themes[s])
        hours = _overlap(pop.request_hours[r], pop.supporter_hours[s])
        out[n] = 0.3 * topics + 0.5 * themes + 0.2 * hours
    return out


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
    _eligible(pop, config)
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
    return f"{title}\n\n{_table(header, cells)}"


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
    assignment = stages.get("flow", 0.0) + stages.get("proposals", 0.0)
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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kindred.devtools.bench.engine")
    parser.add_argument("--quick", action="store_true", help="2k x 2k, a few seconds")
    parser.add_argument("--requests", type=int, help="requests per population (10000)")
    parser.add_argument("--supporters", type=int, help="supporters of ample and timing (10000)")
    parser.add_argument("--sizes", help="open requests timed, comma-separated (1000,10000,50000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--k", type=int, help="candidates per request (the engine's default)")
    parser.add_argument("--no-optimum", action="store_true", help="skip the exact optimum")
    args = parser.parse_args(argv)

    n_requests = args.requests or (2000 if args.quick else 10000)
    n_supporters = args.supporters or (2000 if args.quick else 10000)
    default_sizes = "500,2000" if args.quick else "1000,10000,50000"
    sizes = [int(s) for s in (args.sizes or default_sizes).split(",")]
    config = EngineConfig(rules=Rules(minors=True, max_age_gap=3))
    if args.k:
        config = EngineConfig(rules=config.rules, candidates_per_request=args.k)
    print(
        f"Kindred matching benchmark: seed {args.seed}, {os.cpu_count()} CPUs, "
        f"{config.candidates_per_request} candidates per request, {config.rules}\n"
    )

    for name, supporters in (
        ("ample", n_supporters),
        ("scarce", scarce_supporters(n_requests)),
    ):
        pop = population(name, n_requests, supporters, args.seed)
        rows = compare(pop, config, exact=not args.no_optimum)
        print(comparison_table(pop, rows), end="\n\n")

    largest = max(sizes)
    pool = population("timing", largest, n_supporters, args.seed + 1)
    assign(pool.requests[:200], pool.supporters, config)  # warm up (first calls, caches)
    timings = [timing_row(pool.requests[:size], pool.supporters, config) for size in sizes]
    print("Engine stages, fastest of 3 runs (candidates: arrays, eligibility and scores, best few")
    print("per request, also for the later rounds; assignment: min-cost flows, urgent-first step,")
    print("proposals)\n")
    print(timing_table(timings))


if __name__ == "__main__":
    main()
